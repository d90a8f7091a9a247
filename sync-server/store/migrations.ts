import type { SqlClient } from './sql-client.ts';

/** One schema change. Versions are applied in ascending order, each once, each in its own transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, oldest first. Never edit one that has shipped; add the next number. The SQL runs
 * unchanged on PGlite and on PostgreSQL, so keep to plain PostgreSQL 15.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'views, stations, enrollment lockouts',
    sql: `
      -- One row; every view write takes the next value under its row lock, so server sequence
      -- numbers become visible in order and a pull never skips a number committed late.
      CREATE TABLE server_sequence (
        id integer PRIMARY KEY CHECK (id = 1),
        value bigint NOT NULL
      );
      INSERT INTO server_sequence (id, value) VALUES (1, 0);

      CREATE TABLE views (
        kind text NOT NULL,
        key text NOT NULL,
        data jsonb NOT NULL,
        server_seq bigint NOT NULL UNIQUE,
        PRIMARY KEY (kind, key)
      );

      CREATE TABLE stations (
        id text PRIMARY KEY,
        name text NOT NULL,
        credential_hash text NOT NULL UNIQUE,
        enrolled_by text NOT NULL,
        enrolled_at timestamptz NOT NULL,
        revoked_at timestamptz
      );

      CREATE TABLE enrollment_lockouts (
        badge text PRIMARY KEY,
        failures integer NOT NULL,
        locked_until bigint
      );
    `,
  },
  {
    version: 2,
    name: 'events with receipts, view scopes, station clearance and sequence',
    sql: `
      -- Every event the server decided, as it arrived, with its receipt. Rejected ones stay too.
      CREATE TABLE events (
        id text PRIMARY KEY,
        content_hash text NOT NULL,
        event jsonb NOT NULL,
        station_id text NOT NULL,
        pushed_by text NOT NULL,
        server_seq bigint NOT NULL UNIQUE,
        visible_at bigint NOT NULL,
        received_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('accepted', 'flagged', 'rejected')),
        flags jsonb NOT NULL,
        reason text
      );
      CREATE INDEX events_receipts ON events (pushed_by, visible_at);

      -- Receipts of events that could not be stored under their id (same id, other content).
      CREATE TABLE refused_receipts (
        server_seq bigint PRIMARY KEY,
        event_id text NOT NULL,
        pushed_by text NOT NULL,
        visible_at bigint NOT NULL,
        received_at timestamptz NOT NULL,
        flags jsonb NOT NULL,
        reason text NOT NULL
      );
      CREATE INDEX refused_receipts_by_station ON refused_receipts (pushed_by, visible_at);

      -- Who may see a view: null is the whole plant.
      ALTER TABLE views ADD COLUMN program text;
      ALTER TABLE views ADD COLUMN work_center_ids text[];

      ALTER TABLE stations ADD COLUMN last_seq bigint NOT NULL DEFAULT 0;
      ALTER TABLE stations ADD COLUMN programs text[] NOT NULL DEFAULT '{}';
      -- Stations enrolled before clearance existed saw every program; keep that.
      UPDATE stations SET programs = ARRAY(
        SELECT DISTINCT data->>'program' FROM views WHERE kind = 'workOrder' ORDER BY 1
      );
    `,
  },
  {
    version: 3,
    name: 'station keys and chains, the audit log',
    sql: `
      -- The station's public key (SPKI, base64url) and the hash of its last event: its chain head.
      ALTER TABLE stations ADD COLUMN public_key text;
      ALTER TABLE stations ADD COLUMN key_alg text;
      ALTER TABLE stations ADD COLUMN last_hash text;

      -- Append-only: each entry's exact RFC 8785 text, signed by the server key it names.
      CREATE TABLE audit_entries (
        idx bigint PRIMARY KEY,
        -- A copy of the entry's kind for lookups; the verifier reads only the entry text.
        kind text NOT NULL,
        entry text NOT NULL,
        signature text NOT NULL
      );
      -- Perfect subtrees of the RFC 9162 tree (level 0 are leaf hashes), hex: proofs read log(n) rows.
      CREATE TABLE audit_nodes (
        level integer NOT NULL,
        idx bigint NOT NULL,
        hash text NOT NULL,
        PRIMARY KEY (level, idx)
      );
      CREATE TABLE audit_checkpoints (
        size bigint PRIMARY KEY,
        note text NOT NULL,
        created_at timestamptz NOT NULL
      );
      -- Units an entry is about, for a serial's audit trail.
      CREATE TABLE audit_units (
        unit text NOT NULL,
        idx bigint NOT NULL,
        PRIMARY KEY (unit, idx)
      );
    `,
  },
  {
    version: 4,
    name: 'programs taken away from a station',
    sql: `
      -- A program a station was no longer cleared for from server sequence number at_seq on: its next
      -- pull across that number names the program's views for it to drop (docs/sync-spec.md S22).
      CREATE TABLE station_program_drops (
        station_id text NOT NULL,
        program text NOT NULL,
        at_seq bigint NOT NULL,
        PRIMARY KEY (station_id, program, at_seq)
      );
    `,
  },
  {
    version: 5,
    name: 'audit trail subjects: work order and material',
    sql: `
      -- Entries appended before the audit log indexed every subject of an entry (src/audit/subjects.ts
      -- entrySubjects, which the log applies to every new entry and whose chains format 6 entries
      -- name in prev): the same subjects, read from each receipt's event as the station signed it.
      -- The unit, hold subject and material references give serial:, lot: or work-order: and the
      -- part: of a part number they name; workOrderId gives work-order:. tests/integration/
      -- audit-format.test.ts checks this against entrySubjects.
      INSERT INTO audit_units (unit, idx)
      SELECT DISTINCT s.unit, e.idx
      FROM audit_entries e
      CROSS JOIN LATERAL (SELECT e.entry::jsonb -> 'event' -> 'payload' AS p) AS ev
      CROSS JOIN LATERAL (VALUES (ev.p -> 'unit'), (ev.p -> 'subject'), (ev.p -> 'material')) AS r(ref)
      CROSS JOIN LATERAL (VALUES
        (CASE WHEN jsonb_typeof(ev.p -> 'workOrderId') = 'string' THEN 'work-order:' || (ev.p ->> 'workOrderId') END),
        (CASE WHEN jsonb_typeof(r.ref) <> 'object' THEN NULL
           WHEN r.ref ->> 'kind' = 'serial' AND jsonb_typeof(r.ref -> 'serial') = 'string' THEN 'serial:' || (r.ref ->> 'serial')
           WHEN r.ref ->> 'kind' = 'lot' AND jsonb_typeof(r.ref -> 'lotId') = 'string' THEN 'lot:' || (r.ref ->> 'lotId')
           WHEN r.ref ->> 'kind' = 'workOrder' AND jsonb_typeof(r.ref -> 'workOrderId') = 'string' THEN 'work-order:' || (r.ref ->> 'workOrderId') END),
        (CASE WHEN jsonb_typeof(r.ref) = 'object' AND jsonb_typeof(r.ref -> 'partNumber') = 'string' THEN 'part:' || (r.ref ->> 'partNumber') END)
      ) AS s(unit)
      WHERE e.kind = 'receipt' AND jsonb_typeof(ev.p) = 'object' AND s.unit IS NOT NULL
        AND s.unit NOT IN ('work-order:', 'serial:', 'lot:', 'part:')
      ON CONFLICT DO NOTHING;
      -- The unit an entry of any kind names (indexed since version 3; here for completeness).
      INSERT INTO audit_units (unit, idx)
      SELECT e.entry::jsonb ->> 'unit', e.idx FROM audit_entries e
      WHERE jsonb_typeof(e.entry::jsonb -> 'unit') = 'string' AND e.entry::jsonb ->> 'unit' <> ''
      ON CONFLICT DO NOTHING;
    `,
  },
  {
    version: 6,
    name: 'station last seen and fleet report, audit entries by kind',
    sql: `
      -- When the station last pushed or pulled, and what it reported with it (docs/operations.md).
      ALTER TABLE stations ADD COLUMN last_seen_at timestamptz;
      ALTER TABLE stations ADD COLUMN report jsonb;
      -- The key history, restores and the like are read by kind; receipts are the bulk and never are.
      CREATE INDEX audit_entries_system_kinds ON audit_entries (kind, idx) WHERE kind <> 'receipt';
    `,
  },
  {
    version: 7,
    name: 'QMS link: webhook outbox and integration credentials',
    sql: `
      -- One webhook delivery per NCR view written (docs/ncr.md, The QMS link): durable until the
      -- QMS answers 2xx. The id is what the receiver de-duplicates on.
      CREATE TABLE qms_outbox (
        id text PRIMARY KEY,
        ncr_id text NOT NULL,
        server_seq bigint NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        delivered_at timestamptz,
        last_error text
      );
      CREATE INDEX qms_outbox_pending ON qms_outbox (next_attempt_at) WHERE delivered_at IS NULL;
      -- The highest NCR view server_seq already put in the outbox.
      CREATE TABLE qms_cursor (
        id integer PRIMARY KEY CHECK (id = 1),
        server_seq bigint NOT NULL
      );
      INSERT INTO qms_cursor (id, server_seq) VALUES (1, 0);
      -- Credentials of systems such as the QMS (npm run integration): scoped, hashed like a station's.
      CREATE TABLE integrations (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        credential_hash text NOT NULL UNIQUE,
        programs jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
    `,
  },
  {
    version: 8,
    name: 'photos kept with NCRs',
    sql: `
      -- A red tag's photo (docs/ncr.md "Photo"), named by the SHA-256 its signed ncr.opened carries.
      CREATE TABLE attachments (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        media_type text NOT NULL,
        bytes integer NOT NULL,
        data bytea NOT NULL,
        ncr_id text NOT NULL,
        station_id text NOT NULL,
        stored_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'an event is kept once: in its receipt entry of the audit log',
    sql: `
      -- A pushed event whose receipt entry in the audit log carries it whole (its exact RFC 8785
      -- text, covered by a signed checkpoint) is no longer stored a second time here: event is null
      -- and the event is read from that entry (kind 'receipt', eventId = id). Events the entry holds
      -- only a hash of (over 64 KiB, or not encodable) are still stored here, as before. Storing
      -- each event twice cost a third of the database's work per pushed event (README, Benchmarks).
      ALTER TABLE events ALTER COLUMN event DROP NOT NULL;
    `,
  },
];

/** Applies the migrations `sql` has not recorded yet and returns the versions it applied. */
export async function migrate(sql: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await sql.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )
  `);
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const ran = await sql.transaction(async (tx) => {
      // Two servers starting on one database take turns here instead of both applying a migration.
      await tx.exec('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const done = await tx.query<{ version: number }>('SELECT version FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
