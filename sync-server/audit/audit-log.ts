/**
 * The plant's audit log (docs/audit.md): append-only entries, each the RFC 8785 text of an
 * {@link AuditEntry}, the leaves of an RFC 9162 Merkle tree whose perfect subtrees are stored so
 * that a proof reads O(log² n) rows; C2SP signed-note checkpoints.
 *
 * Format 6 (docs/audit.md, *Format 6*): the server key signs tree heads, not entries. Every append
 * ends with a signed checkpoint of the new tree, in the same transaction, so every entry is covered
 * by a signed checkpoint before the push (or enrollment, or change) that made it is answered. Each
 * entry names, for each of its subjects (src/audit/subjects.ts), the previous entry about it. Only
 * a rotation (`key.rotated`) is still signed by itself, by the key it hands over from.
 *
 * Every append runs inside the caller's transaction (the one holding the server sequence), so an
 * entry commits with the batch, enrollment or change it records, or not at all.
 */
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { ServerKeyInfo } from '../../schemas/audit-api.ts';
import { fromHex, toBase64 } from '../../src/audit/canonical.ts';
import { checkpointBody, formatNote } from '../../src/audit/checkpoint.ts';
import {
  appendLeaf,
  consistencyProof,
  frontierNodes,
  frontierRoot,
  inclusionProof,
  type Frontier,
  type NodeSource,
} from '../../src/audit/merkle.ts';
import type { Column, Row } from '../store/append-rows.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { entryText, hashEntryTexts, nodeSha256 } from './entry-signing.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import { ed25519PublicKey, signWith, verifyEd25519, type ServerKey } from './server-key.ts';

export { entryText, nodeSha256 } from './entry-signing.ts';

/** An entry as its recorder describes it; the log adds index, key id, format and `prev`. */
export type EntryDraft = Omit<AuditEntry, 'index' | 'keyId' | 'format' | 'prev'>;

/** The format new entries are written in. */
export const ENTRY_FORMAT = 6;

/** Entries per checkpoint unless configured. */
export const DEFAULT_CHECKPOINT_EVERY = 256;
/** Seconds between timed checkpoints unless configured. */
export const DEFAULT_CHECKPOINT_SECONDS = 60;

const encoder = new TextEncoder();

/** Options of {@link AuditLog.append}. */
export interface AppendOptions {
  /**
   * The RFC 8785 text of each draft's `event`, in the order of the drafts, where the caller has it
   * (a pushed event's, from prepared-event.ts): the entry's text then takes it as it is instead of
   * encoding the event again. Undefined or null where the caller has none.
   */
  eventTexts?: ReadonlyArray<string | null | undefined>;
}

/** An append begun by {@link AuditLog.startAppend}: numbered, chained and encoded. */
export interface StartedAppend {
  /** Writes the entries, their tree nodes and subjects, and the signed checkpoint of the new tree. */
  finish(): Promise<void>;
}

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  key: ServerKey;
  /**
   * Format 3–5 wrote a checkpoint after this many new entries. Format 6 checkpoints every append, so
   * it is no longer read; kept so that existing configurations still start.
   */
  checkpointEvery?: number;
  now: () => Date;
}

/** The log; see the module comment. */
export interface AuditLog {
  /** The key signing new entries. */
  key(): ServerKey;
  /**
   * Starts the log if it is empty (entry 0, `log.created`, names the key); otherwise refuses to go
   * on unless the configured key is the log's current key: a swapped key file must not sign.
   */
  open(sql: SqlClient): Promise<void>;
  /** Appends entries inside the caller's transaction, and a signed checkpoint covering them. */
  append(sql: SqlClient, drafts: readonly EntryDraft[], options?: AppendOptions): Promise<void>;
  /**
   * {@link append} in two steps: reads the log's size and the subjects' latest entries, numbers,
   * chains and encodes the entries; `finish()` writes them and the checkpoint. Nothing else may
   * append on this transaction in between (the entries' indexes are fixed here).
   */
  startAppend(sql: SqlClient, drafts: readonly EntryDraft[], options?: AppendOptions): Promise<StartedAppend>;
  /** Writes a checkpoint if entries were appended since the last (the timer calls it). */
  checkpointIfBehind(sql: SqlClient): Promise<boolean>;
  /** Records a rotation to `next`, signed by the current key, and signs with `next` from then on. */
  rotate(sql: SqlClient, next: ServerKey, actor: string): Promise<void>;
  size(sql: SqlClient): Promise<number>;
  latestCheckpoint(sql: SqlClient): Promise<{ size: number; note: string } | null>;
  checkpoints(sql: SqlClient): Promise<Array<{ size: number; note: string }>>;
  entries(sql: SqlClient, start: number, end: number): Promise<StoredEntry[]>;
  inclusion(sql: SqlClient, index: number, size: number): Promise<string[]>;
  /** The inclusion proofs of many entries in one tree, their node rows read in one query per 256 entries (the evidence package). */
  inclusions(sql: SqlClient, indexes: readonly number[], size: number): Promise<string[][]>;
  consistency(sql: SqlClient, first: number, second: number): Promise<string[]>;
  keys(sql: SqlClient): Promise<ServerKeyInfo[]>;
  /** Indexes of the entries about a trail subject (`serial:SN-…`, `lot:…`, `work-order:…`, `part:…`; src/audit/subjects.ts), in order. */
  unitEntries(sql: SqlClient, unit: string): Promise<number[]>;
  /** Index of the latest `station.enrolled` entry of a station (which names its key), or null. */
  stationEnrollment(sql: SqlClient, stationId: string): Promise<number | null>;
}

