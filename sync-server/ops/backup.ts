/**
 * Backups of the store and restores from them (docs/operations.md).
 *
 * A backup is a gzip file of JSON lines, the same on PGlite and PostgreSQL (a PGlite backup restores
 * into PostgreSQL and the other way round):
 *
 * 1. a header: `format` "travelog-backup", what it holds (its tables, the migrations applied, the
 *    server sequence, the audit log's size and root hash and latest checkpoint), when and by which
 *    version of Travelog it was taken;
 * 2. every row of every table as `{"t": table, "r": row}`, read in one read-only transaction at
 *    REPEATABLE READ (one snapshot: stations go on pushing on PostgreSQL; PGlite runs one
 *    transaction at a time, so their pushes wait for the backup);
 * 3. a trailer: the rows per table and the SHA-256 of every line before it.
 *
 * A backup is read back and checked as soon as it is written, under a temporary name that becomes
 * the real one only when it checks; a restore checks the whole file before it writes anything.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { fromHex, toHex } from '../../src/audit/canonical.ts';
import { frontierNodes, frontierRoot } from '../../src/audit/merkle.ts';
import { createAuditLog, nodeSha256 } from '../audit/audit-log.ts';
import type { ServerKey } from '../audit/server-key.ts';
import { migrate, MIGRATIONS } from '../store/migrations.ts';
import type { SqlClient } from '../store/sql-client.ts';

export const BACKUP_FORMAT = 'travelog-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** The first line of a backup: what it holds. */
export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  /** When the snapshot was taken (the server's clock). */
  takenAt: string;
  /** The Travelog release and protocol version that took it. */
  appVersion: string;
  protocolVersion: number;
  /** The store it was taken from. */
  store: 'PGlite' | 'PostgreSQL';
  /** The migrations the store had applied. */
  migrations: number[];
  tables: string[];
  serverSequence: number;
  /** The audit log in the snapshot: its size and RFC 9162 root hash (hex), and its latest signed checkpoint. */
  log: { size: number; root: string; checkpoint: string | null };
}

/** The last line of a backup. */
interface BackupTrailer {
  end: true;
  rows: Record<string, number>;
  sha256: string;
}

/** What a checked backup holds, as the header says and the trailer confirms. */
export interface CheckedBackup {
  header: BackupHeader;
  rows: Record<string, number>;
  /** SHA-256 (hex) of the file's lines before the trailer: names the backup in the restore entry. */
  sha256: string;
}

/** A backup or restore refused for a reason an operator can act on; the command line prints the message alone. */
export class BackupError extends Error {
  override name = 'BackupError';
}

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const ROWS_PER_READ = 5000;
const ROWS_PER_INSERT = 2000;

/** The version in package.json, for the header. */
async function appVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Every table of the store's schema, schema_migrations first, then by name. */
async function tablesOf(sql: SqlClient): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const names = rows.map((row) => row.name).filter((name) => TABLE_NAME.test(name));
  return [...names.filter((name) => name === 'schema_migrations'), ...names.filter((name) => name !== 'schema_migrations')];
}

/** The audit log's size and root hash as the snapshot has it. */
async function logHead(sql: SqlClient): Promise<BackupHeader['log']> {
  const [row] = await sql.query<{ size: string | number }>('SELECT coalesce(max(idx) + 1, 0) AS size FROM audit_entries');
  const size = Number(row?.size ?? 0);
  const wanted = frontierNodes(size);
  const nodes = new Map<string, Uint8Array>();
  if (wanted.length > 0) {
    const found = await sql.query<{ level: number; idx: string | number; hash: string }>(
      `SELECT n.level, n.idx, n.hash FROM audit_nodes n
       JOIN jsonb_to_recordset($1::jsonb) AS x(level integer, idx bigint) ON n.level = x.level AND n.idx = x.idx`,
      [JSON.stringify(wanted.map(({ level, index }) => ({ level, idx: index })))],
    );
    for (const node of found) nodes.set(`${node.level}:${Number(node.idx)}`, fromHex(node.hash));
  }
  const frontier = {
    size,
    nodes: wanted.map(({ level, index }) => {
      const node = nodes.get(`${level}:${index}`);
      if (node === undefined) throw new BackupError(`The audit log has no node ${level}:${index}; the tree is damaged`);
      return node;
    }),
  };
  const [checkpoint] = await sql.query<{ note: string }>('SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1');
  return { size, root: toHex(frontierRoot(frontier, nodeSha256)), checkpoint: checkpoint?.note ?? null };
}

