/**
 * The station's signing key: made with WebCrypto at enrollment, non-extractable, kept in IndexedDB
 * (a CryptoKey is stored as itself, so its private half never exists as bytes the page can read).
 * Ed25519 where the browser has it, ECDSA P-256 otherwise.
 */
import { toBase64Url } from './canonical.ts';
import { cryptoKeySigner, type EventSigner, type KeyAlg } from './event-signing.ts';

/** A station's key pair as the station keeps it. */
export interface StationKey {
  alg: KeyAlg;
  privateKey: CryptoKey;
  /** SPKI DER, base64url: what enrollment sends. */
  publicKey: string;
}

/** Where the station keeps its key; an IndexedDB store in the browser, memory in tests. */
export interface KeyStore {
  load(): Promise<StationKey | null>;
  save(key: StationKey): Promise<void>;
}

/** Makes a non-extractable key pair: Ed25519, or ECDSA P-256 where Ed25519 is missing. */
export async function generateStationKey(): Promise<StationKey> {
  let pair: CryptoKeyPair;
  let alg: KeyAlg = 'Ed25519';
  try {
    pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']));
  } catch {
    alg = 'ECDSA-P256';
    pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  }
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  return { alg, privateKey: pair.privateKey, publicKey: toBase64Url(spki) };
}

/** A key store in memory (tests). */
export function memoryKeyStore(initial: StationKey | null = null): KeyStore {
  let key = initial;
  return {
    load: () => Promise.resolve(key),
    save: (next) => {
      key = next;
      return Promise.resolve();
    },
  };
}

const STORE = 'keys';
const KEY_ID = 'station';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** A key store in its own IndexedDB database (RxDB documents are JSON and cannot hold a CryptoKey). */
export function indexedDbKeyStore(factory: IDBFactory, name = 'travelog-keys'): KeyStore {
  let opening: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> =>
    (opening ??= new Promise((resolve, reject) => {
      const req = factory.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB open failed'));
    }));
  return {
    async load() {
      const db = await open();
      const found = await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY_ID) as IDBRequest<StationKey | undefined>);
      return found ?? null;
    },
    async save(key) {
      const db = await open();
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(key, KEY_ID);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      });
    },
  };
}

/** A signer that loads the station's key when it first signs; refuses if the station has none. */
export function storedKeySigner(store: KeyStore): EventSigner {
  let loaded: Promise<EventSigner> | null = null;
  const signer = (): Promise<EventSigner> =>
    (loaded ??= store.load().then((key) => {
      if (key === null) {
        loaded = null;
        throw new Error('This station has no signing key; enroll it again');
      }
      return cryptoKeySigner(key.privateKey, key.alg);
    }));
  return {
    async sign(bytes) {
      return (await signer()).sign(bytes);
    },
  };
}
