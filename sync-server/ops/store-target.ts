/**
 * Which store a backup or restore command works on, from the same variables as the server:
 * PostgreSQL at DATABASE_URL (in DATABASE_SCHEMA if set), else PGlite under DATA_DIR (./data).
 *
 * A PGlite directory belongs to one process: the server marks it with `server.pid` while it runs,
 * and the commands refuse a directory a living server holds.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openSqlClient, type SqlClient } from '../store/sql-client.ts';
import { BackupError } from './backup.ts';

export const PID_FILE = 'server.pid';

export type StoreTarget = { kind: 'pglite'; dataDir: string } | { kind: 'pg'; databaseUrl: string; schema?: string };

/** The store the environment names. */
export function targetFromEnv(env: NodeJS.ProcessEnv): StoreTarget {
  const url = env['DATABASE_URL'];
  if (url !== undefined && url !== '') {
    const schema = env['DATABASE_SCHEMA'];
    return { kind: 'pg', databaseUrl: url, ...(schema === undefined || schema === '' ? {} : { schema }) };
  }
  return { kind: 'pglite', dataDir: resolve(env['DATA_DIR'] ?? './data') };
}

export function storeName(target: StoreTarget): 'PGlite' | 'PostgreSQL' {
  return target.kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
}

/** The pid of a living server holding this PGlite directory, or null. */
export function holdingServer(dataDir: string): number | null {
  const path = join(dataDir, PID_FILE);
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it lives, under another user.
    return (error as { code?: string }).code === 'EPERM' ? pid : null;
  }
}

/** Marks a PGlite directory as held by this process; returns the function that unmarks it. */
export function holdDataDir(dataDir: string): () => void {
  const path = join(dataDir, PID_FILE);
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
    } catch {
      // Gone already.
    }
  };
}

/** Opens the target's SQL for a backup: the store must exist. */
export async function openForBackup(target: StoreTarget): Promise<SqlClient> {
  if (target.kind === 'pg') return openSqlClient(target.schema === undefined ? { kind: 'pg', databaseUrl: target.databaseUrl } : { kind: 'pg', databaseUrl: target.databaseUrl, schema: target.schema });
  const pid = holdingServer(target.dataDir);
  if (pid !== null) {
    throw new BackupError(
      `The server (pid ${pid}) holds ${target.dataDir}: a PGlite store has one process. Let the server take the backup (BACKUP_DIR and BACKUP_EVERY), or stop it first`,
    );
  }
  if (!existsSync(join(target.dataDir, 'pglite', 'PG_VERSION'))) throw new BackupError(`${target.dataDir} holds no Travelog store (no pglite directory); set DATA_DIR or DATABASE_URL`);
  return openSqlClient({ kind: 'pglite', dataDir: join(target.dataDir, 'pglite') });
}

/** Opens the target's SQL for a restore: a PGlite directory must not hold a store yet. Returns how to undo what the restore wrote. */
export async function openForRestore(target: StoreTarget): Promise<{ sql: SqlClient; discard: () => Promise<void> }> {
  if (target.kind === 'pg') {
    const sql = await openSqlClient(target.schema === undefined ? { kind: 'pg', databaseUrl: target.databaseUrl } : { kind: 'pg', databaseUrl: target.databaseUrl, schema: target.schema });
    return {
      sql,
      async discard() {
        const tables = await sql.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
        for (const { name } of tables) await sql.exec(`DROP TABLE IF EXISTS "${name}" CASCADE`);
      },
    };
  }
  const pid = holdingServer(target.dataDir);
  if (pid !== null) throw new BackupError(`The server (pid ${pid}) is running on ${target.dataDir}; stop it before restoring`);
  const dir = join(target.dataDir, 'pglite');
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new BackupError(`The target is not empty: ${dir} holds a store. Restore only into an empty DATA_DIR`);
  let sql: SqlClient;
  try {
    sql = await openSqlClient({ kind: 'pglite', dataDir: dir });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    sql,
    async discard() {
      await sql.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
