import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema } from './common.ts';

/** A machine, bench or cell where operations run. */
export const workCenterSchema = {
  type: 'object',
  properties: {
    id: identifierSchema,
    name: { type: 'string', minLength: 1, maxLength: 120 },
  },
  required: ['id', 'name'],
  additionalProperties: false,
} as const;

export type WorkCenter = FromSchema<typeof workCenterSchema>;
