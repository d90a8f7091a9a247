import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoTimeSchema } from './common.ts';

/**
 * The meaning a revocation signature carries, stated before signing and recorded with it
 * (21 CFR 11.50). The request must name it, so the signer cannot sign one meaning and record another.
 */
export const REVOKE_MEANING = 'revoked: station no longer trusted';

/** An enrolled station as a supervisor's list shows it; the programs it is cleared for are not shown. */
export const stationSummarySchema = {
  type: 'object',
  properties: {
    id: identifierSchema,
    name: { type: 'string', minLength: 1, maxLength: 80 },
    /** The badge that enrolled it. */
    enrolledBy: identifierSchema,
    enrolledAt: isoTimeSchema,
    revokedAt: { anyOf: [isoTimeSchema, { type: 'null' }] },
    keyAlg: { anyOf: [{ type: 'string', enum: ['Ed25519', 'ECDSA-P256'] }, { type: 'null' }] },
  },
  required: ['id', 'name', 'enrolledBy', 'enrolledAt', 'revokedAt', 'keyAlg'],
  additionalProperties: false,
} as const;

/** `GET /api/stations`: every enrolled station, revoked ones too, oldest first; `self` is the caller. */
export const stationListResponseSchema = {
  type: 'object',
  properties: {
    stations: { type: 'array', items: stationSummarySchema },
    self: identifierSchema,
  },
  required: ['stations', 'self'],
  additionalProperties: false,
} as const;

/**
 * `POST /api/stations/:stationId/revoke`: a supervisor or quality engineer revokes a station under
 * an electronic signature, badge and PIN entered again (docs/sync-spec.md S19).
 */
export const revokeRequestSchema = {
  type: 'object',
  properties: {
    protocolVersion: { type: 'integer', minimum: 0 },
    signerBadge: identifierSchema,
    pin: { type: 'string', minLength: 1, maxLength: 32 },
    meaning: { const: REVOKE_MEANING },
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
  },
  required: ['protocolVersion', 'signerBadge', 'pin', 'meaning', 'reason'],
  additionalProperties: false,
} as const;

/** The revoked station, the signature's manifestation as recorded, and its audit entry's index. */
export const revokeResponseSchema = {
  type: 'object',
  properties: {
    station: stationSummarySchema,
    signature: {
      type: 'object',
      properties: {
        signerBadge: identifierSchema,
        printedName: { type: 'string', minLength: 1, maxLength: 120 },
        meaning: { const: REVOKE_MEANING },
        reason: { type: 'string', minLength: 1, maxLength: 2000 },
        signedAt: isoTimeSchema,
      },
      required: ['signerBadge', 'printedName', 'meaning', 'reason', 'signedAt'],
      additionalProperties: false,
    },
    auditIndex: { type: 'integer', minimum: 0 },
  },
  required: ['station', 'signature', 'auditIndex'],
  additionalProperties: false,
} as const;

export type StationSummary = FromSchema<typeof stationSummarySchema>;
export type StationListResponse = FromSchema<typeof stationListResponseSchema>;
export type RevokeRequest = FromSchema<typeof revokeRequestSchema>;
export type RevokeResponse = FromSchema<typeof revokeResponseSchema>;
