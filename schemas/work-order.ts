import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoDateSchema, unitRefSchema } from './common.ts';

/**
 * An order to make a quantity of a part at a revision. Its traveler runs on `units`: one per serial
 * for a serialized order, or a single lot for a lot-tracked one.
 */
export const workOrderSchema = {
  type: 'object',
  properties: {
    id: identifierSchema,
    partNumber: identifierSchema,
    partRevision: identifierSchema,
    quantity: { type: 'integer', minimum: 1 },
    tracking: { type: 'string', enum: ['serial', 'lot'] },
    units: { type: 'array', items: unitRefSchema, minItems: 1 },
    program: identifierSchema,
    dueDate: isoDateSchema,
    /** The program's contract wants the customer's approval of a use-as-is or repair disposition (its reference is recorded). */
    customerApprovalRequired: { type: 'boolean' },
  },
  required: ['id', 'partNumber', 'partRevision', 'quantity', 'tracking', 'units', 'program', 'dueDate'],
  additionalProperties: false,
} as const;

export type WorkOrder = FromSchema<typeof workOrderSchema>;
