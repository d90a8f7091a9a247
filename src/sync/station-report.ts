/**
 * The station's report on itself, sent with every push and pull in the `Travelog-Station-Report`
 * header (docs/sync-spec.md S24), so supervisors and plant IT see the fleet: which release each
 * station runs, where it stands, what it holds that the server has not answered yet, and whether
 * the browser may evict its data.
 */
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { STATION_REPORT_HEADER, type StationReport } from '../../schemas/station-report.ts';

/** What the report is made of, as the station knows it when a request leaves. */
export interface StationReportInput {
  appVersion: string;
  /** The station's work center; empty before one is chosen. */
  workCenterId: string;
  /** Events without a receipt yet, and the device time of the oldest (the plant store's outbox). */
  outbox: { waiting: number; oldestWaitingAt: string | null };
  /** `navigator.storage.persisted()`, null while unknown or where the browser cannot say. */
  storagePersisted: boolean | null;
}

/** The report for these facts. Pending events are those the server has not answered: a receipt ends them. */
export function buildStationReport(input: StationReportInput): StationReport {
  return {
    appVersion: input.appVersion,
    protocolVersion: PROTOCOL_VERSION,
    workCenterId: input.workCenterId === '' ? null : input.workCenterId,
    pending: input.outbox.waiting,
    oldestPendingAt: input.outbox.waiting === 0 ? null : input.outbox.oldestWaitingAt,
    storagePersisted: input.storagePersisted,
  };
}

/** The request header carrying a report: compact JSON (ASCII: every field is a number, a time or a plain id). */
export function stationReportHeaders(report: StationReport): Record<string, string> {
  return { [STATION_REPORT_HEADER]: JSON.stringify(report) };
}
