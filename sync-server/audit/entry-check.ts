/**
 * The half of a log verification that needs one entry only (./verify.ts does the rest, in order):
 * the entry parses and is in its RFC 8785 form, its own server signature where one is needed (an
 * entry of format 3–5 not covered by a checkpoint, a rotation, or every signed entry with
 * `allSignatures`), its event's own station signature (only with `allSignatures`: otherwise
 * verify.ts checks the last event of each station's unbroken run), its event's chain hash, its
 * subjects (format 6) and its leaf hash. Chunks of entries are checked on every core
 * (./crypto-worker.ts) while the main thread keeps the order.
 *
 * Which key must have signed an entry depends on the entries before it (the log's rotations, the
 * stations' enrollments). A chunk is checked with {@link KeyHints}: the keys as the entries before
 * it name them, read without verifying anything. Each result says which key it was checked with,
 * and verify.ts accepts it only if that is the key in force by its own, verified, reckoning; if
 * not, it checks that entry again itself.
 *
 * An entry withheld for program clearance (docs/sync-spec.md S20) comes as its leaf hash only: all
 * there is to check here is that it is one; verify.ts builds the tree with it.
 */
import type { WithheldEntry } from '../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { fromBase64 } from '../../src/audit/canonical.ts';
import type { KeyAlg } from '../../src/audit/event-signing.ts';
import { entryBytes } from '../../src/audit/entry.ts';
import { leafHash } from '../../src/audit/merkle.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import { entryText, nodeSha256 } from './entry-signing.ts';
import { prepareEvent } from './prepared-event.ts';
import { ed25519PublicKey, verifyEd25519 } from './server-key.ts';
import { verifyStationBytes } from './station-signatures.ts';

/** A station's enrolled key. */
export interface StationKey {
  key: string;
  alg: KeyAlg;
}

/** The keys entries name, as read so far (see the module comment). */
export interface KeyHints {
  /** The server key entries are signed with from here on: its id and raw public key (base64). */
  server: { keyId: string; publicKey: string } | null;
  /** Each station's latest enrolled key. */
  stations: Map<string, StationKey>;
}

/** Flags of a receipt whose event was refused before its signature counted: its event is not checked. */
export const SECURITY_REJECTIONS: ReadonlySet<string> = new Set([
  'security:bad-signature',
  'security:unknown-station',
  'security:revoked-station',
  'security:broken-chain',
  'security:station-mismatch',
  'security:id-reused',
]);

/** The fields of an entry the ordered half of a verification reads. */
export type EntryHead = Pick<AuditEntry, 'index' | 'kind' | 'keyId' | 'stationId' | 'subject' | 'format' | 'prev' | 'unit'> & {
  /** The entry's subjects, as src/audit/subjects.ts derives them: format 6 must name them in `prev`; an older entry heads their chains. */
  subjects?: string[];
};

/** An entry of a log as read: whole, or withheld to its leaf hash (docs/sync-spec.md S20). */
export type LogEntry = StoredEntry | WithheldEntry;

/** Whether an entry was served as its leaf hash only. */
export function isWithheld(entry: LogEntry): entry is WithheldEntry {
  return !('entry' in entry);
}

/** What checking one entry found. */
export type EntryCheck =
  /** Wrong in itself, whatever came before: the verification fails here. */
  | { ok: false; reason: string }
  /** Withheld: its content and signatures cannot be checked; its RFC 9162 leaf hash, as served, can only enter the tree. */
  | { ok: 'withheld'; leaf: Uint8Array }
  | {
      ok: true;
      /** What verify.ts reads of the entry: the subject only where it names a key (see {@link applyHints}). */
      entry: EntryHead;
      /** The entry's own server signature: checked with `publicKey` (null: not checked), not base64, or none (format 6). */
      server: { publicKey: string | null; valid: boolean } | 'not-base64' | 'none';
      /** A receipt's own station event (not one refused for security): what the chain and the count need. */
      event?: {
        id: string;
        seq: number;
        prevHash: string;
        /** SHA-256 (hex) of its RFC 8785 encoding: what the station's next event names. */
        hash: string;
        /** Its own station signature, checked with `key` (null: not checked; only `allSignatures` checks each). */
        station: { key: StationKey | null; valid: boolean };
      };
      /** RFC 9162 leaf hash. */
      leaf: Uint8Array;
    };

