import type { FromSchema } from 'json-schema-to-ts';
import { flagSchema } from './flags.ts';
import { identifierSchema, isoTimeSchema } from './common.ts';

/** What an audit entry records: a receipt, or a system action. */
export const AUDIT_KINDS = [
  'log.created',
  'key.rotated',
  'station.enrolled',
  'station.approved',
  'station.revoked',
  'station.programs-changed',
  'signature.refused',
  'signature.locked-out',
  'receipt',
  'quarantine',
  'master-data.changed',
  'log.restored',
  'ncr.qms-dispositioned',
  'integration.created',
  'integration.revoked',
] as const;

/**
 * One entry of the plant's audit log (docs/audit.md): a leaf of the RFC 9162 Merkle tree, stored
 * and hashed as its RFC 8785 encoding. A receipt entry carries the event exactly as the station
 * signed it. Format 6 (`format: 6`) entries are not signed one by one: the signed checkpoint written
 * in the same transaction covers them, and `prev` chains the entries about each subject. Entries
 * without `format` (protocol versions 3–5) were each signed by the server key `keyId` names.
 */
export const auditEntrySchema = {
  type: 'object',
  properties: {
    /** Position in the log, from 0: the leaf index. */
    index: { type: 'integer', minimum: 0 },
    /** 6: not signed by itself (a checkpoint covers it), and `prev` is present. Absent: an entry of format 3–5, signed. */
    format: { const: 6 },
    /**
     * Format 6: for each subject of the entry (src/audit/subjects.ts `entrySubjects`, sorted), the
     * index of the previous entry about it, or null when there is none: each subject's entries chain.
     */
    prev: {
      type: 'array',
      items: {
        type: 'object',
        properties: { subject: { type: 'string', maxLength: 240 }, index: { type: ['integer', 'null'], minimum: 0 } },
        required: ['subject', 'index'],
        additionalProperties: false,
      },
    },
    kind: { type: 'string', enum: AUDIT_KINDS },
    /** The server's time when it recorded the entry (a receipt's receivedAt). */
    recordedAt: isoTimeSchema,
    /** The C2SP key id (hex) of the server key in force: it signs this entry (format 3–5) or the checkpoints that cover it (format 6). */
    keyId: { type: 'string', pattern: '^[0-9a-f]{8}$' },
    /** Who did it (a badge, or "system") and in what role. */
    actor: { type: 'string', maxLength: 80 },
    role: { type: 'string', maxLength: 40 },
    /** The station that pushed the event, or the station an action is about. */
    stationId: { type: 'string', maxLength: 200 },
    eventId: { type: 'string', maxLength: 200 },
    eventType: { type: 'string', maxLength: 40 },
    serverSeq: { type: 'integer', minimum: 0 },
    outcome: { type: 'string', enum: ['accepted', 'flagged', 'rejected'] },
    flags: { type: 'array', items: flagSchema },
    reason: { type: 'string', maxLength: 2000 },
    deviceTime: { type: 'string', maxLength: 40 },
    hlc: { type: 'string', maxLength: 120 },
    /** The serial or lot the event is about, for the audit trail of a unit. */
    unit: { type: 'string', maxLength: 200 },
    /** The event as the station signed it (receipts), or the raw input refused (quarantine). */
    event: {},
    /** An electronic signature's manifestation: who, when, and its meaning and reason. */
    signature: {
      type: 'object',
      properties: { signerBadge: identifierSchema, printedName: { type: 'string' }, meaning: { type: 'string' }, reason: { type: 'string' }, signedAt: { type: 'string' } },
      required: ['signerBadge', 'printedName', 'meaning', 'signedAt'],
    },
    /** What a system action is about: a station's key, a new server key, the views changed. */
    subject: { type: 'object' },
  },
  required: ['index', 'kind', 'recordedAt', 'keyId'],
  additionalProperties: false,
} as const;

export type AuditEntry = FromSchema<typeof auditEntrySchema>;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * An entry as stored and served: its exact RFC 8785 text and, for an entry of format 3–5, the
 * server's signature over it (base64url). A format 6 entry has no signature of its own.
 */
export const storedEntrySchema = {
  type: 'object',
  properties: {
    index: { type: 'integer', minimum: 0 },
    entry: { type: 'string' },
    signature: { type: 'string' },
  },
  required: ['index', 'entry'],
  additionalProperties: false,
} as const;

export type StoredEntry = FromSchema<typeof storedEntrySchema>;

