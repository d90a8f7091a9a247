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
