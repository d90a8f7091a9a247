import { identifierSchema, unitRefSchema } from '../common.ts';

/** `material.consumed`: a scanned serial or lot was built into the unit at an operation. */
export const materialConsumedSchema = {
  type: 'object',
  properties: {
    workOrderId: identifierSchema,
    operationId: identifierSchema,
    unit: unitRefSchema,
    material: {
      oneOf: [
        {
          type: 'object',
          properties: { kind: { const: 'serial' }, serial: identifierSchema, partNumber: identifierSchema },
          required: ['kind', 'serial', 'partNumber'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: {
            kind: { const: 'lot' },
            lotId: identifierSchema,
            partNumber: identifierSchema,
            quantity: { type: 'number', exclusiveMinimum: 0 },
          },
          required: ['kind', 'lotId', 'partNumber', 'quantity'],
          additionalProperties: false,
        },
      ],
    },
    /** The scan exactly as it arrived, kept as original evidence. */
    scanned: { type: 'string', minLength: 1, maxLength: 400 },
  },
  required: ['workOrderId', 'operationId', 'unit', 'material', 'scanned'],
  additionalProperties: false,
} as const;
