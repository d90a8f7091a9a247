import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Receipt } from '../../schemas/receipt.ts';
import type { ViewDoc, ViewKind } from '../../schemas/view-doc.ts';
import type { LockoutRecord } from '../../src/domain/lockout.ts';
import { freshLockout } from '../../src/domain/lockout.ts';
import { JsonText, type Column } from './append-rows.ts';
import { migrate } from './migrations.ts';
import { openSqlClient, type SqlClient } from './sql-client.ts';
import type { ViewScope, ViewWrite } from './view-keys.ts';

/** A batch of views changed after a checkpoint, in server sequence order. */
export interface ViewPage {
  documents: ViewDoc[];
  /** The highest `serverSeq` in `documents`, or the checkpoint asked for when there are none. */
  checkpoint: number;
  hasMore: boolean;
}

/** Which views a pull may see: those of the programs the station is cleared for, and of its work centers. */
export interface ViewFilter {
  /** Programs the station is cleared for; views of other programs never leave the server. */
  programs: readonly string[];
  /** When given, views scoped to work centers are sent only if they name one of these. */
  workCenterIds?: readonly string[] | undefined;
}

/** An enrolled station. Its credential is kept only as a SHA-256 hash and never read back. */
export interface Station {
  id: string;
  name: string;
  enrolledBy: string;
  enrolledAt: string;
  revokedAt: string | null;
  /** Programs whose work orders (and their units, steps, holds, NCRs, conflicts) it may see and record. */
  programs: string[];
  /** The station's public key (SPKI DER, base64url); null for a station enrolled before keys. */
  publicKey: string | null;
  keyAlg: 'Ed25519' | 'ECDSA-P256' | null;
}

/** A station to record at enrollment. */
export interface NewStation {
  id: string;
  name: string;
  credentialHash: string;
  enrolledBy: string;
  enrolledAt: Date;
  /** Cleared programs; none unless given. */
  programs?: readonly string[];
  publicKey?: string;
  keyAlg?: 'Ed25519' | 'ECDSA-P256';
}

/** A view as stored, with who may see it. */
export type ScopedView = ViewDoc & { scope: ViewScope };

/** An event to store with its receipt, in the batch's transaction. */
export interface StoredEvent {
  /** The event as it arrived (validated). */
  event: { id: string; stationId: string } & Record<string, unknown>;
  /** The event's JSON text where the caller has it (its RFC 8785 text): stored as it is instead of encoding `event` again. */
  eventText?: string | null;
  /**
   * The event's receipt entry in the audit log, appended in the same transaction, carries it whole:
   * it is not stored again in the events table (migration 9).
   */
  inLog?: boolean;
  contentHash: string;
  /** The station whose credential pushed it. */
  pushedBy: string;
  receipt: Receipt;
}

/** A receipt for a pushed event that was not stored under its id (the id was taken by other content). */
export interface RefusedReceipt {
  pushedBy: string;
  receipt: Receipt;
}

/** A view with the server sequence number its batch gave it. */
export type NumberedViewWrite = ViewWrite & { serverSeq: number };

/** What one batch writes; all of it commits with the transaction or none of it does. */
export interface BatchWrite {
  /** The server sequence after the batch: the highest number it used. */
  sequence: number;
  events: readonly StoredEvent[];
  refused: readonly RefusedReceipt[];
  views: readonly NumberedViewWrite[];
  station?: { id: string; lastSeq: number; lastHash?: string | null };
}

/**
 * The store inside a transaction that holds the server sequence row: no other batch, on this
 * process or another sharing the database, writes until it ends.
 */
