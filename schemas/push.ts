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
    /**
     * The restart of the server's log the station last heard of (`restart.epoch` of a pull or push
     * answer), absent if none (docs/sync-spec.md S23). From version 6.
     */
    epoch: { type: 'string', minLength: 1, maxLength: 80 },
  },
  required: ['protocolVersion', 'stationId', 'sentAt', 'events'],
  additionalProperties: false,
} as const;

/**
 * The server's log was restored from a backup (docs/sync-spec.md S23): `epoch` names the restart,
 * `lastSeq` is the highest sequence number of the asking station's events the server holds. A
 * station that knew another epoch (or none) pulls again from checkpoint 0 and pushes again every
 * event it holds after `lastSeq`.
 */
export const restartSchema = {
  type: 'object',
  properties: {
    epoch: { type: 'string', minLength: 1, maxLength: 80 },
    lastSeq: { type: 'integer', minimum: 0 },
  },
  required: ['epoch', 'lastSeq'],
  additionalProperties: false,
} as const;

/**
 * The receipts of the push, one per event. With `restart` (version 6, a push naming another epoch
 * than the server's) nothing was stored and `receipts` is empty: the station catches up first (S23).
 */
export const pushResponseSchema = {
  type: 'object',
  properties: { receipts: { type: 'array', items: receiptSchema }, restart: restartSchema },
  required: ['receipts'],
  additionalProperties: false,
} as const;

export type PushRequest = FromSchema<typeof pushRequestSchema>;
export type PushResponse = FromSchema<typeof pushResponseSchema>;
