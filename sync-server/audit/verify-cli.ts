/**
 * `npm run audit:verify -- --url <server> [--credential <c>]` | `--data <DATA_DIR>` | `--bundle <file>`,
 * with `--key <base64>` to pin the log's first key, `--out <file>` to save what was read as a
 * bundle, and `--all-signatures` to check every event's and every signed entry's own signature too
 * (and say how long that took). Exits 0 when everything verifies; otherwise 1, naming the first
 * entry that fails and why (2 for a usage or reading error). With `--data` it also checks every
 * station's key in the `stations` table against the key its enrollment entry records, and exits 1
 * naming each station whose key differs (station-key-check.ts).
 *
 * The log is read page by page and checked as it comes, on every core: a log of millions of entries
 * is never all in memory, unless `--out` asks for a bundle of it. A data directory is read as the
 * bytes stored (verify-read.ts) and each page checked whole by a worker (verify-scan.ts,
 * verify.ts verifyRawPages); with `--all-signatures` or `--out`, and from a server or a bundle, as
 * entries (verify.ts verifyLogParallel, whose workers hold the keys every signature needs).
 *
 * With the credential of a station not cleared for every program, the server withholds the entries
 * of the other programs to their leaf hash (docs/sync-spec.md S20). They are verified as far as a
 * hash allows: each goes into the Merkle tree, so every checkpoint's root and so the consistency of
 * the checkpoints still hold only if none was changed, removed or moved. The verdict says how many
 * were withheld, and how many receipts' station signatures could not be checked because their
 * station's enrollment entry was among them; it still exits 0 when everything it could check verifies.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StoredEntry } from '../../schemas/audit-entry.ts';
import { openSqlClient, type SqlClient } from '../store/sql-client.ts';
import type { LogEntry } from './entry-check.ts';
import { storedEntry } from './audit-log.ts';
import { describeMismatch, stationKeyMismatches, type KeyMismatch } from './station-key-check.ts';
import { createVerifierPool } from './verifier-pool.ts';
import { verifyLogParallel, verifyRawPages, type Verdict } from './verify.ts';
import { createScanPool } from './verify-pool.ts';
import { rawLogFromDataDir } from './verify-read.ts';

/** Everything an auditor needs to verify a log offline. */
export interface AuditBundle {
  /** Whole, or withheld to their leaf hash when read with a station credential not cleared for every program. */
  entries: LogEntry[];
  checkpoints: string[];
}

/** A log being read: its checkpoints (read first, so every one covers entries still to come), then its entries in pages. */
export interface LogSource {
  checkpoints: string[];
  pages: AsyncIterable<LogEntry[]> | Iterable<LogEntry[]>;
}

/** Entries per page read from a server (its limit) or a data directory. */
const URL_PAGE = 1000;
const DATA_PAGE = 8192;

