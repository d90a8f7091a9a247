/**
 * A station pulls only what its work center needs (docs/sync-spec.md S12), and pulls afresh when a
 * supervisor moves it to another work center.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StationRuntime } from '../../../src/station/runtime.ts';
import { openStationRuntime } from '../../../src/station/runtime.ts';
import type { TestServer } from './station-harness.ts';
import { enroll, startTestServer, until } from './station-harness.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const workOrders = (rt: StationRuntime) => [...rt.plant.get().workOrders.keys()].sort();

describe('pull scope', () => {
  it('[S12] a station at the lathe gets the work orders routed through it, and all of them again at another work center', async () => {
    const identity = await enroll(server.server.url, 'Lathe 2 tablet');
    const rt = await openStationRuntime({
      baseUrl: server.server.url,
      db: { name: 'scope-1', indexedDB: new IDBFactory(), IDBKeyRange },
      sync: { waitForLeadership: false, live: false },
    });
    try {
      await rt.setConfig({ stationId: identity.stationId, stationName: 'Lathe 2 tablet', credential: identity.credential, workCenterId: 'WC-LATHE', idleMinutes: 10 });
      await rt.startSync();
      await until(() => rt.plant.get().workOrders.size > 0 && rt.plant.get().operators.size > 0, 'the lathe pull');
      // P-200's routing never visits the lathe: its work orders stay on the server.
      expect(workOrders(rt)).toEqual(['WO-1001', 'WO-1002', 'WO-1003', 'WO-1004', 'WO-1005', 'WO-1006']);
      expect(rt.plant.get().workCenters.size).toBe(4);

      const config = rt.config;
      if (config === null) throw new Error('the station lost its configuration');
      await rt.setConfig({ ...config, workCenterId: 'WC-MILL' });
      await until(() => rt.plant.get().workOrders.has('WO-2001'), 'the mill pull');
      expect(workOrders(rt)).toHaveLength(11);
    } finally {
      await rt.close();
    }
  });
});
