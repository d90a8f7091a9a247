/**
 * AIM symbology identifiers (ISO/IEC 15424): `]` + code character + modifier, sent by a scanner in
 * front of the data when it is set to. They say which symbology was read and, through the modifier,
 * whether the data is GS1 (FNC1 in first position). Pure.
 */

/** Code characters and the modifiers each allows (ISO/IEC 15424 table 1 and the symbology standards). */
const MODIFIERS: ReadonlyMap<string, string> = new Map([
  ['A', '01234567'], // Code 39
  ['C', '0124'], // Code 128
  ['d', '0123456'], // Data Matrix
  ['Q', '0123456'], // QR Code
  ['e', '0123'], // GS1 DataBar
  ['E', '01234'], // EAN/UPC
  ['I', '013'], // ITF
  ['L', '0123456'], // PDF417 and MicroPDF417
  ['z', '0123456789ABC'], // Aztec
  ['F', '01234'], // Codabar
  ['G', '0'], // Code 93
  ['H', '0123'], // Code 11
  ['M', '01'], // MSI
  ['U', '0123'], // MaxiCode
  ['X', '0123456789ABCDEF'], // other symbologies
  ['S', '012'], // D 2 of 5
  ['R', '01'], // straight 2 of 5
  ['O', '0123456'], // Codablock
  ['J', '0123456'], // Han Xin
]);

/** Identifiers whose data is a GS1 element string (FNC1 in first position). */
const GS1_IDS = new Set([']C1', ']e0', ']e1', ']e2', ']e3', ']d2', ']d5', ']Q3', ']Q4', ']J1', ']z1']);

/** Identifiers of EAN/UPC data: EAN-13/UPC-A, add-on alone (2, 5 digits), with add-on, EAN-8. */
const RETAIL_IDS = new Set([']E0', ']E1', ']E2', ']E3', ']E4']);

export type SymbologyKind = 'gs1' | 'retail' | 'itf' | 'code39' | 'other';

export type SymbologyParse =
  | { ok: true; id: string | null; kind: SymbologyKind | null; data: string }
  | { ok: false; error: string };

/** Takes an AIM symbology identifier off the front of a scan, if it has one. */
export function splitSymbologyId(text: string): SymbologyParse {
  if (!text.startsWith(']')) return { ok: true, id: null, kind: null, data: text };
  if (text.length < 3) return { ok: false, error: `Incomplete AIM symbology identifier ${JSON.stringify(text)} at position 0` };
  const id = text.slice(0, 3);
  const code = id[1] ?? '';
  const modifier = id[2] ?? '';
  const allowed = MODIFIERS.get(code);
  if (allowed === undefined) return { ok: false, error: `Unknown AIM symbology identifier ${id} at position 0: no symbology has code character ${code}` };
  if (!allowed.includes(modifier)) return { ok: false, error: `Unknown AIM symbology identifier ${id} at position 0: modifier ${modifier} is not defined for ]${code}` };
  const kind: SymbologyKind = GS1_IDS.has(id) ? 'gs1' : RETAIL_IDS.has(id) ? 'retail' : code === 'I' ? 'itf' : code === 'A' ? 'code39' : 'other';
  return { ok: true, id, kind, data: text.slice(3) };
}
