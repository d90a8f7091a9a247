import type { FromSchema } from 'json-schema-to-ts';
import { storedEntrySchema } from './audit-entry.ts';

/** Most entries `GET /api/audit/entries` answers at once. */
export const MAX_AUDIT_ENTRIES = 1000;

/** `GET /api/audit/checkpoint`: the latest signed checkpoint (C2SP signed note). */
export const checkpointResponseSchema = {
  type: 'object',
  properties: { size: { type: 'integer', minimum: 0 }, note: { type: 'string' } },
  required: ['size', 'note'],
  additionalProperties: false,
} as const;

/** `GET /api/audit/checkpoints`: every checkpoint, smallest first. */
export const checkpointsResponseSchema = {
  type: 'object',
  properties: { checkpoints: { type: 'array', items: checkpointResponseSchema } },
  required: ['checkpoints'],
  additionalProperties: false,
} as const;

/**
 * An entry withheld from a station not cleared for a program it concerns (docs/sync-spec.md S20):
 * only its RFC 9162 leaf hash (base64), so the tree's roots and proofs can still be checked.
 */
export const withheldEntrySchema = {
  type: 'object',
  properties: {
    index: { type: 'integer', minimum: 0 },
    leafHash: { type: 'string' },
  },
  required: ['index', 'leafHash'],
  additionalProperties: false,
} as const;

/** `GET /api/audit/entries?start&end`: entries [start, end), each whole or withheld to its leaf hash. */
export const entriesResponseSchema = {
  type: 'object',
  properties: { entries: { type: 'array', items: { anyOf: [storedEntrySchema, withheldEntrySchema] } } },
  required: ['entries'],
  additionalProperties: false,
} as const;

/** `GET /api/audit/proof/inclusion?index&size` and `…/consistency?first&second`: base64 hashes. */
export const proofResponseSchema = {
  type: 'object',
  properties: { proof: { type: 'array', items: { type: 'string' } } },
  required: ['proof'],
  additionalProperties: false,
} as const;

/** A server key and when it was in force, by leaf index and time; the newest has no end. */
export const serverKeySchema = {
  type: 'object',
  properties: {
    keyId: { type: 'string' },
    keyName: { type: 'string' },
    /** Raw Ed25519 public key, base64. */
    publicKey: { type: 'string' },
    validFromIndex: { type: 'integer', minimum: 0 },
    validFrom: { type: 'string' },
    validUntilIndex: { type: 'integer', minimum: 0 },
    validUntil: { type: 'string' },
  },
  required: ['keyId', 'keyName', 'publicKey', 'validFromIndex', 'validFrom'],
  additionalProperties: false,
} as const;

/** `GET /api/audit/keys`. */
export const keysResponseSchema = {
  type: 'object',
  properties: { keys: { type: 'array', items: serverKeySchema } },
  required: ['keys'],
  additionalProperties: false,
} as const;

/**
 * `GET /api/audit/trail?q=` (or `?serial=`, `?lot=`): the entries about a serial, each with its inclusion proof at the
 * checkpoint; `withheld` counts those left out because they concern a program the station is not
 * cleared for (a unit of such a program has no trail at all for it, and 0 withheld).
 */
export const trailResponseSchema = {
  type: 'object',
  properties: {
    checkpoint: checkpointResponseSchema,
    keys: { type: 'array', items: serverKeySchema },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        properties: { ...storedEntrySchema.properties, proof: { type: 'array', items: { type: 'string' } } },
        required: ['index', 'entry'],
        additionalProperties: false,
      },
    },
    withheld: { type: 'integer', minimum: 0 },
    /**
     * A look-up by `?q=` (serial, lot, work order or part, any case): the trail subjects it was
     * answered for (src/audit/subjects.ts), and the part number when it named a part.
     */
    subjects: { type: 'array', items: { type: 'string' } },
    part: { type: 'string' },
  },
  required: ['checkpoint', 'keys', 'entries', 'withheld'],
  additionalProperties: false,
} as const;

export type CheckpointResponse = FromSchema<typeof checkpointResponseSchema>;
export type EntriesResponse = FromSchema<typeof entriesResponseSchema>;
export type WithheldEntry = FromSchema<typeof withheldEntrySchema>;
export type ProofResponse = FromSchema<typeof proofResponseSchema>;
export type ServerKeyInfo = FromSchema<typeof serverKeySchema>;
export type KeysResponse = FromSchema<typeof keysResponseSchema>;
export type TrailResponse = FromSchema<typeof trailResponseSchema>;
