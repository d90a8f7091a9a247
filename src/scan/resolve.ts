/**
 * What a parsed scan names on this station: serial → unit, lot → lot, part number → part, work order
 * → traveler, badge → operator, looked up in the station's PlantState. A screen says what it expects;
 * a scan of something else is refused naming both. Pure (no DOM).
 */
import type { Lot } from '../../schemas/lot.ts';
import type { Operator } from '../../schemas/operator.ts';
import type { Part } from '../../schemas/part.ts';
import type { SerialUnit } from '../../schemas/serial-unit.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { PlantState } from '../domain/plant.ts';
import type { ScanResult, ScanSuccess } from './parse.ts';
import { WORK_ORDER_DI } from './labels.ts';

export type ScanTargetKind = 'serial' | 'lot' | 'part' | 'traveler' | 'operator';

export type Resolved =
  | { kind: 'serial'; id: string; serial: SerialUnit }
  | { kind: 'lot'; id: string; lot: Lot }
  | { kind: 'part'; id: string; part: Part }
  | { kind: 'traveler'; id: string; workOrder: WorkOrder }
  | { kind: 'operator'; id: string; operator: Operator };

export type Resolution = ({ ok: true } & Resolved) | { ok: false; error: string };

const NOUN: Readonly<Record<ScanTargetKind, string>> = {
  serial: 'serial',
  lot: 'lot',
  part: 'part number',
  traveler: 'work order',
  operator: 'badge',
};

/** "a serial or lot", "a badge". */
export function describeExpected(kinds: readonly ScanTargetKind[]): string {
  const nouns = kinds.map((k) => NOUN[k]);
  if (nouns.length <= 1) return `a ${nouns[0] ?? 'identifier'}`;
  return `a ${nouns.slice(0, -1).join(', ')} or ${nouns[nouns.length - 1] ?? ''}`;
}

/** What the scan says, in words, for a refusal: "lot L-920-A", "part number P-100 with serial SN-1". */
export function describeScan(scan: ScanSuccess): string {
  const parts: string[] = [];
  const workOrder = scan.workOrder ?? scan.elements.find((e) => e.di === WORK_ORDER_DI)?.value;
  if (workOrder !== undefined) parts.push(`work order ${workOrder}`);
  if (scan.badge !== undefined) parts.push(`badge ${scan.badge}`);
  if (scan.partNumber !== undefined) parts.push(`part number ${scan.partNumber}`);
  if (scan.serial !== undefined) parts.push(`serial ${scan.serial}`);
  if (scan.lot !== undefined) parts.push(`lot ${scan.lot}`);
  if (parts.length === 0 && scan.gtin !== undefined) parts.push(`GTIN ${scan.gtin}`);
  if (parts.length === 0 && scan.uii !== undefined) parts.push(`UII ${scan.uii.value}`);
  if (parts.length === 0) parts.push(scan.elements.map((e) => e.value).join(' '));
  return parts.join(' with ');
}

/** Every record the scan could name, most specific first. */
function candidates(state: PlantState, scan: ScanSuccess): Resolved[] {
  const found: Resolved[] = [];
  const add = (item: Resolved | undefined) => {
    if (item !== undefined && !found.some((f) => f.kind === item.kind && f.id === item.id)) found.push(item);
  };
  const serialOf = (id: string) => {
    const serial = state.serials.get(id);
    return serial === undefined ? undefined : ({ kind: 'serial', id, serial } as const);
  };
  const lotOf = (id: string) => {
    const lot = state.lots.get(id);
    return lot === undefined ? undefined : ({ kind: 'lot', id, lot } as const);
  };
  const partOf = (id: string) => {
    const part = state.parts.get(id);
    return part === undefined ? undefined : ({ kind: 'part', id, part } as const);
  };
  const travelerOf = (id: string) => {
    const workOrder = state.workOrders.get(id) ?? state.workOrders.get(id.toUpperCase());
    return workOrder === undefined ? undefined : ({ kind: 'traveler', id: workOrder.id, workOrder } as const);
  };
  const operatorOf = (id: string) => {
    const operator = state.operators.get(id) ?? state.operators.get(id.toUpperCase());
    return operator === undefined ? undefined : ({ kind: 'operator', id: operator.badge, operator } as const);
  };

  if (scan.serial !== undefined) add(serialOf(scan.serial));
  if (scan.lot !== undefined) add(lotOf(scan.lot));
  if (scan.workOrder !== undefined) add(travelerOf(scan.workOrder));
  if (scan.badge !== undefined) add(operatorOf(scan.badge));
  // A traveler label carries its work order as data identifier 1K (see labels.ts).
  for (const element of scan.elements) if (element.di === WORK_ORDER_DI) add(travelerOf(element.value));
  if (scan.partNumber !== undefined) add(partOf(scan.partNumber));
  // A plain identifier (no standard said what it is): whatever the station knows by that name.
  const plain = scan.dataType === 'text' && scan.elements.length === 1 && scan.elements[0]?.ai === undefined && scan.elements[0]?.di === undefined;
  if (plain) {
    const value = scan.elements[0]?.value ?? '';
    for (const item of [serialOf(value), lotOf(value), travelerOf(value), operatorOf(value), partOf(value)]) add(item);
  }
  return found;
}

function label(item: Resolved): string {
  return `${NOUN[item.kind]} ${item.id}`;
}

/**
 * Resolves a scan to one of the kinds a screen expects. Refuses, naming what was expected and what
 * was scanned: an unreadable scan, an identifier the station does not know, a record of another
 * kind, or a label whose part number contradicts the record of its serial or lot.
 */
export function resolveScan(state: PlantState, scan: ScanResult, expected: readonly ScanTargetKind[]): Resolution {
  const wanted = describeExpected(expected);
  if (!scan.ok) return { ok: false, error: `Expected ${wanted}; the scan cannot be read: ${scan.error}` };
  const found = candidates(state, scan);
  const match = found.find((item) => expected.includes(item.kind));
  if (match === undefined) {
    const what = describeScan(scan);
    const other = found[0];
    if (other !== undefined) return { ok: false, error: `Expected ${wanted}; scanned ${label(other)}` };
    return { ok: false, error: `Expected ${wanted}; scanned ${what}, which this station does not know` };
  }
  const labelPart = scan.partNumber;
  const recordPart = match.kind === 'serial' ? match.serial.partNumber : match.kind === 'lot' ? match.lot.partNumber : undefined;
  if (labelPart !== undefined && recordPart !== undefined && labelPart !== recordPart) {
    return { ok: false, error: `The label says part ${labelPart}, but ${label(match)} is part ${recordPart}` };
  }
  return { ok: true, ...match };
}
