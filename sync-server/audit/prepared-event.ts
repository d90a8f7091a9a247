/**
 * A pushed event with its RFC 8785 encodings computed once. The server needs the same encoding
 * four times per event (the bytes the station signed, the chain hash the next event names, the
 * content hash idempotent retries compare, the event inside its audit entry), and encoding costs
 * more than anything else per event on the main thread but the database; see docs/audit.md.
 */
import { createHash } from 'node:crypto';
import type { StationEvent } from '../../schemas/event.ts';
import { canonicalText } from '../../src/audit/canonical.ts';
import { contentHash } from '../sync/content-hash.ts';

/** An event and its encodings. */
export interface PreparedEvent {
  event: StationEvent;
  /**
   * The RFC 8785 text of the whole event (what `canonicalText(event)` returns), or null when it has
   * none (a string with a lone surrogate): such an event cannot carry a valid signature.
   */
  text: string | null;
  /** The RFC 8785 text of the event without `signature`: what the station signed (`signedBytes`). */
  signedText: string | null;
  /**
   * SHA-256 (hex) of `text`: both the hash the station's next event names as prevHash
   * (`eventHashNode`) and the content hash of idempotent retries (`contentHash`), which agree on
   * every value JSON.parse can produce (tests/unit/audit/prepared-event.test.ts pins this). Without
   * a text, `contentHash(event)`.
   */
  hash: string;
}

/**
 * Encodes the event member by member: RFC 8785 writes an object as its members sorted by name,
 * each `name:value` in canonical form, so the text with and without `signature` share every other
 * member's encoding.
 */
export function prepareEvent(event: StationEvent): PreparedEvent {
  const record = event as unknown as Record<string, unknown>;
  let members: string[];
  let signatureAt = -1;
  try {
    members = [];
    for (const key of Object.keys(record).sort()) {
      const value = record[key];
      // As canonicalize does: a member whose value JSON cannot hold is left out.
      if (value === undefined || typeof value === 'symbol') continue;
      if (key === 'signature') signatureAt = members.length;
      members.push(`${canonicalText(key)}:${canonicalText(value)}`);
    }
  } catch {
    return { event, text: null, signedText: null, hash: contentHash(event) };
  }
  const text = `{${members.join(',')}}`;
  const signedText = signatureAt < 0 ? text : `{${[...members.slice(0, signatureAt), ...members.slice(signatureAt + 1)].join(',')}}`;
  return { event, text, signedText, hash: createHash('sha256').update(text, 'utf8').digest('hex') };
}
