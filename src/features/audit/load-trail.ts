/**
 * Fetches a unit's trail and verifies it here (src/audit/trail-verify.ts) against the station's
 * trust anchor (src/audit/trust-anchor.ts): the server keys pinned at enrollment, extended by the
 * rotations a trusted key signed, which the anchor then keeps. A station enrolled before keys were
 * pinned pins what the server publishes now, once, and the result says so.
 */
import type { ServerKeyInfo, TrailResponse } from '../../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../../schemas/audit-entry.ts';
import { stationsOf, verifyTrail, type Enrollment, type TrailVerdict } from '../../audit/trail-verify.ts';
import { toBase64 } from '../../audit/canonical.ts';
import { parseCheckpoint } from '../../audit/checkpoint.ts';
import { extendTrust, keysToPin, pinCheckpoint, readTrustAnchor, untrustedKeys, writeTrustAnchor, type TrustAnchor } from '../../audit/trust-anchor.ts';
import type { StationDb } from '../../db/database.ts';
import { ApiFailure, type Transport } from '../../sync/transport.ts';

/** A verified trail, with what the screen shows beside it. */
export interface LoadedTrail {
  verdict: TrailVerdict;
  /** Station names from their (served) enrollment entries, by station id. */
  stationNames: Map<string, string>;
  /** Entries of the unit's trail left out because they concern a program this station is not cleared for. */
  withheld: number;
  /** The anchor the trail was checked against (as kept after this look-up). */
  anchor: TrustAnchor;
  /** The trail subjects the look-up was answered for (src/audit/subjects.ts). */
  subjects: string[];
  /** The part number, when the look-up named a part. */
  part?: string;
}

/** What loading needs. */
export interface LoadTrailContext {
  db: StationDb;
  transport: Transport;
  credential: string;
  now: () => Date;
}

async function anchorOf(context: LoadTrailContext): Promise<TrustAnchor> {
  const pinned = await readTrustAnchor(context.db);
  if (pinned !== null) return pinned;
  const { keys } = await context.transport.get<{ keys: ServerKeyInfo[] }>('/api/audit/keys', context.credential);
  const anchor: TrustAnchor = { keys: keysToPin(keys), pinnedAt: context.now().toISOString(), pinnedBy: 'first-use' };
  await writeTrustAnchor(context.db, anchor);
  return anchor;
}

/** The `key.rotated` entries that would introduce the published keys the anchor lacks. */
async function rotationsFor(context: LoadTrailContext, anchor: TrustAnchor, published: readonly ServerKeyInfo[]): Promise<StoredEntry[]> {
  const rotations: StoredEntry[] = [];
  for (const { rotationIndex } of untrustedKeys(anchor.keys, published)) {
    const path = `/api/audit/entries?start=${rotationIndex}&end=${rotationIndex + 1}`;
    const { entries } = await context.transport.get<{ entries: Array<StoredEntry | { index: number; leafHash: string }> }>(path, context.credential);
    for (const entry of entries) if ('entry' in entry) rotations.push(entry);
  }
  return rotations;
}

async function enrollmentOf(context: LoadTrailContext, stationId: string, size: number): Promise<Enrollment> {
  try {
    const path = `/api/audit/enrollment?station=${encodeURIComponent(stationId)}&size=${size}`;
    return await context.transport.get<Enrollment>(path, context.credential);
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 403) return { withheld: error.message };
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The trail of what `query` names (a serial, lot, work order or part, any case), verified. Throws
 * {@link ApiFailure} when the server cannot be asked (status 0 offline) or refuses the trail itself.
 */
export async function loadTrail(context: LoadTrailContext, query: string): Promise<LoadedTrail> {
  const trail = await context.transport.get<TrailResponse>(`/api/audit/trail?q=${encodeURIComponent(query)}`, context.credential);
  let anchor = await anchorOf(context);
  const trust = await extendTrust(anchor.keys, await rotationsFor(context, anchor, trail.keys));
  if (trust.added.length > 0) {
    anchor = { ...anchor, keys: trust.keys };
    await writeTrustAnchor(context.db, anchor);
  }

  const enrollments = new Map<string, Enrollment>();
  await Promise.all(
    stationsOf(trail).map(async (stationId) => {
      enrollments.set(stationId, await enrollmentOf(context, stationId, trail.checkpoint.size));
    }),
  );
  // Every entry must be about a subject the answer names; the screen shows which those are.
  const subjects = trail.subjects ?? [];
  const verdict = await verifyTrail({ trail, trustedKeys: trust.keys, trustProblems: trust.problems, enrollments, subjects });
  // A verified checkpoint is kept: after a restore of the server, the restored log is checked against it (S23).
  if (verdict.checkpoint.verified) {
    const root = toBase64(parseCheckpoint(trail.checkpoint.note).root);
    await pinCheckpoint(context.db, { size: verdict.checkpoint.size, root, at: context.now().toISOString() }).catch(() => undefined);
  }
  const stationNames = new Map<string, string>();
  for (const [id, enrollment] of enrollments) {
    if (!('entry' in enrollment)) continue;
    try {
      const name = (JSON.parse(enrollment.entry) as AuditEntry).subject?.['name'];
      if (typeof name === 'string') stationNames.set(id, name);
    } catch {
      // The verdict names an unreadable enrollment.
    }
  }
  return { verdict, stationNames, withheld: trail.withheld, anchor, subjects, ...(trail.part === undefined ? {} : { part: trail.part }) };
}
