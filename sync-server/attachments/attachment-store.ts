/**
 * Photos kept with NCRs on the server (docs/ncr.md "Photo"): the table `attachments` (migration 8),
 * on PGlite and PostgreSQL alike, keyed by the SHA-256 the signed `ncr.opened` names. Rows are only
 * added: the same bytes put again change nothing (the key is their hash).
 */
import type { SqlClient } from '../store/sql-client.ts';

export interface Attachment {
  sha256: string;
  mediaType: string;
  data: Uint8Array;
  ncrId: string;
  stationId: string;
  storedAt: string;
}

/** Stores a photo unless its hash is stored already; true when this call stored it. */
export async function putAttachment(sql: SqlClient, attachment: Attachment): Promise<boolean> {
  const rows = await sql.query<{ sha256: string }>(
    `INSERT INTO attachments (sha256, media_type, bytes, data, ncr_id, station_id, stored_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
    [attachment.sha256, attachment.mediaType, attachment.data.length, attachment.data, attachment.ncrId, attachment.stationId, attachment.storedAt],
  );
  return rows.length === 1;
}

/** A stored photo, or undefined. */
export async function getAttachment(sql: SqlClient, sha256: string): Promise<Attachment | undefined> {
  const rows = await sql.query<{ sha256: string; media_type: string; data: Uint8Array; ncr_id: string; station_id: string; stored_at: Date | string }>(
    'SELECT sha256, media_type, data, ncr_id, station_id, stored_at FROM attachments WHERE sha256 = $1',
    [sha256],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    sha256: row.sha256,
    mediaType: row.media_type,
    // pg gives a Buffer, PGlite a Uint8Array: both are bytes.
    data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
    ncrId: row.ncr_id,
    stationId: row.station_id,
    storedAt: new Date(row.stored_at).toISOString(),
  };
}

/** Which of these hashes the server holds the bytes of (the evidence package says so per photo). */
export async function storedAttachments(sql: SqlClient, hashes: readonly string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await sql.query<{ sha256: string }>('SELECT sha256 FROM attachments WHERE sha256 = ANY($1::text[])', [hashes]);
  return new Set(rows.map((r) => r.sha256));
}
