/**
 * The fleet (docs/operations.md, docs/sync-spec.md S24): when each station last pushed or pulled,
 * and what it last reported about itself in the `Travelog-Station-Report` header of those requests
 * (app and protocol version, work center, events not yet answered and the age of the oldest,
 * whether its storage is persisted).
 *
 * A report that cannot be taken (not JSON, not the schema, a work center the plant does not have)
 * never costs the push or pull it came with: the request is answered as usual, the report is left
 * out (the station's last good report stays), the answer carries `Travelog-Station-Report-Error`
 * with `{ code, message }`, the server logs it and counts it in
 * `travelog_station_reports_refused_total`.
 *
 * Recorded after the answer is sent, so a station never waits for it; a failure to record is
 * logged, not answered.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  MAX_STATION_REPORT_LENGTH,
  STATION_REPORT_ERROR_HEADER,
  STATION_REPORT_HEADER,
  stationReportSchema,
  type StationFleet,
  type StationReport,
} from '../../schemas/station-report.ts';
import type { ApiError } from '../../schemas/pull.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { Store } from '../store/store.ts';
import { createAjv, formatValidationErrors } from '../validation.ts';

/** The routes whose calls count as a station being seen, and carry its report. */
const SEEN_ON = new Set(['/api/sync/push', '/api/sync/pull']);

/** What the header of one request came to. */
export type ReportReading = { kind: 'absent' } | { kind: 'taken'; report: StationReport } | { kind: 'refused'; error: ApiError };

const validateReport = createAjv().compile<StationReport>(stationReportSchema);

function refused(message: string): ReportReading {
  return { kind: 'refused', error: { code: 'invalid-request', message } };
}

/**
 * Reads a `Travelog-Station-Report` header. `isWorkCenter` says whether an id is a work center of
 * the plant: a report naming anything else is refused, so a report can never carry another
 * program's identifier to the supervisors who read it (S20); its refusal reads the same whatever
 * the id is.
 */
export function readStationReport(header: string | string[] | undefined, isWorkCenter: (id: string) => boolean): ReportReading {
  if (header === undefined) return { kind: 'absent' };
  if (Array.isArray(header)) return refused(`${STATION_REPORT_HEADER} must be sent once`);
  if (header.length > MAX_STATION_REPORT_LENGTH) return refused(`${STATION_REPORT_HEADER} must be at most ${MAX_STATION_REPORT_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    return refused(`${STATION_REPORT_HEADER} must be JSON`);
  }
  if (!validateReport(parsed)) return refused(formatValidationErrors(validateReport.errors, STATION_REPORT_HEADER));
  if (parsed.workCenterId !== null && !isWorkCenter(parsed.workCenterId)) {
    return refused(`${STATION_REPORT_HEADER}/workCenterId names no work center of the plant`);
  }
  return { kind: 'taken', report: parsed };
}

/**
 * True when a station counts as silent with work not yet on the server: last seen longer than
 * `silentAfterMs` ago while its last report had pending events. A station never seen, or that never
 * reported, is not: nothing says it holds anything.
 */
export function isSilentWithPending(lastSeenAt: string | null, report: StationReport | null, now: Date, silentAfterMs: number): boolean {
  if (lastSeenAt === null || report === null || report.pending === 0) return false;
  return now.getTime() - new Date(lastSeenAt).getTime() > silentAfterMs;
}

/** The fleet columns of one station as stored. */
export interface FleetRow {
  id: string;
  name: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
  report: StationReport | null;
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

/** Every station's last seen time and last report, by name. */
export async function readFleet(sql: SqlClient): Promise<FleetRow[]> {
  const rows = await sql.query<{ id: string; name: string; revoked_at: Date | string | null; last_seen_at: Date | string | null; report: StationReport | string | null }>(
    'SELECT id, name, revoked_at, last_seen_at, report FROM stations ORDER BY name, id',
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    revokedAt: iso(row.revoked_at),
    lastSeenAt: iso(row.last_seen_at),
    report: typeof row.report === 'string' ? (JSON.parse(row.report) as StationReport) : row.report,
  }));
}

/** A station's fleet entry as `GET /api/stations` answers it. */
export function fleetOf(row: FleetRow | undefined, now: Date, silentAfterMs: number): StationFleet {
  const lastSeenAt = row?.lastSeenAt ?? null;
  const report = row?.report ?? null;
  return { lastSeenAt, report, silentWithPending: row?.revokedAt === null && isSilentWithPending(lastSeenAt, report, now, silentAfterMs) };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The station report of a push or pull, once read (sync-server/ops/fleet.ts). */
    stationReport: ReportReading | null;
  }
}

/** Options of {@link registerFleetHooks}. */
export interface FleetHookOptions {
  store: Store;
  now: () => Date;
  /** Whether an id is a work center of the plant (see {@link readStationReport}). */
  isWorkCenter: (id: string) => boolean;
  /** Told of each report not taken. */
  onRefused?: (error: ApiError) => void;
}

function seen(request: FastifyRequest): boolean {
  return SEEN_ON.has(request.url.split('?')[0] ?? '');
}

/** Reads the report of every push and pull, and records last-seen times and reports of stations. */
export function registerFleetHooks(app: FastifyInstance, options: FleetHookOptions): void {
  app.decorateRequest('stationReport', null);
  app.addHook('onRequest', async (request, reply) => {
    if (!seen(request)) return;
    const reading = readStationReport(request.headers[STATION_REPORT_HEADER], options.isWorkCenter);
    request.stationReport = reading;
    if (reading.kind !== 'refused') return;
    // Said on the answer, whatever it turns out to be; the request itself goes on as without a report.
    reply.header(STATION_REPORT_ERROR_HEADER, JSON.stringify(reading.error));
    request.log.warn({ code: reading.error.code, reason: reading.error.message }, 'station report not taken');
    options.onRefused?.(reading.error);
  });
  app.addHook('onResponse', async (request) => {
    const station = request.station;
    if (station === null || !seen(request)) return;
    const report = request.stationReport?.kind === 'taken' ? JSON.stringify(request.stationReport.report) : null;
    try {
      // Without a report taken, the last one stays: a refused or missing report says nothing new.
      await options.store.sql.query('UPDATE stations SET last_seen_at = $2::timestamptz, report = coalesce($3::jsonb, report) WHERE id = $1', [
        station.id,
        options.now().toISOString(),
        report,
      ]);
    } catch (error) {
      request.log.warn({ err: error }, 'could not record when the station was last seen');
    }
  });
}
