/**
 * `audit:verify --data` reads a PGlite data directory a page at a time as the bytes stored
 * (sync-server/audit/verify-read.ts; the rows reader of verify-cli.ts, for --out and
 * --all-signatures, reads a full page without a gap as the entries' texts alone). Read with pages of 1, 2, 3 and the default 8,192 entries,
 * so that full pages, a page with a gap and a last page all occur. What it reads must be exactly the rows, whatever was done to them:
 * an entry removed (a gap in the indexes), an entry holding characters beyond U+FFFF (which
 * PostgreSQL and JavaScript count differently), a format 5 signature; and the verdict must name
 * the change. PGlite only: `--data` reads PGlite's directory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StoredEntry } from '../../schemas/audit-entry.ts';
import { storedEntry } from '../../sync-server/audit/audit-log.ts';
import { main as verifyCli, sourceFromDataDir } from '../../sync-server/audit/verify-cli.ts';
import { rawLogFromDataDir, rowCount, rowSignature, rowText } from '../../sync-server/audit/verify-read.ts';
import { openSqlClient, type SqlClient } from '../../sync-server/store/sql-client.ts';
import { makeTempDir, testClock } from './harness.ts';
import { enrollStation, startSyncServer } from './sync-fixture.ts';

describe('audit:verify --data reads every entry as stored', () => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let dataDir: { path: string; remove: () => Promise<void> };
  let output: string[] = [];

  beforeAll(async () => {
    dataDir = await makeTempDir('verify-data');
    const fixture = await startSyncServer('PGlite', { now: clock.now, dataDir: dataDir.path });
    const station = await enrollStation(fixture.server, clock, 'Mill tablet');
    for (const serial of ['SN-1003-01', 'SN-1003-02', 'SN-1003-03']) {
      await station.pushOk([station.step('op.started', 'B-1001', 'WO-1003', { kind: 'serial', serial }, 'OP10', 'D')]);
    }
    await fixture.dispose();
    // A server started and three pushes: minutes on a machine shared with many test runs.
  }, 240_000);

  afterAll(async () => {
    await dataDir?.remove();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const withSql = async <T>(work: (sql: SqlClient) => Promise<T>): Promise<T> => {
    const sql = await openSqlClient({ kind: 'pglite', dataDir: join(dataDir.path, 'pglite') });
    try {
      return await work(sql);
    } finally {
      await sql.close();
    }
  };

  const rows = (): Promise<StoredEntry[]> =>
    withSql(async (sql) =>
      (await sql.query<{ idx: string | number; entry: string; signature: string }>('SELECT idx, entry, signature FROM audit_entries ORDER BY idx')).map((row) =>
        storedEntry(Number(row.idx), row.entry, row.signature),
      ),
    );

  const read = async (pageSize?: number): Promise<StoredEntry[]> => {
    const source = await sourceFromDataDir(dataDir.path, pageSize);
    const entries: StoredEntry[] = [];
    for await (const page of source.pages) entries.push(...(page as StoredEntry[]));
    return entries;
  };

  /** As the command reads them: pages of the bytes stored (verify-read.ts). */
  const readRaw = async (pageSize?: number): Promise<StoredEntry[]> => {
    const log = await rawLogFromDataDir(dataDir.path, pageSize);
    const entries: StoredEntry[] = [];
    for await (const page of log.pages) {
      for (let row = 0; row < rowCount(page); row++) {
        const signature = rowSignature(page, row);
        entries.push({ index: page.indexes[row] as number, entry: rowText(page, row), ...(signature === undefined ? {} : { signature }) });
      }
    }
    return entries;
  };

  const expectReadExactly = async (stored: StoredEntry[]): Promise<void> => {
    for (const pageSize of [1, 2, 3, undefined]) {
      expect(await read(pageSize)).toEqual(stored);
      expect(await readRaw(pageSize)).toEqual(stored);
    }
  };

  const verify = async (): Promise<{ code: number; text: string }> => {
    output = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
    try {
      return { code: await verifyCli(['--data', dataDir.path]), text: output.join('\n') };
    } finally {
      vi.restoreAllMocks();
    }
  };

  it('reads the rows exactly with pages of any size, and the log verifies', async () => {
    const stored = await rows();
    expect(stored.length).toBeGreaterThan(4);
    await expectReadExactly(stored);
    expect(await verify()).toMatchObject({ code: 0 });
  }, 180_000);

  it('finds an entry changed only in its bytes (JSON-equal, not in RFC 8785 form)', async () => {
    const last = (await rows()).at(-1) as StoredEntry;
    // The same JSON: a space after a comma, then a character written as an escape RFC 8785 does not use.
    for (const change of [`replace(entry, ',"kind":', ', "kind":')`, `replace(entry, '"kind":"rec', '"kind":"r\\u0065c')`]) {
      const before = (await rows()).at(-1) as StoredEntry;
      await withSql((sql) => sql.query(`UPDATE audit_entries SET entry = ${change} WHERE idx = $1`, [last.index]));
      const after = (await rows()).at(-1) as StoredEntry;
      expect(after.entry).not.toBe(before.entry);
      expect(JSON.parse(after.entry)).toEqual(JSON.parse(before.entry));
      const { code, text } = await verify();
      expect(code).toBe(1);
      expect(text).toContain(`FAILED at entry ${last.index}: the entry is not in its RFC 8785 form`);
      await withSql((sql) => sql.query('UPDATE audit_entries SET entry = $1 WHERE idx = $2', [before.entry, last.index]));
    }
    expect(await verify()).toMatchObject({ code: 0 });
  }, 180_000);

  it('reads an entry holding characters beyond U+FFFF as stored, a signature beside an entry, and names the entry changed', async () => {
    const last = (await rows()).at(-1) as StoredEntry;
    await withSql((sql) =>
      sql.query("UPDATE audit_entries SET entry = replace(entry, '\"actor\":\"B-1001\"', '\"actor\":\"B-1001 😀𝔘\"'), signature = 'c2lnbmVk' WHERE idx = $1", [last.index]),
    );
    const stored = await rows();
    expect(stored.at(-1)?.entry).toContain('😀𝔘');
    expect(stored.at(-1)?.signature).toBe('c2lnbmVk');
    await expectReadExactly(stored);
    const { code, text } = await verify();
    expect(code).toBe(1);
    expect(text).toContain(`FAILED at entry ${last.index}`);
  }, 180_000);

  it('says there is no database in a directory without one, and makes none there', async () => {
    const empty = await makeTempDir('verify-none');
    try {
      output = [];
      vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
      expect(await verifyCli(['--data', empty.path])).toBe(2);
      expect(output.join('\n')).toMatch(/Could not read the log: .* holds no PGlite database/);
      expect(existsSync(join(empty.path, 'pglite'))).toBe(false);
    } finally {
      vi.restoreAllMocks();
      await empty.remove();
    }
  });

  it('reads a log with an entry removed as stored, and names the entry missing', async () => {
    await withSql((sql) => sql.query('DELETE FROM audit_entries WHERE idx = 2'));
    const stored = await rows();
    expect(stored.map((entry) => entry.index)).not.toContain(2);
    await expectReadExactly(stored);
    const { code, text } = await verify();
    expect(code).toBe(1);
    expect(text).toContain('FAILED at entry 2: entry 2 is missing (the next stored is 3)');
  }, 180_000);
});
