/**
 * Rework and repair as operations inserted in the unit's traveler, with re-inspection of the
 * affected characteristics (src/domain/rework.ts, docs/ncr.md "Rework and repair"): insertion,
 * gating, re-inspection pass and fail, closing, and the conflict rules through decide() as the
 * server runs them.
 */
import { describe, expect, it } from 'vitest';
import type { Signature } from '../../../schemas/common.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import type { Disposition } from '../../../src/domain/ncr.ts';
import type { PlantState } from '../../../src/domain/plant.ts';
import { decide, decideBatch } from '../../../src/domain/decide.ts';
import { checkMeasurement } from '../../../src/domain/measurement.ts';
import { CONCURRENCE_MEANINGS, DISPOSITION_MEANINGS, checkDisposition, checkRework, ncrLabel } from '../../../src/domain/ncr.ts';
import { reduceEvents } from '../../../src/domain/plant.ts';
import { insertedOperationsOn } from '../../../src/domain/rework.ts';
import { checkComplete, checkStart, queueFor, travelerOf, travelerRows } from '../../../src/domain/traveler.ts';
import { AT, SN1, completed, event, fixturePlant, started } from './fixture.ts';

const SERVER_TIME = new Date(AT.getTime() + 1000);

function serverPlant(state: PlantState, ...events: StationEvent[]): PlantState {
  return decideBatch(state, { stationId: 'ST-1', lastSeq: 0 }, events, { pushedBy: 'ST-1', serverTime: SERVER_TIME, skewMs: 0 }).state;
}

function decideOn(state: PlantState, e: StationEvent) {
  return decide({ state, event: e, station: { stationId: 'ST-1', lastSeq: e.seq - 1 }, pushedBy: 'ST-1', serverTime: SERVER_TIME, skewMs: 0 });
}

const sig = (meaning: Signature['meaning'], signerBadge = 'B-Q', printedName = 'Quinn Lee') =>
  ({ signerBadge, printedName, meaning, reason: 'MRB: re-machine the bore', signedAt: AT.toISOString(), components: 'badge+pin' }) as const;

function bore(operationId: string, value: number) {
  return event('measurement.recorded', 'B-INS', {
    workOrderId: 'WO-1', operationId, unit: SN1, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'A',
    measured: { kind: 'variable', entered: { value, unit: 'mm', text: String(value) }, value, unit: 'mm' }, gaugeId: 'G-1', result: Math.abs(value - 12.7) <= 0.02 ? 'pass' : 'fail',
  });
}

const burrs = () => event('measurement.recorded', 'B-INS', {
  workOrderId: 'WO-1', operationId: 'OP30', unit: SN1, characteristicId: 'C2', characteristicRevision: 'A', instructionRevision: 'A', measured: { kind: 'attribute', verdict: 'pass' }, result: 'pass',
});

function dispositioned(ncrId: string, disposition: Disposition, extra: { operationId?: string; instruction?: { ref: string; revision: string }; reinspect?: string[] } = {}) {
  return event('ncr.dispositioned', 'B-Q', {
    ncrId, itemId: '1', workOrderId: 'WO-1', unit: SN1, disposition, quantity: 1,
    signature: sig(DISPOSITION_MEANINGS[disposition]),
    ...(disposition === 'repair' ? { concurrence: sig(CONCURRENCE_MEANINGS.repair, 'B-ENG', 'Rosa Lindqvist') } : {}),
    ...extra,
  });
}

const op = (type: 'op.started' | 'op.completed', operationId: string, actor: string, instructionRevision: string) =>
  event(type, actor, { workOrderId: 'WO-1', operationId, unit: SN1, instructionRevision });

const step = (operationId: string, actor = 'B-OP') => ({ workOrderId: 'WO-1', unit: SN1, operationId, actor, at: AT });

/** SN-1 milled and assembled; at inspection (OP30) the bore reads 12.75 against 12.70 ± 0.02: an NCR opens. */
function outOfTolerance() {
  const fail = bore('OP30', 12.75);
  const history = [started('OP10'), completed('OP10'), started('OP20'), completed('OP20'), started('OP30', SN1, 'B-INS'), burrs(), fail];
  return { fail, ncrId: `NCR-${fail.id}`, history };
}

