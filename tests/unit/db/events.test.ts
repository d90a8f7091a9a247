import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationDb } from '../../../src/db/database.ts';
import { openStationDb } from '../../../src/db/database.ts';
import { allEvents, createEventRecorder } from '../../../src/db/events.ts';
import { testSigner } from '../../helpers/signing.ts';

let db: StationDb | null = null;
let counter = 0;

async function freshDb(): Promise<StationDb> {
  db = await openStationDb({ name: `events-${++counter}`, indexedDB: new IDBFactory(), IDBKeyRange });
  return db;
}

afterEach(async () => {
  await db?.close();
  db = null;
});

const signIn = { type: 'session.signed-in', actor: 'B-1001', payload: { workCenterId: 'WC-MILL' } } as const;

describe('event recorder', () => {
  it('gives each event a UUIDv7, a gapless sequence, the device time and a rising clock', async () => {
    const station = await freshDb();
    let ms = Date.parse('2026-11-21T08:00:00Z');
    const recorder = createEventRecorder(station, { signer: testSigner(), stationId: 'ST-1', now: () => new Date(ms) });
    const first = await recorder.record(signIn);
    ms -= 60 * 60 * 1000; // the tablet's clock is set back an hour
    const [second, third] = await Promise.all([recorder.record(signIn), recorder.record(signIn)]);
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect([first.seq, second?.seq, third?.seq]).toEqual([1, 2, 3]);
    expect(second?.deviceTime).toBe('2026-11-21T07:00:00.000Z');
    expect(first.hlc < (second?.hlc ?? '')).toBe(true);
    expect((second?.hlc ?? '') < (third?.hlc ?? '')).toBe(true);
    expect((await allEvents(station)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('refuses an event that fails its schema and writes nothing', async () => {
    const station = await freshDb();
    const recorder = createEventRecorder(station, { signer: testSigner(), stationId: 'ST-1' });
    const bad = { type: 'session.signed-in', actor: 'B-1001', payload: { workCenterId: '' } } as const;
    await expect(recorder.record(bad)).rejects.toThrow(/payload\/workCenterId/);
    expect(await allEvents(station)).toEqual([]);
    const next = await recorder.record(signIn);
    expect(next.seq).toBe(1);
  });

  it('keeps events across closing and reopening the database', async () => {
    const factory = new IDBFactory();
    const first = await openStationDb({ name: 'reopen', indexedDB: factory, IDBKeyRange });
    await createEventRecorder(first, { signer: testSigner(), stationId: 'ST-1' }).record(signIn);
    await first.close();
    db = await openStationDb({ name: 'reopen', indexedDB: factory, IDBKeyRange });
    expect((await allEvents(db)).map((e) => e.type)).toEqual(['session.signed-in']);
    const again = await createEventRecorder(db, { signer: testSigner(), stationId: 'ST-1' }).record(signIn);
    expect(again.seq).toBe(2);
  });
});