/** Which signatures to check. */
export interface CheckOptions {
  /** For the benchmark's split, never for an audit: no server or station signature at all. */
  skipEntrySignatures?: boolean;
  skipStationSignatures?: boolean;
  /**
   * Every event's own station signature and every signed entry's own server signature (`audit:verify
   * --all-signatures`). Without it, station signatures are checked at the end of each unbroken run
   * (verify.ts) and an entry's own signature only where no checkpoint covers it (or a rotation's).
   */
  allSignatures?: boolean;
  /** Entries below this index are covered by a signed checkpoint (the largest checkpoint's size). */
  coveredBelow?: number;
}

/** Whether an entry's own server signature is to be checked (see {@link CheckOptions}). */
export function ownSignatureNeeded(stored: StoredEntry, kind: string | undefined, options: CheckOptions): boolean {
  if (stored.signature === undefined || options.skipEntrySignatures === true) return false;
  return options.allSignatures === true || kind === 'key.rotated' || stored.index >= (options.coveredBelow ?? 0);
}

const keyObjects = new Map<string, ReturnType<typeof ed25519PublicKey>>();

function serverKeyObject(publicKey: string): ReturnType<typeof ed25519PublicKey> {
  let key = keyObjects.get(publicKey);
  if (key === undefined) {
    key = ed25519PublicKey(fromBase64(publicKey));
    if (keyObjects.size > 1000) keyObjects.clear();
    keyObjects.set(publicKey, key);
  }
  return key;
}

/** Updates the hints with what an entry names (a first key, a rotation, an enrollment); nothing is verified. */
export function applyHints(entry: AuditEntry, hints: KeyHints): void {
  if ((entry.kind === 'log.created' && entry.index === 0) || entry.kind === 'key.rotated') {
    const subject = entry.subject as { publicKey?: unknown; keyId?: unknown } | undefined;
    if (typeof subject?.publicKey === 'string' && typeof subject.keyId === 'string') hints.server = { keyId: subject.keyId, publicKey: subject.publicKey };
  } else if (entry.kind === 'station.enrolled') {
    const subject = entry.subject as { publicKey?: unknown; keyAlg?: unknown } | undefined;
    if (entry.stationId !== undefined && typeof subject?.publicKey === 'string' && (subject.keyAlg === 'Ed25519' || subject.keyAlg === 'ECDSA-P256')) {
      hints.stations.set(entry.stationId, { key: subject.publicKey, alg: subject.keyAlg });
    }
  }
}

/** Whether an entry's text may name a key (a cheap test to run before parsing; false only when it cannot). */
export function mayNameKey(text: string): boolean {
  return /"kind":"(?:log\.created|key\.rotated|station\.enrolled)"/.test(text);
}

/** The station event a receipt entry carries, when verify.ts checks it: its own, not refused for security. */
export function checkedEvent(entry: AuditEntry): StationEvent | undefined {
  if (entry.kind !== 'receipt') return undefined;
  const event = entry.event as StationEvent | undefined;
  const refused = (entry.flags ?? []).some((flag) => SECURITY_REJECTIONS.has(flag));
  if (event === undefined || refused || entry.stationId === undefined || event.stationId !== entry.stationId) return undefined;
  return event;
}

/** Checks an entry's server signature with a raw public key (base64); 'not-base64' when the signature is not. */
export function serverSignatureValid(stored: StoredEntry, publicKey: string): boolean | 'not-base64' {
  let signature: Uint8Array;
  if (stored.signature === undefined) return false;
  try {
    signature = fromBase64(stored.signature);
  } catch {
    return 'not-base64';
  }
  return verifyEd25519(serverKeyObject(publicKey), entryBytes(stored.entry), signature);
}

/** Checks a station event's signature with a station key. */
export function stationSignatureValid(event: StationEvent, key: StationKey): boolean {
  const { signedText } = prepareEvent(event);
  return signedText !== null && verifyStationBytes(entryBytes(signedText), event.signature, key.key, key.alg);
}

