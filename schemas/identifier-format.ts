import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema } from './common.ts';

/**
 * The shape of one of the plant's own identifiers (badges, work orders, internal serials, lots,
 * part numbers), master data the scan parser tries after every standard (src/scan/plant-formats.ts).
 */
export const identifierFormatSchema = {
  type: 'object',
  properties: {
    id: identifierSchema,
    kind: { type: 'string', enum: ['badge', 'workOrder', 'serial', 'lot', 'partNumber'] },
    /** A regular expression (source text) the whole identifier must match. */
    pattern: { type: 'string', minLength: 1, maxLength: 200 },
    name: { type: 'string', maxLength: 80 },
  },
  required: ['id', 'kind', 'pattern'],
  additionalProperties: false,
} as const;

export type IdentifierFormat = FromSchema<typeof identifierFormatSchema>;
