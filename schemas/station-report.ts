import type { FromSchema } from 'json-schema-to-ts';
import { isoTimeSchema } from './common.ts';

/**
 * The request header a station sends with every push and pull: its report on itself, as compact
 * JSON (docs/sync-spec.md S24). A header, not a body field, so the push and pull messages do not
 * change: a server that does not know it ignores it, and a station that does not send it is served.
 */
export const STATION_REPORT_HEADER = 'travelog-station-report';

/**
 * The response header that says a report was not taken, as `{"code","message"}` JSON. The push or
 * pull itself is answered as if no report had come: a report is never a reason to refuse evidence.
 */
export const STATION_REPORT_ERROR_HEADER = 'travelog-station-report-error';

/** Longest report header the server reads; a longer one is refused (a real report is about 200 characters). */
export const MAX_STATION_REPORT_LENGTH = 1024;

/**
 * What a station says about itself with each push and pull (the fleet, docs/operations.md). Every
 * field says one thing a supervisor or plant IT acts on; nothing in it names a program.
 */
export const stationReportSchema = {
  type: 'object',
  properties: {
    /** The release of the app the station runs (package.json `version` at build), e.g. `0.1.0`. */
    appVersion: { type: 'string', minLength: 1, maxLength: 40, pattern: '^[0-9A-Za-z][0-9A-Za-z.+-]*$' },
    /** The protocol version the station speaks. */
    protocolVersion: { type: 'integer', minimum: 0, maximum: 1000 },
    /** The work center the station is set to; null before one is chosen. Must be a work center of the plant. */
    workCenterId: { anyOf: [{ type: 'string', minLength: 1, maxLength: 80, pattern: '^\\S+$' }, { type: 'null' }] },
    /** Events recorded on the station that have no receipt from the server yet. */
    pending: { type: 'integer', minimum: 0, maximum: 100_000_000 },
    /** Device time of the oldest of them; null when none is pending. */
    oldestPendingAt: { anyOf: [isoTimeSchema, { type: 'null' }] },
    /** `navigator.storage.persisted()`: the browser will not evict the station's data; null when the browser cannot say. */
    storagePersisted: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
  },
  required: ['appVersion', 'protocolVersion', 'workCenterId', 'pending', 'oldestPendingAt', 'storagePersisted'],
  additionalProperties: false,
} as const;

export type StationReport = FromSchema<typeof stationReportSchema>;

/**
 * A station's health as `GET /api/stations` answers it: when the server last heard from it, what it
 * last reported (null before its first report), and whether it counts as silent with work not yet
 * on the server: last seen longer ago than the server's STATION_SILENT_AFTER while its last report
 * had pending events.
 */
export const stationFleetSchema = {
  type: 'object',
  properties: {
    lastSeenAt: { anyOf: [isoTimeSchema, { type: 'null' }] },
    report: { anyOf: [stationReportSchema, { type: 'null' }] },
    silentWithPending: { type: 'boolean' },
  },
  required: ['lastSeenAt', 'report', 'silentWithPending'],
  additionalProperties: false,
} as const;

export type StationFleet = FromSchema<typeof stationFleetSchema>;
