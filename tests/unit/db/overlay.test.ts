/**
 * The overlay (docs/sync-spec.md S13): the plant store shows the server's views with this station's
 * pending events applied, drops an event once its receipt is in and the views that include it are
 * pulled, never applies a rejected one, and never shows an event twice or not at all while a pull
 * is being stored. Views the server would send are made with the domain's own functions.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../schemas/event.ts';
import type { Receipt } from '../../../schemas/receipt.ts';
import type { ViewDoc } from '../../../schemas/view-doc.ts';
import type { StationDb } from '../../../src/db/database.ts';
import { openStationDb } from '../../../src/db/database.ts';
import type { EventRecorder } from '../../../src/db/events.ts';
import { createEventRecorder } from '../../../src/db/events.ts';
import type { PlantStore } from '../../../src/db/plant-store.ts';
import { createPlantStore } from '../../../src/db/plant-store.ts';
import { isPending, readOverlaySettled, resetPulledViews, storeInvalidEventRefusals, storeReceipts, writeOverlaySettled, writePullCheckpoint } from '../../../src/db/receipts.ts';
import type { PlantState } from '../../../src/domain/plant.ts';
import { applyEventToDraft, changePlant, plantFromViews, viewData } from '../../../src/domain/plant.ts';
import { fixtureViews } from '../domain/fixture.ts';
import { testSigner } from '../../helpers/signing.ts';

let db: StationDb | null = null;
let store: PlantStore | null = null;
let counter = 0;

afterEach(async () => {
  store?.close();
  store = null;
  await db?.close();
  db = null;
});

const BASE_SEQ = fixtureViews().length;

async function station(): Promise<{ db: StationDb; plant: PlantStore; recorder: EventRecorder }> {
  db = await openStationDb({ name: `overlay-${++counter}`, indexedDB: new IDBFactory(), IDBKeyRange });
  await db.views.bulkUpsert(fixtureViews());
  await writePullCheckpoint(db, { serverSeq: BASE_SEQ });
  store = createPlantStore(db);
  await store.ready;
  const recorder = createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1', now: () => new Date('2026-11-21T08:00:00Z') });
  return { db, plant: store, recorder: { record: async (draft) => { const e = await recorder.record(draft); store?.applyRecorded(e); return e; } } };
}

/** The views the server stores after accepting `events` at `serverSeq`, made by the domain's reducers. */
function serverViews(events: StationEvent[], serverSeq: number): ViewDoc[] {
  const { state, changed } = changePlant(plantFromViews(fixtureViews()), (draft) => events.forEach((e) => applyEventToDraft(draft, e)));
  return changed.map((ref) => ({ id: `${ref.kind}:${ref.key}`, kind: ref.kind, key: ref.key, serverSeq, data: viewData(state, ref) }) as ViewDoc);
}

function receipt(event: StationEvent, change: Partial<Receipt> = {}): Receipt {
  return { eventId: event.id, outcome: 'accepted', flags: [], serverSeq: 1, visibleAt: BASE_SEQ + 1, receivedAt: '2026-11-21T08:00:01Z', ...change };
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

const consume = (quantity: number) =>
  ({
    type: 'material.consumed',
    actor: 'B-OP',
    payload: { workOrderId: 'WO-2', operationId: 'OP10', unit: { kind: 'lot', lotId: 'LOT-2' }, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity }, scanned: 'L-8' },
  }) as const;

const remaining = (plant: PlantState) => plant.lots.get('L-8')?.remaining;

