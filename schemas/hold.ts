import type { FromSchema } from 'json-schema-to-ts';
import { holdSubjectSchema, identifierSchema, isoTimeSchema, signatureSchema } from './common.ts';

/** A stop on a serial, a lot or a work order: nothing moves until someone with authority releases it. */
export const holdSchema = {
  type: 'object',
  properties: {
    holdId: identifierSchema,
    subject: holdSubjectSchema,
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    placedBy: identifierSchema,
    placedAt: isoTimeSchema,
    sourceEventId: identifierSchema,
    status: { type: 'string', enum: ['active', 'released'] },
    release: {
      type: 'object',
      properties: { eventId: identifierSchema, signature: signatureSchema },
      required: ['eventId', 'signature'],
      additionalProperties: false,
    },
  },
  required: ['holdId', 'subject', 'reason', 'placedBy', 'placedAt', 'status'],
  additionalProperties: false,
} as const;

export type Hold = FromSchema<typeof holdSchema>;
