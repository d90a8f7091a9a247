/**
 * Backups the server takes itself: every BACKUP_EVERY into BACKUP_DIR, keeping the newest
 * BACKUP_KEEP (docs/operations.md). The only way to back up a running PGlite server, whose
 * directory no other process may open; on PostgreSQL `npm run backup` works as well.
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { SqlClient } from '../store/sql-client.ts';
import { scheduledBackups, writeBackup, type BackupHeader, type CheckedBackup } from './backup.ts';

/** Backups kept unless configured. */
export const DEFAULT_BACKUP_KEEP = 7;

export interface BackupSchedule {
  dir: string;
  everyMs: number;
  keep: number;
}

export interface ScheduledBackups {
  /** Takes a backup now into the directory and prunes the oldest beyond `keep`; the path written. */
  takeNow(): Promise<{ path: string; backup: CheckedBackup }>;
  stop(): void;
}

/** A file name sorting by time: travelog-20261120T080000Z.backup.jsonl.gz. */
function fileName(at: Date): string {
  return `travelog-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.backup.jsonl.gz`;
}

export function scheduleBackups(options: BackupSchedule & { sql: SqlClient; store: BackupHeader['store']; now: () => Date; log: FastifyBaseLogger }): ScheduledBackups {
  mkdirSync(options.dir, { recursive: true });
  let running: Promise<{ path: string; backup: CheckedBackup }> | null = null;
  const takeNow = (): Promise<{ path: string; backup: CheckedBackup }> =>
    (running ??= (async () => {
      try {
        const at = options.now();
        let path = join(options.dir, fileName(at));
        // Two within one second: the second waits for a name of its own.
        for (let n = 1; scheduledBackups(options.dir).includes(path.slice(options.dir.length + 1)); n++) path = join(options.dir, fileName(new Date(at.getTime() + n * 1000)));
        const backup = await writeBackup(options.sql, { out: path, store: options.store, now: options.now });
        const all = scheduledBackups(options.dir);
        for (const old of all.slice(0, Math.max(0, all.length - options.keep))) await rm(join(options.dir, old), { force: true });
        options.log.info({ backup: path, logSize: backup.header.log.size, sha256: backup.sha256 }, 'backup taken and checked');
        return { path, backup };
      } finally {
        running = null;
      }
    })());
  const timer = setInterval(() => {
    takeNow().catch((error: unknown) => options.log.error({ err: error }, 'scheduled backup failed'));
  }, options.everyMs);
  timer.unref();
  return { takeNow, stop: () => clearInterval(timer) };
}
