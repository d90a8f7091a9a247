/**
 * Genealogy over HTTP against the real server (genealogy.pglite.test.ts, genealogy.pg.test.ts):
 * material split, merged, repacked, scrapped, returned and built into a two-level assembly, recorded offline at
 * two stations and pushed afterwards; where-used and where-from as JSON and the recall CSV, bounded,
 * and program clearance (S20): another program's units are withheld, and asked for directly read as
 * units the server does not have.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRef } from '../../schemas/common.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { WalkResult } from '../../src/domain/genealogy.ts';
import { viewOf } from '../../sync-server/store/view-keys.ts';
import { send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const F35 = 'F-35-ACT';

export function runGenealogySuite(backend: Backend): void {
  describe(`genealogy on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let mill: TestStation;
    let assembly: TestStation;
    let cleared: TestStation;
    let housings: UnitRef[];
    const SA1: UnitRef = { kind: 'serial', serial: 'SA-0001' };

    const get = (station: TestStation, path: string) => send<WalkResult & { code?: string; message?: string }>(fixture.server.url, path, { credential: station.credential });
    const lot = (lotId: string, partNumber: string, quantity: number) => ({ kind: 'lot' as const, lotId, partNumber, quantity });
    const consume = (station: TestStation, workOrderId: string, unit: UnitRef, operationId: string, material: ReturnType<typeof lot> | { kind: 'serial'; serial: string; partNumber: string }) =>
      station.event('material.consumed', 'B-1001', { workOrderId, operationId, unit, material, scanned: material.kind === 'lot' ? material.lotId : material.serial });

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now, defaultPrograms: ['COMMERCIAL'] });
      const server = fixture.server;
      mill = await enrollStation(server, clock, 'Mill tablet');
      assembly = await enrollStation(server, clock, 'Assembly bench');
      cleared = await enrollStation(server, clock, 'Program cell');
      expect(await server.store.setStationPrograms(cleared.id, ['COMMERCIAL', F35])).toBe(true);
      housings = (await addWorkOrder(server, 'WO-G1', { units: 2 })).units;
      await addWorkOrder(server, 'WO-G2', { part: 'P-200' });
      await addWorkOrder(server, 'WO-GF', { program: F35, units: 1 });
      // A top assembly: one P-100 housing and two P-200 brackets.
      await server.plant.putViews([
        viewOf('part', { partNumber: 'P-300', revision: 'A', description: 'Actuator assembly', tracking: 'serial' }),
        viewOf('routing', {
          partNumber: 'P-300', partRevision: 'A',
          operations: [{ id: 'OP10', sequence: 10, name: 'Final assembly', workCenterId: 'WC-ASSY', operationType: 'assembly', instruction: { ref: 'WI-300-10', revision: 'A' }, characteristics: [], bill: [{ partNumber: 'P-100', quantityPer: 1 }, { partNumber: 'P-200', quantityPer: 2 }] }],
        }),
        viewOf('workOrder', { id: 'WO-G3', partNumber: 'P-300', partRevision: 'A', quantity: 1, tracking: 'serial', units: [SA1], program: 'COMMERCIAL', dueDate: '2026-12-31' }),
        viewOf('serial', { serial: 'SA-0001', partNumber: 'P-300', workOrderId: 'WO-G3' }),
      ]);
      const [h1, h2] = housings as [UnitRef, UnitRef];
      const bracketLot: UnitRef = { kind: 'lot', lotId: 'LOT-WO-G2' };

      // Both stations record offline; they push only afterwards.
      const atMill: StationEvent[] = [
        mill.event('lot.split', 'B-1001', { lot: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920' }, children: [{ kind: 'lot', lotId: 'L-920-A1', quantity: 20 }], reason: 'Kit for the mill' }),
        consume(mill, 'WO-G1', h1, 'OP10', lot('L-920-A1', 'P-920', 1)),
        consume(mill, 'WO-G2', bracketLot, 'OP10', lot('L-920-A', 'P-920', 10)),
      ];
      const intoH2 = consume(assembly, 'WO-G1', h2, 'OP40', lot('L-910-A', 'P-910', 4));
      const atAssembly: StationEvent[] = [
        consume(assembly, 'WO-G1', h1, 'OP40', { kind: 'serial', serial: 'BRG-0005', partNumber: 'P-900' }),
        consume(assembly, 'WO-G1', h1, 'OP40', lot('L-910-A', 'P-910', 4)),
        intoH2,
        assembly.event('material.returned', 'B-1001', { workOrderId: 'WO-G1', operationId: 'OP40', unit: h2, consumedEventId: intoH2.id, material: lot('L-910-A', 'P-910', 2), reason: 'Two screws stripped on the driver' }),
        assembly.event('lot.merged', 'B-1001', { sources: [{ kind: 'lot', lotId: 'L-910-A', quantity: 10 }, { kind: 'lot', lotId: 'L-910-B', quantity: 3 }], into: { kind: 'lot', lotId: 'L-910-M', partNumber: 'P-910' }, reason: 'One bin at the bench' }),
        assembly.event('unit.scrapped', 'B-1001', { item: { kind: 'lot', lotId: 'L-910-M', partNumber: 'P-910', quantity: 1 }, reason: 'Bent' }),
        consume(assembly, 'WO-G1', h2, 'OP40', lot('L-910-M', 'P-910', 2)),
        assembly.event('unit.scrapped', 'B-1001', { item: { kind: 'serial', serial: 'BRG-0006', partNumber: 'P-900' }, reason: 'Dropped' }),
        consume(assembly, 'WO-G3', SA1, 'OP10', { kind: 'serial', serial: (h1 as { serial: string }).serial, partNumber: 'P-100' }),
        consume(assembly, 'WO-G3', SA1, 'OP10', lot('LOT-WO-G2', 'P-200', 2)),
      ];
      const program = [consume(cleared, 'WO-GF', { kind: 'serial', serial: 'SN-WO-GF-1' }, 'OP10', lot('L-920-A', 'P-920', 1))];
      for (const [station, events] of [[assembly, atAssembly], [mill, atMill], [cleared, program]] as const) {
        const receipts = await station.pushOk(events);
        expect(receipts.map((r) => [r.outcome, r.reason ?? ''])).not.toContainEqual(expect.arrayContaining(['rejected']));
      }
    }, 120_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    it('[S20] where-used of a bought lot reaches the finished assembly through a split and a sub-assembly; another program\'s unit is withheld', async () => {
      const answer = await get(mill, '/api/genealogy/where-used?lot=L-920-A');
      expect(answer.status).toBe(200);
      expect(answer.body.truncated).toBe(false);
      expect(answer.body.withheld).toBe(1);
      expect(answer.text).not.toContain('WO-GF');
      expect(answer.text).not.toContain(F35);
      const csv = await get(mill, '/api/genealogy/where-used?lot=L-920-A&format=csv');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe('unit,kind,part,work_order,level,path,material,truncated,shipped');
      expect(lines.slice(1).map((line) => line.split(',').slice(0, 5).join(','))).toEqual(['SA-0001,serial,P-300,WO-G3,2']);
      expect(csv.text).toContain('L-920-A > LOT-WO-G2 > SA-0001');
      // The station cleared for both programs sees the other unit too.
      const all = await get(cleared, '/api/genealogy/where-used?lot=L-920-A&format=csv');
      expect(all.text).toContain('SN-WO-GF-1,serial,P-100,WO-GF,1');
    });

    it('where-used through a merge and a partial return; the recall CSV of lot L-910-B names the housing', async () => {
      const csv = await get(mill, '/api/genealogy/where-used?lot=L-910-B&format=csv');
      expect(csv.status).toBe(200);
      expect(csv.text).toContain('SN-WO-G1-2,serial,P-100,WO-G1,2,L-910-B > L-910-M > SN-WO-G1-2');
      const json = await get(mill, '/api/genealogy/where-used?lot=L-910-A');
      const direct = json.body.root.children.find((child) => child.item.label === 'SN-WO-G1-2');
      expect(direct?.via).toMatchObject({ kind: 'consumed', quantity: 4, net: 2, returns: [{ quantity: 2, reason: 'Two screws stripped on the driver', stationId: assembly.id }] });
    });

    it('where-from of the top assembly reaches the bought lots and their certificates, each relation with its event, station and operation', async () => {
      const answer = await get(assembly, '/api/genealogy/where-from?serial=SA-0001');
      expect(answer.status).toBe(200);
      expect(answer.body.root.item.producedBy).toMatchObject({ workOrderId: 'WO-G3', operationId: 'OP10' });
      const text = answer.text;
      for (const id of ['SN-WO-G1-1', 'LOT-WO-G2', 'BRG-0005', 'L-920-A1', 'L-910-A', 'MTR 7K2291 (EN 10204 3.1)', 'Kaiser Aluminum']) expect(text).toContain(id);
      const housing = answer.body.root.children.find((child) => child.item.label === 'SN-WO-G1-1');
      expect(housing?.via).toMatchObject({ kind: 'consumed', workOrderId: 'WO-G3', operationId: 'OP10', stationId: assembly.id, quantity: 1 });
      const split = housing?.children.find((child) => child.item.label === 'L-920-A1')?.children[0];
      expect(split?.via).toMatchObject({ kind: 'split', quantity: 20, stationId: mill.id });
      expect(split?.item.provenance).toMatchObject({ heatNumber: '7K2291' });
    });

    it('[S20] a serial of another program reads exactly as one the server does not have', async () => {
      const foreign = await get(mill, '/api/genealogy/where-from?serial=SN-WO-GF-1');
      const missing = await get(mill, '/api/genealogy/where-from?serial=SN-WO-GX-1');
      expect(foreign.status).toBe(404);
      expect(foreign.text.replace('SN-WO-GF-1', 'X')).toBe(missing.text.replace('SN-WO-GX-1', 'X'));
      expect((await get(cleared, '/api/genealogy/where-from?serial=SN-WO-GF-1')).status).toBe(200);
    });

    it('a bounded walk says it was cut short; bad input is a clear error; no credential, no answer', async () => {
      const short = await get(mill, '/api/genealogy/where-used?lot=L-920-A&limit=2');
      expect(short.body.truncated).toBe(true);
      expect(short.body.visited).toBe(2);
      const both = await get(mill, '/api/genealogy/where-used?lot=L-920-A&serial=SA-0001');
      expect([both.status, both.body.code, both.body.message]).toEqual([400, 'invalid-request', 'Name exactly one of lot or serial']);
      expect((await get(mill, '/api/genealogy/where-used?lot=L-920-A&format=xml')).body.code).toBe('invalid-request');
      expect((await get(mill, '/api/genealogy/where-used?lot=L-920-A&limit=0')).body.code).toBe('invalid-request');
      const anonymous = await send(fixture.server.url, '/api/genealogy/where-used?lot=L-920-A');
      expect(anonymous.status).toBe(401);
    });

    it('the audit trail of a lot made by a split holds the split (per-subject chains cover the new events)', async () => {
      const trail = await send(fixture.server.url, '/api/audit/trail?lot=L-920-A1', { credential: mill.credential });
      expect(trail.status).toBe(200);
      expect(trail.text).toContain('lot.split');
      const scrapped = await send(fixture.server.url, '/api/audit/trail?serial=BRG-0006', { credential: mill.credential });
      expect(scrapped.text).toContain('unit.scrapped');
    });

    it('[C18] a lot repacked at one station while another consumed from it offline: both recorded, flagged split-conflict, the walks follow the repack with its provenance', async () => {
      const [, h2] = housings as [UnitRef, UnitRef];
      // Both offline: the mill repacks all 19 left of L-920-A1 into a bag, the bench takes 2 from the old label.
      const repacked = mill.event('lot.repacked', 'B-1001', { lot: { kind: 'lot', lotId: 'L-920-A1', partNumber: 'P-920' }, into: { kind: 'lot', lotId: 'L-920-A1R', quantity: 19 }, reason: 'Into a sealed bag' });
      const offline = consume(assembly, 'WO-G1', h2, 'OP10', lot('L-920-A1', 'P-920', 2));
      const fromBag = consume(mill, 'WO-G1', h2, 'OP10', lot('L-920-A1R', 'P-920', 1));
      expect((await mill.pushOk([repacked, fromBag])).map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
      const [receipt] = await assembly.pushOk([offline]);
      // Also beyond-bill (C17): OP10's bill calls for one bar, and the housing now has three.
      expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['beyond-bill', 'split-conflict'] });
      expect(receipt?.reason).toContain('repacked as L-920-A1R');
      const used = await get(mill, '/api/genealogy/where-used?lot=L-920-A1');
      const bag = used.body.root.children.find((child) => child.item.label === 'L-920-A1R');
      expect(bag?.via).toMatchObject({ kind: 'repacked', quantity: 19, stationId: mill.id });
      // L-920-A1 was split off in the plant: it has no provenance of its own to carry; where-from reaches the bar's.
      expect(bag?.item.provenance).toBeUndefined();
      expect(bag?.children.map((child) => child.item.label)).toEqual(['SN-WO-G1-2']);
      const from = await get(mill, '/api/genealogy/where-from?lot=L-920-A1R');
      expect(from.body.root.children.map((child) => [child.item.label, child.via?.kind])).toEqual([['L-920-A1', 'repacked']]);
      const bar = from.body.root.children[0]?.children[0];
      expect([bar?.item.label, bar?.via?.kind, bar?.item.provenance?.heatNumber]).toEqual(['L-920-A', 'split', '7K2291']);
      // A second repack into the same new lot is refused into quarantine (C20) and changes nothing.
      const again = mill.event('lot.repacked', 'B-1001', { lot: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920' }, into: { kind: 'lot', lotId: 'L-920-A1R', quantity: 1 } });
      const [refused] = await mill.pushOk([again]);
      expect([refused?.outcome, refused?.reason]).toEqual(['rejected', 'lot.repacked names new lot L-920-A1R, which already exists']);
      const trail = await send(fixture.server.url, '/api/audit/trail?lot=L-920-A1R', { credential: mill.credential });
      expect(trail.text).toContain('lot.repacked');
    });
  });
}