describe('pending events', () => {
  it('[S13] is pending without a receipt, or with one whose views are not pulled yet; a rejected one never', () => {
    expect(isPending(undefined, 10)).toBe(true);
    expect(isPending({ outcome: 'accepted', visibleAt: 11 }, 10)).toBe(true);
    expect(isPending({ outcome: 'flagged', visibleAt: 10 }, 10)).toBe(false);
    expect(isPending({ outcome: 'rejected', visibleAt: 99 }, 10)).toBe(false);
  });

  it('[S13] shows an event from the overlay until its receipt and the views that include it are both in, and never twice', async () => {
    const { db, plant, recorder } = await station();
    const event = await recorder.record(consume(4));
    expect(remaining(plant.get())).toBe(96);
    expect(plant.outbox()).toMatchObject({ waiting: 1, pending: 1, oldestWaitingAt: '2026-11-21T08:00:00.000Z' });

    await storeReceipts(db, [receipt(event)]);
    await until(() => plant.outbox().waiting === 0);
    expect(plant.outbox().pending).toBe(1);
    expect(remaining(plant.get())).toBe(96);

    const seen: Array<number | undefined> = [];
    const unsubscribe = plant.subscribe(() => seen.push(remaining(plant.get())));
    const release = plant.deferRebuilds();
    await db.views.bulkUpsert(serverViews([event], BASE_SEQ + 1));
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ + 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    release();
    await until(() => plant.outbox().pending === 0);
    unsubscribe();
    expect(remaining(plant.get())).toBe(96);
    expect(seen.every((value) => value === 96)).toBe(true);
    expect(plant.get().consumptions.get('WO-2|lot:LOT-2|OP10')).toHaveLength(1);
  });

  it('[S13] keeps applying an accepted event until the pull reaches its visibleAt', async () => {
    const { db, plant, recorder } = await station();
    const event = await recorder.record(consume(4));
    await storeReceipts(db, [receipt(event, { visibleAt: BASE_SEQ + 5 })]);
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ + 4 });
    await until(() => plant.outbox().waiting === 0);
    expect(plant.outbox().pending).toBe(1);
    expect(remaining(plant.get())).toBe(96);
  });

  it('[S13] never applies a rejected event, and keeps it on the station', async () => {
    const { db, plant, recorder } = await station();
    const event = await recorder.record(consume(4));
    await storeReceipts(db, [receipt(event, { outcome: 'rejected', flags: ['security:station-mismatch'], reason: 'wrong station' })]);
    await until(() => plant.outbox().pending === 0);
    expect(remaining(plant.get())).toBe(100);
    expect(await db.events.count().exec()).toBe(1);
    expect((await db.receipts.find({ selector: { outcome: 'rejected' } }).exec()).map((d) => d.reason)).toEqual(['wrong station']);
  });

  it('[S9] an event refused as malformed leaves the overlay; a server receipt already stored wins', async () => {
    const { db, plant, recorder } = await station();
    const first = await recorder.record(consume(4));
    const second = await recorder.record(consume(2));
    await storeReceipts(db, [receipt(first)]);
    await storeInvalidEventRefusals(db, [first.id, second.id], 'events/1/payload is invalid', new Date('2026-11-21T08:01:00Z'));
    await until(() => plant.outbox().waiting === 0);
    expect((await db.receipts.findOne(first.id).exec())?.origin).toBe('receipt');
    expect((await db.receipts.findOne(second.id).exec())?.toJSON()).toMatchObject({ origin: 'invalid-event', outcome: 'rejected', flags: ['schema'] });
    expect(remaining(plant.get())).toBe(96);
  });

  it('[S6][S9] a receipt already stored is left as it was; the server\'s receipt replaces the station\'s own refusal', async () => {
    const { db, recorder } = await station();
    const first = await recorder.record(consume(4));
    const second = await recorder.record(consume(2));
    await storeReceipts(db, [receipt(first)]);
    const revision = (await db.receipts.findOne(first.id).exec())?.revision;
    await storeInvalidEventRefusals(db, [second.id], 'events/0/payload is invalid', new Date('2026-11-21T08:01:00Z'));
    await storeReceipts(db, [receipt(first), receipt(second, { serverSeq: 2 })]);
    expect((await db.receipts.findOne(first.id).exec())?.revision).toBe(revision);
    expect((await db.receipts.findOne(second.id).exec())?.toJSON()).toMatchObject({ origin: 'receipt', outcome: 'accepted', serverSeq: 2 });
  });

  it('[S13] a receipt stored while a pull is being written empties the outbox at once, and the event stays shown once', async () => {
    const { db, plant, recorder } = await station();
    const event = await recorder.record(consume(4));
    const release = plant.deferRebuilds();
    await db.views.bulkUpsert(serverViews([event], BASE_SEQ + 1));
    await storeReceipts(db, [receipt(event)]);
    await until(() => plant.outbox().waiting === 0);
    expect(plant.outbox().pending).toBe(1);
    expect(remaining(plant.get())).toBe(96);
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ + 1 });
    release();
    await until(() => plant.outbox().pending === 0);
    expect(remaining(plant.get())).toBe(96);
  });

  it('[S13] picks up where it was after the station is reopened', async () => {
    const factory = new IDBFactory();
    db = await openStationDb({ name: 'overlay-reopen', indexedDB: factory, IDBKeyRange });
    await db.views.bulkUpsert(fixtureViews());
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ });
    const recorder = createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1' });
    const done = await recorder.record(consume(4));
    const waiting = await recorder.record(consume(2));
    await storeReceipts(db, [receipt(done)]);
    await db.views.bulkUpsert(serverViews([done], BASE_SEQ + 1));
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ + 1 });
    await db.close();
    db = await openStationDb({ name: 'overlay-reopen', indexedDB: factory, IDBKeyRange });
    store = createPlantStore(db);
    await store.ready;
    expect(remaining(store.get())).toBe(94);
    expect(store.outbox()).toMatchObject({ waiting: 1, pending: 1 });
    expect(waiting.seq).toBe(2);
  });

  it('[S13] notes how far events are settled, and a reopened station reads only the events after that', async () => {
    const factory = new IDBFactory();
    db = await openStationDb({ name: 'overlay-settled', indexedDB: factory, IDBKeyRange });
    await db.views.bulkUpsert(fixtureViews());
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ });
    store = createPlantStore(db);
    await store.ready;
    const recorder = createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1' });
    const first = await recorder.record(consume(4));
    const second = await recorder.record(consume(3));
    const third = await recorder.record(consume(2));
    await until(() => store?.outbox().pending === 3);
    expect(await readOverlaySettled(db)).toBe(0);

    // The first two are accepted and pulled; the third is answered but not yet in the views.
    await storeReceipts(db, [receipt(first), receipt(second), receipt(third, { visibleAt: BASE_SEQ + 9 })]);
    await db.views.bulkUpsert(serverViews([first, second], BASE_SEQ + 1));
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ + 1 });
    await until(() => store?.outbox().pending === 1);
    await until(() => store !== null && remaining(store.get()) === 91);
    for (let i = 0; i < 100 && (await readOverlaySettled(db)) !== second.seq; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await readOverlaySettled(db)).toBe(second.seq);
    store.close();
    await db.close();

    db = await openStationDb({ name: 'overlay-settled', indexedDB: factory, IDBKeyRange });
    store = createPlantStore(db);
    await store.ready;
    expect(remaining(store.get())).toBe(91);
    expect(store.outbox()).toMatchObject({ waiting: 0, pending: 1 });
    // What it reads is the tail only: told (wrongly) that the third is settled too, it no longer shows it.
    store.close();
    await writeOverlaySettled(db, third.seq);
    store = createPlantStore(db);
    await store.ready;
    expect(remaining(store.get())).toBe(93);
    expect(store.outbox().pending).toBe(0);
    // A new recording follows on from the last event all the same.
    const fourth = await createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1' }).record(consume(1));
    expect(fourth.seq).toBe(4);
    store.applyRecorded(fourth);
    expect(remaining(store.get())).toBe(92);

    // A move to another work center pulls afresh: every event is read again at the next start.
    await resetPulledViews(db);
    expect(await readOverlaySettled(db)).toBe(0);
  });

  it('[S13] is ready without waiting for the settled mark, writes it after, and loses nothing when the tab closes first', async () => {
    // Two events answered and pulled while no store was open (as when the tab closed before its mark was written).
    const factory = new IDBFactory();
    db = await openStationDb({ name: 'settled-later', indexedDB: factory, IDBKeyRange });
    await db.views.bulkUpsert(fixtureViews());
    const recorder = createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1', now: () => new Date('2026-11-21T08:00:00Z') });
    const first = await recorder.record(consume(4));
    const second = await recorder.record(consume(3));
    await storeReceipts(db, [receipt(first), receipt(second)]);
    await db.views.bulkUpsert(serverViews([first, second], BASE_SEQ + 1));
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ + 1 });

    // A start whose mark write never finishes is ready all the same (issue 13: the first screen waits for no write).
    const upsert = db.settings.upsert.bind(db.settings);
    let markAsked = 0;
    db.settings.upsert = (doc: Parameters<typeof upsert>[0]) => {
      if (doc.id !== 'overlay-settled') return upsert(doc);
      markAsked += 1;
      return new Promise(() => undefined);
    };
    store = createPlantStore(db);
    await store.ready;
    expect(remaining(store.get())).toBe(93);
    expect(store.outbox().pending).toBe(0);
    await until(() => markAsked === 1);
    // The tab closes before the write is done: nothing is stored, and nothing is lost.
    store.close();
    db.settings.upsert = upsert;
    expect(await readOverlaySettled(db)).toBe(0);

    store = createPlantStore(db);
    await store.ready;
    expect(remaining(store.get())).toBe(93);
    expect(store.outbox().pending).toBe(0);
    // This time the deferred write happens.
    for (let i = 0; i < 100 && (await readOverlaySettled(db)) !== second.seq; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await readOverlaySettled(db)).toBe(second.seq);
  });

  it('[S13] starts and shows the plant even when the settled mark cannot be written (storage full)', async () => {
    const { db, plant, recorder } = await station();
    const event = await recorder.record(consume(4));
    const upsert = db.settings.upsert.bind(db.settings);
    db.settings.upsert = (doc: Parameters<typeof upsert>[0]) =>
      doc.id === 'overlay-settled' ? Promise.reject(new DOMException('quota', 'QuotaExceededError')) : upsert(doc);
    await storeReceipts(db, [receipt(event)]);
    await db.views.bulkUpsert(serverViews([event], BASE_SEQ + 1));
    await writePullCheckpoint(db, { serverSeq: BASE_SEQ + 1 });
    await until(() => plant.outbox().pending === 0);
    expect(remaining(plant.get())).toBe(96);
    expect(await readOverlaySettled(db)).toBe(0);
    // A store opened now reads every event, and shows the same.
    const again = createPlantStore(db);
    await again.ready;
    expect(remaining(again.get())).toBe(96);
    expect(again.outbox().pending).toBe(0);
    again.close();
  });
});
