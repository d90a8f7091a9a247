import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoTimeSchema } from './common.ts';

/** The format name an evidence package carries; a verifier refuses any other. */
export const EVIDENCE_FORMAT = 'travelog-evidence/1';

/**
 * A fact of the package: what it says, and where it comes from. `recorded` maps a dotted path into
 * the cited audit entry (`event.payload.gaugeId`, `recordedAt`, …) to the value found there: a
 * verifier checks each against the entry, which the checkpoint proves. `context` is master data the
 * server added to make the fact readable (names, limits, qualifications, provenance): not proven by
 * the log, and said so wherever it is shown.
 */
export const evidenceFactSchema = {
  type: 'object',
  properties: {
    entry: { type: 'integer', minimum: 0 },
    recorded: { type: 'object' },
    context: { type: 'object' },
  },
  required: ['recorded', 'context'],
  additionalProperties: false,
} as const;

const facts = { type: 'array', items: evidenceFactSchema } as const;

/** An entry of the log cited whole: its RFC 8785 text and its RFC 9162 inclusion proof (base64) at the checkpoint. */
export const evidenceEntrySchema = {
  type: 'object',
  properties: {
    index: { type: 'integer', minimum: 0 },
    entry: { type: 'string' },
    proof: { type: 'array', items: { type: 'string' } },
  },
  required: ['index', 'entry', 'proof'],
  additionalProperties: false,
} as const;

/**
 * An entry of a subject's chain that concerns a program the asking station is not cleared for
 * (docs/sync-spec.md S20): its leaf hash only, with its proof, as `GET /api/audit/entries` serves it.
 */
export const evidenceWithheldSchema = {
  type: 'object',
  properties: {
    index: { type: 'integer', minimum: 0 },
    leafHash: { type: 'string' },
    /** The package's subjects whose chain it is in (the server's word: its text cannot be read). */
    subjects: { type: 'array', items: { type: 'string' } },
    proof: { type: 'array', items: { type: 'string' } },
  },
  required: ['index', 'leafHash', 'subjects', 'proof'],
  additionalProperties: false,
} as const;

/**
 * `GET /api/evidence?serial=…|lot=…|workOrder=…` (docs/evidence.md): everything the plant recorded
 * about a unit, a lot or a work order and its genealogy, each fact citing the audit entry that
 * records it, every entry proven to ONE signed checkpoint, and for each subject the head of its
 * chain as that checkpoint's extension lines sign it, so that an entry left out, added or moved is
 * detected (`npm run evidence:verify`).
 */
export const evidencePackageSchema = {
  type: 'object',
  properties: {
    format: { const: EVIDENCE_FORMAT },
    query: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['serial', 'lot', 'workOrder'] }, id: identifierSchema },
      required: ['kind', 'id'],
      additionalProperties: false,
    },
    generatedAt: isoTimeSchema,
    checkpoint: {
      type: 'object',
      properties: {
        size: { type: 'integer', minimum: 1 },
        /** Base64 RFC 9162 root of the tree of `size` entries. */
        root: { type: 'string' },
        /** C2SP signed note: origin, size, root, then one `evidence-head <index|-> <subject>` line per subject. */
        note: { type: 'string' },
        /** The log's own checkpoint of the same size (the same root), as `GET /api/audit/checkpoints` serves it. */
        logNote: { type: 'string' },
      },
      required: ['size', 'root', 'note', 'logNote'],
      additionalProperties: false,
    },
    /** The server keys of the log, each with the entries it was in force for. */
    keys: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          keyId: { type: 'string' },
          keyName: { type: 'string' },
          publicKey: { type: 'string' },
          validFromIndex: { type: 'integer', minimum: 0 },
          validFrom: { type: 'string' },
          validUntilIndex: { type: 'integer', minimum: 0 },
          validUntil: { type: 'string' },
        },
        required: ['keyId', 'keyName', 'publicKey', 'validFromIndex', 'validFrom'],
        additionalProperties: false,
      },
    },
    /** Every subject whose whole chain up to the checkpoint is in the package, with its head (null: no entry). */
    subjects: {
      type: 'array',
      items: {
        type: 'object',
        properties: { subject: { type: 'string', maxLength: 240 }, head: { type: ['integer', 'null'], minimum: 0 } },
        required: ['subject', 'head'],
        additionalProperties: false,
      },
    },
    entries: { type: 'array', items: evidenceEntrySchema },
    withheld: { type: 'array', items: evidenceWithheldSchema },
    /** The genealogy walk stopped at its bound: units beyond it are not in the package. */
    truncated: { type: 'boolean' },
    facts: {
      type: 'object',
      properties: {
        units: facts,
        traveler: facts,
        measurements: facts,
        whereFrom: facts,
        whereUsed: facts,
        lots: facts,
        holds: facts,
        nonconformances: facts,
        conflicts: facts,
        refused: facts,
        /** `unit.shipped` of the package's units (protocol 8): to whom, under which shipment, when, by whom. Absent in packages made before. */
        shipments: facts,
      },
      required: ['units', 'traveler', 'measurements', 'whereFrom', 'whereUsed', 'lots', 'holds', 'nonconformances', 'conflicts', 'refused'],
      additionalProperties: false,
    },
  },
  required: ['format', 'query', 'generatedAt', 'checkpoint', 'keys', 'subjects', 'entries', 'withheld', 'truncated', 'facts'],
  additionalProperties: false,
} as const;

export type EvidenceFact = FromSchema<typeof evidenceFactSchema>;
export type EvidencePackage = FromSchema<typeof evidencePackageSchema>;
export type EvidenceQuery = EvidencePackage['query'];
