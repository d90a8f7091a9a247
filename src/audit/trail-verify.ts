/**
 * Checks a unit's audit trail where it is shown (the station's audit screen), trusting nothing the
 * server says about it: each entry's leaf hash is recomputed from its text ({@link entryLeafHash},
 * the server's own encoding) and its inclusion proof checked against the checkpoint's root; the
 * checkpoint's Ed25519 signature (and an entry's own server signature, for entries of format 3–5:
 * entries of format 6 are not signed one by one, the checkpoint covers them) is checked with the
 * keys the station trusts (pinned at enrollment, or rotated to by a pinned key: ./trust-anchor.ts),
 * never with what the server publishes now; a receipt's event is checked against the station key
 * its enrollment entry (itself proven in the log) recorded; and each format 6 entry must name, for each
 * subject asked for that it is about, the entry shown before it about that subject as the previous
 * one (`prev`), so the server cannot leave one out between them. Every check that fails or cannot be made is named: nothing passes silently. WebCrypto does the signatures (Ed25519 in Chromium and Node), so
 * this runs anywhere.
 */
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import type { ServerKeyInfo, TrailResponse } from '../../schemas/audit-api.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { canonicalText, fromBase64, toHex } from './canonical.ts';
import { noteKeyId, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { entrySubjects } from './subjects.ts';
import { entryBytes, entryLeafHash } from './entry.ts';
import { verifyEventSignature, type KeyAlg } from './event-signing.ts';
import { verifyInclusion } from './merkle.ts';

/** An entry as the trail serves it: stored text, server signature, and a proof once checkpointed. */
export type TrailEntry = TrailResponse['entries'][number];

/**
 * A station's enrollment entry as served, or why it could not be had: an error, or withheld because
 * it names a program this station is not cleared for (the server says so; docs/sync-spec.md S20).
 */
export type Enrollment = TrailEntry | { error: string } | { withheld: string };

/** What was found about one entry. */
export interface EntryVerdict {
  index: number;
  /** The parsed entry; null when its text is not JSON. */
  entry: AuditEntry | null;
  verified: boolean;
  /** Why it is not verified (empty when verified). */
  failures: string[];
  /** Checks that passed, in words. */
  passed: string[];
  /** What was not checked and why (not a failure: say so beside the mark). */
  notes: string[];
  /**
   * The entry is newer than the latest checkpoint and passed every other check: its place in the log
   * is proven at the next checkpoint. A normal state, shown as "awaiting checkpoint", not as a failure.
   */
  awaitingCheckpoint: boolean;
}

/** What was found about a whole trail. */
export interface TrailVerdict {
  checkpoint: { size: number; verified: boolean; reason: string | null; keyId: string | null };
  entries: EntryVerdict[];
}

const SECURITY_REFUSALS = new Set(['security:bad-signature', 'security:unknown-station', 'security:revoked-station', 'security:broken-chain', 'security:station-mismatch', 'security:id-reused']);
const encoder = new TextEncoder();

/** A trusted server key, imported for verification. */
export interface Key {
  info: ServerKeyInfo;
  raw: Uint8Array<ArrayBuffer>;
  crypto: CryptoKey;
}

async function ed25519Verify(key: CryptoKey, data: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, data);
  } catch {
    return false;
  }
}

