import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema } from './common.ts';
import { genealogyMarkProperties } from './lot.ts';
import { shipmentMarkSchema } from './events/shipping.ts';

/**
 * A serialized unit: either one a work order builds (`workOrderId`) or a component in stock.
 * `consumedInto` is set once it has been built into another unit (genealogy).
 */
export const serialUnitSchema = {
  type: 'object',
  properties: {
    serial: identifierSchema,
    partNumber: identifierSchema,
    workOrderId: identifierSchema,
    consumedInto: {
      type: 'object',
      properties: { workOrderId: identifierSchema, unitKey: identifierSchema, eventId: identifierSchema },
      required: ['workOrderId', 'unitKey', 'eventId'],
      additionalProperties: false,
    },
    /** Set when the unit was scrapped (`unit.scrapped`). */
    scrapped: {
      type: 'object',
      properties: { ...genealogyMarkProperties, reason: { type: 'string', maxLength: 500 } },
      required: ['eventId', 'actor', 'at', 'stationId', 'reason'],
      additionalProperties: false,
    },
    /** Set when the unit was shipped (`unit.shipped`, protocol 8): to whom, under which shipment, when. */
    shipped: shipmentMarkSchema,
  },
  required: ['serial', 'partNumber'],
  additionalProperties: false,
} as const;

export type SerialUnit = FromSchema<typeof serialUnitSchema>;
