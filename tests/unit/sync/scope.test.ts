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

  const activeHolds = (rt: StationRuntime) => [...rt.plant.get().holds.values()].filter((hold) => hold.status === 'active').length;

  it('[S12] a round trip mill → lathe → mill brings back every work order and hold of the mill', async () => {
    const identity = await enroll(server.server.url, 'Mill 1 tablet');
    const rt = await openStationRuntime({
      baseUrl: server.server.url,
      db: { name: 'scope-2', indexedDB: new IDBFactory(), IDBKeyRange },
      sync: { waitForLeadership: false, live: false },
    });
    try {
      const config = { stationId: identity.stationId, stationName: 'Mill 1 tablet', credential: identity.credential, workCenterId: 'WC-MILL', idleMinutes: 10 };
      await rt.setConfig(config);
      await rt.startSync();
      await until(() => rt.plant.get().workOrders.size === 11 && activeHolds(rt) === 2, 'the first mill pull');
      await rt.setConfig({ ...config, workCenterId: 'WC-LATHE' });
      await until(() => rt.plant.get().workOrders.size === 6, 'the lathe pull');
      await rt.setConfig({ ...config, workCenterId: 'WC-MILL' });
      await until(() => rt.plant.get().workOrders.size === 11 && activeHolds(rt) === 2, 'the second mill pull');
      expect(workOrders(rt)).toContain('WO-1001');
      // Nothing the station holds is a view marked deleted.
      expect(await rt.db.views.count({ selector: { kind: 'workOrder' } }).exec()).toBe(11);
    } finally {
      await rt.close();
    }
  });

  it('[S12] a work center changed while sync is not running is pulled afresh after a reload', async () => {
    const identity = await enroll(server.server.url, 'Mill 2 tablet');
    const indexedDB = new IDBFactory();
    const open = () =>
      openStationRuntime({ baseUrl: server.server.url, db: { name: 'scope-3', indexedDB, IDBKeyRange }, sync: { waitForLeadership: false, live: false } });
    const config = { stationId: identity.stationId, stationName: 'Mill 2 tablet', credential: identity.credential, workCenterId: 'WC-MILL', idleMinutes: 10 };
    let rt = await open();
    await rt.setConfig(config);
    await rt.startSync();
    await until(() => rt.plant.get().workOrders.size === 11, 'the mill pull');
    await rt.close();

    // Moved to the lathe and reloaded before sync ran there, then back at the mill: each start must see the move.
    for (const workCenterId of ['WC-LATHE', 'WC-MILL', 'WC-LATHE']) {
      rt = await open();
      await rt.setConfig({ ...config, workCenterId });
      await rt.close();
      rt = await open();
      try {
        await rt.startSync();
        const expected = workCenterId === 'WC-MILL' ? 11 : 6;
        await until(() => rt.plant.get().workOrders.size === expected && (workCenterId !== 'WC-MILL' || activeHolds(rt) === 2), `the ${workCenterId} pull`);
        expect(await rt.db.views.count({ selector: { kind: 'workOrder' } }).exec()).toBe(expected);
      } finally {
        await rt.close();
      }
    }
  });
});
