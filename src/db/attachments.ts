/**
 * Photos kept with NCRs on the station (docs/ncr.md "Photo"): their own IndexedDB database beside the
 * station's RxDB one (`<name>-attachments`), because they are bytes, not documents: RxDB would store
 * them as base64 text inside JSON and validate each against a schema, and its Dexie storage opens few
 * collections (DESIGN.md 5). Plain IndexedDB, not Dexie: RxDB brings its own Dexie, and a second copy
 * of Dexie in the page refuses to load ("Two different versions of Dexie loaded"). The signed `ncr.opened` names each photo by SHA-256;
 * the bytes wait here until the server has them (`uploadedAt`), and are never deleted by sync.
 */
import type { PhotoMediaType } from '../../schemas/attachment.ts';
import { sha256Sync } from '../audit/sha256.ts';

/** Lower-case hex SHA-256 of `bytes`: a photo's name. */
export function photoHash(bytes: Uint8Array): string {
  return [...sha256Sync(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** One photo as the station keeps it. */
export interface StoredAttachment {
  /** Lower-case hex SHA-256 of `data`: the name the signed event gives it. */
  sha256: string;
  mediaType: PhotoMediaType;
  data: Uint8Array;
  takenAt: string;
  /** When the server acknowledged the bytes; absent while the photo waits to sync. */
  uploadedAt?: string;
  /** The server's last refusal, in words (a refusal that will not change by retrying). */
  refused?: string;
}

/** The station's photo store; a memory one for tests that do not need IndexedDB. */
export interface AttachmentStore {
  put(attachment: StoredAttachment): Promise<void>;
  get(sha256: string): Promise<StoredAttachment | undefined>;
  /** Photos the server does not have yet and has not refused for good, oldest first. */
  waiting(): Promise<StoredAttachment[]>;
  markUploaded(sha256: string, at: string): Promise<void>;
  markRefused(sha256: string, why: string): Promise<void>;
  /** Removes a photo no signed record names (its red tag was refused before it was recorded). */
  discard(sha256: string): Promise<void>;
  /** Told when a photo is added or changes. */
  subscribe(listener: () => void): () => void;
  close(): void;
}

const STORE = 'attachments';

/** The request's result, or its error. */
function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** Resolves once the transaction has committed (strict durability: a photo must survive a power cut). */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function withListeners(store: Omit<AttachmentStore, 'subscribe'>): AttachmentStore {
  const listeners = new Set<() => void>();
  const tell = () => listeners.forEach((listener) => listener());
  return {
    ...store,
    async put(a) {
      await store.put(a);
      tell();
    },
    async markUploaded(sha256, at) {
      await store.markUploaded(sha256, at);
      tell();
    },
    async markRefused(sha256, why) {
      await store.markRefused(sha256, why);
      tell();
    },
    async discard(sha256) {
      await store.discard(sha256);
      tell();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The photo store in IndexedDB `factory`, database `name`. */
export function indexedDbAttachmentStore(factory: IDBFactory, name: string): AttachmentStore {
  let opening: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> =>
    (opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'sha256' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(`IndexedDB ${name} could not be opened`));
    }));
  /** Runs `work` in one read-write transaction and waits for the commit. */
  const write = async (work: (store: IDBObjectStore) => Promise<void>): Promise<void> => {
    const tx = (await open()).transaction(STORE, 'readwrite', { durability: 'strict' });
    const commit = committed(tx);
    await work(tx.objectStore(STORE));
    await commit;
  };
  const read = async <T>(work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => done(work((await open()).transaction(STORE, 'readonly').objectStore(STORE)));
  const change = (sha256: string, patch: Partial<StoredAttachment>) =>
    write(async (store) => {
      const row = (await done(store.get(sha256))) as StoredAttachment | undefined;
      if (row !== undefined) await done(store.put({ ...row, ...patch }));
    });
  return withListeners({
    // A photo already kept (the same bytes) keeps its upload mark.
    put: (attachment) =>
      write(async (store) => {
        if ((await done(store.getKey(attachment.sha256))) === undefined) await done(store.put(attachment));
      }),
    get: (sha256) => read((store) => store.get(sha256) as IDBRequest<StoredAttachment | undefined>),
    waiting: async () =>
      ((await read((store) => store.getAll())) as StoredAttachment[])
        .filter((a) => a.uploadedAt === undefined && a.refused === undefined)
        .sort((a, b) => a.takenAt.localeCompare(b.takenAt)),
    markUploaded: (sha256, at) => change(sha256, { uploadedAt: at }),
    markRefused: (sha256, why) => change(sha256, { refused: why }),
    discard: (sha256) =>
      write(async (store) => {
        await done(store.delete(sha256));
      }),
    close: () => {
      void opening?.then((db) => db.close(), () => undefined);
    },
  });
}

/** A photo store in memory (unit tests). */
export function memoryAttachmentStore(): AttachmentStore {
  const rows = new Map<string, StoredAttachment>();
  const update = (sha256: string, change: Partial<StoredAttachment>): Promise<void> => {
    const row = rows.get(sha256);
    if (row !== undefined) rows.set(sha256, { ...row, ...change });
    return Promise.resolve();
  };
  return withListeners({
    put(attachment) {
      if (!rows.has(attachment.sha256)) rows.set(attachment.sha256, attachment);
      return Promise.resolve();
    },
    get: (sha256) => Promise.resolve(rows.get(sha256)),
    waiting: () => Promise.resolve([...rows.values()].filter((a) => a.uploadedAt === undefined && a.refused === undefined).sort((a, b) => a.takenAt.localeCompare(b.takenAt))),
    markUploaded: (sha256, at) => update(sha256, { uploadedAt: at }),
    markRefused: (sha256, why) => update(sha256, { refused: why }),
    discard(sha256) {
      rows.delete(sha256);
      return Promise.resolve();
    },
    close: () => undefined,
  });
}
