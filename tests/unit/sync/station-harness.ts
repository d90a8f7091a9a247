/**
 * A station against the real sync server in-process: a fresh fake-indexeddb database, the plant
 * store, a recorder and the sync engine on a virtual clock. msw sits in front of the server and
 * only injects faults; every answer that is not a fault comes from the server itself.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../../sync-server/main.ts';
import { startServer } from '../../../sync-server/main.ts';
import type { StationDb } from '../../../src/db/database.ts';
import { openStationDb } from '../../../src/db/database.ts';
import type { EventRecorder } from '../../../src/db/events.ts';
import { createEventRecorder } from '../../../src/db/events.ts';
import type { PlantStore } from '../../../src/db/plant-store.ts';
import { createPlantStore } from '../../../src/db/plant-store.ts';
import type { SyncEngine, SyncOptions } from '../../../src/sync/replication.ts';
import { startSync } from '../../../src/sync/replication.ts';
import { createFetchTransport } from '../../../src/sync/transport.ts';
import type { VirtualScheduler } from './virtual-scheduler.ts';
import { virtualScheduler } from './virtual-scheduler.ts';
import { PROTOCOL_VERSION } from '../../../schemas/protocol-version.ts';
import { testKey, testSigner, type TestKey } from '../../helpers/signing.ts';

export interface TestServer {
  server: RunningServer;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'travelog-sync-unit-'));
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, logger: false });
  return {
    server,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Enrolls a station with the demo plant's supervisor (B-3001, PIN 9999). */
export async function enroll(url: string, stationName: string): Promise<{ stationId: string; credential: string; key: TestKey }> {
  const key = testKey();
  const response = await fetch(`${url}/api/stations/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, stationName, supervisorBadge: 'B-3001', pin: '9999', publicKey: key.publicKey, keyAlg: key.alg }),
  });
  if (response.status !== 201) throw new Error(`enroll answered ${response.status}: ${await response.text()}`);
  return { ...((await response.json()) as { stationId: string; credential: string }), key };
}

export interface TestStation {
  db: StationDb;
  plant: PlantStore;
  recorder: EventRecorder;
  scheduler: VirtualScheduler;
  stationId: string;
  credential: string;
  engine: SyncEngine | null;
  start(options?: Partial<SyncOptions>): Promise<SyncEngine>;
  close(): Promise<void>;
}

let counter = 0;

export async function openTestStation(url: string, identity: { stationId: string; credential: string; key?: TestKey }, random?: () => number): Promise<TestStation> {
  const db = await openStationDb({ name: `sync-${++counter}`, indexedDB: new IDBFactory(), IDBKeyRange });
  const plant = createPlantStore(db);
  await plant.ready;
  const scheduler = virtualScheduler(Date.now(), random);
  const station: TestStation = {
    db,
    plant,
    scheduler,
    stationId: identity.stationId,
    credential: identity.credential,
    recorder: createEventRecorder(db, { signer: testSigner(identity.key), stationId: identity.stationId, now: () => scheduler.now() }),
    engine: null,
    async start(options = {}) {
      station.engine = await startSync({
        db,
        plant,
        transport: createFetchTransport(url, undefined, { timeoutMs: 300 }),
        stationId: identity.stationId,
        credential: identity.credential,
        scheduler,
        waitForLeadership: false,
        live: false,
        ...options,
      });
      return station.engine;
    },
    async close() {
      await station.engine?.stop();
      plant.close();
      await db.close();
    },
  };
  return station;
}

/** Waits (in real time, for IndexedDB) until `predicate` holds; fails after about 10 s. */
export async function until(predicate: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

export const signedIn = (actor = 'B-1001') => ({ type: 'session.signed-in', actor, payload: { workCenterId: 'WC-MILL' } }) as const;