export interface LockedStore {
  /** The server sequence when the lock was taken. */
  readonly sequence: number;
  /** Every view with its scope (to rebuild the plant). */
  allViews(): Promise<ScopedView[]>;
  /** Events already stored under these ids, with their content hash and receipt. */
  storedEvents(ids: readonly string[]): Promise<Map<string, { contentHash: string; receipt: Receipt }>>;
  /** Highest event sequence number received from the station (0 for none). */
  stationLastSeq(stationId: string): Promise<number>;
  /** The station's chain head: its highest sequence number and that event's hash (null for none). */
  stationChainHead(stationId: string): Promise<{ lastSeq: number; lastHash: string | null }>;
  /** Records a station, inside the transaction (so its audit entries commit with it). */
  addStation(station: NewStation): Promise<Station>;
  /** Revokes a station inside the transaction; false if unknown or already revoked. */
  revokeStation(stationId: string, at: Date): Promise<boolean>;
  /** Sets the programs an unrevoked station is cleared for, inside the transaction; false if unknown or revoked. */
  setStationPrograms(stationId: string, programs: readonly string[]): Promise<boolean>;
  /**
   * Gives every view of these programs the next server sequence numbers, in their present order, and
   * moves the sequence past them: every station's next pull carries them again, so a station newly
   * cleared for a program receives what was written before its checkpoint. Returns the new sequence.
   */
  renumberProgramViews(programs: readonly string[]): Promise<number>;
  /**
   * Records that a station is no longer cleared for these programs, at the next server sequence
   * number (the sequence moves to it): its next pull across that number names their views to drop.
   * Returns the new sequence.
   */
  recordProgramDrops(stationId: string, programs: readonly string[]): Promise<number>;
  /** The transaction's SQL, for the audit log (sync-server/audit/), which shares this transaction. */
  readonly sql: SqlClient;
  /** Writes the batch and moves the server sequence to `batch.sequence`. */
  write(batch: BatchWrite): Promise<void>;
  /** Corrects the scope of stored views without moving them in server order. */
  rescope(views: ReadonlyArray<{ kind: ViewKind; key: string; scope: ViewScope }>): Promise<void>;
}

