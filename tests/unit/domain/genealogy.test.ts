/**
 * The genealogy model (src/domain/genealogy.ts) through split, merge, scrap, return and a two-level
 * assembly, and the rules that guard it (docs/sync-spec.md C18–C20), run through decide() as the
 * server runs them.
 */
import { describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../schemas/event.ts';
import type { ViewDoc } from '../../../schemas/view-doc.ts';
import type { PlantState } from '../../../src/domain/plant.ts';
import { decideBatch, type Decision } from '../../../src/domain/decide.ts';
import { finishedUnits, flatten, recallCsv, whereFrom, whereUsed } from '../../../src/domain/genealogy.ts';
import { checkConsume } from '../../../src/domain/material.ts';
import { checkMerge, checkReturn, checkScrap, checkSplit } from '../../../src/domain/material-moves.ts';
import { plantFromViews, reduceEvents } from '../../../src/domain/plant.ts';
import { consumedByPart } from '../../../src/domain/traveler.ts';
import { AT, SN1, SN2, event, fixtureViews } from './fixture.ts';

const SA1 = { kind: 'serial', serial: 'SA-1' } as const;
const LOT2 = { kind: 'lot', lotId: 'LOT-2' } as const;

/** The domain fixture with a top assembly P-5 (serial SA-1, WO-5) that builds in a P-1 housing and 2 × P-2 brackets. */
function plant(): PlantState {
  const docs: ViewDoc[] = fixtureViews().map((doc) =>
    doc.kind === 'lot' && doc.key === 'L-8'
      ? { ...doc, data: { ...doc.data, provenance: { supplier: 'Bossard Inc.', supplierLot: 'BN4471207', certificate: 'CoC-BN4471207', receivedDate: '2026-10-14' } } }
      : doc,
  );
  let seq = 1000;
  const add = (doc: Omit<ViewDoc, 'serverSeq' | 'id'>) => docs.push({ ...doc, id: `${doc.kind}:${doc.key}`, serverSeq: ++seq } as ViewDoc);
  add({ kind: 'part', key: 'P-5', data: { partNumber: 'P-5', revision: 'A', description: 'Actuator assembly', tracking: 'serial' } });
  add({
    kind: 'routing', key: 'P-5@A',
    data: { partNumber: 'P-5', partRevision: 'A', operations: [{ id: 'OP10', sequence: 10, name: 'Final assembly', workCenterId: 'WC-B', operationType: 'assembly', instruction: { ref: 'WI-5', revision: 'A' }, characteristics: [], bill: [{ partNumber: 'P-1', quantityPer: 1 }, { partNumber: 'P-2', quantityPer: 2 }] }] },
  });
  add({ kind: 'workOrder', key: 'WO-5', data: { id: 'WO-5', partNumber: 'P-5', partRevision: 'A', quantity: 1, tracking: 'serial', units: [SA1], program: 'COMMERCIAL', dueDate: '2026-12-20' } });
  add({ kind: 'serial', key: 'SA-1', data: { serial: 'SA-1', partNumber: 'P-5', workOrderId: 'WO-5' } });
  return plantFromViews(docs);
}

const consume = (workOrderId: string, unit: typeof SN1 | typeof SN2 | typeof SA1 | typeof LOT2, operationId: string, material: { kind: 'serial'; serial: string; partNumber: string } | { kind: 'lot'; lotId: string; partNumber: string; quantity: number }, stationId = 'ST-1') => {
  const e = event('material.consumed', 'B-OP', { workOrderId, operationId, unit, material, scanned: material.kind === 'serial' ? material.serial : material.lotId });
  return { ...e, stationId };
};
const lotOf = (lotId: string, quantity: number, partNumber = 'P-8') => ({ kind: 'lot' as const, lotId, partNumber, quantity });

/** The plant after the server decided these events in this order, each pushed by the station that recorded it. */
function decided(events: StationEvent[], state = plant()) {
  let current = state;
  const decisions: Array<{ event: StationEvent; decision: Decision }> = [];
  for (const e of events) {
    const result = decideBatch(current, { stationId: e.stationId, lastSeq: e.seq - 1 }, [e], { pushedBy: e.stationId, serverTime: new Date(AT.getTime() + 1000), skewMs: 0 });
    current = result.state;
    decisions.push(...result.decisions);
  }
  return { state: current, decisions };
}

function story() {
  const intoSn2 = consume('WO-1', SN2, 'OP20', { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' });
  const events = [
    consume('WO-2', LOT2, 'OP10', lotOf('L-8', 20)),
    consume('WO-1', SN1, 'OP20', { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }),
    consume('WO-1', SN1, 'OP20', lotOf('L-8', 4)),
    intoSn2,
    event('material.returned', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN2, consumedEventId: intoSn2.id, material: { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' }, reason: 'Wrong bearing pulled' }),
    event('lot.split', 'B-OP', { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-S1', quantity: 10 }], reason: 'Kit for the cell' }),
    event('lot.merged', 'B-OP', { sources: [{ kind: 'lot', lotId: 'L-8-S1', quantity: 5 }, { kind: 'lot', lotId: 'L-8-LOW', quantity: 3 }], into: { kind: 'lot', lotId: 'L-8-M', partNumber: 'P-8' }, reason: 'One bin' }),
    consume('WO-1', SN2, 'OP20', lotOf('L-8-M', 4)),
    event('unit.scrapped', 'B-Q', { item: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 2 }, reason: 'Stripped threads' }),
    consume('WO-5', SA1, 'OP10', { kind: 'serial', serial: 'SN-1', partNumber: 'P-1' }),
    consume('WO-5', SA1, 'OP10', { kind: 'lot', lotId: 'LOT-2', partNumber: 'P-2', quantity: 2 }),
  ];
  return { events, result: decided(events) };
}

describe('genealogy model', () => {
  it('every event of the story is accepted without flags, and the lots add up', () => {
    const { result } = story();
    expect(result.decisions.map((d) => [d.event.type, d.decision.outcome, d.decision.reason])).toEqual(result.decisions.map((d) => [d.event.type, 'accepted', undefined]));
    const lots = result.state.lots;
    expect(lots.get('L-8')?.remaining).toBe(100 - 20 - 4 - 10 - 2);
    expect(lots.get('L-8-S1')).toMatchObject({ quantity: 10, remaining: 5, origin: { kind: 'split', from: [{ lotId: 'L-8', quantity: 10 }], stationId: 'ST-1' } });
    expect(lots.get('L-8-M')).toMatchObject({ quantity: 8, remaining: 4, origin: { kind: 'merged' } });
    expect(lots.get('L-8-LOW')?.remaining).toBe(0);
    expect(lots.get('L-8')?.scrapped).toMatchObject([{ quantity: 2, reason: 'Stripped threads' }]);
    // The returned bearing is free again and no longer counts toward the bill.
    expect(result.state.serials.get('BRG-2')?.consumedInto).toBeUndefined();
    expect(consumedByPart(result.state.consumptions.get('WO-1|serial:SN-2|OP20') ?? []).get('P-9')).toBe(0);
  });

  it('where-used of a lot reaches the finished units through a split, a merge and a two-level assembly (the recall answer)', () => {
    const { state } = story().result;
    const used = whereUsed(state, { kind: 'lot', lotId: 'L-8' });
    expect(used.truncated).toBe(false);
    const paths = flatten(used).map(({ node, path }) => `${path.join(' > ')}${node.repeated === true ? ' (again)' : ''}`);
    expect(paths).toEqual(expect.arrayContaining(['L-8 > LOT-2', 'L-8 > LOT-2 > SA-1', 'L-8 > SN-1 > SA-1 (again)', 'L-8 > L-8-S1 > L-8-M > SN-2']));
    expect(finishedUnits(used).map((line) => [line.label, line.workOrderId, line.level])).toEqual([['SA-1', 'WO-5', 2], ['SN-2', 'WO-1', 3]]);
    // Each relation carries the event, station, operation and quantity that made it.
    const lot2 = used.root.children.find((child) => child.item.label === 'LOT-2');
    expect(lot2?.via).toMatchObject({ kind: 'consumed', workOrderId: 'WO-2', operationId: 'OP10', quantity: 20, net: 20, stationId: 'ST-1', actor: 'B-OP' });
    const csv = recallCsv(used);
    expect(csv.split('\r\n')[0]).toBe('unit,kind,part,work_order,level,path,material,truncated,shipped');
    expect(csv).toContain('SA-1,serial,P-5,WO-5,2,L-8 > LOT-2 > SA-1,L-8,no,');
  });

  it('where-from of the top assembly reaches the bought lots and their certificates; returned material is shown as returned', () => {
    const { state } = story().result;
    const from = whereFrom(state, SA1);
    const nodes = flatten(from);
    const l8 = nodes.find(({ node }) => node.item.label === 'L-8' && node.repeated !== true)?.node;
    expect(l8?.item.provenance).toMatchObject({ supplier: 'Bossard Inc.', certificate: 'CoC-BN4471207' });
    expect(from.root.item.producedBy).toMatchObject({ workOrderId: 'WO-5', operationId: 'OP10' });
    expect(nodes.map(({ path }) => path.join(' > '))).toEqual(expect.arrayContaining(['SA-1 > SN-1 > BRG-1', 'SA-1 > SN-1 > L-8', 'SA-1 > LOT-2 > L-8']));
    const sn2 = whereFrom(state, SN2);
    const brg2 = sn2.root.children.find((child) => child.item.label === 'BRG-2');
    expect(brg2?.returned).toBe(true);
    expect(brg2?.via).toMatchObject({ kind: 'consumed', net: 0, returns: [{ reason: 'Wrong bearing pulled' }] });
    expect(flatten(sn2).map(({ path }) => path.join(' > '))).toEqual(expect.arrayContaining(['SN-2 > L-8-M > L-8-S1 > L-8', 'SN-2 > L-8-M > L-8-LOW']));
    // Where-used of the returned bearing: it is in no unit.
    expect(finishedUnits(whereUsed(state, { kind: 'serial', serial: 'BRG-2' }))).toEqual([]);
  });

  it('a bounded walk says it was cut short; items the caller may not see are withheld and counted', () => {
    const { state } = story().result;
    const few = whereUsed(state, { kind: 'lot', lotId: 'L-8' }, { maxNodes: 2 });
    expect(few.truncated).toBe(true);
    expect(few.visited).toBe(2);
    const shallow = whereUsed(state, { kind: 'lot', lotId: 'L-8' }, { maxDepth: 1 });
    expect(shallow.truncated).toBe(true);
    expect(flatten(shallow).every(({ node }) => node.depth <= 1)).toBe(true);
    const hidden = whereUsed(state, { kind: 'lot', lotId: 'L-8' }, { visible: (item) => item.producedBy?.workOrderId !== 'WO-5' });
    expect(hidden.withheld).toBe(2);
    expect(flatten(hidden).some(({ node }) => node.item.label === 'SA-1')).toBe(false);
    expect(whereUsed(state, { kind: 'lot', lotId: 'L-8' }).truncated).toBe(false);
  });

  it('the station reaches the same genealogy from its own pending events as the server', () => {
    const { events, result } = story();
    const station = reduceEvents(plant(), events);
    expect(recallCsv(whereUsed(station, { kind: 'lot', lotId: 'L-8' }))).toBe(recallCsv(whereUsed(result.state, { kind: 'lot', lotId: 'L-8' })));
  });
});

describe('genealogy rules', () => {
  it('[C18] a lot split on one station while another consumed from the parent offline: flagged split-conflict, lot on hold, children named', () => {
    const split = event('lot.split', 'B-OP', { lot: { kind: 'lot', lotId: 'L-8-LOW', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-K1', quantity: 3 }] });
    const offline = consume('WO-1', SN1, 'OP20', lotOf('L-8-LOW', 2), 'ST-2');
    const result = decided([split, offline]);
    const [, second] = result.decisions;
    expect(second?.decision).toMatchObject({ outcome: 'flagged', flags: ['split-conflict'] });
    expect(second?.decision.reason).toContain('split into L-8-K1');
    expect(result.state.holds.get(`H-${offline.id}`)).toMatchObject({ status: 'active', subject: { kind: 'lot', lotId: 'L-8-LOW' } });
    // Not also C5: one conflict item for one cause.
    expect(second?.decision.flags).not.toContain('over-consumption');
    // The other order: the consumption first, then a split of more than it left.
    const other = decided([consume('WO-1', SN1, 'OP20', lotOf('L-8-LOW', 2), 'ST-2'), event('lot.split', 'B-OP', { lot: { kind: 'lot', lotId: 'L-8-LOW', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-K2', quantity: 3 }] })]);
    expect(other.decisions[1]?.decision).toMatchObject({ outcome: 'flagged', flags: ['split-conflict'] });
  });

  it('[C19] a serial scrapped on one station and built in on another is flagged either way round; the assembly goes on hold', () => {
    const scrap = event('unit.scrapped', 'B-Q', { item: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, reason: 'Dropped' });
    const build = consume('WO-1', SN1, 'OP20', { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, 'ST-2');
    const first = decided([scrap, build]);
    expect(first.decisions[1]?.decision).toMatchObject({ outcome: 'flagged', flags: ['scrapped-material'] });
    expect(first.state.holds.get(`H-${build.id}`)?.subject).toEqual(SN1);
    const scrap2 = event('unit.scrapped', 'B-Q', { item: { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' }, reason: 'Dropped' });
    const build2 = consume('WO-1', SN2, 'OP20', { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' }, 'ST-2');
    const second = decided([build2, scrap2]);
    expect(second.decisions[1]?.decision).toMatchObject({ outcome: 'flagged', flags: ['scrapped-material'] });
    expect(second.state.holds.get(`H-${scrap2.id}`)?.subject).toEqual(SN2);
    // A lot scrapped down to nothing, then consumed from.
    const lot = decided([event('unit.scrapped', 'B-Q', { item: { kind: 'lot', lotId: 'L-8-LOW', partNumber: 'P-8', quantity: 3 }, reason: 'Corroded' }), consume('WO-1', SN1, 'OP20', lotOf('L-8-LOW', 2))]);
    expect(lot.decisions[1]?.decision).toMatchObject({ outcome: 'flagged', flags: ['scrapped-material'] });
  });

  it('[C20] mixed tracking levels: a serialized part is never consumed as a quantity, a lot-tracked part never by serial', () => {
    const asLot = decided([consume('WO-1', SN1, 'OP20', { kind: 'lot', lotId: 'L-8', partNumber: 'P-9', quantity: 1 })]);
    expect(asLot.decisions[0]?.decision).toMatchObject({ outcome: 'rejected' });
    expect(asLot.decisions[0]?.decision.reason).toContain('Part P-9 is serialized');
    const asSerial = decided([consume('WO-1', SN1, 'OP20', { kind: 'serial', serial: 'BRG-1', partNumber: 'P-8' })]);
    expect(asSerial.decisions[0]?.decision.reason).toContain('Part P-8 is tracked by lot');
    expect(asSerial.state).toBe(asSerial.state);
  });

  it('[C20] a split of an unknown lot, into a lot that exists, a merge of other parts, a second return of the same material: refused, nothing changes', () => {
    const base = plant();
    const refusals = decided([
      event('lot.split', 'B-OP', { lot: { kind: 'lot', lotId: 'L-NOPE', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-X', quantity: 1 }] }),
      event('lot.split', 'B-OP', { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-LOW', quantity: 1 }] }),
      event('lot.merged', 'B-OP', { sources: [{ kind: 'lot', lotId: 'L-8', quantity: 1 }, { kind: 'lot', lotId: 'LOT-2', quantity: 1 }], into: { kind: 'lot', lotId: 'L-NEW', partNumber: 'P-8' } }),
      event('unit.scrapped', 'B-Q', { item: { kind: 'serial', serial: 'SN-404', partNumber: 'P-1' }, reason: 'x' }),
    ], base);
    expect(refusals.decisions.map((d) => d.decision.outcome)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(refusals.decisions.map((d) => d.decision.reason)).toEqual([
      'lot.split names lot L-NOPE, which the server does not have',
      'lot.split names new lot L-8-LOW, which already exists',
      'lot.merged says lot LOT-2 is part P-8; it is part P-2',
      'unit.scrapped names serial SN-404, which the server does not have',
    ]);
    expect(refusals.state.lots).toBe(base.lots);
    const used = consume('WO-1', SN1, 'OP20', lotOf('L-8', 4));
    const back = () => event('material.returned', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, consumedEventId: used.id, material: lotOf('L-8', 3), reason: 'Left over' });
    const twice = decided([used, back(), { ...back(), stationId: 'ST-2' }]);
    expect(twice.decisions.map((d) => d.decision.outcome)).toEqual(['accepted', 'accepted', 'rejected']);
    expect(twice.decisions[2]?.decision.reason).toContain('Only 1 of that consumption is still built in');
    expect(twice.state.lots.get('L-8')?.remaining).toBe(99);
  });
});

describe('station checks before a genealogy event', () => {
  it('a split, merge, scrap or return the station can see will not hold is refused with the reason, before anything is recorded', () => {
    const state = story().result.state;
    expect(checkSplit(state, 'L-8', [{ lotId: 'L-8-S9', quantity: 1000 }], '')).toMatchObject({ ok: false, code: 'insufficient-quantity' });
    expect(checkSplit(state, 'L-8', [{ lotId: 'L-8-S1', quantity: 1 }], '')).toMatchObject({ ok: false, code: 'lot-exists' });
    expect(checkSplit(state, 'L-8-HELD', [{ lotId: 'L-8-H1', quantity: 1 }], '')).toMatchObject({ ok: false, code: 'on-hold' });
    expect(checkSplit(state, 'L-8', [{ lotId: 'L-8-S2', quantity: 5 }], 'Kit')).toMatchObject({ ok: true, value: { lot: { lotId: 'L-8', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-S2', quantity: 5 }], reason: 'Kit' } });
    expect(checkMerge(state, [{ lotId: 'L-8', quantity: 1 }, { lotId: 'LOT-2', quantity: 1 }], 'L-Z', '')).toMatchObject({ ok: false, code: 'wrong-part' });
    expect(checkScrap(state, { kind: 'serial', serial: 'BRG-1' }, 'Dropped')).toMatchObject({ ok: false, code: 'already-consumed' });
    expect(checkScrap(state, { kind: 'serial', serial: 'BRG-2' }, '')).toMatchObject({ ok: false, code: 'reason-required' });
    const consumed = state.consumptions.get('WO-1|serial:SN-2|OP20')?.find((c) => c.material.kind === 'serial');
    expect(checkReturn(state, { workOrderId: 'WO-1', unit: SN2, operationId: 'OP20', consumedEventId: consumed?.eventId ?? '' }, 'again')).toMatchObject({ ok: false, code: 'insufficient-quantity' });
  });

  it('what an open NCR holds is not scrapped at the station: the NCR\'s disposition decides it, and the refusal names the NCR', () => {
    const state = story().result.state;
    const tag = event('ncr.opened', 'B-Q', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: SN2, quantity: 1 }, { itemId: '2', unit: { kind: 'lot', lotId: 'L-8' }, quantity: 60 }], description: 'Chatter marks on the face' });
    const held = reduceEvents(state, [tag]);
    const serial = checkScrap(held, { kind: 'serial', serial: 'SN-2' }, 'Chatter marks');
    expect(serial).toMatchObject({ ok: false, code: 'under-ncr' });
    expect(serial.ok ? '' : serial.message).toMatch(/^SN-2 is held by NCR-\d{4}-[0-9A-Z]{6} \(Chatter marks on the face\); quality must disposition it first$/);
    // The refusal comes before the missing reason: a person reads why before typing one.
    expect(checkScrap(held, { kind: 'serial', serial: 'SN-2' }, '')).toMatchObject({ ok: false, code: 'under-ncr' });
    const left = held.lots.get('L-8')?.remaining ?? 0;
    expect(checkScrap(held, { kind: 'lot', lotId: 'L-8', quantity: left - 60 }, 'Bent')).toMatchObject({ ok: true });
    const lot = checkScrap(held, { kind: 'lot', lotId: 'L-8', quantity: left - 59 }, 'Bent');
    expect(lot).toMatchObject({ ok: false, code: 'under-ncr' });
    expect(lot.ok ? '' : lot.message).toContain(`60 of its ${left} are held by NCR-`);
    expect(checkScrap(state, { kind: 'serial', serial: 'SN-2' }, 'Chatter marks')).toMatchObject({ ok: true });
  });

  it('mixed tracking levels at the scan: a serialized part by lot, a lot-tracked part by serial, and a scrapped serial are refused', () => {
    const parts = plant();
    const docs: ViewDoc[] = [{ id: 'lot:L-9', kind: 'lot', key: 'L-9', serverSeq: 1, data: { lotId: 'L-9', partNumber: 'P-9', quantity: 5, remaining: 5 } }];
    const state = reduceEvents({ ...parts, lots: new Map([...parts.lots, ...plantFromViews(docs).lots]) }, [
      event('op.started', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP10', unit: SN1, instructionRevision: 'D' }),
      event('op.completed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP10', unit: SN1, instructionRevision: 'D' }),
      event('op.started', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, instructionRevision: 'B' }),
      event('unit.scrapped', 'B-Q', { item: { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' }, reason: 'Dropped' }),
    ]);
    const at = { workOrderId: 'WO-1', unit: SN1, operationId: 'OP20' };
    expect(checkConsume(state, { ...at, scanned: 'L-9' })).toMatchObject({ ok: false, code: 'wrong-tracking', message: 'Part P-9 is serialized: scan the serial of each one, not lot L-9' });
    expect(checkConsume(state, { ...at, scanned: 'BRG-2' })).toMatchObject({ ok: false, code: 'scrapped' });
    expect(checkConsume(state, { ...at, scanned: 'BRG-1' })).toMatchObject({ ok: true });
  });
});