interface Head {
  frontier: Frontier;
  checkpointed: number;
}

async function readHead(sql: SqlClient): Promise<Head> {
  const [row] = await sql.query<{ size: string | number; checkpointed: string | number }>(
    `SELECT (SELECT coalesce(max(idx) + 1, 0) FROM audit_entries) AS size,
            (SELECT coalesce(max(size), 0) FROM audit_checkpoints) AS checkpointed`,
  );
  const size = Number(row?.size ?? 0);
  const wanted = frontierNodes(size);
  const nodes = await readNodes(sql, wanted);
  return {
    frontier: { size, nodes: wanted.map(({ level, index }) => nodes.get(`${level}:${index}`) ?? missingNode(level, index)) },
    checkpointed: Number(row?.checkpointed ?? 0),
  };
}

function missingNode(level: number, index: number): never {
  throw new Error(`The audit log has no node ${level}:${index}; the tree is damaged`);
}

async function readNodes(sql: SqlClient, wanted: ReadonlyArray<{ level: number; index: number }>): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  if (wanted.length === 0) return found;
  const rows = await sql.query<{ level: number; idx: string | number; hash: string }>(
    `SELECT n.level, n.idx, n.hash FROM audit_nodes n
     JOIN jsonb_to_recordset($1::jsonb) AS x(level integer, idx bigint) ON n.level = x.level AND n.idx = x.idx`,
    [JSON.stringify(wanted.map(({ level, index }) => ({ level, idx: index })))],
  );
  for (const row of rows) found.set(`${row.level}:${Number(row.idx)}`, fromHex(row.hash));
  return found;
}

/** Runs a proof algorithm against stored nodes: once to learn which it reads, once with them loaded. */
async function withNodes<T>(sql: SqlClient, run: (node: NodeSource) => T): Promise<T> {
  const wanted = new Map<string, { level: number; index: number }>();
  run((level, index) => {
    wanted.set(`${level}:${index}`, { level, index });
    return new Uint8Array(32);
  });
  const nodes = await readNodes(sql, [...wanted.values()]);
  return run((level, index) => nodes.get(`${level}:${index}`) ?? missingNode(level, index));
}

/** The latest entry about each subject (audit_units keeps every entry's subjects), null for none. */
async function subjectHeads(sql: SqlClient, subjects: ReadonlySet<string>): Promise<Map<string, number | null>> {
  const heads = new Map<string, number | null>();
  if (subjects.size === 0) return heads;
  const rows = await sql.query<{ unit: string; idx: string | number | null }>(
    `SELECT x.unit, (SELECT max(u.idx) FROM audit_units u WHERE u.unit = x.unit) AS idx
     FROM jsonb_array_elements_text($1::jsonb) AS x(unit)`,
    [JSON.stringify([...subjects])],
  );
  for (const row of rows) heads.set(row.unit, row.idx === null ? null : Number(row.idx));
  return heads;
}