/** What the routes need from storage, over either database. */
export interface Store {
  /** Writes (inserts or replaces) views; each gets the next server sequence number, in the order given. */
  putViews(views: readonly ViewWrite[]): Promise<void>;
  /** Writes views only into an empty plant; false, writing nothing, if any view exists. */
  putViewsIfEmpty(views: readonly ViewWrite[]): Promise<boolean>;
  countViews(): Promise<number>;
  getView<K extends ViewKind>(kind: K, key: string): Promise<Extract<ViewDoc, { kind: K }> | undefined>;
  /**
   * At most `limit` views with `serverSeq` above `checkpoint` (that `filter` lets through). When
   * there are no more, `checkpoint` is the server sequence at the time of the call, so a station
   * whose views were all filtered out still moves on.
   */
  viewsSince(checkpoint: number, limit: number, filter?: ViewFilter): Promise<ViewPage>;
  /** This station's receipts that became visible in (after, upTo], in server order. */
  receiptsFor(stationId: string, after: number, upTo: number): Promise<Receipt[]>;
  /**
   * The ids (`kind:key`) of the views of every program the station was taken off in (after, upTo]
   * and is not cleared for again (`programs`): what it must drop. None for a station that holds no
   * views yet (`after` 0).
   */
  viewsToDrop(stationId: string, after: number, upTo: number, programs: readonly string[]): Promise<string[]>;
  /** The server sequence: the highest number given to an event or view so far. */
  sequence(): Promise<number>;
  /** Runs `fn` in one transaction holding the server sequence; see {@link LockedStore}. */
  locked<T>(fn: (tx: LockedStore) => Promise<T>): Promise<T>;
  /** Every program a work order of the plant names, sorted. */
  programsInPlant(): Promise<string[]>;
  addStation(station: NewStation): Promise<Station>;
  /** Sets the programs a station is cleared for; false if there is no such station. */
  setStationPrograms(stationId: string, programs: readonly string[]): Promise<boolean>;
  /** The station holding this credential, revoked or not; the caller decides what revoked means. */
  stationByCredentialHash(credentialHash: string): Promise<Station | undefined>;
  listStations(): Promise<Station[]>;
  /** Revokes a station; false if there is no such station or it was already revoked. */
  revokeStation(stationId: string, at: Date): Promise<boolean>;
  /** The wrong-PIN record of a badge for enrollment (a fresh one if it has none). */
  enrollmentLockout(badge: string): Promise<LockoutRecord>;
  saveEnrollmentLockout(record: LockoutRecord): Promise<void>;
  /**
   * Tells other server processes on the same database that the plant moved to `sequence`, so they
   * wake their own stations' live streams (see {@link Store.watchCommits}). Nothing to do where one
   * process owns the database (PGlite).
   */
  announce(sequence: number): Promise<void>;
  /**
   * Calls `onCommit` with the sequence another server process on the same database announced,
   * and with null when announcements may have been missed (the listening connection was lost and is
   * back). Resolves to the function that stops watching; on PGlite nobody else writes, and it does
   * nothing.
   */
  watchCommits(onCommit: (sequence: number | null) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** The store's SQL outside any transaction, for the audit log's reads. */
  readonly sql: SqlClient;
}

interface ViewRow {
  kind: string;
  key: string;
  data: unknown;
  server_seq: string | number | bigint;
}

interface StationRow {
  id: string;
  name: string;
  enrolled_by: string;
  enrolled_at: Date | string;
  revoked_at: Date | string | null;
  programs: string[];
  public_key: string | null;
  key_alg: string | null;
}

const STATION_COLUMNS = 'id, name, enrolled_by, enrolled_at, revoked_at, programs, public_key, key_alg';

interface ReceiptRow {
  event_id: string;
  outcome: Receipt['outcome'];
  flags: Receipt['flags'];
  reason: string | null;
  server_seq: string | number;
  visible_at: string | number;
  received_at: Date | string;
}

// Rows per INSERT: bounds the size of one JSON parameter.
const ROWS_PER_INSERT = 2000;

function toViewDoc(row: ViewRow): ViewDoc {
  const serverSeq = Number(row.server_seq);
  return { id: `${row.kind}:${row.key}`, kind: row.kind, key: row.key, serverSeq, data: row.data } as ViewDoc;
}

function isoTime(value: Date | string): string {
  return new Date(value).toISOString();
}

function toStation(row: StationRow): Station {
  return {
    id: row.id,
    name: row.name,
    enrolledBy: row.enrolled_by,
    enrolledAt: isoTime(row.enrolled_at),
    revokedAt: row.revoked_at === null ? null : isoTime(row.revoked_at),
    programs: [...row.programs],
    publicKey: row.public_key,
    keyAlg: row.key_alg === 'Ed25519' || row.key_alg === 'ECDSA-P256' ? row.key_alg : null,
  };
}

async function insertStation(sql: SqlClient, station: NewStation): Promise<Station> {
  const [row] = await sql.query<StationRow>(
    `INSERT INTO stations (id, name, credential_hash, enrolled_by, enrolled_at, programs, public_key, key_alg)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $6::text[], $7, $8)
     RETURNING ${STATION_COLUMNS}`,
    [station.id, station.name, station.credentialHash, station.enrolledBy, station.enrolledAt.toISOString(), [...(station.programs ?? [])], station.publicKey ?? null, station.keyAlg ?? null],
  );
  if (row === undefined) throw new Error(`Station ${station.id} was not recorded`);
  return toStation(row);
}

async function revoke(sql: SqlClient, stationId: string, at: Date): Promise<boolean> {
  const rows = await sql.query<{ id: string }>(
    'UPDATE stations SET revoked_at = $2::timestamptz WHERE id = $1 AND revoked_at IS NULL RETURNING id',
    [stationId, at.toISOString()],
  );
  return rows.length > 0;
}

function toReceipt(row: ReceiptRow): Receipt {
  return {
    eventId: row.event_id,
    outcome: row.outcome,
    flags: row.flags,
    ...(row.reason === null ? {} : { reason: row.reason }),
    serverSeq: Number(row.server_seq),
    visibleAt: Number(row.visible_at),
    receivedAt: isoTime(row.received_at),
  };
}

/**
 * Inserts or replaces views under the numbers they carry. One JSON parameter per statement: the
 * database unpacks it, which is much faster on PGlite than thousands of bound parameters, and
 * `jsonb_to_recordset` reads each row into typed columns at once rather than by `->>` per column.
 */
async function insertNumberedViews(tx: SqlClient, views: readonly NumberedViewWrite[]): Promise<void> {
  for (let start = 0; start < views.length; start += ROWS_PER_INSERT) {
    const rows = views.slice(start, start + ROWS_PER_INSERT).map((view) => ({
      kind: view.kind,
      key: view.key,
      data: view.data,
      seq: view.serverSeq,
      program: view.scope?.program ?? null,
      wc: view.scope?.workCenterIds ?? null,
    }));
    await tx.query(
      `INSERT INTO views (kind, key, data, server_seq, program, work_center_ids)
       SELECT kind, key, data, seq, program, CASE WHEN jsonb_typeof(wc) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(wc)) END
       FROM jsonb_to_recordset($1::jsonb) AS x(kind text, key text, data jsonb, seq bigint, program text, wc jsonb)
       ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, server_seq = excluded.server_seq,
         program = excluded.program, work_center_ids = excluded.work_center_ids`,
      [JSON.stringify(rows)],
    );
  }
}

const EVENT_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'content_hash', type: 'text' },
  { name: 'event', type: 'jsonb' },
  { name: 'station_id', type: 'text' },
  { name: 'pushed_by', type: 'text' },
  { name: 'server_seq', type: 'bigint' },
  { name: 'visible_at', type: 'bigint' },
  { name: 'received_at', type: 'timestamptz' },
  { name: 'outcome', type: 'text' },
  { name: 'flags', type: 'jsonb' },
  { name: 'reason', type: 'text' },
];

