/**
 * Short, stable identifiers people read, say and type: H-7K3QM2 for a hold, NCR-2026-7K3QM2 for a
 * nonconformance, E-… for an event, C-… for a conflict item. The UUID stays the identifier on the
 * wire, in the database and in the audit log; the short id is shown in its place.
 *
 * Offline-safe by construction: a short id is derived from the UUID alone (its last 30 random bits,
 * in Crockford base32), so a station offline, the server and every other station show the same id
 * for the same record without asking anyone, and it never changes. A sequence number (H-0042) would
 * need the server to assign it at receipt and a provisional id until then, which is two ids for one
 * hold on the shop floor. The price: two records may, rarely, share a short id (about one pair in a
 * million among a thousand holds); the screens keep the full UUID underneath (a tooltip and the
 * record's details), and look-ups are by UUID. Ids that hold no UUID (seeded ones such as H-SEED-1)
 * are shown as they are.
 */

/** Crockford's base32: no I, L, O or U, so nothing reads as 1, 0 or a word. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-([0-9a-f]{12})/i;

/** Six characters from the last 30 bits of the UUID in `id`, or null when `id` holds no UUID. */
export function shortCode(id: string): string | null {
  const match = UUID.exec(id);
  if (match === null) return null;
  let bits = parseInt(match[1]!.slice(-8), 16) & 0x3fffffff;
  let code = '';
  for (let i = 0; i < 6; i++) {
    code = CROCKFORD[bits & 31]! + code;
    bits >>>= 5;
  }
  return code;
}

/** A hold's id as people see it: H-7K3QM2 (or the id itself when it holds no UUID). */
export function shortHoldId(holdId: string): string {
  const code = shortCode(holdId);
  return code === null ? holdId : `H-${code}`;
}

/** A nonconformance's id with the year it was opened: NCR-2026-7K3QM2. */
export function shortNcrId(ncrId: string, openedAt?: string): string {
  const code = shortCode(ncrId);
  if (code === null) return ncrId;
  const year = openedAt !== undefined && /^\d{4}-/.test(openedAt) ? openedAt.slice(0, 4) : null;
  return year === null ? `NCR-${code}` : `NCR-${year}-${code}`;
}

/** An event's id as people see it: E-7K3QM2. */
export function shortEventId(eventId: string): string {
  const code = shortCode(eventId);
  return code === null ? eventId : `E-${code}`;
}

/** A conflict item's id as people see it: C-7K3QM2. */
export function shortConflictId(conflictId: string): string {
  const code = shortCode(conflictId);
  return code === null ? conflictId : `C-${code}`;
}

/** A station's id as people see it: S-7K3QM2. */
export function shortStationId(stationId: string): string {
  const code = shortCode(stationId);
  return code === null ? stationId : `S-${code}`;
}