const ENTRY_COLUMNS: Column[] = [
  { name: 'idx', type: 'bigint' },
  { name: 'kind', type: 'text' },
  { name: 'entry', type: 'text' },
  { name: 'signature', type: 'text' },
];
const NODE_COLUMNS: Column[] = [
  { name: 'level', type: 'integer' },
  { name: 'idx', type: 'bigint' },
  { name: 'hash', type: 'text' },
];
// Each entry's subjects (the unit column names a subject: `serial:…`, `lot:…`, `work-order:…`,
// `part:…`). Each entry's index is new, so a (unit, index) pair is never written twice.
const UNIT_COLUMNS: Column[] = [
  { name: 'unit', type: 'text' },
  { name: 'idx', type: 'bigint' },
];

/** The audit log signing with `options.key`. */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  let key = options.key;

  async function writeCheckpoint(sql: SqlClient, frontier: Frontier): Promise<void> {
    const body = checkpointBody(key.keyName, frontier.size, frontierRoot(frontier, nodeSha256));
    const note = formatNote(body, key.keyName, fromHex(key.keyId), signWith(key, encoder.encode(body)));
    await sql.query('INSERT INTO audit_checkpoints (size, note, created_at) VALUES ($1::bigint, $2, $3::timestamptz) ON CONFLICT (size) DO NOTHING', [
      frontier.size,
      note,
      options.now().toISOString(),
    ]);
  }

  async function startAppend(sql: SqlClient, drafts: readonly EntryDraft[], options: AppendOptions = {}, signer: ServerKey = key): Promise<StartedAppend> {
    if (drafts.length === 0) return { finish: () => Promise.resolve() };
    const head = await readHead(sql);
    const first = head.frontier.size;
    const subjects = drafts.map((draft) => entrySubjects(draft));
    const heads = await subjectHeads(sql, new Set(subjects.flat()));
    const texts = drafts.map((draft, i) => {
      const index = first + i;
      const prev = (subjects[i] as string[]).map((subject) => {
        const before = heads.get(subject) ?? null;
        heads.set(subject, index);
        return { subject, index: before };
      });
      return entryText({ ...draft, index, keyId: signer.keyId, format: ENTRY_FORMAT, prev }, options.eventTexts?.[i]);
    });
    const leaves = hashEntryTexts(texts);
    return {
      async finish() {
        let frontier = head.frontier;
        const entryRows: Row[] = [];
        const nodeRows: Row[] = [];
        const unitRows: Row[] = [];
        drafts.forEach((draft, i) => {
          const index = first + i;
          const text = texts[i] as string;
          // A rotation is the one entry still signed by itself: by the key it hands over from, so a
          // station that trusts that key can trust the next (src/audit/trust-anchor.ts).
          const signature = draft.kind === 'key.rotated' ? Buffer.from(signWith(signer, encoder.encode(text))).toString('base64url') : '';
          entryRows.push([index, draft.kind, text, signature]);
          const appended = appendLeaf(frontier, leaves.subarray(i * 32, (i + 1) * 32), nodeSha256);
          frontier = appended.frontier;
          for (const node of appended.completed) nodeRows.push([node.level, node.index, Buffer.from(node.hash).toString('hex')]);
          for (const subject of subjects[i] as string[]) unitRows.push([subject, index]);
        });
        await sql.appendRows('audit_entries', ENTRY_COLUMNS, entryRows);
        await sql.appendRows('audit_nodes', NODE_COLUMNS, nodeRows);
        await sql.appendRows('audit_units', UNIT_COLUMNS, unitRows);
        // Every append is covered by a signed checkpoint before its transaction commits.
        await writeCheckpoint(sql, frontier);
      },
    };
  }

  async function append(sql: SqlClient, drafts: readonly EntryDraft[], options: AppendOptions = {}, signer: ServerKey = key): Promise<void> {
    await (await startAppend(sql, drafts, options, signer)).finish();
  }

  async function keyHistory(sql: SqlClient): Promise<ServerKeyInfo[]> {
    const rows = await sql.query<{ entry: string }>(`SELECT entry FROM audit_entries WHERE kind IN ('log.created', 'key.rotated') ORDER BY idx`);
    const keys: ServerKeyInfo[] = [];
    for (const row of rows) {
      const entry = JSON.parse(row.entry) as AuditEntry;
      const subject = entry.subject as { publicKey: string; keyId: string; keyName: string };
      const previous = keys.at(-1);
      if (previous !== undefined) {
        // The rotation entry is the old key's last.
        previous.validUntilIndex = entry.index;
        previous.validUntil = entry.recordedAt;
      }
      keys.push({ keyId: subject.keyId, keyName: subject.keyName, publicKey: subject.publicKey, validFromIndex: entry.kind === 'log.created' ? 0 : entry.index + 1, validFrom: entry.recordedAt });
    }
    return keys;
  }

  const keySubject = (k: ServerKey) => ({ publicKey: toBase64(k.publicKey), keyId: k.keyId, keyName: k.keyName });

  return {
    key: () => key,

    async open(sql) {
      const keys = await keyHistory(sql);
      const current = keys.at(-1);
      if (current === undefined) {
        await append(sql, [{ kind: 'log.created', recordedAt: options.now().toISOString(), actor: 'system', subject: keySubject(key) }]);
        await writeCheckpoint(sql, (await readHead(sql)).frontier);
        return;
      }
      if (current.keyId !== key.keyId || current.publicKey !== toBase64(key.publicKey)) {
        throw new Error(
          `The audit key (id ${key.keyId}) is not the audit log's current key (id ${current.keyId}); restore the key file, or rotate with the old key`,
        );
      }
    },

    append: (sql, drafts, options) => append(sql, drafts, options),
    startAppend: (sql, drafts, options) => startAppend(sql, drafts, options),

    async checkpointIfBehind(sql) {
      const head = await readHead(sql);
      if (head.frontier.size === head.checkpointed) return false;
      await writeCheckpoint(sql, head.frontier);
      return true;
    },

    async rotate(sql, next, actor) {
      const previous = key;
      await append(sql, [{ kind: 'key.rotated', recordedAt: options.now().toISOString(), actor, role: 'system', subject: keySubject(next) }], {}, previous);
      key = next;
      await writeCheckpoint(sql, (await readHead(sql)).frontier);
    },

    async size(sql) {
      return (await readHead(sql)).frontier.size;
    },

    async latestCheckpoint(sql) {
      const [row] = await sql.query<{ size: string | number; note: string }>('SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1');
      return row === undefined ? null : { size: Number(row.size), note: row.note };
    },

    async checkpoints(sql) {
      const rows = await sql.query<{ size: string | number; note: string }>('SELECT size, note FROM audit_checkpoints ORDER BY size');
      return rows.map((row) => ({ size: Number(row.size), note: row.note }));
    },

    async entries(sql, start, end) {
      const rows = await sql.query<{ idx: string | number; entry: string; signature: string }>(
        'SELECT idx, entry, signature FROM audit_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx',
        [start, end],
      );
      return rows.map((row) => storedEntry(Number(row.idx), row.entry, row.signature));
    },

    async inclusion(sql, index, size) {
      const proof = await withNodes(sql, (node) => inclusionProof(index, size, node, nodeSha256));
      return proof.map(toBase64);
    },

    async inclusions(sql, indexes, size) {
      const proofs: string[][] = [];
      for (let i = 0; i < indexes.length; i += 256) {
        const some = indexes.slice(i, i + 256);
        const batch = await withNodes(sql, (node) => some.map((index) => inclusionProof(index, size, node, nodeSha256)));
        for (const proof of batch) proofs.push(proof.map(toBase64));
      }
      return proofs;
    },

    async consistency(sql, first, second) {
      const proof = await withNodes(sql, (node) => consistencyProof(first, second, node, nodeSha256));
      return proof.map(toBase64);
    },

    keys: keyHistory,

    async unitEntries(sql, unit) {
      const rows = await sql.query<{ idx: string | number }>('SELECT idx FROM audit_units WHERE unit = $1 ORDER BY idx', [unit]);
      return rows.map((row) => Number(row.idx));
    },

    async stationEnrollment(sql, stationId) {
      const [row] = await sql.query<{ idx: string | number }>(
        `SELECT idx FROM audit_entries WHERE kind = 'station.enrolled' AND (entry::jsonb ->> 'stationId') = $1 ORDER BY idx DESC LIMIT 1`,
        [stationId],
      );
      return row === undefined ? null : Number(row.idx);
    },
  };
}

/** An entry as served from its row: an unsigned (format 6) entry's empty signature column is left out. */
export function storedEntry(index: number, entry: string, signature: string | null): StoredEntry {
  return signature === null || signature === '' ? { index, entry } : { index, entry, signature };
}

/** Checks a stored entry's own signature against a raw Ed25519 public key (false when it has none). */
export function entrySignatureValid(publicKey: Uint8Array, entry: StoredEntry): boolean {
  if (entry.signature === undefined) return false;
  return verifyEd25519(ed25519PublicKey(publicKey), encoder.encode(entry.entry), Buffer.from(entry.signature, 'base64url'));
}
