/**
 * `lot.repacked` (docs/genealogy.md): a lot's quantity put into a new lot with the parent's
 * provenance, checked at the station, decided by the server's rules (C18 where a repack and an
 * offline consumption collide, C20 for references that do not hold), and followed by both walks.
 * Also the Genealogy screen's look-up and words (src/features/genealogy/find-genealogy.ts).
 */
import { describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../schemas/event.ts';
import type { ViewDoc } from '../../../schemas/view-doc.ts';
import type { PlantState } from '../../../src/domain/plant.ts';
import { decideBatch, type Decision } from '../../../src/domain/decide.ts';
import { finishedUnits, flatten, recallCsv, whereFrom, whereUsed } from '../../../src/domain/genealogy.ts';
import { checkRepack } from '../../../src/domain/material-moves.ts';
import { plantFromViews } from '../../../src/domain/plant.ts';
import { genealogyRefOf, relationWords, scannedItem } from '../../../src/features/genealogy/find-genealogy.ts';
import { parseScan } from '../../../src/scan/parse.ts';
import { AT, SN1, event, fixtureViews } from './fixture.ts';

const PROVENANCE = { supplier: 'Bossard Inc.', supplierLot: 'BN4471207', certificate: 'CoC-BN4471207', receivedDate: '2026-10-14' };

function plant(): PlantState {
  return plantFromViews(fixtureViews().map((doc: ViewDoc) => (doc.kind === 'lot' && doc.key === 'L-8' ? { ...doc, data: { ...doc.data, provenance: PROVENANCE } } : doc)) as ViewDoc[]);
}

const consume = (lotId: string, quantity: number, stationId = 'ST-1') => ({
  ...event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId, partNumber: 'P-8', quantity }, scanned: lotId }),
  stationId,
});
const repack = (lotId: string, into: string, quantity: number) => event('lot.repacked', 'B-OP', { lot: { kind: 'lot', lotId, partNumber: 'P-8' }, into: { kind: 'lot', lotId: into, quantity }, reason: 'Into a sealed bag' });

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