/** The trusted server keys whose key id is really theirs, imported for verification. */
export async function importKeys(keys: readonly ServerKeyInfo[]): Promise<{ keys: Key[]; problems: string[] }> {
  const out: Key[] = [];
  const problems: string[] = [];
  for (const info of keys) {
    try {
      const raw = fromBase64(info.publicKey);
      if (toHex(noteKeyId(info.keyName, raw)) !== info.keyId) {
        problems.push(`server key ${info.keyId} is not the key its id names`);
        continue;
      }
      out.push({ info, raw, crypto: await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']) });
    } catch (error) {
      problems.push(`server key ${info.keyId} cannot be read (${(error as Error).message})`);
    }
  }
  return { keys: out, problems };
}

/** Whether a key may sign the checkpoint of a tree of `size` entries: the key of its last entry, or the one a rotation just handed over to. */
function inForceAtSize(key: ServerKeyInfo, size: number): boolean {
  return key.validFromIndex <= size && (key.validUntilIndex === undefined || size - 1 <= key.validUntilIndex);
}

/** Checks a checkpoint note's signature against the trusted keys (in force at its size); the parsed checkpoint comes back whatever the verdict. */
export async function checkCheckpoint(note: string, servedSize: number, keys: readonly Key[], keyProblems: readonly string[]): Promise<{ checkpoint: Checkpoint | null; verdict: TrailVerdict['checkpoint'] }> {
  const fail = (reason: string, checkpoint: Checkpoint | null = null) => ({ checkpoint, verdict: { size: checkpoint?.size ?? servedSize, verified: false, reason, keyId: null } });
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(note);
  } catch (error) {
    return fail(`the checkpoint cannot be read: ${(error as Error).message}`);
  }
  if (checkpoint.size !== servedSize) return fail(`the checkpoint says ${checkpoint.size} entries, the server said ${servedSize}`, checkpoint);
  for (const line of checkpoint.signatures) {
    const keyId = toHex(line.keyId);
    const key = keys.find((k) => k.info.keyId === keyId && k.info.keyName === line.keyName);
    if (key === undefined) continue;
    if (!inForceAtSize(key.info, checkpoint.size)) return fail(`the checkpoint of ${checkpoint.size} entries is signed by server key ${keyId}, which was not in force then`, checkpoint);
    if (await ed25519Verify(key.crypto, encoder.encode(checkpoint.body), new Uint8Array(line.signature))) {
      return { checkpoint, verdict: { size: checkpoint.size, verified: true, reason: null, keyId } };
    }
    return fail(`the checkpoint's signature by server key ${keyId} does not verify`, checkpoint);
  }
  const signers = checkpoint.signatures.map((line) => toHex(line.keyId)).join(', ');
  const why = keyProblems.length > 0 ? ` (${keyProblems.join('; ')})` : '';
  return fail(`the checkpoint is signed by ${signers === '' ? 'no key' : `key ${signers}`}, not by a server key this station trusts (pinned at enrollment, or rotated to by a pinned key)${why}`, checkpoint);
}

/** The checks every entry gets: form, place, server signature, inclusion at the checkpoint. */
async function checkStored(stored: TrailEntry, keys: readonly Key[], checkpoint: Checkpoint | null, checkpointOk: boolean): Promise<EntryVerdict> {
  const verdict: EntryVerdict = { index: stored.index, entry: null, verified: false, failures: [], passed: [], notes: [], awaitingCheckpoint: false };
  let entry: AuditEntry;
  try {
    entry = JSON.parse(stored.entry) as AuditEntry;
  } catch {
    verdict.failures.push('the entry is not JSON');
    return verdict;
  }
  verdict.entry = entry;
  try {
    if (canonicalText(entry) !== stored.entry) verdict.failures.push('the entry is not in its RFC 8785 form (re-encoded or edited)');
  } catch {
    verdict.failures.push('the entry cannot be canonicalized');
  }
  if (entry.index !== stored.index) verdict.failures.push(`the entry says it is entry ${entry.index}, served as ${stored.index}`);

  const key = keys.find((k) => k.info.keyId === entry.keyId);
  if (key === undefined) {
    verdict.failures.push(`the entry is signed by server key ${entry.keyId}, which this station does not trust`);
  } else {
    const { validFromIndex, validUntilIndex } = key.info;
    if (stored.index < validFromIndex || (validUntilIndex !== undefined && stored.index > validUntilIndex)) {
      verdict.failures.push(`server key ${entry.keyId} was not in force at entry ${stored.index}`);
    }
    let signature: Uint8Array<ArrayBuffer> | null = null;
    if (stored.signature === undefined) {
      // Format 6: covered by the signed checkpoint (its inclusion is checked below), not signed itself.
      if (entry.format !== 6) verdict.failures.push('the entry carries no server signature, and it is not of format 6 (which a checkpoint covers instead)');
    } else {
      try {
        signature = fromBase64(stored.signature);
      } catch {
        verdict.failures.push('the server signature is not base64');
      }
    }
    if (signature !== null) {
      if (await ed25519Verify(key.crypto, entryBytes(stored.entry), signature)) verdict.passed.push(`server signature (key ${entry.keyId})`);
      else verdict.failures.push(`the server signature (key ${entry.keyId}) does not verify`);
    }
  }

  if (checkpoint === null || !checkpointOk) {
    verdict.failures.push('the checkpoint is not verified, so the entry\u2019s place in the log is not proven');
  } else if (stored.proof === undefined && stored.index >= checkpoint.size) {
    verdict.awaitingCheckpoint = true;
    verdict.notes.push(`entry ${stored.index} is newer than the latest checkpoint (${checkpoint.size} entries): its place in the log is proven at the next one`);
  } else if (stored.proof === undefined) {
    verdict.failures.push(`no inclusion proof was served for entry ${stored.index}, which checkpoint ${checkpoint.size} covers`);
  } else {
    let proof: Uint8Array[] | null = null;
    try {
      proof = stored.proof.map(fromBase64);
    } catch {
      verdict.failures.push('the inclusion proof is not base64');
    }
    if (proof !== null) {
      if (verifyInclusion(stored.index, checkpoint.size, entryLeafHash(stored.entry), proof, checkpoint.root)) {
        verdict.passed.push(`included in the log at checkpoint ${checkpoint.size}`);
      } else {
        verdict.failures.push(`the inclusion proof does not lead to the root of checkpoint ${checkpoint.size}: the entry or the log was changed`);
      }
    }
  }
  return verdict;
}

function isStationEvent(value: unknown): value is StationEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Partial<StationEvent>;
  return typeof event.signature === 'string' && typeof event.stationId === 'string' && typeof event.id === 'string';
}