/**
 * Checks one entry with the keys the hints hold, then updates them with what it names (after its
 * own signature: a rotation is signed by the key before it).
 */
export function checkEntry(stored: LogEntry, hints: KeyHints, options: CheckOptions = {}): EntryCheck {
  if (isWithheld(stored)) return withheldLeaf(stored);
  let entry: AuditEntry;
  try {
    entry = JSON.parse(stored.entry) as AuditEntry;
  } catch {
    return { ok: false, reason: 'the entry is not JSON' };
  }
  // The event is encoded member by member once: for the entry's form, its signed bytes and its hash.
  const carried = entry.event;
  const prepared = typeof carried === 'object' && carried !== null && !Array.isArray(carried) ? prepareEvent(carried as StationEvent) : null;
  let canonical: string;
  try {
    canonical = entryText(entry, prepared?.text);
  } catch {
    canonical = '';
  }
  if (canonical !== stored.entry) return { ok: false, reason: 'the entry is not in its RFC 8785 form (it was re-encoded or edited)' };

  // Entry 0 names the key that signs it.
  if (entry.kind === 'log.created' && entry.index === 0) applyHints(entry, hints);
  let server: { publicKey: string | null; valid: boolean } | 'not-base64' | 'none' = stored.signature === undefined ? 'none' : { publicKey: null, valid: false };
  if (ownSignatureNeeded(stored, entry.kind, options) && hints.server !== null && hints.server.keyId === entry.keyId) {
    const valid = serverSignatureValid(stored, hints.server.publicKey);
    server = valid === 'not-base64' ? valid : { publicKey: hints.server.publicKey, valid };
  }

  let event: Extract<EntryCheck, { ok: true }>['event'];
  const own = checkedEvent(entry);
  if (own !== undefined && prepared !== null) {
    const key = options.skipStationSignatures === true || options.allSignatures !== true ? undefined : hints.stations.get(entry.stationId as string);
    const valid = key !== undefined && prepared.signedText !== null && verifyStationBytes(entryBytes(prepared.signedText), own.signature, key.key, key.alg);
    event = { id: own.id, seq: own.seq, prevHash: own.prevHash, hash: prepared.hash, station: { key: key ?? null, valid } };
  }

  if (!(entry.kind === 'log.created' && entry.index === 0)) applyHints(entry, hints);
  const namesKey = entry.kind === 'log.created' || entry.kind === 'key.rotated' || entry.kind === 'station.enrolled';
  const head: EntryHead = {
    index: entry.index,
    kind: entry.kind,
    keyId: entry.keyId,
    ...(entry.stationId === undefined ? {} : { stationId: entry.stationId }),
    ...(namesKey && entry.subject !== undefined ? { subject: entry.subject } : {}),
    ...(entry.format === undefined ? {} : { format: entry.format }),
    ...(entry.prev === undefined ? {} : { prev: entry.prev }),
    ...(entry.unit === undefined ? {} : { unit: entry.unit }),
    // Every entry's subjects (src/audit/subjects.ts): format 6 names them in `prev`; an older entry is
    // still the head of its subjects' chains (audit_units indexes it by them: migration 5).
    subjects: entrySubjects(entry),
  };
  return { ok: true, entry: head, server, ...(event === undefined ? {} : { event }), leaf: leafHash(entryBytes(stored.entry), nodeSha256) };
}

/** A SHA-256 leaf hash is 32 bytes. */
const LEAF_BYTES = 32;

function withheldLeaf(withheld: WithheldEntry): EntryCheck {
  let leaf: Uint8Array;
  try {
    leaf = fromBase64(withheld.leafHash);
  } catch {
    return { ok: false, reason: 'the entry is withheld and its leaf hash is not base64' };
  }
  if (leaf.length !== LEAF_BYTES) return { ok: false, reason: `the entry is withheld and its leaf hash has ${leaf.length} bytes, not ${LEAF_BYTES}` };
  return { ok: 'withheld', leaf };
}
