import { describe, expect, it } from 'vitest';
import { checkComplete, checkStart, queueFor, travelerOf } from '../../../src/domain/traveler.ts';
import { AT, SN1, SN2, completed, event, fixturePlant, plantAfter, started } from './fixture.ts';

const request = (operationId: string, actor = 'B-OP', unit: typeof SN1 | typeof SN2 = SN1) => ({ workOrderId: 'WO-1', unit, operationId, actor, at: AT });

describe('traveler', () => {
  it('lists operations in routing sequence with their instruction revisions', () => {
    const traveler = travelerOf(fixturePlant(), 'WO-1');
    expect(traveler.ok && traveler.value.operations.map((op) => `${op.id}/${op.instruction.revision}`)).toEqual(['OP10/D', 'OP20/B', 'OP30/A', 'OP40/A']);
  });

  it('refuses an unknown work order', () => {
    expect(travelerOf(fixturePlant(), 'WO-404')).toMatchObject({ ok: false, code: 'unknown-work-order' });
  });

  it('queues work orders with work left at a work center, soonest due first', () => {
    expect(queueFor(fixturePlant(), 'WC-A').map((t) => t.workOrder.id)).toEqual(['WO-2', 'WO-1']);
    expect(queueFor(fixturePlant(), 'WC-Q').map((t) => t.workOrder.id)).toEqual(['WO-1']);
    const done = plantAfter(started('OP10'), completed('OP10'), started('OP10', SN2), completed('OP10', SN2));
    expect(queueFor(done, 'WC-A').map((t) => t.workOrder.id)).toEqual(['WO-2']);
  });
});

describe('starting an operation', () => {
  it('lets a qualified operator start the first operation', () => {
    expect(checkStart(fixturePlant(), request('OP10')).ok).toBe(true);
  });

  it('refuses starting out of sequence, naming the operation that must come first', () => {
    const result = checkStart(fixturePlant(), request('OP20'));
    expect(result).toMatchObject({ ok: false, code: 'out-of-sequence' });
    expect(!result.ok && result.message).toContain('OP10 Mill must be completed first on SN-1');
  });

  it('refuses an operator not qualified for the operation type', () => {
    const result = checkStart(fixturePlant(), request('OP10', 'B-NONE'));
    expect(result).toMatchObject({ ok: false, code: 'not-qualified', message: 'Gus Moreau is not qualified for milling' });
  });

  it('refuses an operator whose qualification has expired', () => {
    const result = checkStart(fixturePlant(), request('OP10', 'B-EXP'));
    expect(result).toMatchObject({ ok: false, code: 'qualification-expired' });
    expect(!result.ok && result.message).toContain('expired on 2025-06-30');
  });

  it('counts a qualification valid through its expiry day', () => {
    const plant = fixturePlant();
    expect(checkStart(plant, { ...request('OP10'), at: new Date('2030-12-31T23:59:00Z') }).ok).toBe(true);
    expect(checkStart(plant, { ...request('OP10'), at: new Date('2031-01-01T00:01:00Z') })).toMatchObject({ code: 'qualification-expired' });
  });

  it('refuses a badge that is not on the roster', () => {
    expect(checkStart(fixturePlant(), request('OP10', 'B-404'))).toMatchObject({ ok: false, code: 'unknown-operator' });
  });

  it('refuses a unit on hold, naming the hold', () => {
    const held = plantAfter(event('hold.placed', 'B-Q', { holdId: 'H-9', subject: SN1, reason: 'Dropped' }));
    const result = checkStart(held, request('OP10'));
    expect(result).toMatchObject({ ok: false, code: 'on-hold' });
    expect(!result.ok && result.message).toContain('hold H-9');
    expect(checkStart(held, request('OP10', 'B-OP', SN2)).ok).toBe(true);
  });

  it('refuses a unit when its whole work order is on hold', () => {
    const held = plantAfter(event('hold.placed', 'B-Q', { holdId: 'H-WO', subject: { kind: 'workOrder', workOrderId: 'WO-1' }, reason: 'Customer stop' }));
    expect(checkStart(held, request('OP10', 'B-OP', SN2))).toMatchObject({ ok: false, code: 'on-hold' });
  });

  it('refuses starting twice', () => {
    expect(checkStart(plantAfter(started('OP10')), request('OP10'))).toMatchObject({ ok: false, code: 'already-started' });
  });

  it('refuses an operation or unit that is not on the traveler', () => {
    expect(checkStart(fixturePlant(), request('OP99'))).toMatchObject({ ok: false, code: 'unknown-operation' });
    expect(checkStart(fixturePlant(), { ...request('OP10'), unit: { kind: 'serial', serial: 'SN-404' } })).toMatchObject({ ok: false, code: 'unknown-unit' });
  });
});

describe('completing an operation', () => {
  it('completes a started operation', () => {
    expect(checkComplete(plantAfter(started('OP10')), request('OP10')).ok).toBe(true);
  });

  it('refuses completing out of sequence, naming the operation that must come first', () => {
    const result = checkComplete(plantAfter(started('OP10')), request('OP20'));
    expect(result).toMatchObject({ ok: false, code: 'out-of-sequence' });
    expect(!result.ok && result.message).toBe('Cannot complete OP20 Assemble: OP10 Mill must be completed first on SN-1');
  });

  it('refuses completing what was not started, or twice', () => {
    expect(checkComplete(fixturePlant(), request('OP10'))).toMatchObject({ ok: false, code: 'not-started' });
    expect(checkComplete(plantAfter(started('OP10'), completed('OP10')), request('OP10'))).toMatchObject({ ok: false, code: 'already-completed' });
  });

  it('refuses completion until the bill is consumed, listing what is missing', () => {
    const plant = plantAfter(started('OP10'), completed('OP10'), started('OP20'));
    const result = checkComplete(plant, request('OP20'));
    expect(result).toMatchObject({ ok: false, code: 'material-missing', message: 'OP20 still needs material scanned in: 1 × P-9, 4 × P-8' });
  });

  it('refuses completion until every characteristic has a result', () => {
    const plant = plantAfter(
      started('OP10'), completed('OP10'), started('OP20'),
      event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, scanned: 'BRG-1' }),
      event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 4 }, scanned: 'L-8' }),
      completed('OP20'), started('OP30', SN1, 'B-INS'),
    );
    expect(checkComplete(plant, request('OP30', 'B-INS'))).toMatchObject({ ok: false, code: 'inspection-missing', message: 'OP30 still needs results for: Bore diameter, No burrs' });
  });

  it('refuses completion on a unit that went on hold after it started', () => {
    const plant = plantAfter(started('OP10'), event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }));
    expect(checkComplete(plant, request('OP10'))).toMatchObject({ ok: false, code: 'on-hold' });
  });
});
