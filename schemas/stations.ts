import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoTimeSchema } from './common.ts';
import { stationFleetSchema } from './station-report.ts';

/**
 * The meaning a revocation signature carries, stated before signing and recorded with it
 * (21 CFR 11.50). The request must name it, so the signer cannot sign one meaning and record another.
 */
export const REVOKE_MEANING = 'revoked: station no longer trusted';

/** The meaning a signature changing a station's programs (its clearance) carries; see {@link REVOKE_MEANING}. */
export const PROGRAMS_MEANING = 'approved: station cleared for these programs';

/** A program a station may be cleared for, as work orders name it. */
const programSchema = { type: 'string', minLength: 1, maxLength: 80, pattern: '^\\S(.*\\S)?$' } as const;

/**
 * An enrolled station as a supervisor's list shows it. Of the programs it is cleared for, only those
 * the asking station is cleared for too are named (a program's name is itself withheld from stations
 * not cleared for it, docs/sync-spec.md S20); `otherPrograms` counts the rest.
 */
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
    programs: { type: 'array', items: programSchema },
    otherPrograms: { type: 'integer', minimum: 0 },
    /** Last seen and last report (docs/sync-spec.md S24); in the station list only, not in the answers of revoke and programs. */
    fleet: stationFleetSchema,
  },
  required: ['id', 'name', 'enrolledBy', 'enrolledAt', 'revokedAt', 'keyAlg', 'programs', 'otherPrograms'],
  additionalProperties: false,
} as const;

/**
 * `GET /api/stations`: every enrolled station, revoked ones too, oldest first; `self` is the caller,
 * `clearable` the programs the caller is cleared for: the only ones it may grant or take away.
 */
export const stationListResponseSchema = {
  type: 'object',
  properties: {
    stations: { type: 'array', items: stationSummarySchema },
    self: identifierSchema,
    clearable: { type: 'array', items: programSchema },
    /** The server's STATION_SILENT_AFTER in seconds: how long a station with pending events may be silent before it is flagged. */
    silentAfterSeconds: { type: 'integer', minimum: 1 },
  },
  required: ['stations', 'self', 'clearable'],
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

/** A signature's manifestation as the server recorded it, for one stated meaning. */
function signatureSchema<Meaning extends string>(meaning: Meaning) {
  return {
    type: 'object',
    properties: {
      signerBadge: identifierSchema,
      printedName: { type: 'string', minLength: 1, maxLength: 120 },
      meaning: { const: meaning },
      reason: { type: 'string', minLength: 1, maxLength: 2000 },
      signedAt: isoTimeSchema,
    },
    required: ['signerBadge', 'printedName', 'meaning', 'reason', 'signedAt'],
    additionalProperties: false,
  } as const;
}

/** The revoked station, the signature's manifestation as recorded, and its audit entry's index. */
export const revokeResponseSchema = {
  type: 'object',
  properties: {
    station: stationSummarySchema,
    signature: signatureSchema(REVOKE_MEANING),
    auditIndex: { type: 'integer', minimum: 0 },
  },
  required: ['station', 'signature', 'auditIndex'],
  additionalProperties: false,
} as const;

export type StationSummary = FromSchema<typeof stationSummarySchema>;
export type StationListResponse = FromSchema<typeof stationListResponseSchema>;
export type RevokeRequest = FromSchema<typeof revokeRequestSchema>;
export type RevokeResponse = FromSchema<typeof revokeResponseSchema>;

/**
 * `POST /api/stations/:stationId/programs`: a supervisor or quality engineer sets, under an electronic
 * signature, which of the asking station's own programs the station is cleared for (docs/sync-spec.md
 * S22). `programs` is the whole new list as the asking station sees it: programs the asking station is
 * not cleared for stay as they are on the station.
 */
export const programsRequestSchema = {
  type: 'object',
  properties: {
    protocolVersion: { type: 'integer', minimum: 0 },
    signerBadge: identifierSchema,
    pin: { type: 'string', minLength: 1, maxLength: 32 },
    meaning: { const: PROGRAMS_MEANING },
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    programs: { type: 'array', items: programSchema, uniqueItems: true, maxItems: 200 },
  },
  required: ['protocolVersion', 'signerBadge', 'pin', 'meaning', 'reason', 'programs'],
  additionalProperties: false,
} as const;

/** The station as the asking station now sees it, the signature's manifestation, and its audit entry's index. */
export const programsResponseSchema = {
  type: 'object',
  properties: {
    station: stationSummarySchema,
    signature: signatureSchema(PROGRAMS_MEANING),
    auditIndex: { type: 'integer', minimum: 0 },
  },
  required: ['station', 'signature', 'auditIndex'],
  additionalProperties: false,
} as const;

export type ProgramsRequest = FromSchema<typeof programsRequestSchema>;
export type ProgramsResponse = FromSchema<typeof programsResponseSchema>;