/** The last write of each view, in the order of last writes; the same kind:key twice in one statement is an error in PostgreSQL. */
function lastWriteOfEach<T extends { kind: string; key: string }>(views: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const view of views) {
    const id = `${view.kind}:${view.key}`;
    latest.delete(id);
    latest.set(id, view);
  }
  return [...latest.values()];
}

function lockedStore(tx: SqlClient, sequence: number): LockedStore {
  return {
    sequence,
    sql: tx,
    addStation: (station) => insertStation(tx, station),
    revokeStation: (stationId, at) => revoke(tx, stationId, at),

    async setStationPrograms(stationId, programs) {
      const rows = await tx.query<{ id: string }>('UPDATE stations SET programs = $2::text[] WHERE id = $1 AND revoked_at IS NULL RETURNING id', [stationId, [...programs]]);
      return rows.length > 0;
    },

    async renumberProgramViews(programs) {
      const from = await readSequence(tx);
      if (programs.length === 0) return from;
      // New numbers are all above the sequence, so none collides with a number a view holds.
      const [row] = await tx.query<{ count: string | number }>(
        `WITH renumbered AS (
           UPDATE views SET server_seq = $1::bigint + x.n
           FROM (SELECT kind, key, row_number() OVER (ORDER BY server_seq) AS n FROM views WHERE program = ANY($2::text[])) AS x
           WHERE views.kind = x.kind AND views.key = x.key
           RETURNING 1
         )
         SELECT count(*) AS count FROM renumbered`,
        [from, [...programs]],
      );
      const next = from + Number(row?.count ?? 0);
      await tx.query('UPDATE server_sequence SET value = $1::bigint WHERE id = 1', [next]);
      return next;
    },

    async recordProgramDrops(stationId, programs) {
      const [row] = await tx.query<{ value: string | number }>('UPDATE server_sequence SET value = value + 1 WHERE id = 1 RETURNING value');
      if (row === undefined) throw new Error('server_sequence is missing its row; run the migrations');
      const at = Number(row.value);
      await tx.query(
        'INSERT INTO station_program_drops (station_id, program, at_seq) SELECT $1, p, $3::bigint FROM unnest($2::text[]) AS p ON CONFLICT DO NOTHING',
        [stationId, [...programs], at],
      );
      return at;
    },

    async stationChainHead(stationId) {
      const [row] = await tx.query<{ last_seq: string | number; last_hash: string | null }>('SELECT last_seq, last_hash FROM stations WHERE id = $1', [stationId]);
      return { lastSeq: Number(row?.last_seq ?? 0), lastHash: row?.last_hash ?? null };
    },

    async allViews() {
      const rows = await tx.query<ViewRow & { program: string | null; work_center_ids: string[] | null }>(
        'SELECT kind, key, data, server_seq, program, work_center_ids FROM views ORDER BY server_seq',
      );
      return rows.map((row) => ({ ...toViewDoc(row), scope: { program: row.program, workCenterIds: row.work_center_ids } }));
    },

    async storedEvents(ids) {
      const found = new Map<string, { contentHash: string; receipt: Receipt }>();
      if (ids.length === 0) return found;
      const rows = await tx.query<ReceiptRow & { content_hash: string }>(
        `SELECT id AS event_id, content_hash, outcome, flags, reason, server_seq, visible_at, received_at
         FROM events WHERE id = ANY($1::text[])`,
        [ids],
      );
      for (const row of rows) found.set(row.event_id, { contentHash: row.content_hash, receipt: toReceipt(row) });
      return found;
    },

    async stationLastSeq(stationId) {
      const [row] = await tx.query<{ last_seq: string | number }>('SELECT last_seq FROM stations WHERE id = $1', [stationId]);
      return Number(row?.last_seq ?? 0);
    },

    async write(batch) {
      await tx.appendRows(
        'events',
        EVENT_COLUMNS,
        batch.events.map(({ event, eventText, inLog, contentHash, pushedBy, receipt }) => [
          event.id,
          contentHash,
          inLog === true ? null : eventText === undefined || eventText === null ? event : new JsonText(eventText),
          event.stationId,
          pushedBy,
          receipt.serverSeq,
          receipt.visibleAt,
          receipt.receivedAt,
          receipt.outcome,
          receipt.flags,
          receipt.reason ?? null,
        ]),
      );
      for (const { pushedBy, receipt } of batch.refused) {
        await tx.query(
          `INSERT INTO refused_receipts (server_seq, event_id, pushed_by, visible_at, received_at, flags, reason)
           VALUES ($1::bigint, $2, $3, $4::bigint, $5::timestamptz, $6::jsonb, $7)`,
          [receipt.serverSeq, receipt.eventId, pushedBy, receipt.visibleAt, receipt.receivedAt, JSON.stringify(receipt.flags), receipt.reason ?? ''],
        );
      }
      await insertNumberedViews(tx, lastWriteOfEach(batch.views));
      // The station's chain head and the sequence in one statement: a round trip less per batch.
      const station = batch.station;
      if (station === undefined) {
        await tx.query('UPDATE server_sequence SET value = $1::bigint WHERE id = 1', [batch.sequence]);
      } else {
        await tx.query(
          `WITH station AS (
             UPDATE stations SET last_seq = $3::bigint, last_hash = CASE WHEN $4 THEN $5 ELSE last_hash END WHERE id = $2
           )
           UPDATE server_sequence SET value = $1::bigint WHERE id = 1`,
          [batch.sequence, station.id, station.lastSeq, station.lastHash !== undefined, station.lastHash ?? null],
        );
      }
    },

    async rescope(views) {
      if (views.length === 0) return;
      const rows = views.map(({ kind, key, scope }) => ({ kind, key, program: scope.program, wc: scope.workCenterIds }));
      await tx.query(
        `UPDATE views SET program = x->>'program',
           work_center_ids = CASE WHEN jsonb_typeof(x->'wc') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(x->'wc')) END
         FROM jsonb_array_elements($1::jsonb) AS x
         WHERE views.kind = x->>'kind' AND views.key = x->>'key'`,
        [JSON.stringify(rows)],
      );
    },
  };
}

