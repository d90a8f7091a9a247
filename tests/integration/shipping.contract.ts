/**
 * Shipping over HTTP against the real server, on every store (shipping.pglite.test.ts,
 * shipping.pg.test.ts): `unit.shipped` recorded and shown in the serial and lot views, genealogy and
 * the evidence package; rule C39 (docs/sync-spec.md) flags a shipment a station made offline that the
 * server's plant says should not have left; bad input and another program's unit refused (S10).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRef } from '../../schemas/common.ts';
import type { EvidencePackage } from '../../schemas/evidence.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { WalkResult } from '../../src/domain/genealogy.ts';
import { shortNcrId } from '../../src/domain/short-id.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { viewOf } from '../../sync-server/store/view-keys.ts';
import { send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const OPERATOR = 'B-1001';

/** Registers the shipping suite on one backend. */
export function runShippingSuite(backend: Backend): void {
  describe(`Shipping on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let server: RunningServer;
    let dock: TestStation;
    let lathe: TestStation;
    let commercialOnly: TestStation;
    let orders = 0;

    /** A work order whose every operation is signed off on every unit (its traveler complete). */
    async function finishedOrder(options: { program?: string; part?: 'P-100' | 'P-200' } = {}): Promise<{ workOrderId: string; units: UnitRef[] }> {
      const order = await addWorkOrder(server, `WO-S${backend === 'PGlite' ? 'L' : 'P'}${++orders}`, options);
      const workOrder = (await server.store.getView('workOrder', order.workOrderId))!.data;
      const routing = (await server.store.getView('routing', `${workOrder.partNumber}@${workOrder.partRevision}`))!.data;
      const completed = { eventId: randomUUID(), actor: OPERATOR, at: clock.now().toISOString() };
      await server.plant.putViews(order.units.flatMap((unit) => routing.operations.map((op) => viewOf('step', { workOrderId: order.workOrderId, unit, operationId: op.id, started: completed, completed, consumptions: [], measurements: [] }))));
      return order;
    }

    const shipEvent = (station: TestStation, workOrderId: string, unit: UnitRef, quantity = 1, shipmentRef = 'PS-4471', partNumber = unit.kind === 'lot' ? 'P-200' : 'P-100'): StationEvent =>
      station.event('unit.shipped', OPERATOR, { workOrderId, unit, partNumber, quantity, customer: 'Acme Aero', shipmentRef });

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now });
      server = fixture.server;
      dock = await enrollStation(server, clock, 'Shipping dock');
      lathe = await enrollStation(server, clock, 'Lathe tablet');
      commercialOnly = await enrollStation(server, clock, 'Commercial cell');
      expect(await server.store.setStationPrograms(commercialOnly.id, ['COMMERCIAL'])).toBe(true);
    }, 60_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    it('a finished unit ships: accepted, the serial view says to whom and under which shipment, genealogy and the evidence package say so', async () => {
      const { workOrderId, units } = await finishedOrder();
      const unit = units[0]!;
      const event = shipEvent(dock, workOrderId, unit);
      expect((await dock.pushOk([event]))[0]).toMatchObject({ outcome: 'accepted', flags: [] });
      const serial = unit.kind === 'serial' ? unit.serial : '';
      expect((await server.store.getView('serial', serial))?.data.shipped).toMatchObject({ eventId: event.id, customer: 'Acme Aero', shipmentRef: 'PS-4471', workOrderId, stationId: dock.id });
      const walk = await send<WalkResult>(server.url, `/api/genealogy/where-from?serial=${serial}`, { credential: dock.credential });
      expect(walk.body.root.item.shipped).toMatchObject([{ customer: 'Acme Aero', shipmentRef: 'PS-4471', quantity: 1 }]);
      const evidence = await send<EvidencePackage>(server.url, `/api/evidence?serial=${serial}`, { credential: dock.credential });
      expect(evidence.status).toBe(200);
      expect(evidence.body.facts.shipments).toEqual([
        expect.objectContaining({ recorded: expect.objectContaining({ eventType: 'unit.shipped', 'event.payload.customer': 'Acme Aero', 'event.payload.shipmentRef': 'PS-4471' }) }),
      ]);
    });

    it('[C39] a ship recorded offline while an NCR was opened elsewhere is recorded and flagged, naming the NCR; a supervisor\'s work item; the NCR stays open', async () => {
      const { workOrderId, units } = await finishedOrder();
      const unit = units[1]!;
      const tag = lathe.event('ncr.opened', OPERATOR, { workOrderId, items: [{ itemId: '1', unit, quantity: 1 }], description: 'Dent found at final count' });
      expect((await lathe.pushOk([tag]))[0]).toMatchObject({ outcome: 'accepted' });
      const ncrId = `NCR-${tag.id}`;
      const label = shortNcrId(ncrId, (await server.store.getView('nonconformance', ncrId))!.data.openedAt);
      const offline = shipEvent(dock, workOrderId, unit, 1, 'PS-4472');
      const [receipt] = await dock.pushOk([offline]);
      expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['shipped-nonconforming'], reason: expect.stringContaining(`is held by ${label} (Dent found at final count)`) });
      expect((await server.store.getView('conflict', `CF-${offline.id}-shipped-nonconforming`))?.data).toMatchObject({ status: 'open', relatedEventIds: [tag.id], workOrderId, subject: unit });
      expect((await server.store.getView('nonconformance', ncrId))?.data.status).toBe('open');
      expect((await server.store.getView('serial', unit.kind === 'serial' ? unit.serial : ''))?.data.shipped?.eventId).toBe(offline.id);
    });

    it('[C39] a lot ships by quantity: what is left goes down; more than is left, or a unit whose traveler is open, is flagged', async () => {
      const { workOrderId, units } = await finishedOrder({ part: 'P-200' });
      const lot = units[0]!;
      const [first, second] = await dock.pushOk([shipEvent(dock, workOrderId, lot, 6), shipEvent(dock, workOrderId, lot, 5, 'PS-4473')]);
      expect(first).toMatchObject({ outcome: 'accepted' });
      expect(second).toMatchObject({ outcome: 'flagged', flags: ['shipped-nonconforming'], reason: expect.stringContaining('4 are left of it') });
      expect((await server.store.getView('lot', lot.kind === 'lot' ? lot.lotId : ''))?.data).toMatchObject({ remaining: -1, shipped: [{ quantity: 6 }, { quantity: 5 }] });
      const open = await addWorkOrder(server, `WO-S${backend === 'PGlite' ? 'L' : 'P'}${++orders}`);
      const [early] = await dock.pushOk([shipEvent(dock, open.workOrderId, open.units[0]!)]);
      expect(early).toMatchObject({ outcome: 'flagged', reason: expect.stringContaining('its traveler is not complete (OP10 ') });
    });

    it('[C39] a shipment naming a unit the server does not have, or of a program the station is not cleared for (S10), is refused and changes nothing', async () => {
      const { workOrderId } = await finishedOrder();
      const [unknown] = await dock.pushOk([shipEvent(dock, workOrderId, { kind: 'serial', serial: 'SN-NOPE' })]);
      expect(unknown).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('SN-NOPE, which is not a unit of') });
      expect(await server.store.getView('serial', 'SN-NOPE')).toBeUndefined();
      const secret = await finishedOrder({ program: 'F-35-ACT' });
      const unit = secret.units[0]!;
      const [refused] = await commercialOnly.pushOk([shipEvent(commercialOnly, secret.workOrderId, unit)]);
      expect(refused).toMatchObject({ outcome: 'rejected' });
      expect(refused?.reason).not.toContain('F-35');
      expect((await server.store.getView('serial', unit.kind === 'serial' ? unit.serial : ''))?.data.shipped).toBeUndefined();
    });
  });
}