/** Writes lines into a gzip file, hashing them, waiting whenever the stream asks to. */
function lineWriter(path: string) {
  const gzip = createGzip();
  const file = createWriteStream(path, { mode: 0o600 });
  gzip.pipe(file);
  const hash = createHash('sha256');
  const finished = new Promise<void>((resolve, reject) => {
    file.on('finish', resolve);
    file.on('error', reject);
    gzip.on('error', reject);
  });
  finished.catch(() => undefined);
  return {
    async write(line: string, hashed = true): Promise<void> {
      const text = `${line}\n`;
      if (hashed) hash.update(text, 'utf8');
      if (!gzip.write(text)) await new Promise<void>((resolve) => gzip.once('drain', resolve));
    },
    digest: () => hash.digest('hex'),
    async close(): Promise<void> {
      gzip.end();
      await finished;
    },
  };
}

/** Options of {@link writeBackup}. */
export interface WriteBackupOptions {
  /** The file to write; it must not exist. */
  out: string;
  store: BackupHeader['store'];
  now?: () => Date;
}

/**
 * Takes a consistent backup of the store `sql` works in into `out`, checks it, and returns what it
 * holds. Nothing is left under `out` unless it checked.
 */
export async function writeBackup(sql: SqlClient, options: WriteBackupOptions): Promise<CheckedBackup> {
  if (existsSync(options.out)) throw new BackupError(`${options.out} exists already; a backup never overwrites a file`);
  const partial = `${options.out}.partial-${randomUUID().slice(0, 8)}`;
  const version = await appVersion();
  try {
    const writer = lineWriter(partial);
    const rows: Record<string, number> = {};
    await sql.transaction(async (tx) => {
      // One snapshot for every table; nothing written.
      await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const tables = await tablesOf(tx);
      const migrations = (await tx.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((row) => Number(row.version));
      const [sequence] = await tx.query<{ value: string | number }>('SELECT value FROM server_sequence WHERE id = 1');
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        takenAt: (options.now ?? (() => new Date()))().toISOString(),
        appVersion: version,
        protocolVersion: PROTOCOL_VERSION,
        store: options.store,
        migrations,
        tables,
        serverSequence: Number(sequence?.value ?? 0),
        log: await logHead(tx),
      };
      await writer.write(JSON.stringify(header));
      for (const table of tables) {
        rows[table] = 0;
        // By physical position, which no write moves within this snapshot: each page starts where the last ended.
        for (let after = '(0,0)'; ; ) {
          const page = await tx.query<{ c: string; r: string }>(`SELECT ctid::text AS c, to_jsonb(t)::text AS r FROM "${table}" t WHERE ctid > $1::tid ORDER BY ctid LIMIT ${ROWS_PER_READ}`, [after]);
          for (const row of page) await writer.write(`{"t":${JSON.stringify(table)},"r":${row.r}}`);
          rows[table] += page.length;
          if (page.length < ROWS_PER_READ) break;
          after = page.at(-1)?.c ?? after;
        }
      }
    });
    const trailer: BackupTrailer = { end: true, rows, sha256: writer.digest() };
    await writer.write(JSON.stringify(trailer), false);
    await writer.close();
    const checked = await checkBackup(partial);
    for (const [table, count] of Object.entries(rows)) {
      if ((checked.rows[table] ?? 0) !== count) throw new BackupError(`The backup read back holds ${checked.rows[table] ?? 0} rows of ${table}, not the ${count} written`);
    }
    await rename(partial, options.out);
    return checked;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Reads a backup's lines, calling `onRow` for each row; checks the header, the hash and the row counts. */
async function readBackup(path: string, onRow?: (table: string, row: unknown) => Promise<void>, onHeader?: (header: BackupHeader) => Promise<void>): Promise<CheckedBackup> {
  if (!existsSync(path)) throw new BackupError(`${path} does not exist`);
  if (!(await stat(path)).isFile()) throw new BackupError(`${path} is not a file`);
  const gunzip = createGunzip();
  const source = createReadStream(path);
  source.on('error', (error) => gunzip.destroy(error));
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  const hash = createHash('sha256');
  const counted: Record<string, number> = {};
  let header: BackupHeader | null = null;
  let previous: string | null = null;
  const take = async (line: string): Promise<void> => {
    hash.update(`${line}\n`, 'utf8');
    if (header === null) {
      let parsed: Partial<BackupHeader>;
      try {
        parsed = JSON.parse(line) as Partial<BackupHeader>;
      } catch {
        throw new BackupError(`${path} is not a Travelog backup (its first line is not a backup header)`);
      }
      if (parsed.format !== BACKUP_FORMAT) throw new BackupError(`${path} is not a Travelog backup (its header names no ${BACKUP_FORMAT} format)`);
      if (parsed.formatVersion !== BACKUP_FORMAT_VERSION) throw new BackupError(`${path} is a backup of format version ${String(parsed.formatVersion)}, which this release cannot read (it reads ${BACKUP_FORMAT_VERSION})`);
      header = parsed as BackupHeader;
      await onHeader?.(header);
      return;
    }
    let row: { t?: unknown; r?: unknown };
    try {
      row = JSON.parse(line) as { t?: unknown; r?: unknown };
    } catch {
      throw new BackupError(`${path} is damaged: a line is not JSON`);
    }
    if (typeof row.t !== 'string' || !header.tables.includes(row.t) || typeof row.r !== 'object' || row.r === null) throw new BackupError(`${path} is damaged: a row names no table the header lists`);
    counted[row.t] = (counted[row.t] ?? 0) + 1;
    await onRow?.(row.t, row.r);
  };
  try {
    for await (const line of lines) {
      if (previous !== null) await take(previous);
      previous = line;
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    const code = (error as { code?: string }).code;
    if (header === null && (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')) throw new BackupError(`${path} is not a Travelog backup (it is not a gzip file)`);
    throw new BackupError(`${path} is damaged: ${(error as Error).message}`);
  } finally {
    lines.close();
    source.destroy();
  }
  if (header === null || previous === null) throw new BackupError(`${path} is not a Travelog backup (it is empty or has no header)`);
  let trailer: Partial<BackupTrailer>;
  try {
    trailer = JSON.parse(previous) as Partial<BackupTrailer>;
  } catch {
    throw new BackupError(`${path} is damaged or cut short: it does not end with the backup's trailer`);
  }
  if (trailer.end !== true || typeof trailer.sha256 !== 'string' || typeof trailer.rows !== 'object') throw new BackupError(`${path} is damaged or cut short: it does not end with the backup's trailer`);
  const digest = hash.digest('hex');
  if (digest !== trailer.sha256) throw new BackupError(`${path} is damaged: its content does not match the SHA-256 its trailer names`);
  const found: BackupHeader = header;
  for (const table of found.tables) {
    if ((counted[table] ?? 0) !== (trailer.rows[table] ?? 0)) throw new BackupError(`${path} is damaged: it holds ${counted[table] ?? 0} rows of ${table}, its trailer says ${trailer.rows[table] ?? 0}`);
  }
  return { header: found, rows: counted, sha256: digest };
}

/** Checks a backup file whole (header, every line, hash, counts) without writing anything. */
export function checkBackup(path: string): Promise<CheckedBackup> {
  return readBackup(path);
}

/** Where a restore goes: opened only once the backup and the key have checked. */
export interface RestoreTarget {
  store: BackupHeader['store'];
  /**
   * The store's SQL (not yet migrated), and how to undo what the restore wrote so that the target is
   * empty for another attempt; refuses a target that already holds a store.
   */
  open: () => Promise<{ sql: SqlClient; discard: () => Promise<void> }>;
}

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  in: string;
  /** The audit key: the log's current key in the backup, or the restore is refused. */
  key: ServerKey;
  now?: () => Date;
  /** Who restored (a badge, or "system"); recorded in the restore entry. */
  actor?: string;
}

/** What a restore did. */
export interface RestoreResult {
  backup: CheckedBackup;
  /** The id of the restart: stations compare it with the one they know (docs/sync-spec.md S23). */
  restoreId: string;
  /** The index of the signed `log.restored` entry. */
  entryIndex: number;
}

/** The id of the key that signs after the log's last key entry, from the entries of the backup. */
function currentKeyId(keyEntries: ReadonlyArray<{ idx: number; entry: string }>): string | null {
  const last = [...keyEntries].sort((a, b) => a.idx - b.idx).at(-1);
  if (last === undefined) return null;
  return ((JSON.parse(last.entry) as AuditEntry).subject as { keyId?: string }).keyId ?? null;
}

/**
 * Restores the backup at `options.in` into the empty `target`: checks the file whole and that the
 * key is the log's current key, creates the tables the backup's migrations made, loads every row in
 * one transaction, applies the migrations newer than the backup, and appends the signed
 * `log.restored` entry (and a checkpoint over it). On failure the target is emptied again.
 */
export async function restoreBackup(target: RestoreTarget, options: RestoreOptions): Promise<RestoreResult> {
  const known = new Set(MIGRATIONS.map((migration) => migration.version));
  const keyEntries: Array<{ idx: number; entry: string }> = [];
  const backup = await readBackup(
    options.in,
    (table, row) => {
      if (table !== 'audit_entries') return Promise.resolve();
      const entry = row as { idx: number; kind: string; entry: string };
      if (entry.kind === 'log.created' || entry.kind === 'key.rotated') keyEntries.push({ idx: Number(entry.idx), entry: entry.entry });
      return Promise.resolve();
    },
    (header) => {
      const unknown = header.migrations.filter((version) => !known.has(version));
      if (unknown.length > 0) return Promise.reject(new BackupError(`The backup was taken by a newer Travelog (migrations ${unknown.join(', ')} are unknown here); restore it with that release or a later one`));
      const foreign = header.tables.find((table) => !TABLE_NAME.test(table));
      if (foreign !== undefined) return Promise.reject(new BackupError(`The backup names a table "${foreign}" that is not a Travelog table`));
      return Promise.resolve();
    },
  );
  const logKey = currentKeyId(keyEntries);
  if (logKey !== null && logKey !== options.key.keyId) {
    throw new BackupError(`The audit key given (id ${options.key.keyId}) is not the key the backed-up log signs with (id ${logKey}); name that key file with --key`);
  }

  const { sql, discard } = await target.open();
  try {
    const [tables] = await sql.query<{ n: string | number }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
    if (Number(tables?.n ?? 0) > 0) throw new BackupError('The target is not empty: restore only into an empty DATA_DIR or an empty PostgreSQL schema');
  } catch (error) {
    await sql.close();
    throw error;
  }

  const now = options.now ?? (() => new Date());
  const restoreId = randomUUID();
  try {
    await migrate(sql, MIGRATIONS.filter((migration) => backup.header.migrations.includes(migration.version)));
    await sql.transaction(async (tx) => {
      const present = new Set(await tablesOf(tx));
      for (const table of backup.header.tables) {
        if (!present.has(table)) throw new BackupError(`The backup holds a table ${table} that its migrations do not make; it was not taken by Travelog`);
        await tx.exec(`DELETE FROM "${table}"`);
      }
      let pending: { table: string; rows: unknown[] } = { table: '', rows: [] };
      const flush = async (): Promise<void> => {
        if (pending.rows.length === 0) return;
        await tx.query(`INSERT INTO "${pending.table}" SELECT * FROM jsonb_populate_recordset(null::"${pending.table}", $1::jsonb)`, [JSON.stringify(pending.rows)]);
        pending = { table: pending.table, rows: [] };
      };
      await readBackup(options.in, async (table, row) => {
        if (table !== pending.table || pending.rows.length >= ROWS_PER_INSERT) {
          await flush();
          pending = { table, rows: [] };
        }
        pending.rows.push(row);
      });
      await flush();
      const loaded = await logHead(tx);
      if (loaded.size !== backup.header.log.size || loaded.root !== backup.header.log.root) {
        throw new BackupError(`The restored audit log (size ${loaded.size}, root ${loaded.root}) is not the one the backup's header names (size ${backup.header.log.size}, root ${backup.header.log.root})`);
      }
    });
    await migrate(sql);
    let entryIndex = 0;
    await sql.transaction(async (tx) => {
      await tx.query('SELECT value FROM server_sequence WHERE id = 1 FOR UPDATE');
      const audit = createAuditLog({ key: options.key, now });
      await audit.open(tx);
      entryIndex = await audit.size(tx);
      await audit.append(tx, [
        {
          kind: 'log.restored',
          recordedAt: now().toISOString(),
          actor: options.actor ?? 'system',
          role: 'system',
          reason: `Restored from the backup taken at ${backup.header.takenAt}, holding the log up to size ${backup.header.log.size}; entries after it are not in this log`,
          subject: {
            restoreId,
            backup: {
              file: basename(options.in),
              sha256: backup.sha256,
              takenAt: backup.header.takenAt,
              store: backup.header.store,
              logSize: backup.header.log.size,
              logRoot: backup.header.log.root,
              serverSequence: backup.header.serverSequence,
            },
          },
        },
      ]);
      await audit.checkpointIfBehind(tx);
    });
    return { backup, restoreId, entryIndex };
  } catch (error) {
    await discard().catch(() => undefined);
    throw error;
  } finally {
    await sql.close();
  }
}

/** The restart the latest `log.restored` entry records, or null for a log never restored (docs/sync-spec.md S23). */
export async function readRestart(sql: SqlClient): Promise<{ restoreId: string; index: number } | null> {
  const [row] = await sql.query<{ idx: string | number; entry: string }>("SELECT idx, entry FROM audit_entries WHERE kind = 'log.restored' ORDER BY idx DESC LIMIT 1");
  if (row === undefined) return null;
  const subject = (JSON.parse(row.entry) as AuditEntry).subject as { restoreId?: string };
  return typeof subject.restoreId === 'string' ? { restoreId: subject.restoreId, index: Number(row.idx) } : null;
}

/** Backup files this server's schedule wrote in `dir`, oldest first. */
export function scheduledBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^travelog-\d{8}T\d{6}Z\.backup\.jsonl\.gz$/.test(name))
    .sort();
}
