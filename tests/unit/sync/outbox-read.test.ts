/**
 * How the pusher reads its outbox (src/db/events.ts eventsAfter, src/db/receipts.ts answeredAmong):
 * one range read of the events after a sequence number, and one key-range read of which of them
 * have a receipt. They must agree with RxDB's own queries whatever the ids look like: a clock set
 * back, receipts a restart removed, refusals the station wrote itself.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../schemas/event.ts';
import type { StationDb } from '../../../src/db/database.ts';
import { openStationDb } from '../../../src/db/database.ts';
import { createEventRecorder, eventsAfter } from '../../../src/db/events.ts';
import { answeredAmong, storeInvalidEventRefusals, storeReceipts } from '../../../src/db/receipts.ts';
import { testSigner } from '../../helpers/signing.ts';

let db: StationDb | null = null;
let counter = 0;

afterEach(async () => {
  await db?.close();
  db = null;
});

const signIn = { type: 'session.signed-in', actor: 'B-1001', payload: { workCenterId: 'WC-MILL' } } as const;

/** What the recorder returned, in sequence order. */
let recorded: StationEvent[] = [];

async function stationWith(count: number, ids?: (i: number) => string): Promise<StationDb> {
  db = await openStationDb({ name: `outbox-read-${++counter}`, indexedDB: new IDBFactory(), IDBKeyRange });
  let i = 0;
  const recorder = createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1', ...(ids === undefined ? {} : { newId: () => ids(i++) }) });
  recorded = [];
  for (let n = 0; n < count; n++) recorded.push(await recorder.record(signIn));
  return db;
}

const accepted = (eventId: string, serverSeq: number) => ({ eventId, outcome: 'accepted' as const, flags: [], serverSeq, visibleAt: serverSeq, receivedAt: '2026-12-03T08:00:00.000Z' });

describe('outbox reads', () => {
  it('[S5] reads the events after a sequence number in order, at most a batch, as recorded', async () => {
    const station = await stationWith(12);
    expect((await eventsAfter(station, 0, 5)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await eventsAfter(station, 9, 5)).map((e) => e.seq)).toEqual([10, 11, 12]);
    expect(await eventsAfter(station, 12, 5)).toEqual([]);
    // The stored form carries RxDB's fields too; the event read is exactly what was recorded.
    expect(await eventsAfter(station, 3, 1)).toEqual([recorded[3]]);
  });

  it('[S5][S7] tells which events of a batch have a receipt, also when a clock set back scattered their ids', async () => {
    // Ids out of sequence order, as after a clock set back: the batch's key range holds others too.
    const ids = ['0190a000-0000-7000-8000-000000000005', '0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-000000000009', '0190a000-0000-7000-8000-000000000003'];
    const station = await stationWith(4, (i) => ids[i] ?? '');
    await storeReceipts(station, [accepted(ids[0] ?? '', 1), accepted(ids[3] ?? '', 2)]);
    expect([...(await answeredAmong(station, ids))].sort()).toEqual([ids[0], ids[3]].sort());
    expect([...(await answeredAmong(station, [ids[1] ?? '', ids[2] ?? '']))]).toEqual([]);
    // The station's own refusal counts as an answer too.
    await storeInvalidEventRefusals(station, [ids[2] ?? ''], 'payload/workCenterId: must not be empty', new Date('2026-12-03T08:00:00Z'));
    expect([...(await answeredAmong(station, ids))].sort()).toEqual([ids[0], ids[2], ids[3]].sort());
  });

  it('[S5] looks each id up when the key range is much wider than the batch', async () => {
    const station = await stationWith(30);
    const events = await eventsAfter(station, 0, 30);
    await storeReceipts(station, events.slice(1, 29).map((event, i) => accepted(event.id, i + 1)));
    const ends = [events[0]?.id ?? '', events[29]?.id ?? ''];
    expect([...(await answeredAmong(station, ends))]).toEqual([]);
    expect([...(await answeredAmong(station, [...ends, events[7]?.id ?? '']))]).toEqual([events[7]?.id]);
  });

  it('[S23] leaves out the receipts a restart removed', async () => {
    const station = await stationWith(3);
    const events = await eventsAfter(station, 0, 3);
    await storeReceipts(station, events.map((event, i) => accepted(event.id, i + 1)));
    await station.receipts.find({ selector: { eventId: { $in: [events[1]?.id ?? ''] } } }).remove();
    expect([...(await answeredAmong(station, events.map((e) => e.id)))].sort()).toEqual([events[0]?.id, events[2]?.id].sort());
  });
});
