/**
 * How an audit entry becomes a Merkle leaf: the UTF-8 bytes of its stored RFC 8785 text, hashed as
 * an RFC 9162 leaf (SHA-256(0x00 ‖ bytes)). The server appending, the offline verifier and the
 * station's audit screen all go through here, so they cannot disagree on the encoding.
 */
import { leafHash, type Hash } from './merkle.ts';
import { sha256Sync } from './sha256.ts';

const encoder = new TextEncoder();

/** The bytes an entry is signed and hashed over: its stored RFC 8785 text as UTF-8. */
export function entryBytes(entryText: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(entryText);
}

/** The RFC 9162 leaf hash of an entry from its stored text. */
export function entryLeafHash(entryText: string, hash: Hash = sha256Sync): Uint8Array {
  return leafHash(entryBytes(entryText), hash);
}
