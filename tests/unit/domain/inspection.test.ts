import { describe, expect, it } from 'vitest';
import type { Characteristic } from '../../../schemas/routing.ts';
import type { LengthUnit } from '../../../schemas/common.ts';
import { convertLength, describeLimits, evaluateMeasurement, limitDecimals, limitsOf, liveVerdict, unitChoices } from '../../../src/domain/inspection.ts';
import { checkMeasurement } from '../../../src/domain/measurement.ts';
import { AT, SN1, completed, event, plantAfter, started } from './fixture.ts';

const bore: Characteristic = { id: 'C1', name: 'Bore diameter', revision: 'A', kind: 'variable', unit: 'mm', nominal: 12.7, tolMinus: 0.02, tolPlus: 0.02, gaugeRequired: true };
const finish: Characteristic = { id: 'C5', name: 'Surface finish Ra', revision: 'A', kind: 'variable', unit: 'mm', upperLimit: 0.0016, gaugeRequired: false };
const length: Characteristic = { id: 'C4', name: 'Overall length', revision: 'B', kind: 'variable', unit: 'in', nominal: 2.5, tolMinus: 0.005, tolPlus: 0.005, gaugeRequired: true };
const burrs: Characteristic = { id: 'C2', name: 'No burrs', revision: 'A', kind: 'attribute', gaugeRequired: false };

const typed = (text: string, unit: 'mm' | 'in' = 'mm') => ({ kind: 'variable', text, unit }) as const;

describe('limits', () => {
  it('derives limits from nominal and tolerances, or takes them as given', () => {
    expect(limitsOf(bore).lower).toBeCloseTo(12.68, 12);
    expect(limitsOf(bore).upper).toBeCloseTo(12.72, 12);
    expect(limitsOf(finish)).toEqual({ lower: null, upper: 0.0016 });
    expect(describeLimits(bore)).toBe('12.7 +0.02/−0.02 mm');
    expect(describeLimits(finish)).toBe('≤ 0.0016 mm');
  });

  it('converts between millimetres and inches exactly', () => {
    expect(convertLength(1, 'in', 'mm')).toBe(25.4);
    expect(convertLength(12.7, 'mm', 'in')).toBeCloseTo(0.5, 12);
  });
});

describe('pass/fail while typing', () => {
  it('passes a value within tolerance and fails one outside, limits inclusive', () => {
    expect(evaluateMeasurement(bore, typed('12.71'))).toMatchObject({ ok: true, value: { result: 'pass' } });
    expect(evaluateMeasurement(bore, typed('12.72'))).toMatchObject({ ok: true, value: { result: 'pass' } });
    expect(evaluateMeasurement(bore, typed('12.75'))).toMatchObject({ ok: true, value: { result: 'fail' } });
    expect(evaluateMeasurement(bore, typed('12.6'))).toMatchObject({ ok: true, value: { result: 'fail' } });
  });

  it('judges a one-sided limit', () => {
    expect(evaluateMeasurement(finish, typed('0.0008'))).toMatchObject({ ok: true, value: { result: 'pass' } });
    expect(evaluateMeasurement(finish, typed('0.002'))).toMatchObject({ ok: true, value: { result: 'fail' } });
  });

  it('refuses what is not a number, saying what was typed', () => {
    expect(evaluateMeasurement(bore, typed('12.7a'))).toMatchObject({ ok: false, code: 'not-a-number', message: '"12.7a" is not a number; Bore diameter needs a value in mm' });
    expect(evaluateMeasurement(bore, typed('12,70'))).toMatchObject({ ok: false, message: expect.stringContaining('use a decimal point') });
    expect(evaluateMeasurement(bore, typed(''))).toMatchObject({ ok: false, code: 'not-a-number' });
    expect(evaluateMeasurement(bore, typed('1e3'))).toMatchObject({ ok: false, code: 'not-a-number' });
  });

  it('accepts the other unit only through the explicit unit choice, keeping both values', () => {
    const result = evaluateMeasurement(bore, typed('0.5', 'in'));
    expect(result).toMatchObject({ ok: true, value: { result: 'pass', measured: { entered: { value: 0.5, unit: 'in', text: '0.5' }, unit: 'mm' } } });
    expect(result.ok && result.value.measured.kind === 'variable' && result.value.measured.value).toBeCloseTo(12.7, 9);
    // 0.5 typed as mm (the characteristic's unit) is far out of tolerance: no silent guessing.
    expect(evaluateMeasurement(bore, typed('0.5'))).toMatchObject({ ok: true, value: { result: 'fail' } });
    expect(evaluateMeasurement(length, typed('63.5', 'mm'))).toMatchObject({ ok: true, value: { result: 'pass' } });
  });

  it('takes pass or fail for an attribute, and nothing else', () => {
    expect(evaluateMeasurement(burrs, { kind: 'attribute', verdict: 'fail' })).toMatchObject({ ok: true, value: { result: 'fail' } });
    expect(evaluateMeasurement(burrs, { kind: 'attribute', verdict: null })).toMatchObject({ ok: false });
    expect(evaluateMeasurement(burrs, typed('1'))).toMatchObject({ ok: false });
  });
});

