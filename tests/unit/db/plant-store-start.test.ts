/**
 * The plant store over a long history (src/db/plant-store.ts): a station reopened with more than a
 * thousand events reads their receipts in one pass and still tells pending from answered events
 * exactly (docs/sync-spec.md S13); events stored by another writer reach the plant from their change
 * events, in order, each once.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receipt } from '../../../schemas/receipt.ts';
import type { StationDb, StoredEvent } from '../../../src/db/database.ts';
import { openStationDb } from '../../../src/db/database.ts';
import { createEventRecorder } from '../../../src/db/events.ts';
import type { PlantStore } from '../../../src/db/plant-store.ts';
import { createPlantStore } from '../../../src/db/plant-store.ts';
import { storeReceipts, writePullCheckpoint } from '../../../src/db/receipts.ts';
import { testSigner } from '../../helpers/signing.ts';
import { fixtureViews } from '../domain/fixture.ts';

let db: StationDb | null = null;
let store: PlantStore | null = null;

afterEach(async () => {
  store?.close();
  store = null;
  await db?.close();
  db = null;
});

const BASE_SEQ = fixtureViews().length;

/** Copies of the station's last event under new ids and sequence numbers, written straight to the collection. */
async function copiesOfLast(target: StationDb, count: number, change: (seq: number) => Partial<StoredEvent> = () => ({})): Promise<StoredEvent[]> {
  const last = await target.events.findOne({ selector: {}, sort: [{ seq: 'desc' }] }).exec();
  if (last === null) throw new Error('no event');
  const template = last.toMutableJSON();
  const docs = Array.from({ length: count }, (_, i) => {
    const seq = template.seq + 1 + i;
    return { ...template, id: `01900000-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`, seq, ...change(seq) };
  });
  await target.events.bulkInsert(docs);
  return docs;
}

function receipt(eventId: string, change: Partial<Receipt> = {}): Receipt {
  return { eventId, outcome: 'accepted', flags: [], serverSeq: 1, visibleAt: BASE_SEQ, receivedAt: '2026-11-21T08:00:01Z', ...change };
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

describe('the plant store over a long history', () => {
  it('[S13] tells pending from answered events when reopened over more than a thousand', async () => {
    const factory = new IDBFactory();
    db = await openStationDb({ name: 'long-history', indexedDB: factory, IDBKeyRange });
    await db.views.bulkUpsert(fixtureViews());
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ });
    const recorder = createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1', now: () => new Date('2026-11-21T08:00:00Z') });
    await recorder.record({ type: 'session.signed-in', actor: 'B-OP', payload: { workCenterId: 'WC-1' } });
    const events = await copiesOfLast(db, 1500);
    // 700 answered and pulled, one rejected, one accepted but not pulled yet; 798 without a receipt.
    await storeReceipts(db, [
      ...events.slice(0, 700).map((e) => receipt(e.id)),
      receipt(events[700]?.id ?? '', { outcome: 'rejected', visibleAt: 0 }),
      receipt(events[701]?.id ?? '', { visibleAt: BASE_SEQ + 1 }),
    ]);
    await db.close();

    db = await openStationDb({ name: 'long-history', indexedDB: factory, IDBKeyRange });
    store = createPlantStore(db);
    await store.ready;
    expect(store.outbox()).toMatchObject({ waiting: 799, pending: 800 });
  });

  it('applies events stored by another writer from their change events, each once and in order', async () => {
    db = await openStationDb({ name: 'other-writer', indexedDB: new IDBFactory(), IDBKeyRange });
    await db.views.bulkUpsert(fixtureViews());
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ });
    const recorder = createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1', now: () => new Date('2026-11-21T08:00:00Z') });
    store = createPlantStore(db);
    await store.ready;
    const consume = {
      type: 'material.consumed',
      actor: 'B-OP',
      payload: { workOrderId: 'WO-2', operationId: 'OP10', unit: { kind: 'lot', lotId: 'LOT-2' }, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 1 }, scanned: 'L-8' },
    } as const;
    const first = await recorder.record(consume);
    // Not handed to the store: as another tab's write, it arrives through the database only.
    await until(() => store?.get().lots.get('L-8')?.remaining === 99);
    // This tab's own write may be handed over after its change event was applied: applied once.
    store.applyRecorded(first);
    await copiesOfLast(db, 30);
    await until(() => store?.outbox().pending === 31);
    expect(store.get().lots.get('L-8')?.remaining).toBe(69);
    expect(store.outbox().waiting).toBe(31);
  });
});
