/**
 * `npm run evidence -- --serial <s> | --lot <l> | --work-order <w>` with `--url <server> --credential <c>`
 * (the station's view: its program clearance holds) or `--data <DATA_DIR>` (plant IT, with the server
 * stopped: every program, signed with the key in DATA_DIR), and `--out <file>` (standard output
 * otherwise). With `--html <file>` it also writes the printable report. Exits 0, 1 when the server
 * knows nothing about it, 2 for a usage or reading error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvidencePackage, EvidenceQuery } from '../../schemas/evidence.ts';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import { plantFromViews } from '../../src/domain/plant.ts';
import { AUDIT_ORIGIN } from '../app.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { programIndex } from '../audit/clearance.ts';
import { KEY_FILE, serverKeyOf } from '../audit/server-key.ts';
import { openSqlClient } from '../store/sql-client.ts';
import { plantGenealogy } from './genealogy-source.ts';
import { buildEvidence } from './package.ts';
import { evidenceReport } from '../../src/audit/evidence-report.ts';
import { createPrivateKey } from 'node:crypto';

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at < 0 ? undefined : argv[at + 1];
}

/** The package over HTTP, as the station with this credential may see it. */
export async function evidenceFromUrl(url: string, credential: string, query: EvidenceQuery): Promise<EvidencePackage | null> {
  const response = await fetch(`${url.replace(/\/$/, '')}/api/evidence?${query.kind}=${encodeURIComponent(query.id)}`, { headers: { authorization: `Bearer ${credential}` } });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return (await response.json()) as EvidencePackage;
}

/** The package straight from a PGlite data directory (the server stopped), every program, signed with DATA_DIR's key. */
export async function evidenceFromDataDir(dataDir: string, query: EvidenceQuery, keyFile = join(dataDir, KEY_FILE)): Promise<EvidencePackage | null> {
  const key = serverKeyOf(createPrivateKey(readFileSync(keyFile)), AUDIT_ORIGIN);
  const sql = await openSqlClient({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
  try {
    const audit = createAuditLog({ key, now: () => new Date() });
    const checkpoint = await audit.latestCheckpoint(sql);
    const rows = await sql.query<{ kind: string; key: string; data: unknown; server_seq: string | number }>('SELECT kind, key, data, server_seq FROM views ORDER BY server_seq');
    const plant = plantFromViews(rows.map((row) => ({ id: `${row.kind}:${row.key}`, kind: row.kind, key: row.key, serverSeq: Number(row.server_seq), data: row.data }) as ViewDoc));
    return await buildEvidence(query, {
      sql, audit, plant, programs: programIndex(plant), cleared: null,
      genealogy: plantGenealogy(() => plant), key, now: () => new Date(), checkpoint,
    });
  } finally {
    await sql.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const serial = option(argv, '--serial');
  const lot = option(argv, '--lot');
  const workOrder = option(argv, '--work-order');
  const named = [serial, lot, workOrder].filter((v) => v !== undefined);
  const url = option(argv, '--url');
  const data = option(argv, '--data');
  if (named.length !== 1 || (url === undefined) === (data === undefined) || (url !== undefined && option(argv, '--credential') === undefined)) {
    process.stderr.write('usage: evidence -- --serial <s> | --lot <l> | --work-order <w>  (--url <server> --credential <c> | --data <DATA_DIR>)  [--out <file>] [--html <file>]\n');
    return 2;
  }
  const query: EvidenceQuery = serial !== undefined ? { kind: 'serial', id: serial } : lot !== undefined ? { kind: 'lot', id: lot } : { kind: 'workOrder', id: workOrder as string };
  const pkg = url !== undefined ? await evidenceFromUrl(url, option(argv, '--credential') as string, query) : await evidenceFromDataDir(data as string, query);
  if (pkg === null) {
    process.stderr.write(`Nothing is recorded about ${query.kind === 'workOrder' ? 'work order' : query.kind} ${query.id}\n`);
    return 1;
  }
  const text = `${JSON.stringify(pkg, null, 2)}\n`;
  const out = option(argv, '--out');
  if (out === undefined) process.stdout.write(text);
  else writeFileSync(out, text);
  const html = option(argv, '--html');
  if (html !== undefined) writeFileSync(html, evidenceReport(pkg));
  if (out !== undefined) process.stderr.write(`Wrote the evidence for ${query.id} (${pkg.entries.length} entries, checkpoint ${pkg.checkpoint.size}) to ${out}; check it with npm run evidence:verify -- ${out}\n`);
  return 0;
}

if (process.argv[1]?.endsWith('evidence-cli.ts') === true) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