const finishUm: Characteristic = { id: 'C2', name: 'Surface finish Ra', revision: 'B', kind: 'variable', unit: 'um', upperLimit: 1.6, gaugeRequired: false };
const live = (c: Characteristic, text: string, unit: LengthUnit = c.unit ?? 'mm') => liveVerdict(c, { kind: 'variable', text, unit });

describe('micrometres and microinches', () => {
  it('converts µm and µin to and from mm and in', () => {
    expect(convertLength(0.8, 'um', 'mm')).toBeCloseTo(0.0008, 15);
    expect(convertLength(1, 'in', 'uin')).toBeCloseTo(1_000_000, 6);
    expect(convertLength(32, 'uin', 'um')).toBeCloseTo(0.8128, 12);
    expect(convertLength(1.6, 'um', 'uin')).toBeCloseTo(62.992, 3);
    expect(convertLength(25.4, 'mm', 'in')).toBe(1);
  });

  it('judges a surface finish given in µm, typed in µm or µin, and writes the unit as people do', () => {
    expect(describeLimits(finishUm)).toBe('≤ 1.6 µm');
    expect(unitChoices('um')).toEqual(['um', 'uin']);
    expect(unitChoices('mm')).toEqual(['mm', 'in']);
    expect(evaluateMeasurement(finishUm, typed('0.8', 'um' as 'mm'))).toMatchObject({ ok: true, value: { result: 'pass' } });
    expect(live(finishUm, '0.8')).toMatchObject({ kind: 'judged', result: 'pass' });
    expect(live(finishUm, '32', 'uin')).toMatchObject({ kind: 'judged', result: 'pass', measured: { unit: 'um', entered: { unit: 'uin' } } });
    expect(live(finishUm, '70', 'uin')).toMatchObject({ kind: 'judged', result: 'fail' });
  });
});

describe('no verdict until the value can be judged', () => {
  it('waits on a value still being typed', () => {
    for (const text of ['1', '12', '12.', '12.7', '-', '.']) expect(live(bore, text).kind).toBe('incomplete');
    expect(live(bore, '')).toEqual({ kind: 'empty' });
    expect(live(bore, '12')).toMatchObject({ message: 'Bore diameter is judged to 2 decimals in mm: keep typing for a verdict' });
  });

  it('judges at the decimals of the drawing, or sooner when nothing typed after could change the verdict', () => {
    expect(live(bore, '12.71')).toMatchObject({ kind: 'judged', result: 'pass' });
    expect(live(bore, '12.72')).toMatchObject({ kind: 'judged', result: 'pass' });
    expect(live(bore, '12.75')).toMatchObject({ kind: 'judged', result: 'fail' });
    expect(live(bore, '13')).toMatchObject({ kind: 'judged', result: 'fail' });
    expect(live(bore, '12.8')).toMatchObject({ kind: 'judged', result: 'fail' });
    expect(live(bore, '12.6')).toMatchObject({ kind: 'incomplete' }); // 12.69 would pass
    expect(live(bore, '12.5')).toMatchObject({ kind: 'judged', result: 'fail' });
    expect(live(bore, '-1')).toMatchObject({ kind: 'judged', result: 'fail' });
    expect(live(finishUm, '0')).toMatchObject({ kind: 'judged', result: 'pass' });
    expect(live(finishUm, '1')).toMatchObject({ kind: 'incomplete' });
    expect(live(finishUm, '2')).toMatchObject({ kind: 'judged', result: 'fail' });
  });

  it('asks for as many decimals in the other unit as resolve the drawing\'s last one', () => {
    expect(limitDecimals(bore, 'mm')).toBe(2);
    expect(limitDecimals(bore, 'in')).toBe(4);
    expect(limitDecimals(length, 'in')).toBe(3);
    expect(limitDecimals(length, 'mm')).toBe(2);
    expect(limitDecimals(finishUm, 'uin')).toBe(0);
    expect(live(bore, '0.5', 'in').kind).toBe('incomplete');
    expect(live(bore, '0.500', 'in').kind).toBe('incomplete');
    expect(live(bore, '0.5005', 'in')).toMatchObject({ kind: 'judged', result: 'pass' });
  });

  it('says what is not a number at once', () => {
    expect(live(bore, '12,7')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('use a decimal point') });
    expect(live(bore, '12.7a').kind).toBe('invalid');
  });
});

