/**
 * Station signatures over events, and the per-station hash chain: each event is signed over the
 * RFC 8785 encoding of every field but `signature`, and carries `prevHash`, the SHA-256 of the
 * encoding of the station's previous event (signature included), 64 zeros before the first.
 */
import type { StationEvent } from '../../schemas/event.ts';
import { canonicalBytes, fromBase64, sha256, toBase64Url, toHex } from './canonical.ts';

/** The algorithms a station key may use: Ed25519 where the browser has it, ECDSA P-256 otherwise. */
export type KeyAlg = 'Ed25519' | 'ECDSA-P256';

/** What comes before a station's first event in its chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** An event before it is signed. */
export type UnsignedEvent = Omit<StationEvent, 'signature'>;

/** Signs bytes with the station's private key. */
export interface EventSigner {
  sign(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
}

/** The WebCrypto parameters of an algorithm, for import, sign and verify. */
export function webCryptoParams(alg: KeyAlg): { importParams: AlgorithmIdentifier | EcKeyImportParams; signParams: AlgorithmIdentifier | EcdsaParams } {
  return alg === 'Ed25519'
    ? { importParams: { name: 'Ed25519' }, signParams: { name: 'Ed25519' } }
    : { importParams: { name: 'ECDSA', namedCurve: 'P-256' }, signParams: { name: 'ECDSA', hash: 'SHA-256' } };
}

/** The bytes a station signs: the event without its signature, RFC 8785. */
export function signedBytes(event: UnsignedEvent | StationEvent): Uint8Array<ArrayBuffer> {
  const unsigned: Record<string, unknown> = { ...event };
  delete unsigned['signature'];
  return canonicalBytes(unsigned);
}

/** The hash the next event of the same station names as `prevHash`. */
export async function eventHash(event: StationEvent): Promise<string> {
  return toHex(await sha256(canonicalBytes(event)));
}

/** Signs an event with the station's key. */
export async function signEvent(event: UnsignedEvent, signer: EventSigner): Promise<StationEvent> {
  const signature = await signer.sign(signedBytes(event));
  return { ...event, signature: toBase64Url(signature) } as StationEvent;
}

/** A signer over a WebCrypto private key (non-extractable on a station). */
export function cryptoKeySigner(privateKey: CryptoKey, alg: KeyAlg): EventSigner {
  const { signParams } = webCryptoParams(alg);
  return {
    async sign(bytes) {
      return new Uint8Array(await crypto.subtle.sign(signParams, privateKey, bytes));
    },
  };
}

/** Checks a station's signature on an event with WebCrypto against its public key (SPKI, base64url). */
export async function verifyEventSignature(event: StationEvent, publicKey: string, alg: KeyAlg): Promise<boolean> {
  const { importParams, signParams } = webCryptoParams(alg);
  try {
    const key = await crypto.subtle.importKey('spki', fromBase64(publicKey), importParams, false, ['verify']);
    return await crypto.subtle.verify(signParams, key, fromBase64(event.signature), signedBytes(event));
  } catch {
    return false;
  }
}