describe('rework inserted in the traveler', () => {
  it('a rework disposition inserts "Rework 1" (to the named operation\'s instruction) and "Re-inspection 1" of the bore before the stopped operation', () => {
    const { ncrId, history } = outOfTolerance();
    const plant = reduceEvents(fixturePlant(), [...history, dispositioned(ncrId, 'rework', { operationId: 'OP10' })]);
    const ncr = plant.nonconformances.get(ncrId);
    if (ncr === undefined) throw new Error('no NCR');
    const label = ncrLabel(ncr);
    expect(label).toMatch(/^NCR-2026-\w{6}$/);
    const inserted = insertedOperationsOn(plant, 'WO-1', SN1);
    expect(inserted.map((i) => [i.kind, i.operation.id, i.operation.name, i.operation.workCenterId, i.operation.instruction.ref, i.operation.instruction.revision])).toEqual([
      ['rework', `${label}-RW1`, `Rework 1 for ${label}`, 'WC-A', 'WI-10', 'D'],
      ['reinspection', `${label}-RI1`, `Re-inspection 1 for ${label}`, 'WC-Q', 'WI-30', 'A'],
    ]);
    expect(inserted[1]?.operation.characteristics.map((c) => c.id)).toEqual(['C1']);
    // On the traveler: before OP30, on SN-1 only.
    const traveler = travelerOf(plant, 'WO-1');
    if (!traveler.ok) throw new Error(traveler.message);
    const rows = travelerRows(plant, traveler.value);
    expect(rows.map((r) => r.operation.id)).toEqual(['OP10', 'OP20', `${label}-RW1`, `${label}-RI1`, 'OP30', 'OP40']);
    expect(rows[2]?.units).toEqual([SN1]);
    // The mill's queue has the rework; the NCR's own hold is released by the disposition.
    expect(queueFor(plant, 'WC-A').map((t) => t.workOrder.id)).toContain('WO-1');
    expect(ncr.status).toBe('dispositioned');
    expect(plant.holds.get(ncr.holdId ?? '')?.status).toBe('released');
  });

  it('the unit may not go on (start, complete the stopped step) until the rework and its re-inspection are done; the inserted operations go in order', () => {
    const { ncrId, history } = outOfTolerance();
    const plant = reduceEvents(fixturePlant(), [...history, dispositioned(ncrId, 'rework', { operationId: 'OP10' })]);
    const label = ncrLabel(plant.nonconformances.get(ncrId)!);
    const blocked = checkComplete(plant, step('OP30', 'B-INS'));
    expect(blocked).toMatchObject({ ok: false, code: 'rework-pending' });
    expect(!blocked.ok && blocked.message).toBe(`SN-1 is dispositioned rework under ${label}; Rework 1 for ${label} and Re-inspection 1 for ${label} must be completed before it continues`);
    expect(checkStart(plant, step(`${label}-RW1`)).ok).toBe(true);
    expect(checkStart(plant, step(`${label}-RI1`, 'B-INS'))).toMatchObject({ ok: false, code: 'out-of-sequence' });
    // Qualification and work center apply as to any operation: the inspector does not mill.
    expect(checkStart(plant, step(`${label}-RW1`, 'B-INS'))).toMatchObject({ ok: false });
    expect(checkStart(plant, { ...step(`${label}-RW1`), workCenterId: 'WC-Q' })).toMatchObject({ ok: false, code: 'wrong-work-center' });
    // The free-text rework record is not how a unit of a work order is reworked.
    expect(checkRework(plant, { ncrId, itemId: '1', note: 'done', actor: 'B-OP' })).toMatchObject({ ok: false, code: 'no-rework-pending' });
  });

  it('re-inspection passes: the NCR closes and the unit completes its operation and goes on', () => {
    const { ncrId, history } = outOfTolerance();
    let plant = reduceEvents(fixturePlant(), [...history, dispositioned(ncrId, 'rework', { operationId: 'OP10' })]);
    const label = ncrLabel(plant.nonconformances.get(ncrId)!);
    plant = reduceEvents(plant, [op('op.started', `${label}-RW1`, 'B-OP', 'D'), op('op.completed', `${label}-RW1`, 'B-OP', 'D')]);
    expect(plant.nonconformances.get(ncrId)?.status).toBe('dispositioned');
    plant = reduceEvents(plant, [op('op.started', `${label}-RI1`, 'B-INS', 'A')]);
    expect(checkComplete(plant, step(`${label}-RI1`, 'B-INS'))).toMatchObject({ ok: false, code: 'inspection-missing' });
    const measured = checkMeasurement(plant, { workOrderId: 'WO-1', unit: SN1, operationId: `${label}-RI1`, characteristicId: 'C1', input: { kind: 'variable', text: '12.70', unit: 'mm' }, gaugeId: 'G-1', actor: 'B-INS' } as never);
    expect(measured).toMatchObject({ ok: true, value: { payload: { operationId: `${label}-RI1`, result: 'pass' } } });
    plant = reduceEvents(plant, [bore(`${label}-RI1`, 12.7)]);
    expect(checkComplete(plant, step(`${label}-RI1`, 'B-INS')).ok).toBe(true);
    plant = reduceEvents(plant, [op('op.completed', `${label}-RI1`, 'B-INS', 'A')]);
    const ncr = plant.nonconformances.get(ncrId);
    expect(ncr?.status).toBe('closed');
    expect(ncr?.items?.[0]?.dispositions[0]?.carriedOut).toMatchObject({ actor: 'B-INS', note: `Re-inspection 1 for ${label} completed` });
    expect(checkComplete(plant, step('OP30', 'B-INS')).ok).toBe(true);
    plant = reduceEvents(plant, [completed('OP30', SN1, 'B-INS')]);
    expect(checkStart(plant, step('OP40')).ok).toBe(true);
  });

  it('re-inspection fails: a new NCR opens (C3) and stops the unit, the re-inspection cannot complete until it is dispositioned', () => {
    const { ncrId, history } = outOfTolerance();
    let plant = reduceEvents(fixturePlant(), [...history, dispositioned(ncrId, 'rework', { operationId: 'OP10' })]);
    const label = ncrLabel(plant.nonconformances.get(ncrId)!);
    const again = bore(`${label}-RI1`, 12.74);
    plant = reduceEvents(plant, [op('op.started', `${label}-RW1`, 'B-OP', 'D'), op('op.completed', `${label}-RW1`, 'B-OP', 'D'), op('op.started', `${label}-RI1`, 'B-INS', 'A'), again]);
    const second = plant.nonconformances.get(`NCR-${again.id}`);
    expect(second).toMatchObject({ status: 'open', operationId: `${label}-RI1`, characteristicId: 'C1' });
    const refused = checkComplete(plant, step(`${label}-RI1`, 'B-INS'));
    expect(refused).toMatchObject({ ok: false, code: 'under-ncr' });
    expect(!refused.ok && refused.message).toMatch(new RegExp(`SN-1 is held by ${ncrLabel(second!)} \\(Bore diameter on SN-1 at ${label}-RI1 measured 12.74 mm: outside tolerance\\)`));
    // The second NCR's rework goes in before OP30 too, and re-inspects the same bore.
    plant = reduceEvents(plant, [dispositioned(`NCR-${again.id}`, 'rework', { operationId: 'OP10' })]);
    const label2 = ncrLabel(second!);
    const ops = insertedOperationsOn(plant, 'WO-1', SN1).map((i) => [i.operation.id, i.before]);
    expect(ops).toEqual(expect.arrayContaining([[`${label2}-RW1`, 'OP30'], [`${label2}-RI1`, 'OP30']]));
    expect(checkStart(plant, step(`${label2}-RW1`)).ok).toBe(true);
  });

  it('repair: the disposition names the approved repair instruction (C32 otherwise), and the repair operation carries it', () => {
    const { ncrId, history } = outOfTolerance();
    const base = reduceEvents(fixturePlant(), history);
    expect(checkDisposition(base, { ncrId, itemId: '1', disposition: 'repair', quantity: 1, signerBadge: 'B-Q', reason: 'sleeve', concurrenceBadge: 'B-ENG' }))
      .toMatchObject({ ok: false, message: 'Repair needs the approved repair instruction and its revision' });
    const server = serverPlant(fixturePlant(), ...history);
    const without = decideOn(server, dispositioned(ncrId, 'repair'));
    expect(without.decision).toMatchObject({ outcome: 'flagged', flags: ['unauthorized-disposition'] });
    expect(without.state.nonconformances.get(ncrId)?.status).toBe('open');
    const withIt = decideOn(server, dispositioned(ncrId, 'repair', { instruction: { ref: 'SRI-118', revision: 'B' }, reinspect: ['C2'] }));
    expect(withIt.decision).toMatchObject({ outcome: 'accepted' });
    const label = ncrLabel(withIt.state.nonconformances.get(ncrId)!);
    const inserted = insertedOperationsOn(withIt.state, 'WO-1', SN1);
    expect(inserted.map((i) => [i.operation.name, i.operation.instruction.ref, i.operation.instruction.revision, i.operation.workCenterId])).toEqual([
      [`Repair 1 for ${label}`, 'SRI-118', 'B', 'WC-Q'],
      [`Re-inspection 1 for ${label}`, 'WI-30', 'A', 'WC-Q'],
    ]);
    expect(inserted[1]?.operation.characteristics.map((c) => c.id)).toEqual(['C1', 'C2']);
  });

  it('[C13] a rework naming an operation or characteristic the routing does not have is refused and changes nothing', () => {
    const { ncrId, history } = outOfTolerance();
    const server = serverPlant(fixturePlant(), ...history);
    const badOp = decideOn(server, dispositioned(ncrId, 'rework', { operationId: 'OP99' }));
    expect(badOp.decision).toMatchObject({ outcome: 'rejected' });
    expect(badOp.state).toBe(server);
    expect(decideOn(server, dispositioned(ncrId, 'rework', { reinspect: ['C9'] })).decision).toMatchObject({ outcome: 'rejected' });
  });
});

