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
import { hash as cryptoHash } from 'node:crypto';
import type { WithheldEntry } from '../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { fromBase64 } from '../../src/audit/canonical.ts';
import type { KeyAlg } from '../../src/audit/event-signing.ts';
import { entryBytes } from '../../src/audit/entry.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import { entryText } from './entry-signing.ts';
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
export type EntryHead = Pick<AuditEntry, 'index' | 'kind' | 'keyId' | 'stationId' | 'subject' | 'format' | 'prev'> & {
  /**
   * The entry's subjects, as src/audit/subjects.ts derives them: format 6 must name them in `prev`;
   * an older entry heads their chains. Left out of a format 6 entry whose `prev` names exactly them
   * (the check has compared them): the reading thread then takes them from `prev`.
   */
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
        /** Its own station signature, checked with `key` (absent or null: not checked; only `allSignatures` checks each). */
        station?: { key: StationKey | null; valid: boolean };
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
  // indexOf runs at memory speed; a regular expression over every entry's text cost more.
  for (let at = text.indexOf(KIND_MEMBER); at >= 0; at = text.indexOf(KIND_MEMBER, at + 1)) {
    const value = at + KIND_MEMBER.length;
    if (KEY_KINDS.some((kind) => text.startsWith(kind, value))) return true;
  }
  return false;
}

const KIND_MEMBER = '"kind":"';
const KEY_KINDS = ['log.created"', 'key.rotated"', 'station.enrolled"'];

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
  const form = canonicalForm(entry, stored.entry);
  if (form === null) return { ok: false, reason: 'the entry is not in its RFC 8785 form (it was re-encoded or edited)' };

  // Entry 0 names the key that signs it.
  if (entry.kind === 'log.created' && entry.index === 0) applyHints(entry, hints);
  let server: { publicKey: string | null; valid: boolean } | 'not-base64' | 'none' = stored.signature === undefined ? 'none' : { publicKey: null, valid: false };
  if (ownSignatureNeeded(stored, entry.kind, options) && hints.server !== null && hints.server.keyId === entry.keyId) {
    const valid = serverSignatureValid(stored, hints.server.publicKey);
    server = valid === 'not-base64' ? valid : { publicKey: hints.server.publicKey, valid };
  }

  let event: Extract<EntryCheck, { ok: true }>['event'];
  const own = checkedEvent(entry);
  const eventText = own === undefined ? null : form.eventText();
  if (own !== undefined && eventText !== null) {
    // The event's chain hash is SHA-256 of its RFC 8785 text: part of the entry's text just checked.
    const hash = hashText(eventText);
    const key = options.skipStationSignatures === true || options.allSignatures !== true ? undefined : hints.stations.get(entry.stationId as string);
    let valid = false;
    if (key !== undefined) {
      // Only --all-signatures checks each event's own signature: the bytes signed are the event without it.
      const { signedText } = prepareEvent(own);
      valid = signedText !== null && verifyStationBytes(entryBytes(signedText), own.signature, key.key, key.alg);
    }
    event = { id: own.id, seq: own.seq, prevHash: own.prevHash, hash, ...(key === undefined ? {} : { station: { key, valid } }) };
  }

  if (!(entry.kind === 'log.created' && entry.index === 0)) applyHints(entry, hints);
  const namesKey = entry.kind === 'log.created' || entry.kind === 'key.rotated' || entry.kind === 'station.enrolled';
  // Every entry's subjects (src/audit/subjects.ts): format 6 names them in `prev`; an older entry is
  // still the head of its subjects' chains (audit_units indexes it by them: migration 5).
  const subjects = entrySubjects(entry);
  const head: EntryHead = {
    index: entry.index,
    kind: entry.kind,
    keyId: entry.keyId,
    ...(entry.stationId === undefined ? {} : { stationId: entry.stationId }),
    ...(namesKey && entry.subject !== undefined ? { subject: entry.subject } : {}),
    ...(entry.format === undefined ? {} : { format: entry.format }),
    ...(entry.prev === undefined ? {} : { prev: entry.prev }),
    ...(entry.format === 6 && namesSubjects(entry.prev, subjects) ? {} : { subjects }),
  };
  return { ok: true, entry: head, server, ...(event === undefined ? {} : { event }), leaf: entryLeaf(stored.entry) };
}

/**
 * The RFC 9162 leaf hash of an entry's stored text: SHA-256(0x00 ‖ UTF-8 bytes). U+0000 is the one
 * byte 0x00 in UTF-8, so the prefixed text is hashed in one call without copying the bytes first.
 */
function entryLeaf(text: string): Uint8Array {
  return cryptoHash('sha256', `\u0000${text}`, 'buffer');
}

/** SHA-256 (hex) of a text's UTF-8 bytes. */
function hashText(text: string): string {
  return cryptoHash('sha256', text, 'hex');
}

/**
 * Whether `text` is the RFC 8785 (JCS) encoding of `value`, the value JSON.parse made of it, with
 * the RFC 8785 text of its `event` member (null when it has none, or it is not an object).
 *
 * RFC 8785 writes strings and numbers exactly as JSON.stringify does, and an object's members
 * sorted by the UTF-16 code units of their names. JSON.parse keeps members in the order of the
 * text, so when every object's names are already in that order, the text is in its RFC 8785 form
 * exactly when JSON.stringify gives it back: one native pass instead of re-encoding member by
 * member (and then the event's text is JSON.stringify of the event). Where that quick test cannot
 * decide (a name JavaScript orders as an array index, an escaped lone surrogate, which RFC 8785
 * refuses, or any text it gives back differently), the reference encoding (canonicalize, the event
 * encoded once by prepareEvent) decides, so the answer is always the reference's
 * (tests/unit/audit/entry-form.test.ts).
 */
export function canonicalForm(value: unknown, text: string): { eventText: () => string | null } | null {
  if (isObject(value) && !(text.includes('\\u') && LONE_SURROGATE_ESCAPE.test(text)) && namesInOrder(value) && JSON.stringify(value) === text) {
    const event = value['event'];
    return { eventText: () => (isObject(event) ? JSON.stringify(event) : null) };
  }
  // The reference: the event is encoded member by member once, for the entry's form and its text.
  const carried = isObject(value) ? value['event'] : undefined;
  const prepared = isObject(carried) ? prepareEvent(carried as unknown as StationEvent) : null;
  let canonical: string;
  try {
    canonical = entryText(value as AuditEntry, prepared?.text);
  } catch {
    return null;
  }
  return canonical === text ? { eventText: () => prepared?.text ?? null } : null;
}

/** `\\uD800`–`\\uDFFF` as written in JSON: JSON.stringify escapes a surrogate only when it is alone. */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89abcdefABCDEF]/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether every object inside `value` has its member names in strictly ascending UTF-16 order (as RFC 8785 sorts them). */
function namesInOrder(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!namesInOrder(item)) return false;
    return true;
  }
  let previous: string | null = null;
  const record = value as Record<string, unknown>;
  for (const name in record) {
    if (previous !== null && !(previous < name)) return false;
    previous = name;
    if (!namesInOrder(record[name])) return false;
  }
  return true;
}

/** Whether `prev` names exactly `subjects`, in order. */
function namesSubjects(prev: AuditEntry['prev'], subjects: readonly string[]): boolean {
  if (!Array.isArray(prev) || prev.length !== subjects.length) return false;
  return prev.every((link, k) => typeof link === 'object' && link !== null && link.subject === subjects[k]);
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
