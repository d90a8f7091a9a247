/**
 * `npm run integration -- create --name QMS --programs F-35-ACT,COMMERCIAL`: makes an integration
 * credential (printed once; the store keeps its SHA-256), cleared for those programs.
 * `npm run integration -- list` and `npm run integration -- revoke --name QMS`. The store is the
 * one DATA_DIR (PGlite: the server must be stopped) or DATABASE_URL names, as for a backup.
 * Exits 0 on success, 1 when refused (the message says why), 2 on misuse.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackupError } from '../ops/backup.ts';
import { openForBackup, targetFromEnv } from '../ops/store-target.ts';
import { migrate } from '../store/migrations.ts';
import { createIntegration, listIntegrations, revokeIntegration } from './integrations.ts';

const USAGE = [
  'usage: npm run integration -- create --name <name> --programs <program,program>',
  '       npm run integration -- list',
  '       npm run integration -- revoke --name <name>',
  '(store: DATABASE_URL, else DATA_DIR; a PGlite store only while the server is stopped)',
].join('\n');

function argument(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

export async function main(args: readonly string[], env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): Promise<number> {
  const command = args[0];
  const name = argument(args, '--name');
  const programs = argument(args, '--programs');
  if (command !== 'create' && command !== 'list' && command !== 'revoke') {
    console.error(USAGE);
    return 2;
  }
  if ((command === 'create' && (name === undefined || programs === undefined)) || (command === 'revoke' && name === undefined)) {
    console.error(USAGE);
    return 2;
  }
  let sql;
  try {
    sql = await openForBackup(targetFromEnv(env));
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    console.error(`Refused: ${error.message}`);
    return 1;
  }
  try {
    await migrate(sql);
    if (command === 'list') {
      for (const i of await listIntegrations(sql)) console.log(`${i.name}\tprograms ${i.programs.join(',')}\tcreated ${i.createdAt}${i.revokedAt === null ? '' : `\trevoked ${i.revokedAt}`}`);
      return 0;
    }
    if (command === 'revoke') {
      if (!(await revokeIntegration(sql, name as string, now()))) {
        console.error(`Refused: there is no integration named ${name as string} that is not revoked`);
        return 1;
      }
      console.log(`Integration ${name as string} revoked; its credential no longer works.`);
      return 0;
    }
    try {
      const { integration, credential } = await createIntegration(sql, { name: name as string, programs: (programs as string).split(',') }, now());
      console.log(`Integration ${integration.name} created, cleared for ${integration.programs.join(', ')}.`);
      console.log('Its credential (shown this once; give it to the QMS as Authorization: Bearer <credential>):');
      console.log(credential);
      return 0;
    } catch (error) {
      console.error(`Refused: ${(error as Error).message}`);
      return 1;
    }
  } finally {
    await sql.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
