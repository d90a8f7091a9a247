import type { FromSchema } from 'json-schema-to-ts';
import { serverKeySchema } from './audit-api.ts';
import { identifierSchema } from './common.ts';

/**
 * `POST /api/stations/enroll`: a supervisor enrolls a station with badge and PIN, and the station's
 * public key; the supervisor's approval is an audit entry.
 */
export const enrollRequestSchema = {
  type: 'object',
  properties: {
    protocolVersion: { type: 'integer', minimum: 0 },
    stationName: { type: 'string', minLength: 1, maxLength: 80 },
    supervisorBadge: identifierSchema,
    pin: { type: 'string', minLength: 1, maxLength: 32 },
    /** The station's public key, SPKI DER in base64url; its private key never leaves the station. */
    publicKey: { type: 'string', minLength: 40, maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' },
    keyAlg: { type: 'string', enum: ['Ed25519', 'ECDSA-P256'] },
  },
  required: ['protocolVersion', 'stationName', 'supervisorBadge', 'pin', 'publicKey', 'keyAlg'],
  additionalProperties: false,
} as const;

/**
 * The station's identity and its bearer credential, shown once, and (from version 4) the audit log's
 * server keys, which the station pins as its trust anchor for checkpoints (docs/sync-spec.md S21).
 */
export const enrollResponseSchema = {
  type: 'object',
  properties: {
    stationId: identifierSchema,
    credential: { type: 'string', minLength: 32, maxLength: 200 },
    auditKeys: { type: 'array', minItems: 1, items: serverKeySchema },
  },
  required: ['stationId', 'credential', 'auditKeys'],
  additionalProperties: false,
} as const;

export type EnrollRequest = FromSchema<typeof enrollRequestSchema>;
export type EnrollResponse = FromSchema<typeof enrollResponseSchema>;
