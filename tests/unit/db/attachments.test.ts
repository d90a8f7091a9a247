/**
 * The station's photo store (src/db/attachments.ts) in IndexedDB (a fresh fake-indexeddb factory per
 * test) and in memory, as one contract: a photo waits until uploaded or refused for good, the same
 * bytes kept twice keep their upload mark, listeners hear of each change.
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { AttachmentStore } from '../../../src/db/attachments.ts';
import { indexedDbAttachmentStore, memoryAttachmentStore, photoHash } from '../../../src/db/attachments.ts';

const photo = (fill: number, takenAt: string) => {
  const data = new Uint8Array(100).fill(fill);
  data.set([0xff, 0xd8, 0xff]);
  return { sha256: photoHash(data), mediaType: 'image/jpeg' as const, data, takenAt };
};

const stores: Array<[string, () => AttachmentStore]> = [
  ['IndexedDB', () => indexedDbAttachmentStore(new IDBFactory(), 'travelog-attachments')],
  ['memory', () => memoryAttachmentStore()],
];

describe.each(stores)('photo store in %s', (_name, open) => {
  it('keeps photos until the server has them, oldest first; a refused one stops waiting and stays kept', async () => {
    const store = open();
    const heard: number[] = [];
    const stop = store.subscribe(() => heard.push(1));
    const a = photo(1, '2026-11-20T08:00:00.000Z');
    const b = photo(2, '2026-11-20T07:00:00.000Z');
    const c = photo(3, '2026-11-20T09:00:00.000Z');
    await store.put(a);
    await store.put(b);
    await store.put(c);
    expect((await store.waiting()).map((p) => p.sha256)).toEqual([b.sha256, a.sha256, c.sha256]);
    await store.markUploaded(b.sha256, '2026-11-20T10:00:00.000Z');
    await store.markRefused(c.sha256, 'The bytes do not have the SHA-256 the NCR names');
    expect((await store.waiting()).map((p) => p.sha256)).toEqual([a.sha256]);
    expect(await store.get(c.sha256)).toMatchObject({ refused: 'The bytes do not have the SHA-256 the NCR names' });
    const kept = await store.get(b.sha256);
    expect(kept?.uploadedAt).toBe('2026-11-20T10:00:00.000Z');
    expect(Array.from(kept?.data ?? [])).toEqual(Array.from(b.data));

    // The same bytes kept again (a second red tag with the same photo) keep their upload mark.
    await store.put({ ...b, takenAt: '2026-11-20T11:00:00.000Z' });
    expect((await store.get(b.sha256))?.uploadedAt).toBe('2026-11-20T10:00:00.000Z');
    await store.discard(a.sha256);
    expect(await store.get(a.sha256)).toBeUndefined();
    expect(heard.length).toBeGreaterThanOrEqual(5);
    stop();
    store.close();
  });
});
