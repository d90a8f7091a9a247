/**
 * The server's Ed25519 key, which signs every audit entry and checkpoint. Made at first start in
 * DATA_DIR with owner-only permissions, or loaded from the file configuration names; rotation makes
 * a new one and keeps the old file beside it (sync-server/audit/audit-log.ts records the rotation).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toHex } from '../../src/audit/canonical.ts';
import { noteKeyId } from '../../src/audit/checkpoint.ts';

/** A server signing key under the log's key name (its C2SP origin). */
export interface ServerKey {
  privateKey: KeyObject;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** C2SP key id (4 bytes) as hex: what entries name. */
  keyId: string;
  keyName: string;
}

/** The default key file under DATA_DIR. */
export const KEY_FILE = 'audit-key.pem';

// The last 32 bytes of an Ed25519 SPKI DER are the raw key.
function rawPublicKey(privateKey: KeyObject): Uint8Array {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** A server key from a private key. */
export function serverKeyOf(privateKey: KeyObject, keyName: string): ServerKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The audit key must be an Ed25519 key');
  const publicKey = rawPublicKey(privateKey);
  return { privateKey, publicKey, keyId: toHex(noteKeyId(keyName, publicKey)), keyName };
}

/** A new key (not written anywhere). */
export function newServerKey(keyName: string): ServerKey {
  return serverKeyOf(generateKeyPairSync('ed25519').privateKey, keyName);
}

function writeKeyFile(path: string, privateKey: KeyObject): void {
  mkdirSync(dirname(path), { recursive: true });
  // Created owner-only and never overwritten: the key must not be readable by others even briefly.
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

/**
 * The key at `keyFile` if given (which must exist), else `${dataDir}/audit-key.pem`, made there
 * (mode 0600) if it does not exist yet.
 */
export function loadOrCreateServerKey(options: { dataDir: string; keyFile?: string; keyName: string }): ServerKey {
  if (options.keyFile !== undefined) {
    if (!existsSync(options.keyFile)) throw new Error(`The audit key file ${options.keyFile} does not exist`);
    return serverKeyOf(createPrivateKey(readFileSync(options.keyFile)), options.keyName);
  }
  const path = join(options.dataDir, KEY_FILE);
  if (!existsSync(path)) writeKeyFile(path, generateKeyPairSync('ed25519').privateKey);
  return serverKeyOf(createPrivateKey(readFileSync(path)), options.keyName);
}

/** Replaces the key file with a new key, keeping the old one as `audit-key.<keyId>.pem`. */
export function writeRotatedKey(path: string, previous: ServerKey, next: ServerKey): void {
  renameSync(path, join(dirname(path), `audit-key.${previous.keyId}.pem`));
  writeKeyFile(path, next.privateKey);
}

/** An Ed25519 signature. */
export function signWith(key: ServerKey, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, data, key.privateKey));
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A public KeyObject from a raw Ed25519 key. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Checks an Ed25519 signature against a raw public key. */
export function verifyEd25519(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, publicKey, signature);
  } catch {
    return false;
  }
}
