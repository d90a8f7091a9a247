/**
 * Checks station signatures on pushed events with node:crypto (the bytes are those of
 * src/audit/event-signing.ts). Keys are parsed once per station and kept.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { StationEvent } from '../../schemas/event.ts';
import { canonicalBytes, fromBase64 } from '../../src/audit/canonical.ts';
import { signedBytes, type KeyAlg } from '../../src/audit/event-signing.ts';

const keys = new Map<string, KeyObject>();

/** A public key object from SPKI base64url (cached: every push of a station uses the same). */
export function stationPublicKey(spki: string): KeyObject {
  let key = keys.get(spki);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.from(fromBase64(spki)), format: 'der', type: 'spki' });
    if (keys.size > 10_000) keys.clear();
    keys.set(spki, key);
  }
  return key;
}

/** Whether `event` carries a valid signature by the station key `spki` of algorithm `alg`. */
export function verifyStationSignature(event: StationEvent, spki: string, alg: KeyAlg): boolean {
  let data: Uint8Array;
  try {
    data = signedBytes(event);
  } catch {
    return false;
  }
  return verifyStationBytes(data, event.signature, spki, alg);
}

/**
 * Whether `signature` (base64 or base64url, as the event carries it) is the station key's signature
 * over `data`, the event's signed bytes (computed once by prepared-event.ts on the server).
 */
export function verifyStationBytes(data: Uint8Array, signature: string, spki: string, alg: KeyAlg): boolean {
  try {
    const key = stationPublicKey(spki);
    const bytes = fromBase64(signature);
    return alg === 'Ed25519' ? verify(null, data, key, bytes) : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, bytes);
  } catch {
    return false;
  }
}

/** The hash the station's next event names as prevHash (SHA-256 of the RFC 8785 encoding). */
export function eventHashNode(event: StationEvent): string {
  return createHash('sha256').update(canonicalBytes(event)).digest('hex');
}

/** What {@link attestRuns} needs of a pushed event: prepared-event.ts's form. */
export interface ChainedEvent {
  event: Pick<StationEvent, 'stationId' | 'seq' | 'prevHash'>;
  /** The RFC 8785 text of the event; null when it has none (it cannot carry a valid signature). */
  text: string | null;
  /** SHA-256 (hex) of `text`: what the station's next event names as prevHash. */
  hash: string;
}

/** What {@link attestRuns} found: which events the station's key attests, and how many signatures it checked. */
export interface Attestation {
  attested: boolean[];
  /** Signatures verified, the run ends' and those of the search for bad events. */
  checked: number;
}

/**
 * Which of a push's events the station's key attests, checking signatures per unbroken run
 * (shared/DESIGN.md §3, docs/sync-spec.md S16): a run is a stretch of the station's own events,
 * each the next in sequence after the one before it in the push and naming its hash as prevHash.
 * Each event's signature covers its prevHash, which covers the event before it (signature
 * included), so the signature of a run's last event attests the whole run; a run ends at a gap, a
 * broken link, an event of another station or one without an encoding, and at the end of the push.
 *
 * When a run's last signature fails, the run's other events are checked one by one (in one call to
 * `verify`, so the pool does them in parallel): the latest that verifies attests everything before
 * it, and every event after it is unattested. A bad event never costs the good ones before it.
 * `verify` checks the own signatures of the events at the given indexes, in order.
 */
export async function attestRuns(events: readonly ChainedEvent[], stationId: string, verify: (indexes: number[]) => Promise<boolean[]>): Promise<Attestation> {
  const attested = events.map(() => false);
  const runs: Array<[number, number]> = [];
  let start = -1;
  events.forEach((current, i) => {
    const own = current.event.stationId === stationId && current.text !== null;
    if (!own) {
      if (start >= 0) runs.push([start, i - 1]);
      start = -1;
      return;
    }
    const before = events[i - 1];
    const links = start >= 0 && before !== undefined && current.event.seq === before.event.seq + 1 && current.event.prevHash === before.hash;
    if (!links) {
      if (start >= 0) runs.push([start, i - 1]);
      start = i;
    }
  });
  if (start >= 0) runs.push([start, events.length - 1]);

  let checked = runs.length;
  const ends = await verify(runs.map(([, end]) => end));
  const failed: Array<[number, number]> = [];
  runs.forEach(([first, end], r) => {
    if (ends[r] === true) attested.fill(true, first, end + 1);
    else if (end > first) failed.push([first, end]);
  });
  if (failed.length === 0) return { attested, checked };

  // A run whose last signature fails: the latest event of it whose own signature verifies.
  const indexes = failed.flatMap(([first, end]) => Array.from({ length: end - first }, (_, k) => first + k));
  checked += indexes.length;
  const own = await verify(indexes);
  const valid = new Map(indexes.map((index, k) => [index, own[k] === true]));
  for (const [first, end] of failed) {
    for (let i = end - 1; i >= first; i -= 1) {
      if (valid.get(i) === true) {
        attested.fill(true, first, i + 1);
        break;
      }
    }
  }
  return { attested, checked };
}
