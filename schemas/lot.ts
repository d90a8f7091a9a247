import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema } from './common.ts';

/** A material lot tracked by quantity. `remaining` is what the server last knew was left. */
export const lotSchema = {
  type: 'object',
  properties: {
    lotId: identifierSchema,
    partNumber: identifierSchema,
    quantity: { type: 'number', minimum: 0 },
    remaining: { type: 'number' },
  },
  required: ['lotId', 'partNumber', 'quantity', 'remaining'],
  additionalProperties: false,
} as const;

export type Lot = FromSchema<typeof lotSchema>;
