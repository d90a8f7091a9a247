/**
 * Station keys and signed events for tests, with Node's crypto: signing is synchronous here, so a
 * test builds a signed, chained event in one call. The signatures are the same bytes WebCrypto
 * makes on a station (Ed25519, or ECDSA P-256 in IEEE P1363 form), checked by the real server.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { StationEvent } from '../../schemas/event.ts';
import { canonicalBytes, toBase64Url } from '../../src/audit/canonical.ts';
import { GENESIS_HASH, signedBytes, type EventSigner, type KeyAlg, type UnsignedEvent } from '../../src/audit/event-signing.ts';

/** A station key pair held by a test. */
export interface TestKey {
  alg: KeyAlg;
  privateKey: KeyObject;
  /** SPKI DER, base64url, as enrollment sends it. */
  publicKey: string;
}

/** A fresh key pair (Ed25519 unless asked for ECDSA P-256). */
export function testKey(alg: KeyAlg = 'Ed25519'): TestKey {
  const pair = alg === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { alg, privateKey: pair.privateKey, publicKey: toBase64Url(pair.publicKey.export({ type: 'spki', format: 'der' })) };
}

/** Signs bytes with a test key, as WebCrypto would. */
export function signBytes(key: TestKey, bytes: Uint8Array): Uint8Array {
  return key.alg === 'Ed25519' ? sign(null, bytes, key.privateKey) : sign('sha256', bytes, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
}

/** An {@link EventSigner} over a test key, for the station's recorder. */
export function testSigner(key: TestKey = testKey()): EventSigner {
  return { sign: (bytes) => Promise.resolve(signBytes(key, bytes)) };
}

/** The hash the next event of a station names as prevHash. */
export function eventHashSync(event: StationEvent): string {
  return createHash('sha256').update(canonicalBytes(event)).digest('hex');
}

/** Signs an event (its prevHash already set) with a test key. */
export function signWith(key: TestKey, event: UnsignedEvent | StationEvent): StationEvent {
  const unsigned: Record<string, unknown> = { ...event };
  delete unsigned['signature'];
  return { ...unsigned, signature: toBase64Url(signBytes(key, signedBytes(unsigned as UnsignedEvent))) } as StationEvent;
}

/**
 * A station's chain in a test: an event of sequence n names the hash of the last event signed with
 * sequence n − 1 (64 zeros for the first), so a test that winds its sequence back after a refused
 * push chains to what the server holds. A test that needs a fork passes its own prevHash.
 */
export class TestChain {
  last = GENESIS_HASH;
  private readonly bySeq = new Map<number, string>();
  constructor(readonly key: TestKey = testKey()) {}

  /** Signs the event as the next link, unless it already names a prevHash to keep. */
  sign(event: Omit<StationEvent, 'signature' | 'prevHash'> & { prevHash?: string }): StationEvent {
    const previous = event.seq === 1 ? GENESIS_HASH : (this.bySeq.get(event.seq - 1) ?? this.last);
    const signed = signWith(this.key, { ...event, prevHash: event.prevHash ?? previous });
    this.last = eventHashSync(signed);
    this.bySeq.set(signed.seq, this.last);
    return signed;
  }
}
