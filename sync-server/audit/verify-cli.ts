/**
 * `npm run audit:verify -- --url <server> [--credential <c>]` | `--data <DATA_DIR>` | `--bundle <file>`,
 * with `--key <base64>` to pin the log's first key and `--out <file>` to save what was read as a
 * bundle. Exits 0 when everything verifies; otherwise 1, naming the first entry that fails and why
 * (2 for a usage or reading error).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StoredEntry } from '../../schemas/audit-entry.ts';
import { openSqlClient } from '../store/sql-client.ts';
import { verifyLog, type Verdict } from './verify.ts';

/** Everything an auditor needs to verify a log offline. */
export interface AuditBundle {
  entries: StoredEntry[];
  checkpoints: string[];
}

/** Reads the log from a server's HTTP API (behind a station credential). */
export async function bundleFromUrl(url: string, credential: string | undefined): Promise<AuditBundle> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url.replace(/\/$/, '')}${path}`, { headers: credential === undefined ? {} : { authorization: `Bearer ${credential}` } });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const { checkpoints } = await get<{ checkpoints: Array<{ note: string }> }>('/api/audit/checkpoints');
  const entries: StoredEntry[] = [];
  for (;;) {
    const page = await get<{ entries: StoredEntry[] }>(`/api/audit/entries?start=${entries.length}&end=${entries.length + 1000}`);
    entries.push(...page.entries);
    if (page.entries.length < 1000) break;
  }
  return { entries, checkpoints: checkpoints.map((c) => c.note) };
}

/** Reads the log straight from a PGlite data directory (read only: no migration is run). */
export async function bundleFromDataDir(dataDir: string): Promise<AuditBundle> {
  const sql = await openSqlClient({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
  try {
    const rows = await sql.query<{ idx: string | number; entry: string; signature: string }>('SELECT idx, entry, signature FROM audit_entries ORDER BY idx');
    const checkpoints = await sql.query<{ note: string }>('SELECT note FROM audit_checkpoints ORDER BY size');
    return { entries: rows.map((row) => ({ index: Number(row.idx), entry: row.entry, signature: row.signature })), checkpoints: checkpoints.map((c) => c.note) };
  } finally {
    await sql.close();
  }
}

/** The message a verdict prints. */
export function describeVerdict(verdict: Verdict): string {
  if (verdict.ok) {
    return `OK: ${verdict.entries} entries, ${verdict.checkpoints} checkpoints, ${verdict.stationSignatures} station signatures verified`;
  }
  return verdict.index === null ? `FAILED: ${verdict.reason}` : `FAILED at entry ${verdict.index}: ${verdict.reason}`;
}

function argument(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

/** Runs the command line; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const url = argument(args, '--url');
  const data = argument(args, '--data');
  const bundleFile = argument(args, '--bundle');
  const key = argument(args, '--key');
  const out = argument(args, '--out');
  if ([url, data, bundleFile].filter((x) => x !== undefined).length !== 1) {
    console.error('usage: npm run audit:verify -- (--url <server> [--credential <c>] | --data <dir> | --bundle <file>) [--key <base64 public key>] [--out <bundle file>]');
    return 2;
  }
  let bundle: AuditBundle;
  try {
    if (url !== undefined) bundle = await bundleFromUrl(url, argument(args, '--credential') ?? process.env['TRAVELOG_CREDENTIAL']);
    else if (data !== undefined) bundle = await bundleFromDataDir(resolve(data));
    else bundle = JSON.parse(readFileSync(resolve(bundleFile as string), 'utf8')) as AuditBundle;
  } catch (error) {
    console.error(`Could not read the log: ${(error as Error).message}`);
    return 2;
  }
  if (out !== undefined) writeFileSync(resolve(out), JSON.stringify(bundle));
  const verdict = verifyLog(bundle.entries, bundle.checkpoints, key === undefined ? {} : { trustedKeys: [key] });
  (verdict.ok ? console.log : console.error)(describeVerdict(verdict));
  return verdict.ok ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
