import type { FromSchema } from 'json-schema-to-ts';
import type { ViewDoc } from './view-doc.ts';
import { identifierSchema } from './common.ts';
import { receiptSchema } from './receipt.ts';
import { restartSchema } from './push.ts';

/**
 * `POST /api/sync/pull`: the station sends its checkpoint (the highest `serverSeq` it holds) and
 * gets the views changed since, in `serverSeq` order, at most `limit` per batch, with this station's
 * receipts up to the new checkpoint. Only views the station may see come back: those of programs it
 * is cleared for and, where `workCenterIds` is given, the work orders routed through those work
 * centers (master data and material always).
 */
export const pullRequestSchema = {
  type: 'object',
  properties: {
    protocolVersion: { type: 'integer', minimum: 0 },
    checkpoint: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 5000 },
    workCenterIds: { type: 'array', items: identifierSchema, maxItems: 50 },
  },
  required: ['protocolVersion', 'checkpoint'],
  additionalProperties: false,
} as const;

export const pullResponseSchema = {
  type: 'object',
  properties: {
    documents: { type: 'array', items: { type: 'object' } },
    receipts: { type: 'array', items: receiptSchema },
    checkpoint: { type: 'integer', minimum: 0 },
    hasMore: { type: 'boolean' },
    /**
     * Ids (`kind:key`) of views the station holds no longer: their program was taken off its
     * clearance (docs/sync-spec.md S22). Sent, from version 5, with the page whose range crosses the change.
     */
    dropped: { type: 'array', items: { type: 'string', maxLength: 200 } },
    /** Sent, from version 6, by a server whose log was restored from a backup (docs/sync-spec.md S23). */
    restart: restartSchema,
    /**
     * Where the plant's MRB decides (MRB_DECIDES; docs/ncr.md, The QMS link), sent from version 8 on
     * every page: with `qms` the station does not offer the disposition form (the server would refuse
     * it, C35) and says that MRB decides in the QMS.
     */
    mrbDecides: { type: 'string', enum: ['travelog', 'qms'] },
  },
  required: ['documents', 'receipts', 'checkpoint', 'hasMore'],
  additionalProperties: false,
} as const;

export type PullRequest = FromSchema<typeof pullRequestSchema>;
export type PullResponse = Omit<FromSchema<typeof pullResponseSchema>, 'documents'> & { documents: ViewDoc[] };

/**
 * Every error the API answers has this shape; `code` is stable, `message` names the field.
 * `eventIds` lists the events of a push that failed their schema (`invalid-event`).
 */
export const apiErrorSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    eventIds: { type: 'array', items: { type: 'string', maxLength: 200 } },
  },
  required: ['code', 'message'],
  additionalProperties: false,
} as const;

export type ApiError = FromSchema<typeof apiErrorSchema>;
