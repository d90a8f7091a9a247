/**
 * NCR containment through genealogy (src/domain/containment.ts, docs/ncr.md) and rules C37 and C38,
 * run through decide() as the server runs them.
 */
import { describe, expect, it } from 'vitest';
import type { Signature, UnitRef } from '../../../schemas/common.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import type { PlantState } from '../../../src/domain/plant.ts';
import { decide, decideBatch } from '../../../src/domain/decide.ts';
import { CONTAINMENT_MEANING, checkContainment, companionNcrId, containmentPlan } from '../../../src/domain/containment.ts';
import { containedQuantity, ncrStopOn } from '../../../src/domain/ncr.ts';
import { plantFromViews, reduceEvents } from '../../../src/domain/plant.ts';
import { checkStart } from '../../../src/domain/traveler.ts';
import { AT, SN1, SN2, event, fixturePlant, fixtureViews } from './fixture.ts';

const SERVER_TIME = new Date(AT.getTime() + 1000);
const LOT2 = { kind: 'lot', lotId: 'LOT-2' } as const;
const lotOf = (lotId: string, quantity: number) => ({ kind: 'lot' as const, lotId, partNumber: 'P-8', quantity });

function consume(workOrderId: string, unit: UnitRef, operationId: string, material: ReturnType<typeof lotOf>, stationId = 'ST-1'): StationEvent {
  return { ...event('material.consumed', 'B-OP', { workOrderId, operationId, unit, material, scanned: material.lotId }), stationId };
}

/** The server's plant after deciding these events in this order. */
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

const sig = (meaning: Signature['meaning'] = CONTAINMENT_MEANING, signerBadge = 'B-Q', printedName = 'Quinn Lee') =>
  ({ signerBadge, printedName, meaning, reason: 'Supplier cert shows wrong heat', signedAt: AT.toISOString(), components: 'badge+pin' }) as const;

/** A red tag on 5 of lot L-8 (the suspect material). */
const tag = () => event('ncr.opened', 'B-Q', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'L-8' }, quantity: 5 }], description: 'Wrong heat on the cert' });

function contain(ncrId: string, units: UnitRef[], actor = 'B-Q', signature: Signature = sig()) {
  return event('ncr.containment-extended', actor, { ncrId, workOrderId: 'WO-1', lotId: 'L-8', units, signature });
}

const keys = (plant: PlantState, ncrId: string) => plant.nonconformances.get(ncrId)?.items?.map((i) => `${i.unit.kind === 'serial' ? i.unit.serial : i.unit.lotId}×${i.quantity}`);