describe('lot.repacked', () => {
  it('makes a new lot of the same part with the parent provenance; the parent keeps the rest', () => {
    const { state, decisions } = decided([repack('L-8', 'L-8-R', 40), consume('L-8-R', 4)]);
    expect(decisions.map((d) => d.decision.outcome)).toEqual(['accepted', 'accepted']);
    expect(state.lots.get('L-8')).toMatchObject({ remaining: 60, movedOut: [{ kind: 'repacked', quantity: 40, into: ['L-8-R'] }] });
    expect(state.lots.get('L-8-R')).toMatchObject({ partNumber: 'P-8', quantity: 40, remaining: 36, provenance: PROVENANCE, origin: { kind: 'repacked', from: [{ lotId: 'L-8', quantity: 40 }] } });
  });

  it('where-used follows a repack to the unit; where-from reaches the bought lot through it', () => {
    const { state } = decided([repack('L-8', 'L-8-R', 40), consume('L-8-R', 4)]);
    const used = whereUsed(state, { kind: 'lot', lotId: 'L-8' });
    expect(flatten(used).map(({ node }) => [node.item.label, node.via?.kind])).toEqual([['L-8-R', 'repacked'], ['SN-1', 'consumed']]);
    expect(finishedUnits(used).map((l) => [l.label, l.path.join(' > ')])).toEqual([['SN-1', 'L-8 > L-8-R > SN-1']]);
    expect(recallCsv(used)).toContain('SN-1,serial,P-1,WO-1,2,L-8 > L-8-R > SN-1,L-8,no');
    const from = whereFrom(state, SN1);
    const chain = flatten(from).map(({ node }) => node.item.label);
    expect(chain).toEqual(['L-8-R', 'L-8']);
    const bottom = flatten(from).at(-1)?.node;
    expect(bottom?.item.provenance).toEqual(PROVENANCE);
    expect(relationWords(bottom!, 'where-from')).toBe('repacked from this lot: 40');
    expect(relationWords(flatten(used)[0]!.node, 'where-used')).toBe('repacked as this lot: 40');
  });

  it('the station checks it first: unknown lot, on hold, too much, id in use, and all that remains by default', () => {
    const state = plant();
    const refused = (r: ReturnType<typeof checkRepack>) => (r.ok ? 'ok' : r.code);
    expect(refused(checkRepack(state, 'L-NOPE', { lotId: 'L-X' }, ''))).toBe('unknown-identifier');
    expect(refused(checkRepack(state, 'L-8-HELD', { lotId: 'L-X' }, ''))).toBe('on-hold');
    expect(refused(checkRepack(state, 'L-8', { lotId: 'L-X', quantity: 101 }, ''))).toBe('insufficient-quantity');
    expect(refused(checkRepack(state, 'L-8', { lotId: 'L-X', quantity: 0 }, ''))).toBe('invalid-quantity');
    expect(refused(checkRepack(state, 'L-8', { lotId: 'L-8-LOW' }, ''))).toBe('lot-exists');
    const all = checkRepack(state, ' L-8 ', { lotId: ' L-8-BAG ' }, ' Sealed ');
    expect(all).toEqual({ ok: true, value: { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, into: { kind: 'lot', lotId: 'L-8-BAG', quantity: 100 }, reason: 'Sealed' } });
  });

  it('[C18] a lot repacked on one station while another consumed from it offline: flagged split-conflict either order, lot on hold', () => {
    const packed = repack('L-8-LOW', 'L-8-LOW-R', 3);
    const offline = consume('L-8-LOW', 2, 'ST-2');
    const first = decided([packed, offline]);
    expect(first.decisions[1]?.decision).toMatchObject({ outcome: 'flagged', flags: ['split-conflict'] });
    expect(first.decisions[1]?.decision.reason).toContain('repacked as L-8-LOW-R');
    expect(first.state.holds.get(`H-${offline.id}`)).toMatchObject({ status: 'active', subject: { kind: 'lot', lotId: 'L-8-LOW' } });
    const other = decided([consume('L-8-LOW', 2, 'ST-2'), repack('L-8-LOW', 'L-8-LOW-R2', 3)]);
    expect(other.decisions[1]?.decision).toMatchObject({ outcome: 'flagged', flags: ['split-conflict'] });
    expect(other.decisions[1]?.decision.reason).toContain('3 repacked by B-OP');
  });

  it('[C20] a repack of an unknown lot, of another part, or into a lot id in use is refused and changes nothing', () => {
    const base = plant();
    const result = decided([
      repack('L-NOPE', 'L-X', 1),
      event('lot.repacked', 'B-OP', { lot: { kind: 'lot', lotId: 'LOT-2', partNumber: 'P-8' }, into: { kind: 'lot', lotId: 'L-Y', quantity: 1 } }),
      repack('L-8', 'L-8-LOW', 1),
    ], base);
    expect(result.decisions.map((d) => d.decision.reason)).toEqual([
      'lot.repacked names lot L-NOPE, which the server does not have',
      'lot.repacked says lot LOT-2 is part P-8; it is part P-2',
      'lot.repacked names new lot L-8-LOW, which already exists',
    ]);
    expect(result.decisions.map((d) => d.decision.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(result.state.lots).toBe(base.lots);
  });
});

describe('the Genealogy screen look-up', () => {
  it('finds a lot or serial in any case as the plant spells it; what the station does not hold goes to the server', () => {
    const state = plant();
    expect(genealogyRefOf(state, ' l-8 ')).toEqual({ ref: { kind: 'lot', lotId: 'L-8' }, held: true });
    expect(genealogyRefOf(state, 'sn-1')).toEqual({ ref: { kind: 'serial', serial: 'SN-1' }, held: true });
    expect(genealogyRefOf(state, 'lot-2')).toEqual({ ref: { kind: 'lot', lotId: 'LOT-2' }, held: true });
    expect(genealogyRefOf(state, 'l-77')).toEqual({ ref: { kind: 'lot', lotId: 'L-77' }, held: false });
    expect(genealogyRefOf(state, 'sn-9')).toEqual({ ref: { kind: 'serial', serial: 'SN-9' }, held: false });
  });

  it('a scanned label names its lot or serial as other screens read it; an unreadable one says why', () => {
    expect(scannedItem(parseScan('L-910-B'))).toEqual({ ok: true, text: 'L-910-B' });
    expect(scannedItem(parseScan('[)>\u001e06\u001d1TL-910-A\u001e\u0004'))).toEqual({ ok: true, text: 'L-910-A', kind: 'lot' });
    expect(scannedItem(parseScan(']C110L-910-B'))).toEqual({ ok: true, text: 'L-910-B', kind: 'lot' });
    expect(scannedItem(parseScan(']C121SN-1001-01'))).toEqual({ ok: true, text: 'SN-1001-01', kind: 'serial' });
    const bad = scannedItem(parseScan('[)>\u001e06\u001d1TL-910-A'));
    expect(bad.ok).toBe(false);
    // An unknown id the scan says is a lot is asked of the server as a lot.
    expect(genealogyRefOf(plant(), 'B-77', 'lot')).toEqual({ ref: { kind: 'lot', lotId: 'B-77' }, held: false });
  });
});
