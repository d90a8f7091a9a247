/**
 * The key a station's events are checked against is the one the signed log recorded at its
 * enrollment, not whatever the `stations` table holds (issue 11, docs/audit.md). A key swapped in
 * the table over SQL makes the server refuse that station loudly (a generic 503 to the station, an
 * error log line for plant IT) and `audit:verify --data` fail; restoring the enrolled key serves the
 * station again. On both stores.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as verifyCli } from '../../sync-server/audit/verify-cli.ts';
import { KEY_MISMATCH_MESSAGE } from '../../sync-server/audit/station-key-check.ts';
import { openSqlClient } from '../../sync-server/store/sql-client.ts';
import { join } from 'node:path';
import { makeTempDir, send, testClock } from './harness.ts';
import { testKey } from '../helpers/signing.ts';
import { enrollStation, startSyncServer, TestStation, type Backend, type SyncFixture } from './sync-fixture.ts';

/** A logger that keeps its lines, to read what plant IT would see. */
function capturedLog(): { lines: string[]; logger: { level: string; stream: { write: (line: string) => void } } } {
  const lines: string[] = [];
  return { lines, logger: { level: 'error', stream: { write: (line: string) => void lines.push(line) } } };
}

async function swapKey(sql: { query: (text: string, params?: readonly unknown[]) => Promise<unknown> }, stationId: string, publicKey: string): Promise<void> {
  await sql.query('UPDATE stations SET public_key = $2 WHERE id = $1', [stationId, publicKey]);
}

for (const backend of ['PGlite', 'PostgreSQL'] as const satisfies readonly Backend[]) {
  describe(`station keys against the log on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    const log = capturedLog();
    let fixture: SyncFixture;

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now, logger: log.logger });
    }, 60_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    it('[S16] refuses a station whose key in the table is not the one its enrollment entry records, loudly, and serves it again once restored', async () => {
      const { server } = fixture;
      const station = await enrollStation(server, clock, 'Mill tablet');
      const other = await enrollStation(server, clock, 'Lathe tablet');
      const unit = { kind: 'serial', serial: 'SN-1003-01' } as const;
      expect(await station.pushOk([station.step('op.started', 'B-1001', 'WO-1003', unit, 'OP10', 'D')])).toMatchObject([{ outcome: 'accepted' }]);

      // Someone with the database swaps in a key of their own and signs as the station with it.
      const forger = testKey();
      await swapKey(server.store.sql, station.id, forger.publicKey);
      const forged = new TestStation(server.url, station.id, station.credential, clock, forger);
      forged.seq = station.seq;
      const sequence = await server.store.sequence();
      const answer = await forged.push([forged.step('op.completed', 'B-1001', 'WO-1003', unit, 'OP10', 'D')]);
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ code: 'station-key-mismatch', message: KEY_MISMATCH_MESSAGE });
      expect(await server.store.sequence()).toBe(sequence);
      // Every route behind the credential refuses it, not push alone.
      expect((await station.pullPage(0)).status).toBe(503);
      expect((await send(server.url, '/api/audit/checkpoints', { credential: station.credential })).status).toBe(503);
      // Plant IT is told which station, and that the table and the log disagree; no secret is logged.
      const lines = log.lines.map((line) => JSON.parse(line) as { level: number; stationId?: string; msg: string });
      const line = lines.find((entry) => entry.stationId === station.id);
      expect(line?.level).toBe(50);
      expect(line?.msg).toContain('Mill tablet');
      expect(line?.msg).toContain('enrollment entry');
      expect(log.lines.join('\n')).not.toContain(station.credential);
      // Other stations go on.
      expect(await other.pushOk([other.step('op.started', 'B-1001', 'WO-1003', { kind: 'serial', serial: 'SN-1003-03' }, 'OP10', 'D')])).toMatchObject([{ outcome: 'accepted' }]);

      await swapKey(server.store.sql, station.id, station.key.publicKey);
      expect(await station.pushOk([station.step('op.completed', 'B-1001', 'WO-1003', unit, 'OP10', 'D')])).toMatchObject([{ outcome: 'accepted' }]);
    });
  });
}

describe('audit:verify --data against the stations table', () => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let dataDir: { path: string; remove: () => Promise<void> };
  let output: string[] = [];

  beforeAll(async () => {
    dataDir = await makeTempDir('station-key');
  });

  afterAll(async () => {
    await dataDir?.remove();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const verify = async (): Promise<number> => {
    output = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
    try {
      return await verifyCli(['--data', dataDir.path]);
    } finally {
      vi.restoreAllMocks();
    }
  };

  it('[S16] exits 0 while the table holds the enrolled keys, and 1 naming the station once a key is swapped over SQL', async () => {
    const fixture = await startSyncServer('PGlite', { now: clock.now, dataDir: dataDir.path });
    const station = await enrollStation(fixture.server, clock, 'Mill tablet');
    await station.pushOk([station.step('op.started', 'B-1001', 'WO-1003', { kind: 'serial', serial: 'SN-1003-01' }, 'OP10', 'D')]);
    await fixture.dispose();

    expect(await verify()).toBe(0);
    expect(output.join('\n')).toContain('every station key');

    const sql = await openSqlClient({ kind: 'pglite', dataDir: join(dataDir.path, 'pglite') });
    try {
      await swapKey(sql, station.id, testKey().publicKey);
    } finally {
      await sql.close();
    }
    expect(await verify()).toBe(1);
    expect(output.join('\n')).toMatch(new RegExp(`FAILED: station Mill tablet \\(${station.id}\\): the stations table holds .* but its enrollment entry \\d+ records`));
  }, 60_000);
});
