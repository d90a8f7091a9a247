/**
 * The genealogy index is carried from one plant state to the next by what each change wrote
 * (src/domain/genealogy.ts `carryGenealogy`, called by every change in src/domain/plant.ts), so the
 * first where-used after a push costs what any other does. After every kind of genealogy event,
 * decided one push at a time as the server decides them, the carried index equals one built anew for
 * the same plant, list for list and walk for walk, and the lists nothing touched are shared, not
 * copied.
 */
import { describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../schemas/event.ts';
import type { ViewDoc } from '../../../schemas/view-doc.ts';
import { decideBatch } from '../../../src/domain/decide.ts';
import { genealogyOf, whereFrom, whereUsed, type Genealogy, type ItemRef, type Relation } from '../../../src/domain/genealogy.ts';
import { applyEventToDraft, changePlant, plantFromViews, reduceEvents, type PlantState } from '../../../src/domain/plant.ts';
import { genealogyFor } from '../../../sync-server/genealogy/routes.ts';
import { AT, SN1, SN2, event, fixtureViews } from './fixture.ts';

const SA1 = { kind: 'serial', serial: 'SA-1' } as const;
const SN9 = { kind: 'serial', serial: 'SN-9' } as const;
const LOT2 = { kind: 'lot', lotId: 'LOT-2' } as const;

/** The domain fixture with a top assembly P-5 (SA-1 of WO-5) that builds in a P-1 housing and P-2 brackets. */
function plant(): PlantState {
  const docs: ViewDoc[] = fixtureViews();
  let seq = 1000;
  const add = (doc: Omit<ViewDoc, 'serverSeq' | 'id'>) => docs.push({ ...doc, id: `${doc.kind}:${doc.key}`, serverSeq: ++seq } as ViewDoc);
  add({ kind: 'part', key: 'P-5', data: { partNumber: 'P-5', revision: 'A', description: 'Actuator assembly', tracking: 'serial' } });
  add({
    kind: 'routing', key: 'P-5@A',
    data: { partNumber: 'P-5', partRevision: 'A', operations: [{ id: 'OP10', sequence: 10, name: 'Final assembly', workCenterId: 'WC-B', operationType: 'assembly', instruction: { ref: 'WI-5', revision: 'A' }, characteristics: [], bill: [{ partNumber: 'P-1', quantityPer: 1 }, { partNumber: 'P-2', quantityPer: 2 }, { partNumber: 'P-9', quantityPer: 1 }] }] },
  });
  add({ kind: 'workOrder', key: 'WO-5', data: { id: 'WO-5', partNumber: 'P-5', partRevision: 'A', quantity: 1, tracking: 'serial', units: [SA1], program: 'COMMERCIAL', dueDate: '2026-12-20' } });
  add({ kind: 'serial', key: 'SA-1', data: { serial: 'SA-1', partNumber: 'P-5', workOrderId: 'WO-5' } });
  return plantFromViews(docs);
}

type Unit = typeof SN1 | typeof SN2 | typeof SA1 | typeof SN9 | typeof LOT2;
const consume = (workOrderId: string, unit: Unit, operationId: string, material: { kind: 'serial'; serial: string; partNumber: string } | { kind: 'lot'; lotId: string; partNumber: string; quantity: number }, stationId = 'ST-1') => ({
  ...event('material.consumed', 'B-OP', { workOrderId, operationId, unit, material, scanned: material.kind === 'serial' ? material.serial : material.lotId }),
  stationId,
});
const lotOf = (lotId: string, quantity: number, partNumber = 'P-8') => ({ kind: 'lot' as const, lotId, partNumber, quantity });

/** One push of one event, decided as the server decides it. */
function push(state: PlantState, e: StationEvent): PlantState {
  return decideBatch(state, { stationId: e.stationId, lastSeq: e.seq - 1 }, [e], { pushedBy: e.stationId, serverTime: new Date(AT.getTime() + 1000), skewMs: 0 }).state;
}

/** The lists of a map of the index, without keys whose relations were all taken away (a carried list stays, empty). */
function lists(map: ReadonlyMap<string, readonly Relation[]>): Array<[string, readonly Relation[]]> {
  return [...map].filter(([, list]) => list.length > 0).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Every serial and lot the plant or its genealogy names. */
function items(state: PlantState, genealogy: Genealogy): ItemRef[] {
  const keys = new Set<string>([...genealogy.usedIn.keys(), ...genealogy.inputs.keys()]);
  for (const lot of state.lots.keys()) keys.add(`lot:${lot}`);
  for (const serial of state.serials.keys()) keys.add(`serial:${serial}`);
  return [...keys].sort().map((key) => (key.startsWith('lot:') ? { kind: 'lot', lotId: key.slice(4) } : { kind: 'serial', serial: key.slice(7) }));
}

/** The carried index of `state` equals one built for it anew, and `state` was not built anew. */
function expectCarried(previous: PlantState, state: PlantState, what: string): void {
  const carried = genealogyOf(state);
  // A plant with the same maps but never reached by a change: its index is built from the whole plant.
  const rebuilt = genealogyOf({ ...state });
  expect(lists(carried.usedIn), what).toEqual(lists(rebuilt.usedIn));
  expect(lists(carried.inputs), what).toEqual(lists(rebuilt.inputs));
  for (const ref of items(state, rebuilt)) {
    expect(carried.facts(ref), `${what}: ${ref.kind} facts`).toEqual(rebuilt.facts(ref));
    expect(whereUsed(state, ref), `${what}: where-used`).toEqual(whereUsed({ ...state }, ref));
    expect(whereFrom(state, ref), `${what}: where-from`).toEqual(whereFrom({ ...state }, ref));
  }
  // Carried, not rebuilt: every list the change did not touch is the very list of the state before.
  const before = genealogyOf(previous);
  for (const [key, list] of before.usedIn) {
    const now = carried.usedIn.get(key);
    if (JSON.stringify(now) === JSON.stringify(list)) expect(now, `${what}: usedIn ${key} shared`).toBe(list);
  }
}

describe('the genealogy index is carried from change to change', () => {
  it('after a consumption, split, merge, repack, scrap, return, C6 double consumption, a void and a work order of a withheld program, it equals a full rebuild', () => {
    let state = plant();
    genealogyOf(state);
    const intoSn2 = consume('WO-1', SN2, 'OP20', { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' });
    const lotIntoSn1 = consume('WO-1', SN1, 'OP20', lotOf('L-8', 4));
    const doubled = consume('WO-5', SA1, 'OP10', { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, 'ST-2');
    const steps: Array<[string, (s: PlantState) => PlantState]> = [
      ['a lot consumed into a lot', (s) => push(s, consume('WO-2', LOT2, 'OP10', lotOf('L-8', 20)))],
      ['a serial consumed', (s) => push(s, consume('WO-1', SN1, 'OP20', { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }))],
      ['a lot consumed into a serial', (s) => push(s, lotIntoSn1)],
      ['a second serial consumed', (s) => push(s, intoSn2)],
      ['C6: the same serial consumed into a second assembly', (s) => push(s, doubled)],
      ['material returned whole', (s) => push(s, event('material.returned', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN2, consumedEventId: intoSn2.id, material: { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' }, reason: 'Wrong bearing pulled' }))],
      ['part of a lot returned', (s) => push(s, event('material.returned', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, consumedEventId: lotIntoSn1.id, material: lotOf('L-8', 1), reason: 'Left over' }))],
      ['a split', (s) => push(s, event('lot.split', 'B-OP', { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-S1', quantity: 10 }, { kind: 'lot', lotId: 'L-8-S2', quantity: 5 }], reason: 'Kits' }))],
      ['a merge', (s) => push(s, event('lot.merged', 'B-OP', { sources: [{ kind: 'lot', lotId: 'L-8-S1', quantity: 5 }, { kind: 'lot', lotId: 'L-8-LOW', quantity: 3 }], into: { kind: 'lot', lotId: 'L-8-M', partNumber: 'P-8' }, reason: 'One bin' }))],
      ['a repack', (s) => push(s, event('lot.repacked', 'B-OP', { lot: { kind: 'lot', lotId: 'L-8-S2', partNumber: 'P-8' }, into: { kind: 'lot', lotId: 'L-8-R', quantity: 5 }, reason: 'Torn bag' }))],
      ['a merged lot consumed', (s) => push(s, consume('WO-1', SN2, 'OP20', lotOf('L-8-M', 4)))],
      ['a quantity of a lot scrapped', (s) => push(s, event('unit.scrapped', 'B-Q', { item: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 2 }, reason: 'Stripped threads' }))],
      ['a serial scrapped', (s) => push(s, event('unit.scrapped', 'B-Q', { item: { kind: 'serial', serial: 'BRG-H', partNumber: 'P-9' }, reason: 'Dropped' }))],
      ['an assembly built into a top assembly', (s) => push(s, consume('WO-5', SA1, 'OP10', { kind: 'serial', serial: 'SN-1', partNumber: 'P-1' }))],
      [
        'the C6 duplicate voided by a signed resolution',
        (s) => {
          const conflict = [...s.conflicts.values()].find((c) => c.eventId === doubled.id);
          if (conflict === undefined) return s;
          // A void takes the losing consumption off its step: its relation leaves the index.
          return changePlant(s, (draft) => {
            draft.consumptions.set('WO-5|serial:SA-1|OP10', (draft.consumptions.get('WO-5|serial:SA-1|OP10') ?? []).filter((c) => c.eventId !== doubled.id));
          }).state;
        },
      ],
      [
        'a work order of another program (master data), and material built into it',
        (s) => {
          const withOrder = changePlant(s, (draft) => {
            draft.workOrders.set('WO-9', { id: 'WO-9', partNumber: 'P-1', partRevision: 'C', quantity: 1, tracking: 'serial', units: [SN9], program: 'DEFENSE', dueDate: '2026-12-30' });
            draft.serials.set('SN-9', { serial: 'SN-9', partNumber: 'P-1', workOrderId: 'WO-9' });
          }).state;
          return push(withOrder, consume('WO-9', SN9, 'OP20', lotOf('L-8-R', 2)));
        },
      ],
    ];
    for (const [what, step] of steps) {
      const next = step(state);
      expect(next, what).not.toBe(state);
      expectCarried(state, next, what);
      state = next;
    }
    // C6 was flagged (the second assembly's consumption stands until voided), and voided above.
    expect(state.consumptions.get('WO-5|serial:SA-1|OP10')?.some((c) => c.eventId === doubled.id)).toBe(false);
    expect(state.conflicts.size).toBeGreaterThan(0);
    // The walk a station cleared only for COMMERCIAL gets withholds the DEFENSE unit alike on both.
    const L8 = { kind: 'lot', lotId: 'L-8' } as const;
    const cleared = genealogyFor(state, ['COMMERCIAL'], 'where-used', L8, 5000);
    expect(cleared?.withheld).toBe(1);
    expect(cleared).toEqual(genealogyFor({ ...state }, ['COMMERCIAL'], 'where-used', L8, 5000));
  });

  it('the station reaches the same index carrying it through its pending events as by building it', () => {
    const base = plant();
    genealogyOf(base);
    const events = [
      consume('WO-2', LOT2, 'OP10', lotOf('L-8', 20)),
      event('lot.split', 'B-OP', { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-K', quantity: 10 }], reason: 'Kit' }),
      consume('WO-1', SN1, 'OP20', lotOf('L-8-K', 4)),
    ];
    const station = reduceEvents(base, events);
    expectCarried(base, station, 'pending events');
  });

  it('a walk on a batch being decided sees what the batch wrote so far (a draft is never answered from an older index)', () => {
    const base = plant();
    genealogyOf(base);
    const L8 = { kind: 'lot', lotId: 'L-8' } as const;
    const seen: string[][] = [];
    changePlant(base, (draft) => {
      applyEventToDraft(draft, consume('WO-2', LOT2, 'OP10', lotOf('L-8', 20)));
      seen.push(whereUsed(draft, L8).root.children.map((child) => child.item.label));
      applyEventToDraft(draft, consume('WO-1', SN1, 'OP20', lotOf('L-8', 4)));
      seen.push(whereUsed(draft, L8).root.children.map((child) => child.item.label));
    });
    expect(seen).toEqual([['LOT-2'], ['LOT-2', 'SN-1']]);
    expect(whereUsed(base, L8).root.children).toEqual([]);
  });
});