/** Reads the log from a server's HTTP API (behind a station credential), a page at a time. */
export async function sourceFromUrl(url: string, credential: string | undefined): Promise<LogSource> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url.replace(/\/$/, '')}${path}`, { headers: credential === undefined ? {} : { authorization: `Bearer ${credential}` } });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const { checkpoints } = await get<{ checkpoints: Array<{ note: string }> }>('/api/audit/checkpoints');
  async function* pages(): AsyncGenerator<LogEntry[]> {
    for (let start = 0; ; start += URL_PAGE) {
      const page = await get<{ entries: LogEntry[] }>(`/api/audit/entries?start=${start}&end=${start + URL_PAGE}`);
      yield page.entries;
      if (page.entries.length < URL_PAGE) return;
    }
  }
  return { checkpoints: checkpoints.map((c) => c.note), pages: pages() };
}

/** A page of entries as rows, one object each: what any page can be read as. */
async function rowPage(sql: SqlClient, after: number, size: number): Promise<StoredEntry[]> {
  const rows = await sql.query<{ idx: string | number; entry: string; signature: string }>(
    'SELECT idx, entry, signature FROM audit_entries WHERE idx > $1 ORDER BY idx LIMIT $2',
    [after, size],
  );
  return rows.map((row) => storedEntry(Number(row.idx), row.entry, row.signature));
}

/**
 * The same page as {@link rowPage} when it is full and has no gap, read as the entries' texts alone
 * (and the few signatures: format 3–5, rotations). The page asks for the `size` indexes after
 * `after` and at most `size` rows: all `size` come back only when every index is there, so each
 * entry's index is its place and need not be read. Reading only the text column costs PGlite less
 * than half of what reading the index and signature beside it, or one aggregated text of the page
 * with its lengths, cost (bench/audit-verify.ts). Null for a page with fewer rows (the log's last
 * page, or a gap): {@link rowPage} reads that one, naming each entry's index as stored.
 */
async function textPage(sql: SqlClient, after: number, size: number): Promise<StoredEntry[] | null> {
  const rows = await sql.query<{ entry: string }>('SELECT entry FROM audit_entries WHERE idx > $1 AND idx <= $2 ORDER BY idx LIMIT $3', [after, after + size, size]);
  if (rows.length < size) return null;
  const signatures = new Map<number, string>();
  const signed = await sql.query<{ idx: string | number; signature: string }>(
    "SELECT idx, signature FROM audit_entries WHERE idx > $1 AND idx <= $2 AND signature IS NOT NULL AND signature <> ''",
    [after, after + size],
  );
  for (const row of signed) signatures.set(Number(row.idx), row.signature);
  return rows.map((row, i) => storedEntry(after + 1 + i, row.entry, signatures.get(after + 1 + i) ?? null));
}

/**
 * Reads the log straight from a PGlite data directory (read only: no migration is run); the database
 * closes after the last page. `pageSize` (entries per page) is for tests of the page boundaries.
 */
export async function sourceFromDataDir(dataDir: string, pageSize = DATA_PAGE): Promise<LogSource> {
  const sql = await openSqlClient({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
  let checkpoints: string[];
  try {
    checkpoints = (await sql.query<{ note: string }>('SELECT note FROM audit_checkpoints ORDER BY size')).map((c) => c.note);
  } catch (error) {
    await sql.close();
    throw error;
  }
  async function* pages(): AsyncGenerator<StoredEntry[]> {
    try {
      // By key, not offset: each page starts where the last ended, in the index's order.
      for (let after = -1; ; ) {
        const page = (await textPage(sql, after, pageSize)) ?? (await rowPage(sql, after, pageSize));
        if (page.length > 0) yield page;
        if (page.length < pageSize) return;
        after = page.at(-1)?.index ?? after;
      }
    } finally {
      await sql.close();
    }
  }
  return { checkpoints, pages: pages() };
}

/** The stations whose key in a PGlite data directory's table differs from their enrollment entry's (read only). */
export async function stationKeysAgainstLog(dataDir: string): Promise<KeyMismatch[]> {
  const sql = await openSqlClient({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
  try {
    return await stationKeyMismatches(sql);
  } finally {
    await sql.close();
  }
}

/** A bundle file as a source. */
export function sourceFromBundle(bundle: AuditBundle): LogSource {
  return { checkpoints: bundle.checkpoints, pages: [bundle.entries] };
}

/** Reads a whole source into a bundle. */
export async function readBundle(source: LogSource): Promise<AuditBundle> {
  const entries: LogEntry[] = [];
  for await (const page of source.pages) for (const entry of page) entries.push(entry);
  return { entries, checkpoints: source.checkpoints };
}

/** Reads the log from a server's HTTP API (behind a station credential). */
export async function bundleFromUrl(url: string, credential: string | undefined): Promise<AuditBundle> {
  return readBundle(await sourceFromUrl(url, credential));
}

/** Reads the log straight from a PGlite data directory (read only: no migration is run). */
export async function bundleFromDataDir(dataDir: string): Promise<AuditBundle> {
  return readBundle(await sourceFromDataDir(dataDir));
}

/** The message a verdict prints. */
export function describeVerdict(verdict: Verdict): string {
  if (verdict.ok) {
    const lines = [
      `OK: ${verdict.entries} entries, ${verdict.checkpoints} checkpoints, ${verdict.stationSignatures} station signatures verified` +
        ` (attesting ${verdict.stationEvents} station events), ${verdict.entrySignatures} entry signatures verified`,
    ];
    if (verdict.withheld > 0) {
      lines.push(
        `WITHHELD: ${plural(verdict.withheld, 'entry was', 'entries were')} withheld by the server (programs this credential is not cleared for) and checked by leaf hash only:` +
          ' each is in the Merkle tree every checkpoint signed, but its content, server signature and station signature were not verified.',
      );
    }
    if (verdict.stationSignaturesUnchecked > 0) {
      lines.push(`NOT CHECKED: the station signature of ${plural(verdict.stationSignaturesUnchecked, 'receipt', 'receipts')}, whose station's enrollment entry is withheld.`);
    }
    if (verdict.withheld > 0) lines.push('Verify with the credential of a station cleared for every program, or with --data, to check every entry.');
    return lines.join('\n');
  }
  return verdict.index === null ? `FAILED: ${verdict.reason}` : `FAILED at entry ${verdict.index}: ${verdict.reason}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function argument(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

/** An error of reading, as opposed to a verdict: exit code 2. */
class ReadFailure extends Error {}

/** The pages of a source, with any failure to read them marked as such. */
async function* reading<T>(pages: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  try {
    yield* pages;
  } catch (error) {
    throw new ReadFailure((error as Error).message, { cause: error });
  }
}

/** Runs the command line; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const url = argument(args, '--url');
  const data = argument(args, '--data');
  const bundleFile = argument(args, '--bundle');
  const key = argument(args, '--key');
  const out = argument(args, '--out');
  const allSignatures = args.includes('--all-signatures');
  if ([url, data, bundleFile].filter((x) => x !== undefined).length !== 1) {
    console.error('usage: npm run audit:verify -- (--url <server> [--credential <c>] | --data <dir> | --bundle <file>) [--key <base64 public key>] [--out <bundle file>] [--all-signatures]');
    return 2;
  }
  // A data directory is read as stored bytes and checked page by page (verify-read.ts, verify-scan.ts),
  // unless every signature is to be checked (the pool below holds the keys) or a bundle is written.
  if (data !== undefined && out === undefined && !allSignatures) return verifyDataDir(resolve(data), key);
  const pool = createVerifierPool();
  try {
    let source: LogSource;
    try {
      if (url !== undefined) source = await sourceFromUrl(url, argument(args, '--credential') ?? process.env['TRAVELOG_CREDENTIAL']);
      else if (data !== undefined) source = await sourceFromDataDir(resolve(data));
      else source = sourceFromBundle(JSON.parse(readFileSync(resolve(bundleFile as string), 'utf8')) as AuditBundle);
      if (out !== undefined) {
        const bundle = await readBundle(source);
        writeFileSync(resolve(out), JSON.stringify(bundle));
        source = sourceFromBundle(bundle);
      }
    } catch (error) {
      console.error(`Could not read the log: ${(error as Error).message}`);
      return 2;
    }
    let verdict: Verdict;
    const started = performance.now();
    try {
      verdict = await verifyLogParallel(reading(source.pages), source.checkpoints, pool, { ...(key === undefined ? {} : { trustedKeys: [key] }), ...(allSignatures ? { allSignatures } : {}) });
    } catch (error) {
      if (!(error instanceof ReadFailure)) throw error;
      console.error(`Could not read the log: ${error.message}`);
      return 2;
    }
    (verdict.ok ? console.log : console.error)(describeVerdict(verdict));
    // How long it took is printed only where asked for every signature: the cost of that choice.
    if (allSignatures) console.log(`--all-signatures: every event's and signed entry's own signature checked; reading and checking took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (!verdict.ok) return 1;
    // The stations table against the log just verified (station-key-check.ts): only a data directory has the table.
    if (data !== undefined) {
      const mismatches = await stationKeysAgainstLog(resolve(data));
      for (const mismatch of mismatches) console.error(describeMismatch(mismatch));
      if (mismatches.length > 0) return 1;
      console.log('OK: every station key in the stations table is the one its enrollment entry records');
    }
    return 0;
  } finally {
    await pool.close();
  }
}