/** Checks a receipt's event against its station's enrolled key. */
async function checkStation(verdict: EntryVerdict, enrollments: ReadonlyMap<string, Enrollment>, keys: readonly Key[], checkpoint: Checkpoint | null, checkpointOk: boolean): Promise<void> {
  const entry = verdict.entry;
  if (entry === null || entry.kind !== 'receipt') return;
  const refused = (entry.flags ?? []).find((flag) => SECURITY_REFUSALS.has(flag));
  if (refused !== undefined) {
    verdict.notes.push(`station signature not checked: the server refused the event (${refused})`);
    return;
  }
  if (!isStationEvent(entry.event)) {
    verdict.notes.push('station signature not checked: the entry does not carry the signed event (too large to keep whole)');
    return;
  }
  const event = entry.event;
  if (event.stationId !== entry.stationId) {
    verdict.failures.push(`the event names station ${event.stationId} but was received from ${entry.stationId ?? 'no station'}`);
    return;
  }
  const enrollment = enrollments.get(event.stationId);
  if (enrollment !== undefined && 'withheld' in enrollment) {
    verdict.notes.push(`station signature not checked: station ${event.stationId}'s enrollment entry is withheld from this station (${enrollment.withheld})`);
    return;
  }
  if (enrollment === undefined || 'error' in enrollment) {
    verdict.failures.push(`station ${event.stationId}'s enrollment entry could not be had${enrollment === undefined ? '' : ` (${enrollment.error})`}, so its key is unknown`);
    return;
  }
  const enrolled = await checkStored(enrollment, keys, checkpoint, checkpointOk);
  const subject = enrolled.entry?.subject as { publicKey?: string | null; keyAlg?: KeyAlg | null } | undefined;
  if (enrolled.awaitingCheckpoint) {
    // The key the signature is checked with is not proven in the log yet: neither is this entry.
    verdict.awaitingCheckpoint = true;
    verdict.notes.push(`station ${event.stationId}'s enrollment entry ${enrollment.index} awaits the next checkpoint`);
  }
  if (enrolled.failures.length > 0) {
    verdict.failures.push(`station ${event.stationId}'s enrollment entry ${enrollment.index} is not verified: ${enrolled.failures[0] ?? ''}`);
  } else if (enrolled.entry?.kind !== 'station.enrolled' || enrolled.entry.stationId !== event.stationId) {
    verdict.failures.push(`entry ${enrollment.index} is not the enrollment of station ${event.stationId}`);
  } else if (typeof subject?.publicKey !== 'string' || (subject.keyAlg !== 'Ed25519' && subject.keyAlg !== 'ECDSA-P256')) {
    verdict.failures.push(`station ${event.stationId} was enrolled without a key`);
  } else if (await verifyEventSignature(event, subject.publicKey, subject.keyAlg)) {
    verdict.passed.push(`station signature (key enrolled at entry ${enrollment.index})`);
  } else {
    verdict.failures.push(`the station signature on event ${event.id} does not verify with the key enrolled at entry ${enrollment.index}`);
  }
}

/**
 * Completeness (docs/audit.md, *Format 6*): a format 6 entry names the previous entry about each of
 * its subjects; for a subject asked for it must be the entry shown before it about that subject
 * (none: null). Another index means an entry about the subject was left out, unless entries were
 * withheld for program clearance (then it may be one of those: noted).
 */
