import type { FromSchema } from 'json-schema-to-ts';
import { flagSchema } from './flags.ts';
import { identifierSchema, isoTimeSchema } from './common.ts';

/**
 * The server's answer for one pushed event: where it ended up (accepted, accepted and flagged, or
 * rejected into quarantine), why, and its place in the server's order. `visibleAt` is the pull
 * checkpoint from which the server's views include its effect; until a station has pulled that far
 * it keeps showing the event from its own overlay.
 */
export const receiptSchema = {
  type: 'object',
  properties: {
    eventId: identifierSchema,
    outcome: { type: 'string', enum: ['accepted', 'flagged', 'rejected'] },
    flags: { type: 'array', items: flagSchema },
    reason: { type: 'string', maxLength: 2000 },
    serverSeq: { type: 'integer', minimum: 0 },
    visibleAt: { type: 'integer', minimum: 0 },
    receivedAt: isoTimeSchema,
  },
  required: ['eventId', 'outcome', 'flags', 'serverSeq', 'visibleAt', 'receivedAt'],
  additionalProperties: false,
} as const;

export type Receipt = FromSchema<typeof receiptSchema>;
