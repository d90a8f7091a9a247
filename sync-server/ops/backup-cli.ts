/**
 * `npm run backup -- --out <file>`: a consistent backup of the store named by DATA_DIR (PGlite; the
 * server must not be running on it) or DATABASE_URL (PostgreSQL, while the server runs), checked
 * as it is written (sync-server/ops/backup.ts). `npm run backup -- --check <file>` checks a backup
 * without restoring it. Exits 0 on success, 1 when refused (the message says why), 2 on misuse.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackupError, checkBackup, writeBackup, type CheckedBackup } from './backup.ts';
import { openForBackup, storeName, targetFromEnv } from './store-target.ts';

export function describeBackup(path: string, backup: CheckedBackup): string {
  const { header } = backup;
  const rows = Object.values(backup.rows).reduce((sum, n) => sum + n, 0);
  return [
    `Backup ${path}: checked.`,
    `  taken ${header.takenAt} from ${header.store} by Travelog ${header.appVersion} (protocol ${header.protocolVersion}, migrations up to ${Math.max(0, ...header.migrations)})`,
    `  audit log size ${header.log.size}, root ${header.log.root}; server sequence ${header.serverSequence}; ${rows} rows in ${header.tables.length} tables`,
    `  sha256 ${backup.sha256}`,
  ].join('\n');
}

function argument(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

export async function main(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = argument(args, '--out');
  const check = argument(args, '--check');
  if ((out === undefined) === (check === undefined)) {
    console.error('usage: npm run backup -- --out <file>   (store: DATABASE_URL, else DATA_DIR)\n       npm run backup -- --check <file>');
    return 2;
  }
  try {
    if (check !== undefined) {
      console.log(describeBackup(check, await checkBackup(resolve(check))));
      return 0;
    }
    const target = targetFromEnv(env);
    const sql = await openForBackup(target);
    try {
      console.log(describeBackup(out as string, await writeBackup(sql, { out: resolve(out as string), store: storeName(target) })));
    } finally {
      await sql.close();
    }
    return 0;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    console.error(`Backup refused: ${error.message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
