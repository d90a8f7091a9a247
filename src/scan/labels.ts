/**
 * What a Travelog label carries: a Data Matrix with an ISO/IEC 15434 format 06 message (MH10.8.2
 * data identifiers), or a GS1 element string where the part has a GTIN, and the same identifiers as
 * human-readable text. Pure: the screen renders the symbol with bwip-js, and the round-trip test
 * renders, decodes and parses it back.
 */
import { EOT, GS, RS, isControlCharacter } from './control.ts';

export type LabelSubject =
  | { kind: 'serial'; serial: string; partNumber: string; revision?: string; description?: string; workOrderId?: string; gtin?: string }
  | { kind: 'lot'; lotId: string; partNumber: string; revision?: string; description?: string; quantity?: number; gtin?: string }
  | { kind: 'traveler'; workOrderId: string; partNumber: string; revision: string; description?: string; quantity: number };

/**
 * Data identifier for a work order on a traveler label: MH10.8.2 `1K`, an order number assigned by
 * the supplier (the plant is the supplier of what it builds). Plant convention, documented in
 * docs/scanning.md.
 */
export const WORK_ORDER_DI = '1K';

export interface Label {
  subject: LabelSubject;
  title: string;
  /** Human-readable lines: caption and value. */
  lines: ReadonlyArray<readonly [string, string]>;
  /** The message as a scanner sends it, control characters included. */
  message: string;
  /** bwip-js symbology and text (with `parse`: ^029 is GS, ^030 RS, ^004 EOT). */
  bwip: { bcid: 'datamatrix' | 'gs1datamatrix'; text: string; parse: boolean };
  /** The identifiers a scan of the symbol must give back. */
  expected: { serial?: string; lot?: string; partNumber?: string; gtin?: string; workOrder?: string };
}

/** The ISO/IEC 15434 format 06 message for data identifier fields. */
export function format06(fields: ReadonlyArray<readonly [string, string]>): string {
  return `[)>${RS}06${GS}${fields.map(([di, value]) => `${di}${value}`).join(GS)}${RS}${EOT}`;
}

/** bwip-js text for a message: control characters as ^NNN, and ^ itself escaped. */
export function bwipEscape(message: string): string {
  return [...message].map((c) => (isControlCharacter(c) || c === '^' ? `^${String(c.charCodeAt(0)).padStart(3, '0')}` : c)).join('');
}

function describe(subject: { partNumber: string; revision?: string; description?: string }): Array<readonly [string, string]> {
  return [
    ['Part', subject.revision === undefined ? subject.partNumber : `${subject.partNumber} rev ${subject.revision}`],
    ...(subject.description === undefined ? [] : [['Description', subject.description] as const]),
  ];
}

export function labelFor(subject: LabelSubject): Label {
  if (subject.kind === 'traveler') {
    const message = format06([[WORK_ORDER_DI, subject.workOrderId], ['1P', subject.partNumber], ['Q', String(subject.quantity)]]);
    return {
      subject,
      title: `Traveler ${subject.workOrderId}`,
      lines: [['Work order', subject.workOrderId], ...describe(subject), ['Quantity', String(subject.quantity)]],
      message,
      bwip: { bcid: 'datamatrix', text: bwipEscape(message), parse: true },
      expected: { workOrder: subject.workOrderId, partNumber: subject.partNumber },
    };
  }
  const id = subject.kind === 'serial' ? subject.serial : subject.lotId;
  const idLine = [subject.kind === 'serial' ? 'Serial' : 'Lot', id] as const;
  const quantity = subject.kind === 'lot' && subject.quantity !== undefined ? subject.quantity : undefined;
  const extra: Array<readonly [string, string]> = [];
  if (subject.kind === 'serial' && subject.workOrderId !== undefined) extra.push(['Work order', subject.workOrderId]);
  if (quantity !== undefined) extra.push(['Quantity', String(quantity)]);
  const title = subject.kind === 'serial' ? `Serial ${id}` : `Lot ${id}`;
  if (subject.gtin !== undefined) {
    // GS1 where the part has a GTIN: (01) with (21) serial or (10) lot.
    const ai = subject.kind === 'serial' ? '21' : '10';
    const text = `(01)${subject.gtin}(${ai})${id}`;
    return {
      subject,
      title,
      lines: [idLine, ...describe(subject), ['GTIN', subject.gtin], ...extra],
      message: `01${subject.gtin}${ai}${id}`,
      bwip: { bcid: 'gs1datamatrix', text, parse: false },
      expected: { gtin: subject.gtin, ...(subject.kind === 'serial' ? { serial: id } : { lot: id }) },
    };
  }
  const fields: Array<readonly [string, string]> = [['1P', subject.partNumber], subject.kind === 'serial' ? ['S', id] : ['1T', id]];
  if (quantity !== undefined) fields.push(['Q', String(quantity)]);
  const message = format06(fields);
  return {
    subject,
    title,
    lines: [idLine, ...describe(subject), ...extra],
    message,
    bwip: { bcid: 'datamatrix', text: bwipEscape(message), parse: true },
    expected: { partNumber: subject.partNumber, ...(subject.kind === 'serial' ? { serial: id } : { lot: id }) },
  };
}
