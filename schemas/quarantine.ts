import type { FromSchema } from 'json-schema-to-ts';
import { flagSchema } from './flags.ts';
import { identifierSchema, isoTimeSchema } from './common.ts';

/**
 * An event the server refused, kept as it arrived with the reason, never deleted. The quality role
 * sees these.
 */
export const quarantineSchema = {
  type: 'object',
  properties: {
    quarantineId: identifierSchema,
    eventId: { type: 'string', maxLength: 200 },
    stationId: identifierSchema,
    receivedAt: isoTimeSchema,
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    flags: { type: 'array', items: flagSchema },
    raw: {},
  },
  required: ['quarantineId', 'eventId', 'stationId', 'receivedAt', 'reason', 'flags', 'raw'],
  additionalProperties: false,
} as const;

export type QuarantineEntry = FromSchema<typeof quarantineSchema>;
