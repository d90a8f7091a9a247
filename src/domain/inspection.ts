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
  const unit = unitName(characteristic.unit);
  const { nominal, tolMinus, tolPlus } = characteristic;
  if (nominal !== undefined && tolMinus !== undefined && tolPlus !== undefined) {
    return `${nominal} +${tolPlus}/−${tolMinus} ${unitName(characteristic.unit)}`;
  }
  const { lower, upper } = limitsOf(characteristic);
  if (lower !== null && upper !== null) return `${lower} – ${upper} ${unit}`;
  if (upper !== null) return `≤ ${upper} ${unit}`;
  if (lower !== null) return `≥ ${lower} ${unit}`;
  return unit;
}

/** Millimetres in one of each unit. */
const MM_PER: Record<LengthUnit, number> = { mm: 1, in: MM_PER_INCH, um: 0.001, uin: MM_PER_INCH / 1_000_000 };

/** How a unit is written for people: µm and µin, not the ASCII ids of the wire. */
export const UNIT_NAMES: Record<LengthUnit, string> = { mm: 'mm', in: 'in', um: 'µm', uin: 'µin' };

export function unitName(unit: LengthUnit | undefined): string {
  return unit === undefined ? '' : UNIT_NAMES[unit];
}

/**
 * The units an inspector may choose for a characteristic: its own and its counterpart of the same
 * scale (mm ⇄ in for dimensions, µm ⇄ µin for surface finish). A bore is not offered in µm, nor a
 * finish in mm: a value typed meaning the other scale would be off by a thousand.
 */
export function unitChoices(own: LengthUnit): LengthUnit[] {
  return own === 'um' || own === 'uin' ? ['um', 'uin'] : ['mm', 'in'];
}

export function convertLength(value: number, from: LengthUnit, to: LengthUnit): number {
  if (from === to) return value;
  // Multiply or divide by a factor of at least 1, so 1 in → 25.4 mm and 0.8 µm → 0.0008 mm stay exact.
  const [a, b] = [MM_PER[from], MM_PER[to]];
  return a >= b ? value * (a / b) : value / (b / a);
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
    return refuse('not-a-number', `${characteristic.name} needs a measured value in ${unitName(characteristic.unit) || 'its unit'}`);
  }
  const text = input.text.trim();
  if (text === '') return refuse('not-a-number', `Enter a value for ${characteristic.name}`);
  if (!DECIMAL.test(text)) {
    const hint = /^[+-]?\d*,\d+$/.test(text) ? ' (use a decimal point, not a comma)' : '';
    return refuse('not-a-number', `"${text}" is not a number${hint}; ${characteristic.name} needs a value in ${unitName(characteristic.unit) || 'its unit'}`);
  }
  const entered = Number(text);
  const unit = characteristic.unit ?? input.unit;
  const value = convertLength(entered, input.unit, unit);
  const measured: Measured = { kind: 'variable', entered: { value: entered, unit: input.unit, text }, value, unit };
  return { ok: true, value: { measured, result: withinLimits(characteristic, value) ? 'pass' : 'fail' } };
}

/** Decimals written in a number as the drawing gives it: 12.7 → 1, 0.02 → 2, 1.6 → 1. */
function decimalsOf(value: number): number {
  const text = String(value);
  const exponent = /e-(\d+)$/.exec(text);
  if (exponent !== null) return Number(exponent[1]) + (text.split('e')[0]?.split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}

/**
 * The decimals the drawing gives a characteristic's limits to (the most of nominal, tolerances and
 * limits), in `unit`: in another unit, as many as resolve one step of the drawing's last decimal
 * (0.01 mm needs 4 decimals in inches, 0.001 in needs 2 in millimetres).
 */
export function limitDecimals(characteristic: Characteristic, unit: LengthUnit): number {
  const { nominal, tolMinus, tolPlus, lowerLimit, upperLimit } = characteristic;
  const own = Math.max(0, ...[nominal, tolMinus, tolPlus, lowerLimit, upperLimit].filter((n) => n !== undefined).map(decimalsOf));
  const ownUnit = characteristic.unit ?? unit;
  if (ownUnit === unit) return own;
  const step = convertLength(10 ** -own, ownUnit, unit);
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

/** A value as it is typed: nothing yet, not a number, not yet judgeable, or judged. */
export type LiveVerdict =
  | { kind: 'empty' }
  | { kind: 'invalid'; message: string }
  | { kind: 'incomplete'; message: string }
  | { kind: 'judged'; measured: Measured; result: 'pass' | 'fail' };

/** What a person may still be typing on the way to a number: "-", ".", "-.". */
const STARTING = /^[+-]?\.?$/;

/**
 * The verdict shown while a value is typed (README, "Inspection"): none until the typed text can
 * be judged, that is until it has as many decimals as the
 * drawing gives the limits (in the unit chosen, see {@link limitDecimals}), or until no digits typed
 * after it could change the verdict ("13" fails a 12.70 ± 0.02 bore whatever follows; "12", "12." and
 * "12.7" could still pass or fail, so they wait). Recording takes the same rule: an incomplete value
 * is refused with the decimals it needs, so a value half typed never holds a unit.
 */
export function liveVerdict(characteristic: Characteristic, input: MeasurementInput): LiveVerdict {
  if (characteristic.kind === 'attribute' || input.kind === 'attribute') {
    if (input.kind === 'attribute' && input.verdict === null) return { kind: 'empty' };
    const evaluated = evaluateMeasurement(characteristic, input);
    return evaluated.ok ? { kind: 'judged', ...evaluated.value } : { kind: 'invalid', message: evaluated.message };
  }
  const text = input.text.trim();
  if (text === '') return { kind: 'empty' };
  const needed = limitDecimals(characteristic, input.unit);
  const own = unitName(input.unit);
  const places = needed === 0 ? `in whole ${own}` : `to ${needed} decimal${needed === 1 ? '' : 's'} in ${own}`;
  const hint = `${characteristic.name} is judged ${places}: keep typing for a verdict`;
  if (STARTING.test(text)) return { kind: 'incomplete', message: hint };
  const evaluated = evaluateMeasurement(characteristic, input);
  if (!evaluated.ok) return { kind: 'invalid', message: evaluated.message };
  const judged: LiveVerdict = { kind: 'judged', ...evaluated.value };
  const decimals = text.split('.')[1]?.length ?? 0;
  if (decimals >= needed) return judged;
  // Every value the typed text could still become, as an interval in the chosen unit.
  const entered = Math.abs(Number(text));
  const negative = text.startsWith('-');
  const hasPoint = text.includes('.');
  const low = entered;
  const high = hasPoint ? entered + 10 ** -decimals : entered === 0 ? 1 : Number.POSITIVE_INFINITY;
  const [from, to] = negative ? [-high, -low] : [low, high];
  const unit = characteristic.unit ?? input.unit;
  const a = convertLength(from, input.unit, unit);
  const b = convertLength(to, input.unit, unit);
  const { lower, upper } = limitsOf(characteristic);
  const allIn = (lower === null || a >= lower) && (upper === null || b <= upper) && withinLimits(characteristic, a);
  const allOut = (lower !== null && b < lower) || (upper !== null && a > upper);
  return allIn || allOut ? judged : { kind: 'incomplete', message: hint };
}
