/**
 * The per-entry encoding and cryptography of an append: each entry's RFC 8785 text, the server's
 * Ed25519 signature over it and its RFC 9162 leaf hash. Plain functions over node:crypto, so the
 * same code runs on the main thread and in the worker pool (./crypto-worker.ts), which is where
 * the server spends its cores.
 */
import { createHash, hash, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { canonicalText } from '../../src/audit/canonical.ts';

/**
 * Stands in for the event while the rest of an entry is encoded: a string no entry holds (random per
 * process, and checked to occur once in the text).
 */
const EVENT_MARK = `(the event ${randomUUID()})`;
const EVENT_MEMBER = `"event":${JSON.stringify(EVENT_MARK)}`;

/**
 * The entry's RFC 8785 text. With `eventText` (the canonical text of `entry.event`) the event is not
 * encoded again: RFC 8785 writes an object as its members sorted by name, each in canonical form,
 * so the entry's text is its other members' encodings with that text in the event's place. The
 * entry is encoded in one pass with a mark in the event's place, and the mark replaced.
 */
export function entryText(entry: AuditEntry, eventText?: string | null): string {
  if (eventText === undefined || eventText === null || entry.event === undefined) return canonicalText(entry);
  const marked = canonicalText({ ...entry, event: EVENT_MARK });
  // The mark once in the text, as the value of "event": the member put there.
  const first = marked.indexOf(EVENT_MARK);
  const at = first - '"event":"'.length;
  if (at > 0 && marked.startsWith(EVENT_MEMBER, at) && marked.indexOf(EVENT_MARK, first + 1) < 0) {
    return `${marked.slice(0, at + '"event":'.length)}${eventText}${marked.slice(at + EVENT_MEMBER.length)}`;
  }
  return entryTextByMembers(entry, eventText);
}

/** {@link entryText} member by member: what it falls back to should the mark occur twice. */
export function entryTextByMembers(entry: AuditEntry, eventText: string): string {
  const record = entry as Record<string, unknown>;
  const members: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const value = record[name];
    if (value === undefined || typeof value === 'symbol') continue;
    members.push(`${canonicalText(name)}:${name === 'event' ? eventText : canonicalText(value)}`);
  }
  return `{${members.join(',')}}`;
}

/** Entries signed and hashed, in the order given. */
export interface SignedEntries {
  /** Ed25519 signatures, base64url without padding (what `audit_entries.signature` holds). */
  signatures: string[];
  /** Leaf hashes, 32 bytes each, back to back. */
  leaves: Uint8Array<ArrayBuffer>;
}

const LEAF_PREFIX = Buffer.from([0x00]);

/** SHA-256 with node:crypto: the server and the verifier hash every leaf and node with it (the one-shot call: no Hash object per node). */
export const nodeSha256 = (data: Uint8Array): Uint8Array => hash('sha256', data, 'buffer');

/** Hashes each entry text (as UTF-8) as a Merkle leaf: 32 bytes each, back to back. */
export function hashEntryTexts(texts: readonly string[]): Uint8Array<ArrayBuffer> {
  const leaves = new Uint8Array(texts.length * 32);
  // One-shot: U+0000 is the byte 0x00 in UTF-8, the leaf prefix.
  texts.forEach((text, i) => leaves.set(hash('sha256', `\u0000${text}`, 'buffer'), i * 32));
  return leaves;
}

/**
 * Signs each entry text (as UTF-8) with `privateKey` and hashes it as a Merkle leaf: how entries of
 * format 3–5 were written (format 6 entries are not signed one by one; tests and the pool keep it).
 */
export function signEntryTexts(privateKey: KeyObject, texts: readonly string[]): SignedEntries {
  const signatures: string[] = [];
  const leaves = new Uint8Array(texts.length * 32);
  texts.forEach((text, i) => {
    const bytes = Buffer.from(text, 'utf8');
    signatures.push(sign(null, bytes, privateKey).toString('base64url'));
    leaves.set(createHash('sha256').update(LEAF_PREFIX).update(bytes).digest(), i * 32);
  });
  return { signatures, leaves };
}
