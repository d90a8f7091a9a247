/**
 * `parseScan`: what a scanned or typed identifier says, from any symbology and any scanner. Reads,
 * in this order: AIM symbology identifiers, ISO/IEC 15434 messages (formats 05, 06, 12, DD) with
 * MIL-STD-130 UIIs, GS1 element strings, GS1 Digital Link URIs, bare GTINs, MH10.8.2 data
 * identifiers on linear labels, and last the plant's own formats. Pure and total: it never throws,
 * and a failure says what is wrong and where. See docs/scanning.md.
 */
import type { ControlSubstitutes } from './control.ts';
import type { Gs1Element } from './gs1.ts';
import type { Envelope, EnvelopeFormat } from './iso15434.ts';
import type { PlantFormat } from './plant-formats.ts';
import type { Uii, UiiResult } from './uii.ts';
import { GS, isControlCharacter, normalizeControls, showControls } from './control.ts';
import { parseDigitalLink } from './digital-link.ts';
import { fromBracketed, hriOf, pairingWarnings, parseElementString } from './gs1.ts';
import { aiAt, gs1Date, hasValidCheckDigit } from './gs1-ai.ts';
import { fieldsOf, isIso15434, splitEnvelopes } from './iso15434.ts';
import { DATA_IDENTIFIERS, isoFromYyyymmdd, splitDataIdentifier } from './mh10.ts';
import { matchPlantFormat } from './plant-formats.ts';
import { splitSymbologyId } from './symbology.ts';
import { uiiFromApplicationIdentifiers, uiiFromDataIdentifiers, uiiFromTextElements } from './uii.ts';

export interface ParseOptions extends ControlSubstitutes {
  /** The plant's own identifier formats (master data), tried after the standards. */
  plantFormats?: readonly PlantFormat[];
  /** The year "now", for the century of two-digit GS1 dates (General Specifications 7.12); without it, 20YY. */
  referenceYear?: number;
  /**
   * Read a data identifier at the start of data outside a 15434 envelope, as linear labels carry one
   * per symbol (`1PP-100`, `SSN-1001-01`). Always on behind a Code 39 symbology identifier (`]A0`).
   * Off by default: `SN-1001-01` would otherwise read as DI `S` and serial `N-1001-01`.
   */
  standaloneDataIdentifiers?: boolean;
}

export interface ScanElement {
  ai?: string;
  di?: string;
  tei?: string;
  value: string;
}

export type ScanDataType = 'gs1' | 'gs1-digital-link' | 'gtin' | 'iso15434' | 'text';

export interface ScanSuccess {
  ok: true;
  symbologyId: string | null;
  dataType: ScanDataType;
  format?: EnvelopeFormat;
  elements: ScanElement[];
  hri?: string;
  /** 14 digits. */
  gtin?: string;
  lot?: string;
  serial?: string;
  partNumber?: string;
  /** YYYY-MM-DD. */
  expiry?: string;
  quantity?: number;
  uii?: Uii;
  /** The 2- or 5-digit add-on read with an EAN/UPC symbol (an issue number, a price). */
  addOn?: string;
  /** A badge, when a plant format says the text is one. */
  badge?: string;
  /** A work order (traveler), when a plant format says the text is one. */
  workOrder?: string;
  warnings: string[];
}

export interface ScanFailure {
  ok: false;
  error: string;
}

export type ScanResult = ScanSuccess | ScanFailure;

type Identifiers = Pick<ScanSuccess, 'gtin' | 'lot' | 'serial' | 'partNumber' | 'expiry' | 'quantity'>;

const fail = (error: string): ScanFailure => ({ ok: false, error });

