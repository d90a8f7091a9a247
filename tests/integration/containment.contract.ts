/**
 * NCR containment through genealogy over HTTP against the real server, on every store
 * (containment.pglite.test.ts, containment.pg.test.ts; docs/ncr.md, rules C37 and C38): the server
 * recomputes the containment from its own plant, contains a unit built offline on another station
 * once its consumption arrives, refuses a bad containment without change, and keeps another
 * program's units in that program's companion NCR (S10, S20).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRef } from '../../schemas/common.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import { CONTAINMENT_MEANING, companionNcrId } from '../../src/domain/containment.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { testClock } from './harness.ts';
import { addWorkOrder, enrollStation, signature, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const QUALITY = 'B-4001';
const SUPERVISOR = 'B-3001';
const F35 = 'F-35-ACT';

/** Registers the containment suite on one backend. */
export function runContainmentSuite(backend: Backend): void {
  describe(`NCR containment through genealogy on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let server: RunningServer;
    let quality: TestStation;
    let mill: TestStation;
    let lathe: TestStation;
    let commercialOnly: TestStation;

    const lot = (lotId: string, quantity: number) => ({ kind: 'lot' as const, lotId, partNumber: 'P-920', quantity });
    const consume = (station: TestStation, workOrderId: string, unit: UnitRef, lotId: string, quantity = 1) =>
      station.event('material.consumed', 'B-1001', { workOrderId, operationId: 'OP10', unit, material: lot(lotId, quantity), scanned: lotId });
    const redTag = (workOrderId: string, lotId: string) =>
      quality.event('ncr.opened', QUALITY, { workOrderId, items: [{ itemId: '1', unit: { kind: 'lot', lotId }, quantity: 2 }], description: 'Bar stock from the wrong heat' });
    const contain = (station: TestStation, ncrId: string, workOrderId: string, lotId: string, units: UnitRef[], signer = QUALITY) =>
      station.event('ncr.containment-extended', signer, { ncrId, workOrderId, lotId, units, signature: signature(signer, CONTAINMENT_MEANING, clock.now(), 'Wrong heat: hold all made from it') });
    const ncrView = async (ncrId: string): Promise<Nonconformance | undefined> => (await server.store.getView('nonconformance', ncrId))?.data;
    const held = (ncr: Nonconformance | undefined) => (ncr?.items ?? []).map((i) => (i.unit.kind === 'serial' ? i.unit.serial : `${i.unit.lotId}×${i.quantity}`));

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now });
      server = fixture.server;
      quality = await enrollStation(server, clock, 'Quality office');
      mill = await enrollStation(server, clock, 'Mill tablet');
      lathe = await enrollStation(server, clock, 'Lathe tablet');
      commercialOnly = await enrollStation(server, clock, 'Commercial cell');
      expect(await server.store.setStationPrograms(commercialOnly.id, ['COMMERCIAL'])).toBe(true);
    }, 60_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    it('the server contains what the signer\'s station could not know: a consumption another station pushed first, and [C38] one built offline and pushed after', async () => {
      const [h1, h2] = (await addWorkOrder(server, 'WO-C1', { units: 2 })).units as [UnitRef, UnitRef];
      const [b1] = (await addWorkOrder(server, 'WO-C2', { units: 1 })).units as [UnitRef];
      // The lathe, offline, builds WO-C2's housing from the lot before anyone suspects it; it pushes at the end.
      const offline = consume(lathe, 'WO-C2', b1, 'L-920-A');
      await mill.pushOk([consume(mill, 'WO-C1', h1, 'L-920-A')]);
      const tag = redTag('WO-C1', 'L-920-A');
      await quality.pushOk([tag]);
      const ncrId = `NCR-${tag.id}`;
      // Another station's consumption reaches the server before the containment; the quality office has not pulled it.
      await mill.pushOk([consume(mill, 'WO-C1', h2, 'L-920-A')]);
      const [receipt] = await quality.pushOk([contain(quality, ncrId, 'WO-C1', 'L-920-A', [h1])]);
      expect(receipt).toMatchObject({ outcome: 'accepted' });
      const after = await ncrView(ncrId);
      expect(held(after)).toEqual(expect.arrayContaining(['SN-WO-C1-1', 'SN-WO-C1-2']));
      // The rest of the lot: 200 − 2 consumed, 2 already on the NCR.
      expect(held(after)).toContain('L-920-A×196');
      expect(after?.containments).toMatchObject([{ lotId: 'L-920-A', seen: 1, added: 3, signature: { signerBadge: QUALITY, meaning: CONTAINMENT_MEANING } }]);

      // Work on a contained unit is flagged, naming the NCR.
      const [work] = await mill.pushOk([mill.step('op.completed', 'B-1001', 'WO-C1', h2, 'OP10', 'D')]);
      expect(work).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'], reason: expect.stringMatching(/SN-WO-C1-2 is held by NCR-2026-\w{6}/) });

      // [C38] The lathe comes back: its consumption is recorded, flagged, and its housing contained too.
      const [late] = await lathe.pushOk([offline]);
      expect(late).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'] });
      expect(held(await ncrView(ncrId))).toContain('SN-WO-C2-1');
      const item = (await ncrView(ncrId))?.items?.find((i) => i.unit.kind === 'serial' && i.unit.serial === 'SN-WO-C2-1');
      expect(item?.containedBy).toEqual({ eventId: offline.id, lotId: 'L-920-A' });
      const [stopped] = await lathe.pushOk([lathe.step('op.completed', 'B-1005', 'WO-C2', b1, 'OP10', 'D')]);
      expect(stopped).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'] });
    });

    it('[C37] a containment signed by a supervisor, naming a lot the NCR does not name, or an NCR the server does not have is refused and changes nothing', async () => {
      await addWorkOrder(server, 'WO-C3', { units: 1 });
      const tag = redTag('WO-C3', 'L-920-B');
      await server.plant.putViews([(await import('../../sync-server/store/view-keys.ts')).viewOf('lot', { lotId: 'L-920-B', partNumber: 'P-920', quantity: 50, remaining: 50 })]);
      await quality.pushOk([tag]);
      const ncrId = `NCR-${tag.id}`;
      const before = await ncrView(ncrId);
      const receipts = await quality.pushOk([
        contain(quality, ncrId, 'WO-C3', 'L-920-B', [], SUPERVISOR),
        contain(quality, ncrId, 'WO-C3', 'L-910-A', []),
        contain(quality, 'NCR-NOT-THERE', 'WO-C3', 'L-920-B', []),
      ]);
      expect(receipts.map((r) => r.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(receipts[0]?.reason).toContain('quality signs a containment');
      expect(receipts[1]?.reason).toContain('does not name lot L-910-A');
      expect(receipts[2]?.reason).toContain('an NCR the server does not have');
      expect(await ncrView(ncrId)).toEqual(before);
    });

    it('[S20] a unit of another program is held by a companion NCR of that program: a station not cleared for it sees neither the unit nor the companion', async () => {
      const [c1] = (await addWorkOrder(server, 'WO-C4', { units: 1 })).units as [UnitRef];
      const [f1] = (await addWorkOrder(server, 'WO-CF', { units: 1, program: F35 })).units as [UnitRef];
      await server.plant.putViews([(await import('../../sync-server/store/view-keys.ts')).viewOf('lot', { lotId: 'L-920-C', partNumber: 'P-920', quantity: 30, remaining: 30 })]);
      await mill.pushOk([consume(mill, 'WO-C4', c1, 'L-920-C'), consume(mill, 'WO-CF', f1, 'L-920-C')]);
      const tag = redTag('WO-C4', 'L-920-C');
      await quality.pushOk([tag]);
      const ncrId = `NCR-${tag.id}`;
      const events: StationEvent[] = [contain(quality, ncrId, 'WO-C4', 'L-920-C', [c1, f1])];
      expect((await quality.pushOk(events))[0]).toMatchObject({ outcome: 'accepted' });
      const own = await ncrView(ncrId);
      expect(held(own)).toContain('SN-WO-C4-1');
      expect(held(own)).not.toContain('SN-WO-CF-1');
      const companionId = companionNcrId(ncrId, F35);
      const companion = await ncrView(companionId);
      expect(companion).toMatchObject({ workOrderId: 'WO-CF', containsFromLot: 'L-920-C', status: 'open', items: [{ unit: f1 }] });
      expect(JSON.stringify(companion)).not.toContain(tag.id);
      const pulled = await commercialOnly.pullAll(0);
      const ncrs = pulled.documents.filter((d) => d.kind === 'nonconformance');
      expect(ncrs.some((d) => d.key === companionId)).toBe(false);
      expect(JSON.stringify(ncrs)).not.toContain('SN-WO-CF-1');
      expect(ncrs.some((d) => d.key === ncrId)).toBe(true);
      // Work on the F-35 unit is flagged, naming the companion NCR.
      const [work] = await mill.pushOk([mill.step('op.started', 'B-1001', 'WO-CF', f1, 'OP10', 'D')]);
      expect(work).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'] });
    });
  });
}
