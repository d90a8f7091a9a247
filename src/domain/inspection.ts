import type { LengthUnit } from '../../schemas/common.ts';
import type { EventPayload } from '../../schemas/event.ts';
import type { Characteristic } from '../../schemas/routing.ts';
import type { Resolved } from './refusal.ts';
import { refuse } from './refusal.ts';

/** Millimetres in an inch, exactly (by definition since 1959). */
export const MM_PER_INCH = 25.4;

/**
 * Comparisons against limits allow this much relative slack so that a value typed as 12.7 mm is not
 * failed against a 0.5 in limit by binary rounding of the conversion.
 */
const LIMIT_EPSILON = 1e-9;

export type Measured = EventPayload<'measurement.recorded'>['measured'];

/** The lower and upper limits of a variable characteristic in its own unit; either may be open. */
export interface Limits {
  lower: number | null;
  upper: number | null;
}

export function limitsOf(characteristic: Characteristic): Limits {
  const { nominal, tolMinus, tolPlus, lowerLimit, upperLimit } = characteristic;
  const lower = lowerLimit ?? (nominal !== undefined && tolMinus !== undefined ? nominal - tolMinus : null);
  const upper = upperLimit ?? (nominal !== undefined && tolPlus !== undefined ? nominal + tolPlus : null);
  return { lower, upper };
}

/** The limits as an inspector reads them on the drawing: "12.70 +0.05/−0.05 mm" or "≤ 1.6 mm". */
export function describeLimits(characteristic: Characteristic): string {
  if (characteristic.kind === 'attribute') return 'pass / fail';
  const unit = characteristic.unit ?? '';
  const { nominal, tolMinus, tolPlus } = characteristic;
  if (nominal !== undefined && tolMinus !== undefined && tolPlus !== undefined) {
    return `${nominal} +${tolPlus}/−${tolMinus} ${unit}`;
  }
  const { lower, upper } = limitsOf(characteristic);
  if (lower !== null && upper !== null) return `${lower} – ${upper} ${unit}`;
  if (upper !== null) return `≤ ${upper} ${unit}`;
  if (lower !== null) return `≥ ${lower} ${unit}`;
  return unit;
}

export function convertLength(value: number, from: LengthUnit, to: LengthUnit): number {
  if (from === to) return value;
  return from === 'in' ? value * MM_PER_INCH : value / MM_PER_INCH;
}

/** Whether a value in the characteristic's unit is within its limits (inclusive). */
export function withinLimits(characteristic: Characteristic, value: number): boolean {
  const { lower, upper } = limitsOf(characteristic);
  const slack = (limit: number) => Math.max(Math.abs(limit), 1) * LIMIT_EPSILON;
  if (lower !== null && value < lower - slack(lower)) return false;
  if (upper !== null && value > upper + slack(upper)) return false;
  return true;
}

/** The verdict for a recorded result against the characteristic. */
export function measurementResult(characteristic: Characteristic, measured: Measured): 'pass' | 'fail' {
  if (measured.kind === 'attribute') return measured.verdict;
  const inOwnUnit = characteristic.unit === undefined ? measured.value : convertLength(measured.value, measured.unit, characteristic.unit);
  return withinLimits(characteristic, inOwnUnit) ? 'pass' : 'fail';
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** What the inspector has typed or chosen for one characteristic. */
export type MeasurementInput =
  | { kind: 'variable'; text: string; unit: LengthUnit }
  | { kind: 'attribute'; verdict: 'pass' | 'fail' | null };

/**
 * Reads an inspector's entry as they type: a number in the characteristic's unit, or in the other
 * unit only when they chose that unit explicitly (the value is then converted and both are kept).
 * Refuses what is not a number, naming what was typed.
 */
export function evaluateMeasurement(
  characteristic: Characteristic,
  input: MeasurementInput,
): Resolved<{ measured: Measured; result: 'pass' | 'fail' }> {
  if (characteristic.kind === 'attribute') {
    if (input.kind !== 'attribute' || input.verdict === null) {
      return refuse('not-a-number', `${characteristic.name} is pass/fail: choose pass or fail`);
    }
    const measured: Measured = { kind: 'attribute', verdict: input.verdict };
    return { ok: true, value: { measured, result: input.verdict } };
  }
  if (input.kind !== 'variable') {
    return refuse('not-a-number', `${characteristic.name} needs a measured value in ${characteristic.unit ?? 'its unit'}`);
  }
  const text = input.text.trim();
  if (text === '') return refuse('not-a-number', `Enter a value for ${characteristic.name}`);
  if (!DECIMAL.test(text)) {
    const hint = /^[+-]?\d*,\d+$/.test(text) ? ' (use a decimal point, not a comma)' : '';
    return refuse('not-a-number', `"${text}" is not a number${hint}; ${characteristic.name} needs a value in ${characteristic.unit ?? 'its unit'}`);
  }
  const entered = Number(text);
  const unit = characteristic.unit ?? input.unit;
  const value = convertLength(entered, input.unit, unit);
  const measured: Measured = { kind: 'variable', entered: { value: entered, unit: input.unit, text }, value, unit };
  return { ok: true, value: { measured, result: withinLimits(characteristic, value) ? 'pass' : 'fail' } };
}
