/**
 * Program segregation: a station sees and records only the programs it is cleared for. A station
 * not cleared for F-35-ACT never receives an F-35-ACT work order, serial, step, hold, NCR, conflict
 * or quarantined event, and its pushes about F-35-ACT work are refused. Work-center filtering too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import type { Receipt } from '../../schemas/receipt.ts';
import { testClock } from './harness.ts';
import { enrollStation, signature, startSyncServer, type SyncFixture, type TestStation } from './sync-fixture.ts';

const clock = testClock('2026-11-20T08:00:00.000Z');
let fixture: SyncFixture;
let commercial: TestStation;
let cleared: TestStation;
const F35 = 'F-35-ACT';

/** Every F-35-ACT fact a document reveals, by kind. */
function f35In(doc: ViewDoc, f35Orders: ReadonlySet<string>, f35Units: ReadonlySet<string>): boolean {
  const text = JSON.stringify(doc.data);
  if ([...f35Orders].some((id) => text.includes(id))) return true;
  if ([...f35Units].some((id) => text.includes(`"${id}"`))) return true;
  return doc.kind === 'workOrder' && doc.data.program === F35;
}

beforeAll(async () => {
  fixture = await startSyncServer('PGlite', { now: clock.now, defaultPrograms: ['COMMERCIAL'] });
  commercial = await enrollStation(fixture.server, clock, 'Commercial cell');
  cleared = await enrollStation(fixture.server, clock, 'Program cell');
  expect(await fixture.server.store.setStationPrograms(cleared.id, ['COMMERCIAL', F35])).toBe(true);
}, 60_000);

afterAll(async () => {
  await fixture?.dispose();
});

describe('program clearance', () => {
  it('enrolls a station with the default programs', async () => {
    const stations = await fixture.server.store.listStations();
    expect(stations.find((s) => s.id === commercial.id)?.programs).toEqual(['COMMERCIAL']);
  });

  it('[S10][S12] never sends an F-35-ACT work order, serial, step, hold, NCR, conflict or quarantined event to a station not cleared for it', async () => {
    const unit = { kind: 'serial', serial: 'SN-1001-01' } as const;
    const receipts = await cleared.pushOk([
      cleared.step('op.completed', 'B-1001', 'WO-1001', unit, 'OP10', 'D'),
      cleared.step('op.completed', 'B-1005', 'WO-1001', unit, 'OP10', 'D'),
      cleared.hold('B-4001', 'H-F35', { kind: 'serial', serial: 'SN-1001-02' }),
      cleared.step('op.started', 'B-1001', 'WO-1001', { kind: 'serial', serial: 'SN-NOT-OF-1001' }, 'OP10', 'D'),
      cleared.event('measurement.recorded', 'B-2001', {
        workOrderId: 'WO-2003', operationId: 'OP30', unit: { kind: 'lot', lotId: 'LOT-2003' }, characteristicId: 'C2', characteristicRevision: 'A', instructionRevision: 'A',
        measured: { kind: 'attribute', verdict: 'fail' }, result: 'fail',
      }),
    ]);
    expect(receipts.map((r) => [r.outcome, r.flags])).toEqual([['accepted', []], ['flagged', ['duplicate-completion']], ['accepted', []], ['rejected', []], ['accepted', []]]);

    const all = (await cleared.pullAll(0)).documents;
    const f35Orders = new Set(all.flatMap((doc) => (doc.kind === 'workOrder' && doc.data.program === F35 ? [doc.data.id] : [])));
    expect(f35Orders.size).toBeGreaterThanOrEqual(5);
    const f35Units = new Set(all.flatMap((doc) => (doc.kind === 'workOrder' && f35Orders.has(doc.data.id) ? doc.data.units.map((u) => (u.kind === 'serial' ? u.serial : u.lotId)) : [])));
    const kindsSeen = new Set(all.filter((doc) => f35In(doc, f35Orders, f35Units)).map((doc) => doc.kind));
    // The cleared station does get all of it, so the check below has something to miss.
    expect([...kindsSeen].sort()).toEqual(['conflict', 'hold', 'lot', 'nonconformance', 'quarantine', 'serial', 'step', 'workOrder']);

    const seen = (await commercial.pullAll(0)).documents;
    expect(seen.filter((doc) => f35In(doc, f35Orders, f35Units)).map((doc) => doc.id)).toEqual([]);
    expect(seen.some((doc) => doc.kind === 'workOrder' && doc.data.program === 'COMMERCIAL')).toBe(true);
    expect(seen.some((doc) => doc.kind === 'routing')).toBe(true);
  });

  it('[S10] refuses a push about an F-35-ACT work order from a station not cleared for it, changing nothing', async () => {
    const before = await fixture.server.store.getView('step', 'WO-1001|serial:SN-1001-03|OP10');
    const event = commercial.step('op.started', 'B-1001', 'WO-1001', { kind: 'serial', serial: 'SN-1001-03' }, 'OP10', 'D');
    const hold = commercial.hold('B-4001', 'H-SNEAKY', { kind: 'workOrder', workOrderId: 'WO-1002' });
    const allowed = commercial.step('op.started', 'B-1001', 'WO-1003', { kind: 'serial', serial: 'SN-1003-01' }, 'OP10', 'D');
    const receipts = await commercial.pushOk([event, hold, allowed]);
    expect(receipts.map((r) => [r.outcome, r.flags, r.reason ?? ''])).toEqual([
      // Worded as for a work order the server does not have: no program named, no hint (S10).
      ['rejected', [], 'op.started names work order WO-1001 / operation OP10, which the server does not have'],
      ['rejected', [], 'hold.placed names work order WO-1002, which the server does not have'],
      // Refused events still count in the station's sequence: no missing-events flag.
      ['accepted', [], ''],
    ]);
    expect(await fixture.server.store.getView('step', 'WO-1001|serial:SN-1001-03|OP10')).toEqual(before);
    expect(await fixture.server.store.getView('hold', 'H-SNEAKY')).toBeUndefined();
  });

  it('[S12] sends only the travelers of the work centers a pull names; master data and stock always', async () => {
    const { documents } = await cleared.pullAll(0, { workCenterIds: ['WC-LATHE'] });
    const orders = documents.flatMap((doc) => (doc.kind === 'workOrder' ? [doc.data] : []));
    // P-100 passes through the lathe; P-200 does not.
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((order) => order.partNumber === 'P-100')).toBe(true);
    expect(documents.some((doc) => doc.kind === 'step' && doc.data.workOrderId === 'WO-2003')).toBe(false);
    expect(documents.some((doc) => doc.kind === 'lot' && doc.data.lotId === 'LOT-2003')).toBe(false);
    expect(documents.some((doc) => doc.kind === 'lot' && doc.data.lotId === 'L-910-A')).toBe(true);
    expect(documents.filter((doc) => doc.kind === 'routing')).toHaveLength(2);
  });
});

