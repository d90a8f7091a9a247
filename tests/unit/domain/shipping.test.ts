/**
 * Shipping (src/domain/shipping.ts, docs/shipping.md): what the station refuses and says, what a
 * shipment does to the plant, and rule C39 as the server runs it through decide().
 */
import { describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../schemas/event.ts';
import type { PlantState } from '../../../src/domain/plant.ts';
import { decideBatch } from '../../../src/domain/decide.ts';
import { finishedUnits, recallCsv, whereUsed } from '../../../src/domain/genealogy.ts';
import { ncrLabel } from '../../../src/domain/ncr.ts';
import { reduceEvents } from '../../../src/domain/plant.ts';
import { checkShip, readyToShip, recentShipments } from '../../../src/domain/shipping.ts';
import { AT, SN1, SN2, completed, event, fixturePlant } from './fixture.ts';

const SERVER_TIME = new Date(AT.getTime() + 1000);
const LOT2 = { kind: 'lot', lotId: 'LOT-2' } as const;

/** SN-1's whole traveler completed (OP10 to OP40), with a lot of screws built in at OP20. */
function finished(unit: typeof SN1 | typeof SN2 = SN1): StationEvent[] {
  return [
    completed('OP10', unit),
    event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 4 }, scanned: 'L-8' }),
    completed('OP20', unit),
    completed('OP30', unit, 'B-INS'),
    completed('OP40', unit),
  ];
}

const lotDone = () => event('op.completed', 'B-OP', { workOrderId: 'WO-2', operationId: 'OP10', unit: LOT2, instructionRevision: 'A' });

function ship(unit: typeof SN1 | typeof SN2 | typeof LOT2, quantity = 1, shipmentRef = 'PS-4471', workOrderId = unit.kind === 'lot' ? 'WO-2' : 'WO-1'): StationEvent {
  return event('unit.shipped', 'B-OP', { workOrderId, unit, partNumber: unit.kind === 'lot' ? 'P-2' : 'P-1', quantity, customer: 'Acme Aero', shipmentRef });
}

const request = (unit: typeof SN1 | typeof SN2 | typeof LOT2, quantity?: number) => ({
  workOrderId: unit.kind === 'lot' ? 'WO-2' : 'WO-1', unit, ...(quantity === undefined ? {} : { quantity }), customer: ' Acme Aero ', shipmentRef: 'PS-4471', actor: 'B-OP',
});

function decided(events: StationEvent[], state: PlantState = fixturePlant()) {
  let plant = state;
  const decisions = [];
  for (const e of events) {
    const result = decideBatch(plant, { stationId: e.stationId, lastSeq: e.seq - 1 }, [e], { pushedBy: e.stationId, serverTime: SERVER_TIME, skewMs: 0 });
    plant = result.state;
    decisions.push(...result.decisions.map((d) => d.decision));
  }
  return { plant, decisions };
}

describe('shipping at the station', () => {
  it('a finished unit ships: the serial says to whom, when and under which shipment; where-used answers "shipped to … on …" for a recall', () => {
    const plant = reduceEvents(fixturePlant(), finished());
    expect(readyToShip(plant).map((r) => r.unit)).toEqual([SN1]);
    const check = checkShip(plant, request(SN1));
    expect(check).toEqual({ ok: true, value: { workOrderId: 'WO-1', unit: SN1, partNumber: 'P-1', quantity: 1, customer: 'Acme Aero', shipmentRef: 'PS-4471' } });
    const shipped = reduceEvents(plant, [ship(SN1)]);
    expect(shipped.serials.get('SN-1')?.shipped).toMatchObject({ customer: 'Acme Aero', shipmentRef: 'PS-4471', at: AT.toISOString(), workOrderId: 'WO-1', quantity: 1 });
    expect(recentShipments(shipped)).toHaveLength(1);
    expect(readyToShip(shipped)).toEqual([]);
    const recall = finishedUnits(whereUsed(shipped, { kind: 'lot', lotId: 'L-8' }));
    expect(recall).toHaveLength(1);
    expect(recall[0]?.shipped?.[0]).toMatchObject({ customer: 'Acme Aero', shipmentRef: 'PS-4471' });
    expect(recallCsv(whereUsed(shipped, { kind: 'lot', lotId: 'L-8' }))).toContain(',shipped to Acme Aero on 2026-11-21 (PS-4471)\r\n');
    expect(checkShip(shipped, request(SN1))).toMatchObject({ ok: false, code: 'already-shipped', message: 'SN-1 was already shipped to Acme Aero on 2026-11-21 (PS-4471)' });
  });

  it('a unit under an open NCR is refused with the NCR\'s id and reason; once used as is, it ships', () => {
    const tag = event('ncr.opened', 'B-INS', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: SN1, quantity: 1 }], description: 'Scratch on the flange' });
    const plant = reduceEvents(fixturePlant(), [...finished(), tag]);
    const ncr = plant.nonconformances.get(`NCR-${tag.id}`);
    const refused = checkShip(plant, request(SN1));
    expect(refused).toMatchObject({ ok: false, code: 'under-ncr' });
    expect(!refused.ok && refused.message).toBe(`SN-1 cannot ship: SN-1 is held by ${ncrLabel(ncr!)} (Scratch on the flange); quality must disposition it first`);
    const sig = (signerBadge: string, printedName: string, meaning: string) => ({ signerBadge, printedName, meaning, reason: 'Cosmetic only', signedAt: AT.toISOString(), components: 'badge+pin' });
    const useAsIs = event('ncr.dispositioned', 'B-Q', {
      ncrId: `NCR-${tag.id}`, itemId: '1', workOrderId: 'WO-1', unit: SN1, disposition: 'use-as-is', quantity: 1,
      signature: sig('B-Q', 'Quinn Lee', 'dispositioned: use as is'), concurrence: sig('B-ENG', 'Rosa Lindqvist', 'engineering concurrence: use as is'),
    } as never);
    expect(checkShip(reduceEvents(plant, [useAsIs]), request(SN1)).ok).toBe(true);
  });

  it('a unit on hold, or whose traveler is not complete, is refused saying which hold or operation', () => {
    const hold = event('hold.placed', 'B-SUP', { holdId: 'H-9', subject: { kind: 'workOrder', workOrderId: 'WO-1' }, reason: 'Customer query' });
    expect(checkShip(reduceEvents(fixturePlant(), [...finished(), hold]), request(SN1))).toMatchObject({ ok: false, code: 'on-hold', message: expect.stringContaining('on hold (Customer query)') });
    expect(checkShip(fixturePlant(), request(SN2))).toMatchObject({ ok: false, code: 'traveler-incomplete', message: 'SN-2 cannot ship: its traveler is not complete (OP10 Mill and 3 more not completed)' });
  });

  it('a lot ships by quantity: what an NCR holds of it cannot ship, the rest can; a shipment takes it off what remains', () => {
    const tag = event('ncr.opened', 'B-INS', { workOrderId: 'WO-2', items: [{ itemId: '1', unit: LOT2, quantity: 4 }], description: 'Burrs on 4' });
    const plant = reduceEvents(fixturePlant(), [lotDone(), tag]);
    expect(checkShip(plant, request(LOT2, 7))).toMatchObject({ ok: false, code: 'under-ncr', message: expect.stringContaining('4 of its 10 are held by NCR-') });
    expect(checkShip(plant, request(LOT2, 6)).ok).toBe(true);
    expect(checkShip(plant, request(LOT2, 1.5))).toMatchObject({ ok: false, code: 'invalid-quantity' });
    const after = reduceEvents(plant, [ship(LOT2, 6)]);
    expect(after.lots.get('LOT-2')).toMatchObject({ remaining: 4, shipped: [{ quantity: 6, customer: 'Acme Aero' }] });
  });

  it('bad input is refused with the reason: no customer, no shipment reference, not a unit of the order, someone not on the roster', () => {
    const plant = reduceEvents(fixturePlant(), finished());
    expect(checkShip(plant, { ...request(SN1), customer: ' ' })).toMatchObject({ ok: false, code: 'reason-required' });
    expect(checkShip(plant, { ...request(SN1), shipmentRef: '' })).toMatchObject({ ok: false, code: 'reason-required' });
    expect(checkShip(plant, { ...request(SN1), workOrderId: 'WO-2' })).toMatchObject({ ok: false, code: 'unknown-unit' });
    expect(checkShip(plant, { ...request(SN1), actor: 'B-NOBODY' })).toMatchObject({ ok: false, code: 'unknown-operator' });
  });
});

