/**
 * A station's start never waits for the validators' chunk (issue 13): opening the database, anew or
 * again, writes only RxDB's own documents, which are not checked, so the chunk is not asked for;
 * the first write to one of the station's collections asks for it and is checked as before. This
 * file runs on its own module graph, so the chunk is fresh for it.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationDb } from '../../../src/db/database.ts';
import { openStationDb } from '../../../src/db/database.ts';
import { createPlantStore } from '../../../src/db/plant-store.ts';
import { readStationConfig, writeSetting } from '../../../src/db/settings.ts';
import { validatorsRequested } from '../../../src/db/validators.ts';

let db: StationDb | null = null;

afterEach(async () => {
  await db?.close();
  db = null;
});

describe('a cold start of the station', () => {
  it('opens the database and reads the plant without asking for the validators, and the first write still checks', async () => {
    const factory = new IDBFactory();
    db = await openStationDb({ name: 'cold-open', indexedDB: factory, IDBKeyRange });
    await db.close();
    // Opened again, as at every start of a station: RxDB writes its internal store again.
    db = await openStationDb({ name: 'cold-open', indexedDB: factory, IDBKeyRange });
    const plant = createPlantStore(db);
    await plant.ready;
    expect(await readStationConfig(db)).toBeNull();
    plant.close();
    expect(validatorsRequested()).toBe(false);

    // The first write to a station collection loads them and is checked: a bad document is refused, nothing stored.
    await expect(db.settings.insert({ id: 'bad', data: 'not an object' } as never)).rejects.toThrow();
    expect(validatorsRequested()).toBe(true);
    expect(await db.settings.findOne('bad').exec()).toBeNull();
    await writeSetting(db, 'good', { ok: true });
    expect((await db.settings.findOne('good').exec())?.toJSON().data).toEqual({ ok: true });
  });
});