async function writeViews(tx: SqlClient, views: readonly ViewWrite[]): Promise<void> {
  const unique = lastWriteOfEach(views);
  if (unique.length === 0) return;
  const [row] = await tx.query<{ value: string | number }>(
    'UPDATE server_sequence SET value = value + $1 WHERE id = 1 RETURNING value',
    [unique.length],
  );
  if (row === undefined) throw new Error('server_sequence is missing its row; run the migrations');
  let next = Number(row.value) - unique.length + 1;
  await insertNumberedViews(tx, unique.map((view) => ({ ...view, serverSeq: next++ })));
}

async function readSequence(sql: SqlClient): Promise<number> {
  const [row] = await sql.query<{ value: string | number }>('SELECT value FROM server_sequence WHERE id = 1');
  if (row === undefined) throw new Error('server_sequence is missing its row; run the migrations');
  return Number(row.value);
}

/** A {@link Store} over an open, migrated {@link SqlClient}. Closing the store closes the client. */
/** The notification channel server processes announce their commits on. */
const COMMITS_CHANNEL = 'travelog_commits';

/** An announcement: which schema (several plants can share a database), which process, what sequence. */
interface Announcement {
  schema: string;
  from: string;
  sequence: number;
}

function parseAnnouncement(payload: string): Announcement | null {
  try {
    const value = JSON.parse(payload) as Partial<Announcement>;
    return typeof value.schema === 'string' && typeof value.from === 'string' && Number.isSafeInteger(value.sequence) ? (value as Announcement) : null;
  } catch {
    return null;
  }
}

