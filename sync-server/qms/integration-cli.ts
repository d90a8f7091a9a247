/**
 * `npm run integration -- create --name QMS --programs F-35-ACT,COMMERCIAL --by "Pat Kim"`: makes an
 * integration credential (printed once; the store keeps its SHA-256), cleared for those programs.
 * `npm run integration -- list` and `npm run integration -- revoke --name QMS --by "Pat Kim"`.
 * Creating and revoking each append an audit entry (`integration.created`, `integration.revoked`:
 * who, when, which integration and programs) in the same transaction.
 *
 * The store is the one DATA_DIR (or DATABASE_URL) names, as for a backup. While the server runs on a
 * PGlite DATA_DIR (which one process holds), create and revoke are asked of the server through a
 * request file it picks up (./integration-requests.ts) and `list` is refused; otherwise the CLI
 * opens the store itself and signs the audit entry with DATA_DIR's audit key (or AUDIT_KEY_FILE).
 * Exits 0 on success, 1 when refused (the message says why), 2 on misuse.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAuditLog } from '../audit/audit-log.ts';
import { KEY_FILE, loadOrCreateServerKey } from '../audit/server-key.ts';
import { BackupError } from '../ops/backup.ts';
import { holdingServer, openForBackup, targetFromEnv } from '../ops/store-target.ts';
import { migrate } from '../store/migrations.ts';
import { createStore } from '../store/store.ts';
import { AUDIT_ORIGIN } from '../app.ts';
import type { IntegrationAnswer, IntegrationRequest } from './integration-requests.ts';
import { askRunningServer, carryOut } from './integration-requests.ts';
import { listIntegrations } from './integrations.ts';

const USAGE = [
  'usage: npm run integration -- create --name <name> --programs <program,program> --by <your name>',
  '       npm run integration -- list',
  '       npm run integration -- revoke --name <name> --by <your name>',
  '(store: DATABASE_URL, else DATA_DIR; with a PGlite store the running server makes the change)',
].join('\n');

function argument(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

function report(request: IntegrationRequest, answer: IntegrationAnswer): number {
  if (!answer.ok) {
    console.error(`Refused: ${answer.message}`);
    return 1;
  }
  if (request.command === 'revoke') {
    console.log(`Integration ${answer.integration.name} revoked; its credential no longer works.`);
    return 0;
  }
  console.log(`Integration ${answer.integration.name} created, cleared for ${answer.integration.programs.join(', ')}.`);
  console.log('Its credential (shown this once; give it to the QMS as Authorization: Bearer <credential>):');
  console.log(answer.credential ?? '');
  return 0;
}

export async function main(args: readonly string[], env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): Promise<number> {
  const command = args[0];
  const name = argument(args, '--name');
  const programs = argument(args, '--programs');
  const by = argument(args, '--by');
  if (command !== 'create' && command !== 'list' && command !== 'revoke') {
    console.error(USAGE);
    return 2;
  }
  if ((command === 'create' && (name === undefined || programs === undefined || by === undefined)) || (command === 'revoke' && (name === undefined || by === undefined))) {
    console.error(USAGE);
    return 2;
  }
  const request: IntegrationRequest | null =
    command === 'create' ? { command, name: name as string, programs: (programs as string).split(','), by: by as string } :
    command === 'revoke' ? { command, name: name as string, by: by as string } : null;
  const target = targetFromEnv(env);
  if (target.kind === 'pglite' && request !== null && holdingServer(target.dataDir) !== null) {
    return report(request, await askRunningServer(target.dataDir, request));
  }
  let sql;
  try {
    sql = await openForBackup(target);
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    console.error(`Refused: ${error.message}`);
    return 1;
  }
  try {
    await migrate(sql);
    if (request === null) {
      for (const i of await listIntegrations(sql)) console.log(`${i.name}\tprograms ${i.programs.join(',')}\tcreated ${i.createdAt}${i.revokedAt === null ? '' : `\trevoked ${i.revokedAt}`}`);
      return 0;
    }
    const dataDir = target.kind === 'pglite' ? target.dataDir : resolve(env['DATA_DIR'] ?? './data');
    const keyFile = env['AUDIT_KEY_FILE'];
    const key = loadOrCreateServerKey({ dataDir, keyName: AUDIT_ORIGIN, ...(keyFile === undefined || keyFile === '' ? { keyFile: join(dataDir, KEY_FILE) } : { keyFile: resolve(keyFile) }) });
    const store = createStore(sql);
    const audit = createAuditLog({ key, now });
    await store.locked((tx) => audit.open(tx.sql));
    return report(request, await carryOut(store, audit, request, now()));
  } catch (error) {
    console.error(`Refused: ${(error as Error).message}`);
    return 1;
  } finally {
    await sql.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