describe('rework on the server: collisions and work under an open rework', () => {
  it('the whole flow pushed in order is accepted without flags and closes the NCR', () => {
    const { ncrId, history } = outOfTolerance();
    let plant = serverPlant(fixturePlant(), ...history, dispositioned(ncrId, 'rework', { operationId: 'OP10' }));
    const label = ncrLabel(plant.nonconformances.get(ncrId)!);
    for (const e of [op('op.started', `${label}-RW1`, 'B-OP', 'D'), op('op.completed', `${label}-RW1`, 'B-OP', 'D'), op('op.started', `${label}-RI1`, 'B-INS', 'A'), bore(`${label}-RI1`, 12.71), op('op.completed', `${label}-RI1`, 'B-INS', 'A'), completed('OP30', SN1, 'B-INS'), started('OP40')]) {
      const result = decideOn(plant, e);
      expect(result.decision, `${e.type} ${JSON.stringify(e.payload)}`).toMatchObject({ outcome: 'accepted', flags: [] });
      plant = result.state;
    }
    expect(plant.nonconformances.get(ncrId)?.status).toBe('closed');
  });

  it('[C30] the regular operation worked offline while the rework is open is kept and flagged worked-under-ncr; the rework itself is not', () => {
    const { ncrId, history } = outOfTolerance();
    const plant = serverPlant(fixturePlant(), ...history, dispositioned(ncrId, 'rework', { operationId: 'OP10' }));
    const label = ncrLabel(plant.nonconformances.get(ncrId)!);
    const offline = completed('OP30', SN1, 'B-INS');
    const result = decideOn(plant, offline);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'] });
    expect(result.decision.reason).toMatch(new RegExp(`Rework 1 for ${label} and Re-inspection 1 for ${label} must be completed`));
    expect(result.state.steps.get('WO-1|serial:SN-1|OP30')?.completed?.eventId).toBe(offline.id);
    expect(decideOn(plant, op('op.started', `${label}-RW1`, 'B-OP', 'D')).decision).toMatchObject({ outcome: 'accepted', flags: [] });
  });

  it('[C1] two stations completing the same rework offline collide as a duplicate completion', () => {
    const { ncrId, history } = outOfTolerance();
    let plant = serverPlant(fixturePlant(), ...history, dispositioned(ncrId, 'rework', { operationId: 'OP10' }));
    const label = ncrLabel(plant.nonconformances.get(ncrId)!);
    plant = serverPlant(plant, op('op.started', `${label}-RW1`, 'B-OP', 'D'), op('op.completed', `${label}-RW1`, 'B-OP', 'D'));
    const second = op('op.completed', `${label}-RW1`, 'B-OP', 'D');
    expect(decideOn(plant, second).decision).toMatchObject({ outcome: 'flagged', flags: ['duplicate-completion'] });
  });
});