export function createStore(sql: SqlClient): Store {
  // Told apart from the other processes' announcements, so this one's own are not taken twice.
  const self = randomUUID();
  return {
    sql,
    putViews: (views) => sql.transaction((tx) => writeViews(tx, views)),

    putViewsIfEmpty: (views) =>
      sql.transaction(async (tx) => {
        // Holding the sequence row makes a concurrent first start wait, then see the views.
        await tx.query('SELECT value FROM server_sequence WHERE id = 1 FOR UPDATE');
        const [any] = await tx.query('SELECT 1 FROM views LIMIT 1');
        if (any !== undefined) return false;
        await writeViews(tx, views);
        return true;
      }),

    async countViews() {
      const [row] = await sql.query<{ count: string | number }>('SELECT count(*) AS count FROM views');
      return Number(row?.count ?? 0);
    },

    async getView<K extends ViewKind>(kind: K, key: string) {
      const [row] = await sql.query<ViewRow>('SELECT kind, key, data, server_seq FROM views WHERE kind = $1 AND key = $2', [kind, key]);
      return row === undefined ? undefined : (toViewDoc(row) as Extract<ViewDoc, { kind: K }>);
    },

    async viewsSince(checkpoint, limit, filter) {
      // One statement, so one snapshot: the head and the views below it are read together. Read
      // apart, a view moved past the head by a batch committed in between would be missing from
      // the page although the checkpoint covers its earlier number (the station would drop an event
      // from its overlay without the view that shows it). Every number up to the head is committed
      // (numbers are given out under the sequence row's lock), so nothing at or below it can still
      // appear. With no view to send, the one row carries the head alone.
      const scoped = filter === undefined ? '' : `AND (program IS NULL OR program = ANY($3::text[]))
                 AND ($4::text[] IS NULL OR work_center_ids IS NULL OR work_center_ids && $4::text[])`;
      const params: unknown[] = [checkpoint, limit + 1];
      if (filter !== undefined) params.push([...filter.programs], filter.workCenterIds === undefined ? null : [...filter.workCenterIds]);
      const rows = await sql.query<{ head: string | number } & { [K in keyof ViewRow]: ViewRow[K] | null }>(
        `SELECT h.value AS head, v.kind, v.key, v.data, v.server_seq
           FROM server_sequence h
           LEFT JOIN LATERAL (
             SELECT kind, key, data, server_seq FROM views
              WHERE server_seq > $1 AND server_seq <= h.value ${scoped}
              ORDER BY server_seq LIMIT $2
           ) v ON true
          WHERE h.id = 1
          ORDER BY v.server_seq`,
        params,
      );
      const [first] = rows;
      if (first === undefined) throw new Error('server_sequence is missing its row; run the migrations');
      const head = Number(first.head);
      const viewRows = rows.filter((row): row is typeof row & ViewRow => row.server_seq !== null);
      const documents = viewRows.slice(0, limit).map(toViewDoc);
      const hasMore = viewRows.length > limit;
      return {
        documents,
        checkpoint: hasMore ? (documents.at(-1)?.serverSeq ?? checkpoint) : Math.max(checkpoint, head),
        hasMore,
      };
    },

    async receiptsFor(stationId, after, upTo) {
      if (upTo <= after) return [];
      const rows = await sql.query<ReceiptRow>(
        `SELECT id AS event_id, outcome, flags, reason, server_seq, visible_at, received_at
           FROM events WHERE pushed_by = $1 AND visible_at > $2 AND visible_at <= $3
         UNION ALL
         SELECT event_id, 'rejected', flags, reason, server_seq, visible_at, received_at
           FROM refused_receipts WHERE pushed_by = $1 AND visible_at > $2 AND visible_at <= $3
         ORDER BY server_seq`,
        [stationId, after, upTo],
      );
      return rows.map(toReceipt);
    },

    async viewsToDrop(stationId, after, upTo, programs) {
      if (after === 0 || upTo <= after) return [];
      const rows = await sql.query<{ id: string }>(
        `SELECT v.kind || ':' || v.key AS id FROM views v
         WHERE v.program IN (
           SELECT program FROM station_program_drops WHERE station_id = $1 AND at_seq > $2 AND at_seq <= $3
         ) AND NOT (v.program = ANY($4::text[]))
         ORDER BY v.server_seq`,
        [stationId, after, upTo, [...programs]],
      );
      return rows.map((row) => row.id);
    },

    sequence: () => readSequence(sql),

    locked: (fn) =>
      sql.transaction(async (tx) => {
        const [row] = await tx.query<{ value: string | number }>('SELECT value FROM server_sequence WHERE id = 1 FOR UPDATE');
        if (row === undefined) throw new Error('server_sequence is missing its row; run the migrations');
        return fn(lockedStore(tx, Number(row.value)));
      }),

    async programsInPlant() {
      const rows = await sql.query<{ program: string }>(
        "SELECT DISTINCT data->>'program' AS program FROM views WHERE kind = 'workOrder' AND data->>'program' IS NOT NULL ORDER BY 1",
      );
      return rows.map((row) => row.program);
    },

    async setStationPrograms(stationId, programs) {
      const rows = await sql.query<{ id: string }>('UPDATE stations SET programs = $2::text[] WHERE id = $1 RETURNING id', [stationId, [...programs]]);
      return rows.length > 0;
    },

    addStation: (station) => insertStation(sql, station),

    async stationByCredentialHash(credentialHash) {
      const [row] = await sql.query<StationRow>(
        `SELECT ${STATION_COLUMNS} FROM stations WHERE credential_hash = $1`,
        [credentialHash],
      );
      return row === undefined ? undefined : toStation(row);
    },

    async listStations() {
      const rows = await sql.query<StationRow>(`SELECT ${STATION_COLUMNS} FROM stations ORDER BY enrolled_at, id`);
      return rows.map(toStation);
    },

    revokeStation: (stationId, at) => revoke(sql, stationId, at),

    async enrollmentLockout(badge) {
      const [row] = await sql.query<{ failures: number; locked_until: string | number | null }>(
        'SELECT failures, locked_until FROM enrollment_lockouts WHERE badge = $1',
        [badge],
      );
      if (row === undefined) return freshLockout(badge);
      return { badge, failures: row.failures, lockedUntil: row.locked_until === null ? null : Number(row.locked_until) };
    },

    async saveEnrollmentLockout(record) {
      await sql.query(
        `INSERT INTO enrollment_lockouts (badge, failures, locked_until) VALUES ($1, $2, $3::bigint)
         ON CONFLICT (badge) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
        [record.badge, record.failures, record.lockedUntil],
      );
    },

    async announce(sequence) {
      if (sql.listen === undefined) return;
      await sql.query(`SELECT pg_notify($1, json_build_object('schema', current_schema(), 'from', $2::text, 'sequence', $3::bigint)::text)`, [
        COMMITS_CHANNEL,
        self,
        sequence,
      ]);
    },

    async watchCommits(onCommit) {
      if (sql.listen === undefined) return () => Promise.resolve();
      const [row] = await sql.query<{ schema: string }>('SELECT current_schema() AS schema');
      const schema = row?.schema;
      return sql.listen(COMMITS_CHANNEL, (payload) => {
        if (payload === null) {
          onCommit(null);
          return;
        }
        const announcement = parseAnnouncement(payload);
        if (announcement !== null && announcement.schema === schema && announcement.from !== self) onCommit(announcement.sequence);
      });
    },

    close: () => sql.close(),
  };
}

/** Where to keep the plant: PGlite under `dataDir`, or the PostgreSQL at `databaseUrl`. */
export type StoreOptions = { dataDir: string } | { databaseUrl: string; schema?: string };

/**
 * Opens and migrates the store the options name: PostgreSQL when `databaseUrl` is given, else
 * PGlite with its data in `${dataDir}/pglite`.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const sql =
    'databaseUrl' in options
      ? await openSqlClient({ kind: 'pg', databaseUrl: options.databaseUrl, ...(options.schema === undefined ? {} : { schema: options.schema }) })
      : await openSqlClient({ kind: 'pglite', dataDir: join(options.dataDir, 'pglite') });
  try {
    await migrate(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return createStore(sql);
}
