import { createHash, randomBytes } from 'node:crypto';
import { ApiFailure } from '../api-error.ts';
import type { Station, Store } from '../store/store.ts';

/** A new station credential: 32 random bytes, base64url. Shown once; the server keeps only its hash. */
export function newCredential(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The SHA-256 (hex) the store keeps for a credential. A plain hash is enough: the credential is
 * 256 random bits, so there is nothing to guess, unlike a PIN.
 */
export function credentialHash(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('hex');
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{32,200})$/;

/**
 * The enrolled, unrevoked station an `Authorization: Bearer …` header names, or a 401. With
 * `allowRevoked` a revoked station is returned (push refuses it into quarantine, S17).
 */
export async function authenticateStation(store: Store, authorization: string | undefined, options: { allowRevoked?: boolean } = {}): Promise<Station> {
  const match = BEARER.exec(authorization?.trim() ?? '');
  if (match?.[1] === undefined) {
    throw new ApiFailure(401, 'unauthenticated', 'This request needs the station credential: Authorization: Bearer <credential>');
  }
  const station = await store.stationByCredentialHash(credentialHash(match[1]));
  if (station === undefined) throw new ApiFailure(401, 'unauthenticated', 'The station credential is not known; enroll the station again');
  if (station.revokedAt !== null && options.allowRevoked !== true) throw new ApiFailure(401, 'unauthenticated', 'This station was revoked; enroll it again');
  return station;
}
