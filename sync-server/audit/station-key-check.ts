/**
 * A station's key is the one the signed log records, not the one the `stations` table holds
 * (docs/audit.md, docs/sync-spec.md S16). The table is a copy kept for speed; anyone with write
 * access to the database could change it, and the server would then verify that station's pushes
 * against a key of their choosing. So:
 *
 * * when the server loads a station for a request, it compares the table's key with the key of the
 *   station's latest `station.enrolled` entry, and refuses the request loudly when they differ: the
 *   station gets a generic `503 station-key-mismatch`, plant IT an error log line naming the station;
 * * `npm run audit:verify -- --data` compares every station's key in the table with the log too.
 *
 * A station with no key in the table and no enrollment entry (enrolled before keys) has nothing to
 * compare; S17 refuses its events. A key in the table that no entry records is a mismatch.
 */
import type { StoredEntry } from '../../schemas/audit-entry.ts';
import { ApiFailure } from '../api-error.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { Station } from '../store/store.ts';

/** A station's key as a record holds it. */
export interface RecordedKey {
  publicKey: string | null;
  keyAlg: string | null;
}

/** The key a `station.enrolled` entry's text records (null fields when it names none). */
export function enrolledKeyOf(entryText: string): RecordedKey {
  const entry = JSON.parse(entryText) as { subject?: { publicKey?: unknown; keyAlg?: unknown } };
  const publicKey = entry.subject?.publicKey;
  const keyAlg = entry.subject?.keyAlg;
  return { publicKey: typeof publicKey === 'string' ? publicKey : null, keyAlg: typeof keyAlg === 'string' ? keyAlg : null };
}

function sameKey(a: RecordedKey, b: RecordedKey): boolean {
  return a.publicKey === b.publicKey && a.keyAlg === b.keyAlg;
}

/** The start of a key, enough for plant IT to tell two apart in a log line (a public key, not a secret). */
function keyHint(key: RecordedKey): string {
  return key.publicKey === null ? 'no key' : `${key.keyAlg ?? '?'} ${key.publicKey.slice(0, 16)}…`;
}

/** What the station is told: nothing about keys or the log. */
export const KEY_MISMATCH_MESSAGE = 'The server cannot serve this station until plant IT has checked its records; keep working, nothing recorded here is lost';

/** The audit log's reads the check needs (audit-log.ts). */
export interface EnrollmentReader {
  stationEnrollment(sql: SqlClient, stationId: string): Promise<number | null>;
  entries(sql: SqlClient, start: number, end: number): Promise<StoredEntry[]>;
}

/** Options of {@link createStationKeyCheck}. */
export interface StationKeyCheckOptions {
  sql: SqlClient;
  audit: EnrollmentReader;
  /** Told of each mismatch found (the server's error log). */
  report: (details: { stationId: string; stationName: string; enrollmentIndex: number | null; stored: string; recorded: string }, message: string) => void;
}

/**
 * The check run on each station a request loads; throws the `503` on a mismatch. The log's key of
 * each station is read once (an entry never changes); the table's is the one just loaded.
 */
export function createStationKeyCheck(options: StationKeyCheckOptions): (station: Station) => Promise<void> {
  const recorded = new Map<string, { index: number | null; key: RecordedKey }>();
  return async (station) => {
    let known = recorded.get(station.id);
    if (known === undefined) {
      const index = await options.audit.stationEnrollment(options.sql, station.id);
      const [entry] = index === null ? [] : await options.audit.entries(options.sql, index, index + 1);
      known = { index, key: entry === undefined ? { publicKey: null, keyAlg: null } : enrolledKeyOf(entry.entry) };
      if (index !== null) recorded.set(station.id, known);
    }
    const stored = { publicKey: station.publicKey, keyAlg: station.keyAlg };
    if (sameKey(stored, known.key)) return;
    options.report(
      { stationId: station.id, stationName: station.name, enrollmentIndex: known.index, stored: keyHint(stored), recorded: keyHint(known.key) },
      `Station ${station.name} (${station.id}): the stations table holds a key (${keyHint(stored)}) other than the one ${known.index === null ? 'the audit log records (no enrollment entry)' : `its enrollment entry ${known.index} records (${keyHint(known.key)})`}; its requests are refused until the enrolled key is restored or the station is enrolled again`,
    );
    throw new ApiFailure(503, 'station-key-mismatch', KEY_MISMATCH_MESSAGE);
  };
}

/** A station whose key in the table differs from the log's. */
export interface KeyMismatch {
  stationId: string;
  stationName: string;
  enrollmentIndex: number | null;
  stored: RecordedKey;
  recorded: RecordedKey;
}

/** Every station whose key in the `stations` table differs from the key its latest enrollment entry records. */
export async function stationKeyMismatches(sql: SqlClient): Promise<KeyMismatch[]> {
  const entries = await sql.query<{ idx: string | number; entry: string }>("SELECT idx, entry FROM audit_entries WHERE kind = 'station.enrolled' ORDER BY idx");
  const latest = new Map<string, { index: number; key: RecordedKey }>();
  for (const row of entries) {
    const stationId = (JSON.parse(row.entry) as { stationId?: unknown }).stationId;
    if (typeof stationId === 'string') latest.set(stationId, { index: Number(row.idx), key: enrolledKeyOf(row.entry) });
  }
  const stations = await sql.query<{ id: string; name: string; public_key: string | null; key_alg: string | null }>('SELECT id, name, public_key, key_alg FROM stations ORDER BY id');
  return stations.flatMap((station) => {
    const stored = { publicKey: station.public_key, keyAlg: station.key_alg };
    const found = latest.get(station.id);
    const recorded = found?.key ?? { publicKey: null, keyAlg: null };
    return sameKey(stored, recorded) ? [] : [{ stationId: station.id, stationName: station.name, enrollmentIndex: found?.index ?? null, stored, recorded }];
  });
}

/** A mismatch as audit:verify prints it. */
export function describeMismatch(mismatch: KeyMismatch): string {
  const where = mismatch.enrollmentIndex === null ? 'no enrollment entry records a key for it' : `its enrollment entry ${mismatch.enrollmentIndex} records ${keyHint(mismatch.recorded)}`;
  return `FAILED: station ${mismatch.stationName} (${mismatch.stationId}): the stations table holds ${keyHint(mismatch.stored)}, but ${where}`;
}
