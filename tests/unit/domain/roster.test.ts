import { describe, expect, it } from 'vitest';
import { checkRelease } from '../../../src/domain/holds.ts';
import { findOperator, qualificationsAt } from '../../../src/domain/roster.ts';
import { checkComplete, checkStart } from '../../../src/domain/traveler.ts';
import { AT, SN1, completed, fixturePlant, plantAfter, started } from './fixture.ts';

describe('badges as people type them', () => {
  it('matches a badge without regard to case or surrounding spaces', () => {
    const plant = fixturePlant();
    expect(findOperator(plant, 'b-op')?.name).toBe('Ana Ortiz');
    expect(findOperator(plant, '  B-Op ')?.badge).toBe('B-OP');
    expect(findOperator(plant, 'b-404')).toBeUndefined();
  });

  it('takes a lower-case signer badge for a hold release, signed with the roster spelling', () => {
    const result = checkRelease(fixturePlant(), { holdId: 'H-BRG', signerBadge: 'b-sup', reason: 'Inspected: no damage' });
    expect(result.ok && result.value.signer.badge).toBe('B-SUP');
  });
});

describe('qualifications at the station’s work center', () => {
  it('lists the operation types done here and which the operator may do today', () => {
    const plant = fixturePlant();
    const ana = findOperator(plant, 'B-OP');
    const ben = findOperator(plant, 'B-EXP');
    const gus = findOperator(plant, 'B-NONE');
    if (ana === undefined || ben === undefined || gus === undefined) throw new Error('fixture roster');
    expect(qualificationsAt(plant, ana, 'WC-A', AT)).toMatchObject({ typesHere: ['milling'], current: ['milling'], expired: [], assigned: true });
    expect(qualificationsAt(plant, ben, 'WC-A', AT)).toMatchObject({ current: [], expired: [{ operationType: 'milling', expires: '2025-06-30' }] });
    expect(qualificationsAt(plant, gus, 'WC-A', AT)).toMatchObject({ typesHere: ['milling'], current: [], expired: [] });
  });
});

describe('an operation of another work center', () => {
  const request = (operationId: string, workCenterId?: string) => ({
    workOrderId: 'WO-1',
    unit: SN1,
    operationId,
    actor: 'B-OP',
    at: AT,
    ...(workCenterId === undefined ? {} : { workCenterId }),
  });

  it('is refused at a station of another work center, naming where it is done', () => {
    const plant = plantAfter(started('OP10'), completed('OP10'));
    const result = checkStart(plant, request('OP20', 'WC-A'));
    expect(result).toMatchObject({ ok: false, code: 'wrong-work-center' });
    expect(!result.ok && result.message).toBe('OP20 Assemble is done at WC-B Assembly, not at this station (WC-A Mill): record it at a WC-B station');
    expect(checkStart(plant, request('OP20', 'WC-B')).ok).toBe(true);
  });

  it('is refused for completion too, once started at its own work center', () => {
    const plant = plantAfter(started('OP10'), completed('OP10'), started('OP20'));
    expect(checkComplete(plant, request('OP20', 'WC-A'))).toMatchObject({ ok: false, code: 'wrong-work-center' });
  });

  it('is not checked where no work center is given (the server replays what stations recorded)', () => {
    const plant = plantAfter(started('OP10'), completed('OP10'));
    expect(checkStart(plant, request('OP20')).ok).toBe(true);
  });
});