describe('containment through genealogy', () => {
  it('the plan holds every unit made from the lot, through a split, and the rest of the lot and of its child; the station refuses work on them, naming the NCR', () => {
    const red = tag();
    const split = event('lot.split', 'B-OP', { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-S1', quantity: 10 }], reason: 'Kit' });
    const before = reduceEvents(fixturePlant(), [
      consume('WO-1', SN1, 'OP20', lotOf('L-8', 4)),
      consume('WO-2', LOT2, 'OP10', lotOf('L-8', 2)),
      split,
      consume('WO-1', SN2, 'OP20', lotOf('L-8-S1', 4)),
      red,
    ]);
    const ncrId = `NCR-${red.id}`;
    const ncr = before.nonconformances.get(ncrId);
    if (ncr === undefined) throw new Error('no NCR');
    const plan = containmentPlan(before, ncr, 'L-8');
    // L-8: 100 − 4 − 2 − 10 = 84 remaining, 5 already on the NCR; L-8-S1: 10 − 4 = 6.
    expect(plan.targets.map((t) => `${t.kind}:${t.unit.kind === 'serial' ? t.unit.serial : t.unit.lotId}×${t.quantity}`).sort())
      .toEqual(['made:LOT-2×10', 'made:SN-1×1', 'made:SN-2×1', 'rest:L-8-S1×6', 'rest:L-8×79'].sort());
    const check = checkContainment(before, { ncrId, lotId: 'L-8', signerBadge: 'B-Q', reason: 'Wrong heat' });
    expect(check.ok).toBe(true);
    const units = plan.targets.map((t) => t.unit);
    const after = reduceEvents(before, [contain(ncrId, units)]);
    expect(keys(after, ncrId)?.sort()).toEqual(['L-8×5', 'L-8×79', 'SN-1×1', 'LOT-2×10', 'L-8-S1×6', 'SN-2×1'].sort());
    expect(after.nonconformances.get(ncrId)?.containments).toMatchObject([{ lotId: 'L-8', seen: 5, added: 5, signature: { meaning: CONTAINMENT_MEANING } }]);
    const stop = ncrStopOn(after, SN2);
    expect(stop?.ncr.ncrId).toBe(ncrId);
    const refusal = checkStart(after, { workOrderId: 'WO-1', unit: SN2, operationId: 'OP10', actor: 'B-OP', at: AT });
    expect(refusal).toMatchObject({ ok: false, code: 'under-ncr' });
    expect(!refusal.ok && refusal.message).toMatch(/SN-2 is held by NCR-2026-\w{6}/);
    // What is left of the lot and its child is contained: a station's scan of it is refused (checkConsume).
    expect(containedQuantity(after, 'L-8-S1')).toBe(after.lots.get('L-8-S1')?.remaining);
    expect(containedQuantity(after, 'L-8')).toBe(after.lots.get('L-8')?.remaining);
    // A second containment finds nothing left.
    expect(checkContainment(after, { ncrId, lotId: 'L-8', signerBadge: 'B-Q', reason: 'again' })).toMatchObject({ ok: false, code: 'nothing-to-contain' });
  });

  it('only quality signs, with a reason, a lot the NCR names, and an open NCR; bad ones change nothing at the station or the server (C37)', () => {
    const red = tag();
    const plant = reduceEvents(fixturePlant(), [consume('WO-1', SN1, 'OP20', lotOf('L-8', 4)), red]);
    const ncrId = `NCR-${red.id}`;
    expect(checkContainment(plant, { ncrId, lotId: 'L-8', signerBadge: 'B-SUP', reason: 'x' })).toMatchObject({ ok: false, code: 'role-not-allowed' });
    expect(checkContainment(plant, { ncrId, lotId: 'L-8', signerBadge: 'B-Q', reason: ' ' })).toMatchObject({ ok: false, code: 'reason-required' });
    expect(checkContainment(plant, { ncrId, lotId: 'L-8-LOW', signerBadge: 'B-Q', reason: 'x' })).toMatchObject({ ok: false, code: 'unknown-unit' });
    for (const bad of [
      contain(ncrId, [SN1], 'B-SUP', sig(CONTAINMENT_MEANING, 'B-SUP', 'Sam Reyes')),
      contain(ncrId, [SN1], 'B-Q', sig('dispositioned: scrap')),
      contain('NCR-nope', [SN1]),
      contain(ncrId, [{ kind: 'serial', serial: 'SN-NOWHERE' }]),
      { ...contain(ncrId, [SN1]), payload: { ...contain(ncrId, [SN1]).payload, lotId: 'L-8-LOW' } } as StationEvent,
    ]) {
      const decision = decide({ state: plant, event: bad, station: { stationId: 'ST-1', lastSeq: bad.seq - 1 }, pushedBy: 'ST-1', serverTime: SERVER_TIME, skewMs: 0 });
      expect(decision.decision.outcome).toBe('rejected');
      expect(decision.decision.reason).toMatch(/quality|meaning|does not have|does not name/);
      expect(decision.decision.findings.map((f) => f.rule)).toContain('C37');
      expect(reduceEvents(plant, [bad]).nonconformances.get(ncrId)?.items).toHaveLength(1);
    }
  });

  it('the server contains what the signer\'s station did not know: a consumption another station pushed first is in the recomputed walk', () => {
    const red = tag();
    const ncrId = `NCR-${red.id}`;
    const early = consume('WO-2', LOT2, 'OP10', lotOf('L-8', 2), 'ST-2');
    // The signer's station saw only SN-1; the server has LOT-2 too.
    const { plant, decisions } = decided([consume('WO-1', SN1, 'OP20', lotOf('L-8', 4)), red, early, contain(ncrId, [SN1])]);
    expect(decisions.map((d) => d.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(keys(plant, ncrId)).toEqual(expect.arrayContaining(['SN-1×1', 'LOT-2×10']));
  });

  it('[C38] a unit built offline from the contained lot, pushed after the containment, is contained too; C30 flags the work', () => {
    const red = tag();
    const ncrId = `NCR-${red.id}`;
    const offline = consume('WO-2', LOT2, 'OP10', lotOf('L-8', 2), 'ST-2');
    const { plant, decisions } = decided([consume('WO-1', SN1, 'OP20', lotOf('L-8', 4)), red, contain(ncrId, [SN1]), offline]);
    const last = decisions.at(-1);
    expect(last?.outcome).toBe('flagged');
    expect(last?.flags).toEqual(['worked-under-ncr']);
    expect(last?.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['C30', 'C38']));
    expect(keys(plant, ncrId)).toContain('LOT-2×10');
    expect(ncrStopOn(plant, LOT2)?.ncr.ncrId).toBe(ncrId);
    expect(plant.nonconformances.get(ncrId)?.items?.find((i) => i.unit.kind === 'lot' && i.unit.lotId === 'LOT-2')?.containedBy).toEqual({ eventId: offline.id, lotId: 'L-8' });
  });

  it('[C38] material dispositioned since is no longer contained: a later consumption contains nothing', () => {
    const plant = fixturePlant();
    const red = tag();
    const ncrId = `NCR-${red.id}`;
    const { plant: after } = decided([red, contain(ncrId, [])], plant);
    const rest = after.nonconformances.get(ncrId)?.items?.find((i) => i.containedBy !== undefined);
    expect(rest).toMatchObject({ unit: { kind: 'lot', lotId: 'L-8' }, quantity: 95 });
    const ok = (itemId: string, quantity: number) => event('ncr.dispositioned', 'B-Q', {
      ncrId, itemId, workOrderId: 'WO-1', unit: { kind: 'lot', lotId: 'L-8' }, disposition: 'use-as-is', quantity,
      signature: sig('dispositioned: use as is'), concurrence: sig('engineering concurrence: use as is', 'B-ENG', 'Rosa Lindqvist'),
    });
    const { plant: released, decisions } = decided([ok('1', 5), ok(rest?.itemId ?? '', 95), consume('WO-1', SN1, 'OP20', lotOf('L-8', 4))], after);
    expect(decisions.at(-1)?.findings.map((f) => f.rule)).not.toContain('C38');
    expect(released.nonconformances.get(ncrId)?.status).toBe('closed');
    expect(keys(released, ncrId)).not.toContain('SN-1×1');
  });

  it('units of another program go to a companion NCR of that program, which names the lot and not the other NCR (S20)', () => {
    const views = fixtureViews().map((doc) => (doc.kind === 'workOrder' && doc.key === 'WO-2' ? { ...doc, data: { ...doc.data, program: 'F-35-ACT' } } : doc));
    const red = tag();
    const ncrId = `NCR-${red.id}`;
    const { plant } = decided([consume('WO-1', SN1, 'OP20', lotOf('L-8', 4)), consume('WO-2', LOT2, 'OP10', lotOf('L-8', 2)), red, contain(ncrId, [SN1])], plantFromViews(views as never));
    expect(keys(plant, ncrId)).not.toContain('LOT-2×10');
    const companion = plant.nonconformances.get(companionNcrId(ncrId, 'F-35-ACT'));
    expect(companion).toMatchObject({ workOrderId: 'WO-2', containsFromLot: 'L-8', status: 'open', items: [{ unit: LOT2, quantity: 10 }] });
    expect(JSON.stringify(companion)).not.toContain(red.id);
    expect(companion?.ncrId).toMatch(/^NCR-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(companion?.description).toMatch(/suspect lot L-8/);
    expect(ncrStopOn(plant, LOT2)?.ncr.ncrId).toBe(companion?.ncrId);
  });
});
