import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { RxJsonSchema } from 'rxdb';
import { afterEach, describe, expect, it } from 'vitest';
import { validateEvent as serverValidateEvent, validateView as serverValidateView } from '../../../schemas/validate.ts';
import type { ViewDoc } from '../../../schemas/view-doc.ts';
import type { StationDb } from '../../../src/db/database.ts';
import { openStationDb } from '../../../src/db/database.ts';
import { collectionValidator, validateEvent, validateView } from '../../../src/db/validators.ts';

let db: StationDb | null = null;

afterEach(async () => {
  await db?.close();
  db = null;
});

const signedIn = {
  id: '0190f0e0-0000-7000-8000-000000000001',
  type: 'session.signed-in',
  stationId: 'ST-1',
  seq: 1,
  actor: 'B-1001',
  deviceTime: '2026-11-21T08:00:00.000Z',
  hlc: '2026-11-21T08:00:00.000Z-0000-ST-1',
  payload: { workCenterId: 'WC-MILL' },
  prevHash: '0'.repeat(64),
  signature: 'c2lnbmF0dXJl',
};

describe('validators precompiled at build time', () => {
  it('cover each of the four collections of the station, with its schema as RxDB hands it to the storage', async () => {
    db = await openStationDb({ name: 'validators-1', indexedDB: new IDBFactory(), IDBKeyRange });
    const collections = Object.values(db.collections);
    expect(collections).toHaveLength(4);
    for (const collection of collections) expect(await collectionValidator(collection.schema.jsonSchema as RxJsonSchema<unknown>), collection.name).toBeDefined();
  });

  it('refuse a stored document that fails its collection schema and write nothing', async () => {
    db = await openStationDb({ name: 'validators-2', indexedDB: new IDBFactory(), IDBKeyRange });
    const bad = { eventId: 'e-1', outcome: 'maybe', origin: 'receipt' } as never;
    await expect(db.receipts.insert(bad)).rejects.toThrow();
    expect(await db.receipts.count().exec()).toBe(0);
  });

  it('give the same answers and messages as the server compiling the schemas at run time', async () => {
    const candidates: unknown[] = [
      signedIn,
      { ...signedIn, type: 'no.such-type' },
      { ...signedIn, payload: {} },
      { ...signedIn, payload: { workCenterId: 'WC-MILL', extra: 1 } },
      { ...signedIn, deviceTime: 'yesterday' },
      { ...signedIn, seq: '1' },
      null,
    ];
    for (const candidate of candidates) expect(await validateEvent(candidate)).toEqual(serverValidateEvent(candidate));
    const views: ViewDoc[] = [
      { id: 'workCenter:WC-MILL', kind: 'workCenter', key: 'WC-MILL', serverSeq: 1, data: { id: 'WC-MILL' } } as never,
      { id: 'nothing:1', kind: 'nothing', key: '1', serverSeq: 1, data: {} } as never,
    ];
    for (const view of views) expect(await validateView(view)).toEqual(serverValidateView(view));
  });
});
