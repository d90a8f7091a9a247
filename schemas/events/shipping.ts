/** Shipping (protocol 8): a finished unit of a work order, or a quantity of its lot, leaves the plant for a customer. */
import { identifierSchema, unitRefSchema } from '../common.ts';

/**
 * `unit.shipped`: a finished serialized unit (quantity 1) or a quantity of a work order's lot shipped
 * to a customer under a shipment (the packing slip or shipment reference the customer receives).
 * Recorded at the station by whoever ships; refused there while the unit is under an open NCR, on
 * hold or its traveler is not complete (src/domain/shipping.ts); rule C39 flags one recorded
 * offline that the server finds so.
 */
export const unitShippedSchema = {
  type: 'object',
  properties: {
    workOrderId: identifierSchema,
    unit: unitRefSchema,
    partNumber: identifierSchema,
    quantity: { type: 'integer', minimum: 1, maximum: 1e9 },
    customer: { type: 'string', minLength: 1, maxLength: 120 },
    /** The packing slip or shipment reference, as printed on the paperwork that goes with the goods. */
    shipmentRef: identifierSchema,
  },
  required: ['workOrderId', 'unit', 'partNumber', 'quantity', 'customer', 'shipmentRef'],
  additionalProperties: false,
} as const;

/** A shipment of a unit or lot quantity as a serial or lot view records it. */
export const shipmentMarkSchema = {
  type: 'object',
  properties: {
    eventId: identifierSchema,
    actor: identifierSchema,
    at: { type: 'string', format: 'date-time', maxLength: 40 },
    stationId: identifierSchema,
    workOrderId: identifierSchema,
    quantity: { type: 'number' },
    customer: { type: 'string', maxLength: 120 },
    shipmentRef: identifierSchema,
  },
  required: ['eventId', 'actor', 'at', 'stationId', 'workOrderId', 'quantity', 'customer', 'shipmentRef'],
  additionalProperties: false,
} as const;
