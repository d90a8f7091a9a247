/**
 * A pushed event with its RFC 8785 encoding computed once. The server needs the same encoding
 * three times per event (the chain hash the next event names, the content hash idempotent retries
 * compare, the event inside its audit entry), and the bytes the station signed for the last event
 * of each run; encoding costs more than anything else per event on the main thread but the
 * database; see docs/audit.md.
 */
import { hash } from 'node:crypto';
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
  /**
   * The RFC 8785 text of the event without `signature`: what the station signed (`signedBytes`);
   * computed on first read (most events of a push are attested by their run's last and never need it).
   */
  readonly signedText: string | null;
  /**
   * SHA-256 (hex) of `text`: both the hash the station's next event names as prevHash
   * (`eventHashNode`) and the content hash of idempotent retries (`contentHash`), which agree on
   * every value JSON.parse can produce (tests/unit/audit/prepared-event.test.ts pins this). Without
   * a text, `contentHash(event)`.
   */
  hash: string;
}

/**
 * Encodes the event: its whole RFC 8785 text (one pass, src/audit/canonical.ts) and its hash. The
 * text without `signature` is made only when asked for (`signedText`, a lazy property): since
 * format 6 only the last event of each run is verified, so most events never need it.
 */
export function prepareEvent(event: StationEvent): PreparedEvent {
  let text: string;
  try {
    text = canonicalText(event);
  } catch {
    return { event, text: null, signedText: null, hash: contentHash(event) };
  }
  let signed: string | undefined;
  const prepared = { event, text, hash: hash('sha256', text, 'hex') } as PreparedEvent;
  Object.defineProperty(prepared, 'signedText', {
    enumerable: true,
    get: () => (signed ??= withoutSignature(event)),
  });
  return prepared;
}

/**
 * The RFC 8785 text of the event without `signature` (its signed bytes, src/audit/event-signing.ts),
 * member by member as RFC 8785 writes an object: its members sorted by name, each `name:value`.
 */
function withoutSignature(event: StationEvent): string {
  const record = event as unknown as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const value = record[key];
    // As canonicalize does: a member whose value JSON cannot hold is left out.
    if (key === 'signature' || value === undefined || typeof value === 'symbol') continue;
    members.push(`${canonicalText(key)}:${canonicalText(value)}`);
  }
  return `{${members.join(',')}}`;
}