/** `--data <dir>` without `--all-signatures` or `--out`: the log as stored bytes, then the stations table. */
async function verifyDataDir(dataDir: string, key: string | undefined): Promise<number> {
  const scanner = createScanPool();
  try {
    let log: Awaited<ReturnType<typeof rawLogFromDataDir>>;
    try {
      log = await rawLogFromDataDir(dataDir);
    } catch (error) {
      console.error(`Could not read the log: ${(error as Error).message}`);
      return 2;
    }
    let verdict: Verdict;
    try {
      verdict = await verifyRawPages(reading(log.pages), log.checkpoints, scanner, key === undefined ? {} : { trustedKeys: [key] });
    } catch (error) {
      if (!(error instanceof ReadFailure)) throw error;
      console.error(`Could not read the log: ${error.message}`);
      return 2;
    } finally {
      // A verdict before the last page leaves the database open: close it.
      await log.close();
    }
    (verdict.ok ? console.log : console.error)(describeVerdict(verdict));
    if (!verdict.ok) return 1;
    const mismatches = await stationKeysAgainstLog(dataDir);
    for (const mismatch of mismatches) console.error(describeMismatch(mismatch));
    if (mismatches.length > 0) return 1;
    console.log('OK: every station key in the stations table is the one its enrollment entry records');
    return 0;
  } finally {
    await scanner.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
