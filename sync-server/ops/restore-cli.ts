/**
 * `npm run restore -- --in <file> [--key <audit key file>]`: restores a backup into the empty store
 * named by DATA_DIR (PGlite) or DATABASE_URL (PostgreSQL, an empty schema), then appends the signed
 * `log.restored` entry (docs/sync-spec.md S23). The key is the audit log's current key: `--key`,
 * else AUDIT_KEY_FILE, else DATA_DIR/audit-key.pem; with PGlite and `--key`, the key is copied to
 * DATA_DIR/audit-key.pem (mode 0600) unless AUDIT_KEY_FILE is set, so that the server starts with it.
 * Exits 0 on success, 1 when refused (a non-empty target, a damaged or foreign file, the wrong key),
 * 2 on misuse.
 */
import { createPrivateKey } from 'node:crypto';
import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AUDIT_ORIGIN } from '../app.ts';
import { KEY_FILE, serverKeyOf, type ServerKey } from '../audit/server-key.ts';
import { BackupError, restoreBackup } from './backup.ts';
import { openForRestore, storeName, targetFromEnv } from './store-target.ts';

function argument(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

function readKey(path: string): ServerKey {
  if (!existsSync(path)) throw new BackupError(`The audit key file ${path} does not exist`);
  try {
    return serverKeyOf(createPrivateKey(readFileSync(path)), AUDIT_ORIGIN);
  } catch (error) {
    throw new BackupError(`${path} is not an audit key file (${(error as Error).message})`);
  }
}

export async function main(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const input = argument(args, '--in');
  const keyArgument = argument(args, '--key');
  if (input === undefined) {
    console.error('usage: npm run restore -- --in <backup file> [--key <audit key file>]   (target: DATABASE_URL, else DATA_DIR; it must be empty)');
    return 2;
  }
  try {
    const target = targetFromEnv(env);
    const envKey = env['AUDIT_KEY_FILE'] === undefined || env['AUDIT_KEY_FILE'] === '' ? undefined : resolve(env['AUDIT_KEY_FILE']);
    const defaultKey = target.kind === 'pglite' ? join(target.dataDir, KEY_FILE) : undefined;
    const keyFile = keyArgument !== undefined ? resolve(keyArgument) : (envKey ?? defaultKey);
    if (keyFile === undefined || !existsSync(keyFile)) throw new BackupError('Name the audit key file with --key (the key the backed-up log signs with; it is backed up separately)');
    const key = readKey(keyFile);
    const result = await restoreBackup({ store: storeName(target), open: () => openForRestore(target) }, { in: resolve(input), key });
    if (target.kind === 'pglite' && envKey === undefined && defaultKey !== undefined && keyFile !== defaultKey && !existsSync(defaultKey)) {
      mkdirSync(target.dataDir, { recursive: true });
      copyFileSync(keyFile, defaultKey);
      chmodSync(defaultKey, 0o600);
    }
    const { header } = result.backup;
    console.log(
      [
        `Restored ${input} into ${storeName(target)}: the backup taken ${header.takenAt}, audit log size ${header.log.size}, server sequence ${header.serverSequence}.`,
        `Signed restart: entry ${result.entryIndex} (log.restored, epoch ${result.restoreId}).`,
        'Start the server: each station sends back the events it recorded since the backup at its next sync (docs/operations.md).',
        ...(target.kind === 'pg' && envKey === undefined ? [`Start it with AUDIT_KEY_FILE=${keyFile}.`] : []),
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    console.error(`Restore refused: ${error.message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
