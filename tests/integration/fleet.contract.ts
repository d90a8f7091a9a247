/**
 * The fleet against the real server over HTTP, on every store (fleet.pglite.test.ts,
 * fleet.pg.test.ts): the station report sent with pushes and pulls (docs/sync-spec.md S24) is
 * stored and answered by `GET /api/stations`; a malformed one never costs the push and changes
 * nothing; clearance holds (S20); a station silent with pending events is flagged, on the server's
 * clock, in the list and in `/metrics`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATION_REPORT_ERROR_HEADER, STATION_REPORT_HEADER, type StationReport } from '../../schemas/station-report.ts';
import type { StationListResponse, StationSummary } from '../../schemas/stations.ts';
import { send, testClock } from './harness.ts';
import { enrollStation, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const METRICS_TOKEN = 'metrics-token-for-the-fleet-test-0123456789';
const SILENT_AFTER_MS = 30 * 60_000;
const F35 = 'F-35-ACT';

function report(change: Partial<StationReport> = {}): StationReport {
  return { appVersion: '0.1.0', protocolVersion: 6, workCenterId: 'WC-MILL', pending: 0, oldestPendingAt: null, storagePersisted: true, ...change };
}

function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export function runFleetSuite(backend: Backend): void {
  describe(`the fleet on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let mill: TestStation;
    let lathe: TestStation;
    /** Cleared for COMMERCIAL only: the supervisor's desk of the commercial cell. */
    let desk: TestStation;

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now, metricsToken: METRICS_TOKEN, stationSilentAfterMs: SILENT_AFTER_MS, defaultPrograms: ['COMMERCIAL', F35] });
      mill = await enrollStation(fixture.server, clock, 'Mill tablet');
      lathe = await enrollStation(fixture.server, clock, 'Lathe tablet');
      desk = await enrollStation(fixture.server, clock, 'Commercial desk');
      expect(await fixture.server.store.setStationPrograms(desk.id, ['COMMERCIAL'])).toBe(true);
    }, 60_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    const list = async (viewer: TestStation): Promise<StationListResponse> => {
      const answer = await send<StationListResponse>(fixture.server.url, '/api/stations', { credential: viewer.credential });
      expect(answer.status).toBe(200);
      return answer.body;
    };
    const entry = async (viewer: TestStation, station: TestStation): Promise<StationSummary> => {
      const found = (await list(viewer)).stations.find((s) => s.id === station.id);
      if (found === undefined) throw new Error(`station ${station.id} not listed`);
      return found;
    };
    const metrics = async (): Promise<string> => (await send(fixture.server.url, '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text;
    const withReport = (station: TestStation, value: StationReport | string) => {
      station.headers = { [STATION_REPORT_HEADER]: typeof value === 'string' ? value : JSON.stringify(value) };
    };

    it('[S24] keeps the report a station sends with its push, and answers it with the last seen time in the station list', async () => {
      const before = await entry(desk, mill);
      expect(before.fleet).toEqual({ lastSeenAt: null, report: null, silentWithPending: false });

      const sent = report({ pending: 2, oldestPendingAt: '2026-11-20T07:40:00.000Z' });
      withReport(mill, sent);
      const answer = await mill.push([mill.event('session.signed-in', 'B-1001', { workCenterId: 'WC-MILL' })]);
      expect(answer.status).toBe(200);
      expect(answer.headers.get(STATION_REPORT_ERROR_HEADER)).toBeNull();

      const listed = await list(desk);
      expect(listed.silentAfterSeconds).toBe(SILENT_AFTER_MS / 1000);
      expect(listed.stations.find((s) => s.id === mill.id)?.fleet).toEqual({ lastSeenAt: clock.now().toISOString(), report: sent, silentWithPending: false });

      // The pull that follows the push reports the station with its receipts in: the newest report wins.
      clock.advance(60_000);
      withReport(mill, report({ pending: 0 }));
      await mill.pullAll();
      expect((await entry(desk, mill)).fleet).toEqual({ lastSeenAt: clock.now().toISOString(), report: report({ pending: 0 }), silentWithPending: false });
    });

    it('[S24] a station that sends no report is seen, and its last report stays', async () => {
      clock.advance(60_000);
      mill.headers = {};
      await mill.pullAll();
      expect((await entry(desk, mill)).fleet).toEqual({ lastSeenAt: clock.now().toISOString(), report: report({ pending: 0 }), silentWithPending: false });
    });

    it('[S24][S4] a malformed report never costs the push: the push is answered, the report is refused with { code, message } and changes nothing', async () => {
      withReport(lathe, report({ workCenterId: 'WC-LATHE', pending: 1, oldestPendingAt: '2026-11-20T08:01:00.000Z' }));
      await lathe.pullAll();
      const kept = (await entry(desk, lathe)).fleet?.report;
      const refused0 = sample(await metrics(), 'travelog_station_reports_refused_total', '{code="invalid-request"}') ?? 0;

      const cases: Array<[string, RegExp]> = [
        ['{"appVersion":', /must be JSON/],
        [JSON.stringify({ ...report(), pending: -1 }), /travelog-station-report\/pending must be >= 0/],
        [JSON.stringify({ ...report(), pending: '3' }), /travelog-station-report\/pending must be integer/],
        [JSON.stringify({ ...report(), serial: 'SN-1001-01' }), /must NOT have additional property 'serial'/],
        [JSON.stringify(report({ workCenterId: 'WC-NOWHERE' })), /workCenterId names no work center of the plant/],
        ['x'.repeat(2000), /at most 1024 characters/],
      ];
      for (const [header, message] of cases) {
        clock.advance(1000);
        withReport(lathe, header);
        const answer = await lathe.push([lathe.event('session.signed-in', 'B-1003', { workCenterId: 'WC-LATHE' })]);
        expect(answer.status, header).toBe(200);
        expect(answer.body.receipts.map((r) => r.outcome)).toEqual(['accepted']);
        const error = JSON.parse(answer.headers.get(STATION_REPORT_ERROR_HEADER) ?? 'null') as { code: string; message: string } | null;
        expect(error?.code, header).toBe('invalid-request');
        expect(error?.message, header).toMatch(message);
        // Nothing of the report is taken; that the station was seen is still true.
        expect((await entry(desk, lathe)).fleet).toMatchObject({ lastSeenAt: clock.now().toISOString(), report: kept });
      }
      // A pull with a bad report is answered too.
      withReport(lathe, 'not json');
      const pulled = await lathe.pullPage(lathe.checkpoint);
      expect(pulled.status).toBe(200);
      expect(pulled.headers.get(STATION_REPORT_ERROR_HEADER)).toMatch(/"code":"invalid-request"/);
      expect(sample(await metrics(), 'travelog_station_reports_refused_total', '{code="invalid-request"}')).toBe(refused0 + cases.length + 1);
    });

    it('[S24][S20] a report naming another program\'s work order is refused exactly like an unknown id, and nothing of it reaches a station not cleared for it', async () => {
      const refusalFor = async (workCenterId: string): Promise<string | null> => {
        withReport(lathe, report({ workCenterId }));
        return (await lathe.pullPage(lathe.checkpoint)).headers.get(STATION_REPORT_ERROR_HEADER);
      };
      const foreign = await refusalFor('WO-1001');
      const unknown = await refusalFor('WO-NOWHERE');
      expect(foreign).not.toBeNull();
      expect(foreign).toBe(unknown);
      expect(foreign).not.toMatch(/F-35|WO-1001/);

      // A report stored before its work center was checked (an older release) that names an
      // F-35-ACT identifier is withheld from the commercial desk, and shown to a station cleared for it.
      await fixture.server.store.sql.query('UPDATE stations SET report = $2::jsonb WHERE id = $1', [lathe.id, JSON.stringify(report({ workCenterId: 'WO-1001' }))]);
      expect((await entry(desk, lathe)).fleet?.report?.workCenterId).toBe('(withheld)');
      expect(JSON.stringify(await list(desk))).not.toMatch(/WO-1001|F-35/);
      expect((await entry(mill, lathe)).fleet?.report?.workCenterId).toBe('WO-1001');
      withReport(lathe, report({ workCenterId: 'WC-LATHE' }));
      await lathe.pullAll();
    });

    it('[S24] flags a station silent longer than STATION_SILENT_AFTER while it reported pending events, in the list and in /metrics', async () => {
      withReport(mill, report({ pending: 3, oldestPendingAt: clock.now().toISOString() }));
      await mill.pullAll();
      withReport(lathe, report({ workCenterId: 'WC-LATHE', pending: 0 }));
      await lathe.pullAll();
      let text = await metrics();
      expect(sample(text, 'travelog_station_pending_events', '{station="Mill tablet"}')).toBe(3);
      expect(sample(text, 'travelog_station_pending_events', '{station="Lathe tablet"}')).toBe(0);
      expect(sample(text, 'travelog_stations_silent_with_pending')).toBe(0);

      // Exactly the set time: not yet silent.
      clock.advance(SILENT_AFTER_MS);
      expect((await entry(desk, mill)).fleet?.silentWithPending).toBe(false);
      clock.advance(1000);
      // The desk itself is seen now, so it is never the silent one.
      await desk.pullAll();
      expect((await entry(desk, mill)).fleet?.silentWithPending).toBe(true);
      // Silent as long, but nothing pending: not flagged.
      expect((await entry(desk, lathe)).fleet?.silentWithPending).toBe(false);
      text = await metrics();
      expect(sample(text, 'travelog_stations_silent_with_pending')).toBe(1);
      expect(sample(text, 'travelog_stations', '{last_seen="1h"}')).toBe(2);

      // It comes back and its events go in: the flag clears.
      withReport(mill, report({ pending: 0 }));
      await mill.pullAll();
      expect((await entry(desk, mill)).fleet?.silentWithPending).toBe(false);
      expect(sample(await metrics(), 'travelog_stations_silent_with_pending')).toBe(0);
    });

    it('[S24] answers the fleet only behind the station credential', async () => {
      expect((await send(fixture.server.url, '/api/stations')).status).toBe(401);
    });
  });
}