describe('[C39] shipped-nonconforming', () => {
  it('[C39] a ship recorded offline while an NCR was opened elsewhere is recorded, flagged naming the NCR, and the NCR stays open', () => {
    const tag = event('ncr.opened', 'B-INS', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: SN1, quantity: 1 }], description: 'Scratch on the flange' });
    const offline = { ...ship(SN1), stationId: 'ST-2' };
    const { plant, decisions } = decided([...finished(), tag, offline]);
    const ncr = plant.nonconformances.get(`NCR-${tag.id}`)!;
    expect(decisions.at(-1)).toMatchObject({ outcome: 'flagged', flags: ['shipped-nonconforming'], reason: expect.stringContaining(`SN-1 should not have shipped: SN-1 is held by ${ncrLabel(ncr)}`) });
    expect(plant.conflicts.get(`CF-${offline.id}-shipped-nonconforming`)).toMatchObject({ status: 'open', relatedEventIds: [tag.id], subject: SN1, workOrderId: 'WO-1' });
    expect(plant.serials.get('SN-1')?.shipped?.eventId).toBe(offline.id);
    expect(ncr.status).toBe('open');
  });

  it('[C39] a shipment under a hold, with an open traveler, or of a serial shipped already is flagged; a clean one is accepted', () => {
    const hold = event('hold.placed', 'B-SUP', { holdId: 'H-9', subject: SN1, reason: 'Customer query' });
    expect(decided([...finished(), hold, ship(SN1)]).decisions.at(-1)).toMatchObject({ outcome: 'flagged', flags: ['shipped-nonconforming'], reason: expect.stringContaining('on hold (Customer query)') });
    expect(decided([ship(SN2)]).decisions.at(-1)).toMatchObject({ outcome: 'flagged', reason: expect.stringContaining('traveler is not complete') });
    const twice = decided([...finished(), ship(SN1), { ...ship(SN1, 1, 'PS-9'), stationId: 'ST-2' }]);
    expect(twice.decisions.slice(-2).map((d) => d.outcome)).toEqual(['accepted', 'flagged']);
    expect(twice.plant.serials.get('SN-1')?.shipped?.shipmentRef).toBe('PS-4471');
  });

  it('[C39] a lot shipped beyond what is left is flagged; a shipment naming a unit the server does not have is refused and changes nothing', () => {
    const over = decided([lotDone(), ship(LOT2, 8), ship(LOT2, 3)]);
    expect(over.decisions.slice(-2).map((d) => d.outcome)).toEqual(['accepted', 'flagged']);
    expect(over.decisions.at(-1)?.reason).toContain('2 are left of it');
    const stranger = decided([ship({ kind: 'serial', serial: 'SN-404' } as never)]);
    expect(stranger.decisions[0]).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('SN-404, which is not a unit of WO-1') });
    expect(stranger.plant.serials.has('SN-404')).toBe(false);
  });
});