/** Parses one scan. Never throws: anything unexpected comes back as `{ ok: false }`. */
export function parseScan(raw: string, options: ParseOptions = {}): ScanResult {
  try {
    if (typeof raw !== 'string') return fail('A scan must be text');
    return parse(raw, options);
  } catch (error) {
    return fail(`Unreadable scan: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parse(raw: string, options: ParseOptions): ScanResult {
  const text = normalizeControls(raw, options);
  if (text === '') return fail('Empty scan');
  const symbology = splitSymbologyId(text);
  if (!symbology.ok) return symbology;
  const { id, kind } = symbology;
  const offset = id === null ? 0 : 3;
  const data = symbology.data;
  if (data === '') return fail(`Nothing after the symbology identifier ${id ?? ''}`);

  if (isIso15434(data)) return iso15434(data, offset, id, options);

  if (kind === 'gs1') return gs1(data, offset, id, options, []);
  if (kind === 'retail') return retail(data, id);
  if (kind === 'itf' && /^\d{14}$/u.test(data)) {
    return hasValidCheckDigit(data) ? gtin(data, id) : fail(`ITF-14 ${data} has check digit ${data.slice(-1)}; expected ${expectedCheck(data)}`);
  }

  // Without a GS1 symbology identifier: FNC1 sent as a leading GS, or the bracketed text of a label.
  if (data.startsWith(GS)) return gs1(data, offset, id, options, []);
  const bracketed = fromBracketed(data);
  if (bracketed !== null) return gs1(bracketed, offset, id, options, ['Read from the bracketed human-readable form']);

  const link = parseDigitalLink(data, options.referenceYear);
  if (link.ok === false) return link;
  if (link.ok === true) return success(id, 'gs1-digital-link', link.elements.map(aiElement), link.warnings, { hri: hriOf(link.elements), ...fromAis(link.elements, options.referenceYear) });

  if (kind === 'code39' || options.standaloneDataIdentifiers === true) {
    const identified = dataIdentifiers(data, offset, id);
    if (identified !== null) return identified;
  }

  // The plant's own formats win over an unmarked reading of GS1 (docs/scanning.md, "Plant formats
  // and GS1"): a scanner that sends no symbology identifier cannot tell the two apart.
  const plant = matchPlantFormat(data, options.plantFormats ?? []);
  if (plant !== undefined) {
    return success(id, 'text', [{ value: data }], [], { [plant.kind]: data });
  }

  if (id === null) {
    const single = unmarkedGtin(data);
    if (single !== null) return single;
    const bare = bareElementString(data, options);
    if (bare?.ok === true) return bare;
    const withAddOn = unmarkedAddOn(data);
    if (withAddOn !== null) return withAddOn;
    if (bare !== null) return bare;
    if (/^(\d{8}|\d{12,14})$/u.test(data)) {
      return fail(`GTIN-${data.length} ${data} has check digit ${data.slice(-1)}; expected ${expectedCheck(data)}`);
    }
  }
  const warnings = [...data].some(isControlCharacter) ? [`The text holds control characters: ${showControls(data)}`] : [];
  return success(id, 'text', [{ value: data }], warnings, {});
}

/**
 * GS1 keys that carry a check digit (or, for a GMN, a check character pair): an unmarked string is
 * only read as a GS1 element string when it holds one, so that short text such as `9912`, `10AB` or
 * `401ABC` stays text. Keys without a check (GINC 401, GIAI 8004, CPID 8010) are no evidence.
 */
const KEYS = new Set(['00', '01', '02', '03', '253', '255', '402', '410', '411', '412', '413', '414', '415', '416', '417', '8003', '8006', '8013', '8017', '8018', '8026']);

/** A key whose value starts with a fixed run of digits: its AI followed by that many digits marks GS1. */
const KEY_PREFIX = /^(?:0[1-3]\d{14}|00\d{18}|25[35]\d{13}|402\d{17}|41[0-7]\d{13}|8003\d{14}|80(?:06|17|18|26)\d{18})/u;

/**
 * A string without symbology identifier or FNC1, as wedge scanners set to neither send a GS1-128
 * label: read as GS1 when it is a complete, valid element string (lengths, check digits, GS after
 * variable-length values, the pairing rules) holding a GS1 key. When it starts like one (a key's AI
 * and its digits) or holds a GS after an AI, but fails, it is refused with the reason. Null: text.
 */
function bareElementString(data: string, options: ParseOptions): ScanResult | null {
  const startsLikeGs1 = KEY_PREFIX.test(data) || (data.includes(GS) && aiAt(data, 0) !== undefined);
  const parsed = parseElementString(data, options.referenceYear === undefined ? {} : { referenceYear: options.referenceYear });
  if (!parsed.ok) return startsLikeGs1 ? fail(`GS1 label sent without FNC1: ${parsed.error}`) : null;
  const hasKey = parsed.elements.some((e) => KEYS.has(e.ai));
  if (!hasKey) return startsLikeGs1 ? fail('GS1 label sent without FNC1, but it holds no GS1 key with a check digit') : null;
  // Without a symbology identifier only a wholly valid element string counts as GS1: the pairing
  // rules, warnings for marked GS1, refuse it here.
  const pairing = pairingWarnings(parsed.elements.map((e) => e.ai));
  if (pairing.length > 0) return fail(`GS1 label sent without FNC1: ${pairing.join('; ')}`);
  return success(null, 'gs1', parsed.elements.map(aiElement), ['GS1 element string without a symbology identifier or FNC1', ...parsed.warnings], {
    hri: hriOf(parsed.elements),
    ...fromAis(parsed.elements, options.referenceYear),
  });
}

function expectedCheck(digits: string): string {
  for (let d = 0; d <= 9; d++) if (hasValidCheckDigit(`${digits.slice(0, -1)}${d}`)) return String(d);
  return '?';
}

function success(
  symbologyId: string | null,
  dataType: ScanDataType,
  elements: ScanElement[],
  warnings: string[],
  extra: Partial<Omit<ScanSuccess, 'ok' | 'symbologyId' | 'dataType' | 'elements' | 'warnings'>>,
): ScanSuccess {
  const result: ScanSuccess = { ok: true, symbologyId, dataType, elements, warnings };
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) (result as unknown as Record<string, unknown>)[key] = value;
  }
  return result;
}

const aiElement = (e: Gs1Element): ScanElement => ({ ai: e.ai, value: e.value });

function fromAis(elements: readonly Gs1Element[], referenceYear?: number): Identifiers {
  const get = (ai: string) => elements.find((e) => e.ai === ai)?.value;
  const expiry = get('17');
  const date = expiry === undefined ? undefined : gs1Date(expiry, true, referenceYear);
  const count = get('30') ?? get('37');
  const ids: Identifiers = {};
  const gtinValue = get('01');
  if (gtinValue !== undefined) ids.gtin = gtinValue;
  const lot = get('10');
  if (lot !== undefined) ids.lot = lot;
  const serial = get('21');
  if (serial !== undefined) ids.serial = serial;
  const part = get('240') ?? get('241');
  if (part !== undefined) ids.partNumber = part;
  if (date?.ok === true) ids.expiry = date.iso;
  if (count !== undefined) ids.quantity = Number(count);
  return ids;
}

function gs1(data: string, offset: number, id: string | null, options: ParseOptions, notes: string[]): ScanResult {
  const parsed = parseElementString(data, { offset, ...(options.referenceYear === undefined ? {} : { referenceYear: options.referenceYear }) });
  if (!parsed.ok) return parsed;
  return success(id, 'gs1', parsed.elements.map(aiElement), [...notes, ...parsed.warnings], {
    hri: hriOf(parsed.elements),
    ...fromAis(parsed.elements, options.referenceYear),
  });
}

function gtin(digits: string, id: string | null, addOn?: string): ScanResult {
  const value = digits.padStart(14, '0');
  return success(id, 'gtin', [{ ai: '01', value }], [], { gtin: value, hri: `(01)${value}`, ...(addOn === undefined ? {} : { addOn }) });
}

/**
 * The GTIN-12 a UPC-E symbol stands for (General Specifications 5.2.2.4.2): number system 0 or 1,
 * six digits, check digit; the zeros the symbol suppresses come back according to its sixth digit.
 * Null when `digits` is not a UPC-E of valid check digit.
 */
export function expandUpcE(digits: string): string | null {
  if (!/^[01]\d{7}$/u.test(digits)) return null;
  const ns = digits[0] ?? '';
  const d = digits.slice(1, 7);
  const check = digits[7] ?? '';
  const last = Number(d[5]);
  let body: string;
  if (last <= 2) body = `${d.slice(0, 2)}${d[5] ?? ''}0000${d.slice(2, 5)}`;
  else if (last === 3) body = `${d.slice(0, 3)}00000${d.slice(3, 5)}`;
  else if (last === 4) body = `${d.slice(0, 4)}00000${d[4] ?? ''}`;
  else body = `${d.slice(0, 5)}0000${d[5] ?? ''}`;
  const upcA = `${ns}${body}${check}`;
  return hasValidCheckDigit(upcA) ? upcA : null;
}

/**
 * EAN-13 / UPC-A (]E0, 13 digits), EAN-8 (]E4), EAN-13 or UPC-A/E in EAN-13 form with a 2- or
 * 5-digit add-on (]E3, 15 or 18 digits), an add-on read alone (]E1, ]E2). ISO/IEC 15420 and 15424.
 */
function retail(data: string, id: string | null): ScanResult {
  if (!/^\d*$/u.test(data)) return fail(`${id ?? ''} carries digits only; found ${JSON.stringify(showControls(data))}`);
  if (id === ']E1' || id === ']E2') {
    const length = id === ']E1' ? 2 : 5;
    if (data.length !== length) return fail(`${id} carries a ${length}-digit add-on; found ${data.length} digits`);
    return success(id, 'text', [{ value: data }], [], { addOn: data });
  }
  if (id === ']E3') {
    if (data.length !== 15 && data.length !== 18) {
      return fail(`${id} carries an EAN-13 (or UPC-A/UPC-E in EAN-13 form) and a 2- or 5-digit add-on: 15 or 18 digits; found ${data.length}`);
    }
    const main = data.slice(0, 13);
    if (!hasValidCheckDigit(main)) return fail(`GTIN-13 ${main} has check digit ${main.slice(-1)}; expected ${expectedCheck(main)}`);
    return gtin(main, id, data.slice(13));
  }
  const length = id === ']E4' ? 8 : 13;
  if (data.length !== length) {
    return fail(`${id ?? ''} carries ${length === 8 ? 'an EAN-8' : 'an EAN-13 or UPC-A'} of ${length} digits; found ${data.length}`);
  }
  if (!hasValidCheckDigit(data)) return fail(`GTIN-${length} ${data} has check digit ${data.slice(-1)}; expected ${expectedCheck(data)}`);
  return gtin(data, id);
}

/**
 * A GTIN without symbology identifier: 12, 13 or 14 digits, or 8 digits read as EAN-8 or else as
 * UPC-E (expanded to its GTIN-12), with a valid check digit. Null otherwise.
 */
function unmarkedGtin(data: string): ScanResult | null {
  if (/^(\d{8}|\d{12,14})$/u.test(data) && hasValidCheckDigit(data)) return gtin(data, null);
  const upcA = /^\d{8}$/u.test(data) ? expandUpcE(data) : null;
  if (upcA === null) return null;
  const result = gtin(upcA, null);
  if (result.ok) result.warnings.push(`Read as UPC-E ${data}, which stands for GTIN-12 ${upcA}`);
  return result;
}

/**
 * An EAN-13 (15 or 18 digits) or UPC-A (17 digits) with a 2- or 5-digit add-on, sent without symbology
 * identifier. A UPC-A with a 2-digit add-on has 14 digits, as a GTIN-14 has: those are read as GTIN-14
 * only. Null otherwise.
 */
function unmarkedAddOn(data: string): ScanResult | null {
  if (!/^\d+$/u.test(data) || data.length === 14) return null;
  for (const main of [13, 12]) {
    const addOn = data.length - main;
    if ((addOn === 2 || addOn === 5) && hasValidCheckDigit(data.slice(0, main))) return gtin(data.slice(0, main), null, data.slice(main));
  }
  return null;
}

/** Data identifiers outside an envelope: one per field, fields separated by GS. Null when not DIs. */
function dataIdentifiers(data: string, offset: number, id: string | null): ScanResult | null {
  const envelope: Envelope = { format: '06', data, offset };
  const fields = fieldsOf(envelope);
  if (!fields.every((f) => splitDataIdentifier(f.text) !== null && DATA_IDENTIFIERS.has(splitDataIdentifier(f.text)?.di ?? ''))) return null;
  const read = readEnvelopes([envelope]);
  if (!read.ok) return read;
  return success(id, 'text', read.elements, read.warnings, read.identifiers);
}

function iso15434(data: string, offset: number, id: string | null, options: ParseOptions): ScanResult {
  const split = splitEnvelopes(data, offset);
  if (!split.ok) return split;
  const read = readEnvelopes(split.envelopes, options.referenceYear);
  if (!read.ok) return read;
  const first = split.envelopes[0];
  const formats = [...new Set(split.envelopes.map((e) => e.format))];
  const warnings = [...split.warnings, ...read.warnings];
  if (split.envelopes.length > 1) warnings.push(`${split.envelopes.length} format envelopes (${formats.join(', ')})`);
  const gs1Elements = read.elements.filter((e): e is Gs1Element => e.ai !== undefined);
  return success(id, 'iso15434', read.elements, warnings, {
    ...(first === undefined ? {} : { format: first.format }),
    ...(gs1Elements.length > 0 ? { hri: hriOf(gs1Elements) } : {}),
    ...read.identifiers,
    ...(read.uii === undefined ? {} : { uii: read.uii }),
  });
}

type EnvelopeRead = { ok: true; elements: ScanElement[]; warnings: string[]; identifiers: Identifiers; uii?: Uii } | ScanFailure;

/** Reads every envelope's fields, derives the identifiers and the UII, and refuses contradictions. */
function readEnvelopes(envelopes: readonly Envelope[], referenceYear?: number): EnvelopeRead {
  const elements: ScanElement[] = [];
  const warnings: string[] = [];
  const identifiers: Identifiers = {};
  let uii: Uii | undefined;

  const merge = (found: Identifiers, where: string): string | null => {
    for (const [key, value] of Object.entries(found) as Array<[keyof Identifiers, string | number | undefined]>) {
      if (value === undefined) continue;
      const before = identifiers[key];
      if (before !== undefined && before !== value) return `Two different ${key} values in one scan: ${String(before)} and ${String(value)} (${where})`;
      (identifiers as Record<string, unknown>)[key] = value;
    }
    return null;
  };

  for (const envelope of envelopes) {
    const where = `format ${envelope.format} envelope at position ${envelope.offset}`;
    let found: Identifiers;
    let uiiResult: UiiResult;
    if (envelope.format === '05') {
      const parsed = parseElementString(envelope.data, { offset: envelope.offset, ...(referenceYear === undefined ? {} : { referenceYear }) });
      if (!parsed.ok) return fail(`ISO/IEC 15434 format 05: ${parsed.error}`);
      elements.push(...parsed.elements.map(aiElement));
      warnings.push(...parsed.warnings);
      found = fromAis(parsed.elements, referenceYear);
      uiiResult = uiiFromApplicationIdentifiers(new Map(parsed.elements.map((e) => [e.ai, e.value])));
    } else if (envelope.format === '06') {
      const fields = new Map<string, string>();
      for (const field of fieldsOf(envelope)) {
        const split = splitDataIdentifier(field.text);
        if (field.text === '') return fail(`ISO/IEC 15434 format 06: empty data field at position ${field.offset}`);
        if (split === null) return fail(`ISO/IEC 15434 format 06: ${JSON.stringify(showControls(field.text.slice(0, 12)))} at position ${field.offset} does not start with a data identifier`);
        if (split.value === '') return fail(`ISO/IEC 15434 format 06: data identifier ${split.di} at position ${field.offset} has no value`);
        if (!DATA_IDENTIFIERS.has(split.di)) warnings.push(`Data identifier ${split.di} is not one Travelog interprets; kept as is`);
        const previous = fields.get(split.di);
        if (previous !== undefined && previous !== split.value) return fail(`ISO/IEC 15434 format 06: ${split.di} appears twice with different values: ${previous} and ${split.value}`);
        fields.set(split.di, split.value);
        elements.push({ di: split.di, value: split.value });
      }
      const got = fromDataIdentifiers(fields);
      if (typeof got === 'string') return fail(`ISO/IEC 15434 format 06: ${got}`);
      found = got;
      uiiResult = uiiFromDataIdentifiers(fields);
    } else {
      const fields = new Map<string, string>();
      for (const field of fieldsOf(envelope)) {
        const match = /^([A-Z][A-Z0-9]{0,3}) (.+)$/su.exec(field.text);
        if (match === null) {
          return fail(`ISO/IEC 15434 format ${envelope.format}: ${JSON.stringify(showControls(field.text.slice(0, 12)))} at position ${field.offset} is not a text element identifier, a space and a value`);
        }
        const tei = match[1] ?? '';
        const value = match[2] ?? '';
        const previous = fields.get(tei);
        if (previous !== undefined && previous !== value) return fail(`ISO/IEC 15434 format ${envelope.format}: ${tei} appears twice with different values: ${previous} and ${value}`);
        fields.set(tei, value);
        elements.push({ tei, value });
      }
      found = fromTextElements(fields);
      uiiResult = uiiFromTextElements(fields);
    }
    if ('error' in uiiResult) return fail(`ISO/IEC 15434 format ${envelope.format}: ${uiiResult.error}`);
    warnings.push(...uiiResult.warnings);
    if (uiiResult.uii !== undefined) {
      if (uii !== undefined && uii.value !== uiiResult.uii.value) return fail(`Two different UIIs in one scan: ${uii.value} and ${uiiResult.uii.value}`);
      uii = uiiResult.uii;
    }
    const conflict = merge(found, where);
    if (conflict !== null) return fail(conflict);
  }
  return { ok: true, elements, warnings, identifiers, ...(uii === undefined ? {} : { uii }) };
}

/** Serial, part number, lot, quantity and expiry from data identifiers, or what is wrong with them. */
function fromDataIdentifiers(fields: ReadonlyMap<string, string>): Identifiers | string {
  const ids: Identifiers = {};
  const cageSerial = fields.get('18S');
  const serial = fields.get('S') ?? (cageSerial !== undefined && cageSerial.length > 5 ? cageSerial.slice(5) : undefined);
  if (serial !== undefined) ids.serial = serial;
  // The current part number (30P) is what the plant builds to today; 1P stays the original.
  const part = fields.get('30P') ?? fields.get('1P') ?? fields.get('P');
  if (part !== undefined) ids.partNumber = part;
  const lot = fields.get('1T') ?? fields.get('T') ?? fields.get('30T');
  if (lot !== undefined) ids.lot = lot;
  const quantity = fields.get('Q');
  if (quantity !== undefined) {
    if (!/^\d+(\.\d+)?$/u.test(quantity)) return `quantity (Q) ${quantity} is not a number`;
    ids.quantity = Number(quantity);
  }
  const expiry = fields.get('14D');
  if (expiry !== undefined) {
    const iso = isoFromYyyymmdd(expiry);
    if (iso === null) return `expiration date (14D) ${expiry} is not a YYYYMMDD date`;
    ids.expiry = iso;
  }
  return ids;
}

/** Serial, part number and lot from text element identifiers (MIL-STD-130, ATA Spec 2000). */
function fromTextElements(fields: ReadonlyMap<string, string>): Identifiers {
  const ids: Identifiers = {};
  const serial = fields.get('SER') ?? fields.get('UCN') ?? fields.get('SEQ');
  if (serial !== undefined) ids.serial = serial;
  const part = fields.get('PNO') ?? fields.get('PNR');
  if (part !== undefined) ids.partNumber = part;
  const lot = fields.get('LOT') ?? fields.get('LTN');
  if (lot !== undefined) ids.lot = lot;
  const quantity = fields.get('QTY');
  if (quantity !== undefined && /^\d+$/u.test(quantity)) ids.quantity = Number(quantity);
  return ids;
}