describe('recording a result', () => {
  const inspecting = () => plantAfter(started('OP10'), completed('OP10'), started('OP20'),
    event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, scanned: 'BRG-1' }),
    event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 4 }, scanned: 'L-8' }),
    completed('OP20'), started('OP30', SN1, 'B-INS'));
  const base = { workOrderId: 'WO-1', unit: SN1, operationId: 'OP30', at: AT } as const;

  it('builds the event with characteristic and instruction revisions, entered and converted values', () => {
    const result = checkMeasurement(inspecting(), { ...base, actor: 'B-INS', characteristicId: 'C1', input: typed('0.5000', 'in'), gaugeId: 'G-17' });
    expect(result).toMatchObject({ ok: true, value: { payload: { characteristicRevision: 'A', instructionRevision: 'A', gaugeId: 'G-17', result: 'pass', measured: { entered: { unit: 'in' }, unit: 'mm' } } } });
  });

  it('requires the gauge id where the characteristic demands one', () => {
    expect(checkMeasurement(inspecting(), { ...base, actor: 'B-INS', characteristicId: 'C1', input: typed('12.70'), gaugeId: ' ' })).toMatchObject({
      ok: false, code: 'gauge-required', message: 'Bore diameter needs the id of the gauge used',
    });
    expect(checkMeasurement(inspecting(), { ...base, actor: 'B-INS', characteristicId: 'C2', input: { kind: 'attribute', verdict: 'pass' }, gaugeId: '' }).ok).toBe(true);
  });

  it('lets only inspectors and quality record results', () => {
    expect(checkMeasurement(inspecting(), { ...base, actor: 'B-OP', characteristicId: 'C1', input: typed('12.70'), gaugeId: 'G-1' })).toMatchObject({ ok: false, code: 'role-not-allowed' });
    expect(checkMeasurement(inspecting(), { ...base, actor: 'B-Q', characteristicId: 'C1', input: typed('12.70'), gaugeId: 'G-1' }).ok).toBe(true);
  });

  it('refuses a result on an operation not in progress, and an unknown characteristic', () => {
    const plant = plantAfter(started('OP10'));
    expect(checkMeasurement(plant, { ...base, actor: 'B-INS', characteristicId: 'C1', input: typed('12.70'), gaugeId: 'G-1' })).toMatchObject({ ok: false, code: 'not-started' });
    expect(checkMeasurement(inspecting(), { ...base, actor: 'B-INS', characteristicId: 'C9', input: typed('12.70'), gaugeId: 'G-1' })).toMatchObject({ ok: false, code: 'unknown-characteristic' });
  });

  it('puts the unit on hold at once and opens an NCR draft when a value is out of tolerance', () => {
    const check = checkMeasurement(inspecting(), { ...base, actor: 'B-INS', characteristicId: 'C1', input: typed('12.75'), gaugeId: 'G-17' });
    if (!check.ok) throw new Error(check.message);
    const recorded = event('measurement.recorded', 'B-INS', check.value.payload);
    const plant = plantAfter(...[...inspectingEvents(), recorded]);
    const hold = plant.holds.get(`H-${recorded.id}`);
    expect(hold).toMatchObject({ status: 'active', subject: SN1, sourceEventId: recorded.id });
    expect(hold?.reason).toContain('Bore diameter on SN-1 at OP30 measured 12.75 mm');
    expect(plant.nonconformances.get(`NCR-${recorded.id}`)).toMatchObject({ status: 'open', holdId: `H-${recorded.id}`, characteristicId: 'C1' });
  });

  it('refuses a value not yet typed to the decimals of the drawing, so a keystroke never holds a unit', () => {
    for (const text of ['1', '12', '12.', '12.7']) {
      expect(checkMeasurement(inspecting(), { ...base, actor: 'B-INS', characteristicId: 'C1', input: typed(text), gaugeId: 'G-17' })).toMatchObject({
        ok: false, code: 'not-a-number', message: 'Not recorded: Bore diameter is judged to 2 decimals in mm: keep typing for a verdict',
      });
    }
    // Out of tolerance whatever follows: recorded, and it fails.
    expect(checkMeasurement(inspecting(), { ...base, actor: 'B-INS', characteristicId: 'C1', input: typed('13'), gaugeId: 'G-17' })).toMatchObject({ ok: true, value: { payload: { result: 'fail' } } });
  });

  function inspectingEvents() {
    return [started('OP10'), completed('OP10'), started('OP20'),
      event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, scanned: 'BRG-1' }),
      event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 4 }, scanned: 'L-8' }),
      completed('OP20'), started('OP30', SN1, 'B-INS')];
  }
});
