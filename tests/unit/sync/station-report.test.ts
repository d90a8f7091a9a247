/**
 * The station report (docs/sync-spec.md S24): built from what the station knows, valid against its
 * schema, and sent with every push and pull to the real server in-process, which keeps the last.
 * msw only listens here: it records the headers that leave, and answers nothing itself.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../schemas/protocol-version.ts';
import { MAX_STATION_REPORT_LENGTH, STATION_REPORT_HEADER, stationReportSchema, type StationReport } from '../../../schemas/station-report.ts';
import { createAjv } from '../../../schemas/validate.ts';
import { buildStationReport, stationReportHeaders } from '../../../src/sync/station-report.ts';
import { readFleet } from '../../../sync-server/ops/fleet.ts';
import type { TestServer } from './station-harness.ts';
import { enroll, openTestStation, signedIn, startTestServer, until } from './station-harness.ts';

const validate = createAjv().compile(stationReportSchema);

describe('building the station report', () => {
  it('[S24] says the release, protocol, work center, events without a receipt and the oldest, and storage', () => {
    const report = buildStationReport({
      appVersion: '0.1.0',
      workCenterId: 'WC-MILL',
      outbox: { waiting: 3, oldestWaitingAt: '2026-12-03T09:15:00.000Z' },
      storagePersisted: true,
    });
    expect(report).toEqual({ appVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION, workCenterId: 'WC-MILL', pending: 3, oldestPendingAt: '2026-12-03T09:15:00.000Z', storagePersisted: true });
    expect(validate(report)).toBe(true);
  });

  it('[S24] before a work center is chosen, with nothing pending and storage unknown, it is still a valid report', () => {
    const report = buildStationReport({ appVersion: 'dev', workCenterId: '', outbox: { waiting: 0, oldestWaitingAt: '2026-12-03T09:15:00.000Z' }, storagePersisted: null });
    expect(report).toMatchObject({ workCenterId: null, pending: 0, oldestPendingAt: null, storagePersisted: null });
    expect(validate(report)).toBe(true);
  });

  it('[S24] goes in one header of compact ASCII JSON, well under the length the server reads', () => {
    const report = buildStationReport({ appVersion: '12.345.6789-rc.1', workCenterId: 'WC-A-VERY-LONG-WORK-CENTER-NAME-OF-EIGHTY-CHARACTERS-AT-THE-MOST-0123456789012', outbox: { waiting: 100_000_000, oldestWaitingAt: '2026-12-03T09:15:00.000Z' }, storagePersisted: false });
    const headers = stationReportHeaders(report);
    const value = headers[STATION_REPORT_HEADER] ?? '';
    expect(Object.keys(headers)).toEqual([STATION_REPORT_HEADER]);
    expect(value).toMatch(/^[\x20-\x7e]+$/);
    expect(value.length).toBeLessThan(MAX_STATION_REPORT_LENGTH / 2);
    expect(JSON.parse(value)).toEqual(report);
  });
});

describe('sending the station report', () => {
  const network = setupServer();
  let server: TestServer;
  const sent: Array<{ path: string; report: StationReport | null }> = [];

  beforeAll(async () => {
    server = await startTestServer();
    network.listen({ onUnhandledRequest: 'bypass' });
    network.events.on('request:start', ({ request }) => {
      const header = request.headers.get(STATION_REPORT_HEADER);
      sent.push({ path: new URL(request.url).pathname, report: header === null ? null : (JSON.parse(header) as StationReport) });
    });
  });
  afterAll(async () => {
    network.close();
    await server.close();
  });

  it('[S24] goes with the push (its events still pending) and the pull after it (answered), and the server keeps the last', async () => {
    const identity = await enroll(server.server.url, 'Report tablet');
    const station = await openTestStation(server.server.url, identity);
    try {
      const event = await station.recorder.record(signedIn());
      await until(() => station.plant.outbox().waiting === 1, 'the event in the outbox');
      await station.start({
        report: () => buildStationReport({ appVersion: '1.2.3', workCenterId: 'WC-MILL', outbox: station.plant.outbox(), storagePersisted: false }),
      });
      await until(async () => (await station.db.receipts.count().exec()) === 1 && station.plant.outbox().waiting === 0, 'the receipt');
      station.engine?.syncNow();
      await until(() => sent.some((request) => request.path === '/api/sync/pull' && request.report?.pending === 0), 'a pull reporting nothing pending');

      const push = sent.find((request) => request.path === '/api/sync/push');
      expect(push?.report).toEqual({ appVersion: '1.2.3', protocolVersion: PROTOCOL_VERSION, workCenterId: 'WC-MILL', pending: 1, oldestPendingAt: event.deviceTime, storagePersisted: false });
      // Every push and pull carried one.
      expect(sent.filter((request) => request.path.startsWith('/api/sync/') && request.path !== '/api/sync/live').every((request) => request.report !== null)).toBe(true);
      await until(async () => (await readFleet(server.server.store.sql)).find((row) => row.id === identity.stationId)?.report?.pending === 0, 'the server keeping the last report');
      const kept = (await readFleet(server.server.store.sql)).find((row) => row.id === identity.stationId);
      expect(kept?.report).toEqual({ appVersion: '1.2.3', protocolVersion: PROTOCOL_VERSION, workCenterId: 'WC-MILL', pending: 0, oldestPendingAt: null, storagePersisted: false });
      expect(kept?.lastSeenAt).not.toBeNull();
    } finally {
      await station.close();
    }
  });
});
