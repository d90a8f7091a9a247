import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema } from './common.ts';

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
  },
  required: ['serial', 'partNumber'],
  additionalProperties: false,
} as const;

export type SerialUnit = FromSchema<typeof serialUnitSchema>;
