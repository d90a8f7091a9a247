import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema } from './common.ts';

/** A part number at a revision; serialized parts have one identity per unit, lot-tracked parts a quantity per lot. */
export const partSchema = {
  type: 'object',
  properties: {
    partNumber: identifierSchema,
    revision: identifierSchema,
    description: { type: 'string', maxLength: 200 },
    tracking: { type: 'string', enum: ['serial', 'lot'] },
  },
  required: ['partNumber', 'revision', 'description', 'tracking'],
  additionalProperties: false,
} as const;

export type Part = FromSchema<typeof partSchema>;
