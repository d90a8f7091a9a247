/**
 * Station names for the conflict and quarantine screens (src/features/stations/station-names.ts),
 * against the real server in-process: the names of the server's list are shown and kept; offline,
 * or with a server that refuses or does not answer, the kept names are shown at once; a station
 * never learned reads as its id; a name that cannot be kept (storage full) is shown all the same.
 * msw in front of the server only injects faults.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { HttpResponse, delay, http } from 'msw';
import { setupServer } from 'msw/node';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StationDb } from '../../../src/db/database.ts';
import { openStationDb } from '../../../src/db/database.ts';
import { writeSetting } from '../../../src/db/settings.ts';
import { StationName } from '../../../src/features/stations/StationName.tsx';
import type { StationNames } from '../../../src/features/stations/station-names.ts';
import { STATION_NAMES_SETTING, loadStationNames, readStationNames, stationName } from '../../../src/features/stations/station-names.ts';
import { createFetchTransport } from '../../../src/sync/transport.ts';
import type { TestServer } from '../sync/station-harness.ts';
import { enroll, startTestServer, until } from '../sync/station-harness.ts';

const network = setupServer();
let server: TestServer;
let url = '';
let millA: { stationId: string; credential: string };
let millB: { stationId: string; credential: string };
const opened: StationDb[] = [];
let counter = 0;

beforeAll(async () => {
  server = await startTestServer();
  url = server.server.url;
  network.listen({ onUnhandledRequest: 'bypass' });
  millA = await enroll(url, 'Mill A');
  millB = await enroll(url, 'Mill B');
});
afterEach(async () => {
  network.resetHandlers();
  for (const db of opened.splice(0)) await db.close();
});
afterAll(async () => {
  network.close();
  await server.close();
});

/** Mill A's database: a fresh one, or the one of `factory` and `name` opened again. */
async function openDb(factory = new IDBFactory(), name = `names-${++counter}`): Promise<StationDb> {
  const db = await openStationDb({ name, indexedDB: factory, IDBKeyRange });
  opened.push(db);
  return db;
}

/** Loads the names as a screen does, and returns every list the screen was handed. */
async function load(db: StationDb, credential = millA.credential, signal?: AbortSignal): Promise<StationNames[]> {
  const shown: StationNames[] = [];
  await loadStationNames({ db, transport: createFetchTransport(url, undefined, { timeoutMs: 2000 }), credential }, (names) => shown.push(names), signal);
  return shown;
}

const last = (shown: StationNames[]): StationNames => shown.at(-1) ?? new Map<string, string>();

describe('station names', () => {
  it('shows the names of the stations the server lists, and keeps them on the station', async () => {
    const db = await openDb();
    const shown = await load(db);
    // Nothing kept yet at first, then the server's list.
    expect(shown.map((names) => names.size > 0)).toEqual([false, true]);
    expect(last(shown).get(millA.stationId)).toBe('Mill A');
    expect(last(shown).get(millB.stationId)).toBe('Mill B');
    expect((await readStationNames(db)).get(millB.stationId)).toBe('Mill B');
  });

  it('offline, or when the server refuses, shows the names kept, once', async () => {
    const factory = new IDBFactory();
    await load(await openDb(factory, 'kept'));
    await opened.splice(0)[0]?.close();

    const db = await openDb(factory, 'kept');
    network.use(http.get(`${url}/api/stations`, () => HttpResponse.error()));
    const offline = await load(db);
    expect(offline).toHaveLength(1);
    expect(last(offline).get(millB.stationId)).toBe('Mill B');

    network.resetHandlers();
    const refused = await load(db, 'not-a-credential-of-any-station-0123456789');
    expect(refused).toHaveLength(1);
    expect(last(refused).get(millB.stationId)).toBe('Mill B');
  });

  it('shows the names kept without waiting for a server that does not answer', async () => {
    const db = await openDb();
    await writeSetting(db, STATION_NAMES_SETTING, { names: { [millB.stationId]: 'Mill B' } });
    network.use(
      http.get(`${url}/api/stations`, async () => {
        await delay('infinite');
        return HttpResponse.error();
      }),
    );
    const shown: StationNames[] = [];
    const stop = new AbortController();
    const loading = loadStationNames({ db, transport: createFetchTransport(url), credential: millA.credential }, (names) => shown.push(names), stop.signal);
    await until(() => shown.length === 1, 'the kept names');
    expect(last(shown).get(millB.stationId)).toBe('Mill B');
    // The screen is left: the request is dropped and nothing more is shown.
    stop.abort();
    await loading;
    expect(shown).toHaveLength(1);
  });

  it('keeps the name of a station the server no longer lists', async () => {
    const db = await openDb();
    await writeSetting(db, STATION_NAMES_SETTING, { names: { 'ST-RETIRED': 'Old bench tablet' } });
    const names = last(await load(db));
    expect(names.get('ST-RETIRED')).toBe('Old bench tablet');
    expect(names.get(millB.stationId)).toBe('Mill B');
    expect((await readStationNames(db)).get('ST-RETIRED')).toBe('Old bench tablet');
  });

  it('reads a station it never learned as its id, and a known one by its name with the id beside it', () => {
    const names: StationNames = new Map([['ST-7', 'Lathe tablet']]);
    expect(stationName(names, 'ST-7')).toBe('Lathe tablet');
    expect(stationName(names, 'ST-UNKNOWN')).toBe('ST-UNKNOWN');
    expect(renderToStaticMarkup(createElement(StationName, { names, stationId: 'ST-7' }))).toBe('Lathe tablet <span class="muted small">ST-7</span>');
    expect(renderToStaticMarkup(createElement(StationName, { names, stationId: 'ST-UNKNOWN' }))).toBe('ST-UNKNOWN');
  });

  it('shows the names even when they cannot be kept (storage full), and keeps them next time', async () => {
    const db = await openDb();
    const upsert = db.settings.upsert.bind(db.settings);
    db.settings.upsert = (doc: Parameters<typeof upsert>[0]) =>
      doc.id === STATION_NAMES_SETTING ? Promise.reject(new DOMException('quota', 'QuotaExceededError')) : upsert(doc);
    expect(last(await load(db)).get(millB.stationId)).toBe('Mill B');
    expect((await readStationNames(db)).size).toBe(0);

    db.settings.upsert = upsert;
    await load(db);
    expect((await readStationNames(db)).get(millB.stationId)).toBe('Mill B');
  });
});
