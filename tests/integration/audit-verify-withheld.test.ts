/**
 * `npm run audit:verify -- --url … --credential …` with the credential of a station not cleared for
 * every program (docs/audit.md, docs/sync-spec.md S20), against the real server over HTTP on PGlite
 * and on PostgreSQL. The server withholds the other program's entries to their leaf hash; the
 * verifier builds the Merkle tree with them, checks every checkpoint, verifies the rest in full,
 * exits 0 and says how many were withheld and checked by hash only. A withheld entry changed in the
 * database changes its leaf hash, and the checkpoint's root no longer matches.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EntriesResponse } from '../../schemas/audit-api.ts';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { main as verifyCli } from '../../sync-server/audit/verify-cli.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { send, testClock } from './harness.ts';
import { enrollStation, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const F35 = 'F-35-ACT';

describe.each<Backend>(['PGlite', 'PostgreSQL'])('[S20] audit:verify over HTTP with a station not cleared for every program, on %s', (backend) => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let fixture: SyncFixture;
  let server: RunningServer;
  let cleared: TestStation;
  let commercial: TestStation;

  /** Runs the CLI and collects what it printed. */
  async function verify(credential: string): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => lines.push(line));
    try {
      const code = await verifyCli(['--url', server.url, '--credential', credential]);
      return { code, out: lines.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  const checkpointNow = () => server.store.locked((tx) => server.plant.audit!.checkpointIfBehind(tx.sql));
  const served = async (station: TestStation): Promise<EntriesResponse['entries']> =>
    (await send<EntriesResponse>(server.url, '/api/audit/entries?start=0&end=1000', { credential: station.credential })).body.entries;

  beforeAll(async () => {
    fixture = await startSyncServer(backend, { now: clock.now, checkpointEvery: 1000, checkpointSeconds: 0 });
    server = fixture.server;
    cleared = await enrollStation(server, clock, 'Program cell');
    commercial = await enrollStation(server, clock, 'Commercial cell');
    expect(await server.store.setStationPrograms(commercial.id, ['COMMERCIAL'])).toBe(true);
    const serial = (s: string) => ({ kind: 'serial', serial: s }) as const;
    await cleared.pushOk([
      cleared.step('op.started', 'B-1001', 'WO-1001', serial('SN-1001-01'), 'OP10', 'D'),
      cleared.step('op.completed', 'B-1001', 'WO-1001', serial('SN-1001-01'), 'OP10', 'D'),
      cleared.step('op.started', 'B-1001', 'WO-1003', serial('SN-1003-01'), 'OP10', 'D'),
    ]);
    await checkpointNow();
    // Commercial work by the commercial cell, whose own enrollment entry names F-35-ACT too (every
    // station is enrolled cleared for every program).
    await commercial.pushOk([commercial.step('op.started', 'B-1001', 'WO-1004', serial('SN-1004-01'), 'OP10', 'D')]);
    await checkpointNow();
  }, 60_000);

  afterAll(async () => {
    await fixture?.dispose();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('exits 0, says how many entries were withheld and checked by leaf hash only, and which station signatures it could not check', async () => {
    const entries = await served(commercial);
    const withheld = entries.filter((e) => !('entry' in e)).length;
    expect(withheld).toBeGreaterThan(2);
    const { code, out } = await verify(commercial.credential);
    expect(code, out).toBe(0);
    // Both stations' enrollment entries name F-35-ACT: no station signature can be checked from here.
    expect(out).toMatch(/^OK: 9 entries, \d+ checkpoints, 0 station signatures verified \(attesting 0 station events\), \d+ entry signatures verified\n/);
    expect(out).toContain(`WITHHELD: ${withheld} entries were withheld by the server (programs this credential is not cleared for) and checked by leaf hash only`);
    expect(out).toContain('NOT CHECKED: the station signature of 2 receipts, whose station\'s enrollment entry is withheld.');
    expect(out).not.toContain(F35);

    // The cleared station's credential reads every entry: nothing withheld, every signature checked.
    const full = await verify(cleared.credential);
    expect(full.code, full.out).toBe(0);
    // Each station's receipts are one unbroken run: its last signature attests them all.
    expect(full.out).toMatch(/^OK: 9 entries, \d+ checkpoints, 2 station signatures verified \(attesting 4 station events\), 0 entry signatures verified$/);
  });

  it('fails when a withheld entry was changed in the database: its leaf hash no longer fits the signed root', async () => {
    const entries = await served(commercial);
    const target = entries.find((e) => !('entry' in e) && e.index > 0)!;
    const [row] = await server.store.sql.query<{ entry: string }>('SELECT entry FROM audit_entries WHERE idx = $1', [target.index]);
    const original = row!.entry;
    const entry = JSON.parse(original) as AuditEntry;
    const tampered = original.replace(`"recordedAt":"${entry.recordedAt}"`, `"recordedAt":"${new Date(Date.parse(entry.recordedAt) + 1000).toISOString()}"`);
    expect(tampered).not.toBe(original);
    await server.store.sql.query('UPDATE audit_entries SET entry = $2 WHERE idx = $1', [target.index, tampered]);
    try {
      const changed = (await served(commercial)).find((e) => e.index === target.index)!;
      expect(changed).not.toEqual(target);
      expect('entry' in changed).toBe(false);
      const { code, out } = await verify(commercial.credential);
      expect(code).toBe(1);
      expect(out).toMatch(/FAILED at entry \d+: the Merkle root of the first \d+ entries is not the root checkpoint \d+ signed/);
    } finally {
      await server.store.sql.query('UPDATE audit_entries SET entry = $2 WHERE idx = $1', [target.index, original]);
    }
    expect((await verify(commercial.credential)).code).toBe(0);
  });
});
