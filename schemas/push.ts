import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoTimeSchema } from './common.ts';
import { receiptSchema } from './receipt.ts';

/** Most events in one push; a station with more sends several. */
export const MAX_PUSH_EVENTS = 1000;

/**
 * `POST /api/sync/push`: a station's events in its sequence order. `sentAt` is the station's clock
 * when it sent them; the server compares it with its own to detect clock skew. Each event is
 * validated against schemas/event.ts on its own.
 */
export const pushRequestSchema = {
  type: 'object',
  properties: {
    protocolVersion: { type: 'integer', minimum: 0 },
    stationId: identifierSchema,
    sentAt: isoTimeSchema,
    events: { type: 'array', items: { type: 'object' }, maxItems: MAX_PUSH_EVENTS },
  },
  required: ['protocolVersion', 'stationId', 'sentAt', 'events'],
  additionalProperties: false,
} as const;

export const pushResponseSchema = {
  type: 'object',
  properties: { receipts: { type: 'array', items: receiptSchema } },
  required: ['receipts'],
  additionalProperties: false,
} as const;

export type PushRequest = FromSchema<typeof pushRequestSchema>;
export type PushResponse = FromSchema<typeof pushResponseSchema>;