/** Every text of an answer with each of `pairs`' first ids written as its second, to compare two refusals. */
function renamed(value: unknown, pairs: ReadonlyArray<readonly [string, string]>): string {
  let text = JSON.stringify(value);
  for (const [from, to] of pairs) text = text.split(from).join(to);
  return text;
}

describe('segregation in every path (issue 11)', () => {
  it('[S10][S12] keeps quarantined pushes that name F-35-ACT work from a station not cleared for it: refused by schema, and addressed to another station', async () => {
    const valid = cleared.step('op.started', 'B-1001', 'WO-1001', { kind: 'serial', serial: 'SN-1001-01' }, 'OP20', 'B');
    const malformed = { ...valid, payload: { ...valid.payload, operationId: 42 } };
    const invalid = await cleared.push([malformed]);
    expect(invalid.status).toBe(400);
    const misaddressed = await cleared.push([valid], { stationId: commercial.id });
    expect(misaddressed.status).toBe(403);
    cleared.seq -= 1;

    // The fully cleared station sees both in quarantine: there is something to withhold.
    const quarantined = (await cleared.pullAll(0)).documents.filter((doc) => doc.kind === 'quarantine' && JSON.stringify(doc.data.raw).includes(valid.id));
    expect(quarantined.map((doc) => (doc.kind === 'quarantine' ? doc.data.flags : []))).toEqual([['schema'], ['security:station-mismatch']]);

    const seen = (await commercial.pullAll(0)).documents;
    expect(seen.filter((doc) => JSON.stringify(doc).includes(valid.id)).map((doc) => doc.id)).toEqual([]);
    expect(seen.filter((doc) => /WO-1001|SN-1001-01|F-35-ACT/.test(JSON.stringify(doc))).map((doc) => doc.id)).toEqual([]);
  });

  it('[S10] refuses work, holds, releases and resolutions about F-35-ACT exactly as about things the server does not have', async () => {
    // An F-35-ACT hold and conflict item of the cleared station's, to name.
    const unit = { kind: 'serial', serial: 'SN-1005-02' } as const;
    const [, second] = await cleared.pushOk([
      cleared.hold('B-4001', 'H-F35-REAL', { kind: 'serial', serial: 'SN-1005-01' }),
      cleared.step('op.completed', 'B-1001', 'WO-1005', unit, 'OP10', 'D'),
      cleared.step('op.completed', 'B-1005', 'WO-1005', unit, 'OP10', 'D'),
    ]).then((receipts) => receipts.slice(1));
    expect(second?.flags).toEqual(['duplicate-completion']);
    const conflictId = `CF-${second!.eventId}-duplicate-completion`;
    expect(await fixture.server.store.getView('conflict', conflictId)).toBeDefined();

    const resolve = (id: string) => commercial.event('conflict.resolved', 'B-3001', { conflictId: id, action: 'accept', signature: signature('B-3001', 'reviewed: accepted as recorded', clock.now()) });
    const about = (wo: string, serial: string, hold: string, conflict: string) => [
      commercial.step('op.completed', 'B-1001', wo, { kind: 'serial', serial }, 'OP10', 'D'),
      commercial.hold('B-4001', `H-NEW-${wo}`, { kind: 'serial', serial }),
      commercial.hold('B-4001', `H-NEW-WO-${wo}`, { kind: 'workOrder', workOrderId: wo }),
      commercial.release('B-3001', hold),
      resolve(conflict),
    ];
    const sequence = await fixture.server.store.sequence();
    const foreign = await commercial.pushOk(about('WO-1005', 'SN-1005-01', 'H-F35-REAL', conflictId));
    const unknown = await commercial.pushOk(about('WO-9005', 'SN-9005-01', 'H-NO-SUCH', 'CF-NO-SUCH'));
    const pairs = [['WO-1005', 'WO-9005'], ['SN-1005-01', 'SN-9005-01'], ['H-F35-REAL', 'H-NO-SUCH'], [conflictId, 'CF-NO-SUCH']] as const;
    const shape = (r: Receipt) => ({ outcome: r.outcome, flags: r.flags, reason: r.reason });
    expect(foreign.every((r) => r.outcome === 'rejected')).toBe(true);
    expect(renamed(foreign.map(shape), pairs)).toBe(JSON.stringify(unknown.map(shape)));
    expect(JSON.stringify(foreign)).not.toMatch(/F-35-ACT|program/);

    // Nothing changed but the quarantine, and neither refusal's quarantine entry reaches this station.
    expect(await fixture.server.store.getView('hold', 'H-F35-REAL')).toMatchObject({ data: { status: 'active' } });
    expect(await fixture.server.store.getView('conflict', conflictId)).toMatchObject({ data: { status: 'open' } });
    const page = await commercial.pullAll(sequence);
    const ids = [...foreign, ...unknown].map((r) => r.eventId);
    expect(page.documents.filter((doc) => ids.some((id) => JSON.stringify(doc).includes(id))).map((doc) => doc.id)).toEqual([]);
    expect(page.receipts.map((r) => r.eventId).sort()).toEqual([...ids].sort());
  });

  it('[S10] blanks an F-35-ACT identifier inside a view or a reason a station not cleared for it receives', async () => {
    // A bearing built into an F-35-ACT unit, then into a COMMERCIAL one: the second receipt, its
    // conflict item and its hold name the first assembly, which is F-35-ACT work.
    const bearing = { kind: 'serial', serial: 'BRG-0011', partNumber: 'P-900' } as const;
    await cleared.pushOk([
      cleared.event('material.consumed', 'B-1004', { workOrderId: 'WO-1002', operationId: 'OP40', unit: { kind: 'serial', serial: 'SN-1002-01' }, material: bearing, scanned: 'BRG-0011' }),
      cleared.hold('B-4001', 'H-MENTIONS', { kind: 'serial', serial: 'SN-1003-03' }, 'Same supplier batch as SN-1002-02, see WO-1002 (F-35-ACT)'),
    ]);
    const from = await fixture.server.store.sequence();
    const [receipt] = await commercial.pushOk([
      commercial.event('material.consumed', 'B-1004', { workOrderId: 'WO-1004', operationId: 'OP40', unit: { kind: 'serial', serial: 'SN-1004-01' }, material: bearing, scanned: 'BRG-0011' }),
    ]);
    expect(receipt?.flags).toEqual(['double-consumption']);
    // The server's own record keeps every word; the station is told what it may know.
    const conflict = await fixture.server.store.getView('conflict', `CF-${receipt!.eventId}-double-consumption`);
    expect(conflict?.data.description).toContain('SN-1002-01');
    expect(receipt?.reason).toBe('Serial BRG-0011 was already built into (withheld) ((withheld)); consumed again into SN-1004-01 (WO-1004)');

    const seen = (await commercial.pullAll(0)).documents;
    const texts = seen.map((doc) => JSON.stringify(doc));
    expect(texts.filter((text) => /WO-1002|SN-1002-0|F-35-ACT/.test(text))).toEqual([]);
    const mentions = seen.find((doc) => doc.id === 'hold:H-MENTIONS');
    expect(mentions?.kind === 'hold' && mentions.data.reason).toBe('Same supplier batch as (withheld), see (withheld) ((withheld))');
    const seenConflict = seen.find((doc) => doc.id === `conflict:CF-${receipt!.eventId}-double-consumption`);
    expect(seenConflict?.kind === 'conflict' && seenConflict.data.description).toBe(receipt?.reason);
    const pulled = (await commercial.pullAll(from)).receipts.find((r) => r.eventId === receipt!.eventId);
    expect(pulled?.reason).toBe(receipt?.reason);
  });
});