function checkPrevious(verdict: EntryVerdict, subject: string, shownBefore: number | null, withheld: number): void {
  const link = verdict.entry?.prev?.find((p) => p.subject === subject);
  if (link === undefined) {
    verdict.failures.push(`the entry does not name ${subject} among its subjects`);
  } else if (link.index === shownBefore) {
    verdict.passed.push(link.index === null ? `first entry about ${subject}` : `follows entry ${link.index} about ${subject}`);
  } else if (withheld > 0 && link.index !== null && link.index > (shownBefore ?? -1)) {
    verdict.notes.push(`the entry before it about ${subject} is entry ${link.index}, not shown (withheld from this station)`);
  } else {
    verdict.failures.push(
      link.index === null || link.index < (shownBefore ?? -1)
        ? `the entry says the one before it about ${subject} is ${link.index === null ? 'none' : `entry ${link.index}`}, but entry ${shownBefore ?? '?'} is shown before it`
        : `entry ${link.index} about ${subject} is left out of the trail (the entry names it as the one before it)`,
    );
  }
}

/**
 * Verifies a trail: the checkpoint against the trusted server keys, then every entry; `enrollments`
 * holds, by station id, each receipt's station enrollment entry (with its proof at the same
 * checkpoint). The keys the trail itself carries are not used: pass the station's trust anchor,
 * extended by the rotations it accepted (./trust-anchor.ts).
 */
export async function verifyTrail(input: {
  trail: TrailResponse;
  /** The server keys this station trusts, with the entries each may sign. */
  trustedKeys: readonly ServerKeyInfo[];
  /** Why keys the server published are not trusted (refused rotations), to name when a check needs them. */
  trustProblems?: readonly string[];
  enrollments: ReadonlyMap<string, Enrollment>;
  /** The unit the trail was asked for (`serial:SN-…`): an entry about another unit fails. */
  unit?: string;
  /**
   * The trail subjects the trail was asked for (src/audit/subjects.ts; a look-up's answer names
   * them): an entry about none of them fails.
   */
  subjects?: readonly string[];
}): Promise<TrailVerdict> {
  const wanted = input.subjects ?? (input.unit === undefined ? undefined : [input.unit]);
  const imported = await importKeys(input.trustedKeys);
  const keys = imported.keys;
  const problems = [...imported.problems, ...(input.trustProblems ?? [])];
  const { checkpoint, verdict: checkpointVerdict } = await checkCheckpoint(input.trail.checkpoint.note, input.trail.checkpoint.size, keys, problems);
  const entries: EntryVerdict[] = [];
  let previous = -1;
  /** The entry shown last about each subject asked for. */
  const shownBefore = new Map<string, number>();
  for (const stored of input.trail.entries) {
    const verdict = await checkStored(stored, keys, checkpoint, checkpointVerdict.verified);
    if (stored.index <= previous) verdict.failures.push(`entry ${stored.index} is out of order (after ${previous})`);
    if (wanted !== undefined && verdict.entry !== null) {
      const about = entrySubjects(verdict.entry);
      if (!about.some((subject) => wanted.includes(subject))) {
        verdict.failures.push(`the entry is about ${about.length === 0 ? 'no unit' : about.join(', ')}, not ${wanted.join(' or ')}`);
      }
      // Each subject asked for chains through the entries about it that the trail shows.
      for (const subject of wanted) {
        if (!about.includes(subject)) continue;
        if (verdict.entry.format === 6) checkPrevious(verdict, subject, shownBefore.get(subject) ?? null, input.trail.withheld);
        shownBefore.set(subject, stored.index);
      }
    }
    previous = stored.index;
    await checkStation(verdict, input.enrollments, keys, checkpoint, checkpointVerdict.verified);
    verdict.verified = verdict.failures.length === 0 && !verdict.awaitingCheckpoint;
    entries.push(verdict);
  }
  return { checkpoint: checkpointVerdict, entries };
}

/** The station ids whose enrollment a trail's receipts need. */
export function stationsOf(trail: TrailResponse): string[] {
  const ids = new Set<string>();
  for (const stored of trail.entries) {
    try {
      const entry = JSON.parse(stored.entry) as AuditEntry;
      if (entry.kind === 'receipt' && entry.stationId !== undefined) ids.add(entry.stationId);
    } catch {
      // An unreadable entry fails its own checks.
    }
  }
  return [...ids];
}
