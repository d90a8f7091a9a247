/**
 * MIL-STD-130 unique item identifiers (UII): construct 1 (enterprise + serial within the
 * enterprise) and construct 2 (enterprise + original part number or lot + serial within it), from
 * data identifiers (MIL-STD-130N table A-II), text element identifiers (table A-III) or GS1 AIs.
 * The issuing agency code (IAC) comes from the qualifier of the enterprise identifier: D for CAGE,
 * UN for DUNS, LD for DoDAAC; a GS1 company prefix carries its own. `30P` and `30T` (current part
 * number, other traceability number) are never part of the UII. Pure.
 */

export interface Uii {
  construct: 1 | 2;
  iac?: string;
  value: string;
}

export type UiiResult = { uii?: Uii; warnings: string[] } | { error: string };

/** Issuing agency codes that may start a complete UII (25S, 18V, UID), longest first. */
const IAC_PREFIXES = ['UN', 'LD', 'LH', 'LB', 'D'];

/** The IAC a complete UII or an 18V value starts with. */
export function iacOf(value: string): string | undefined {
  if (/^\d/u.test(value)) return 'GS1';
  return IAC_PREFIXES.find((iac) => value.startsWith(iac));
}

/** MIL-STD-130: at most 50 characters, upper-case letters, digits, dash and slash. */
function checkValue(uii: Uii): string[] {
  const warnings: string[] = [];
  if (uii.value.length > 50) warnings.push(`UII ${uii.value} is ${uii.value.length} characters; MIL-STD-130 allows 50`);
  if (!/^[A-Z0-9\-/]*$/u.test(uii.value)) warnings.push(`UII ${uii.value} has characters other than A–Z, 0–9, - and /`);
  return warnings;
}

function done(uii: Uii, warnings: string[] = []): UiiResult {
  return { uii, warnings: [...warnings, ...checkValue(uii)] };
}

/** Enterprise identifiers by DI: the IAC to put in front (none when the value carries it). */
const DI_ENTERPRISE: ReadonlyArray<readonly [string, string | null]> = [
  ['17V', 'D'],
  ['12V', 'UN'],
  ['7L', 'LD'],
  ['3V', null],
  ['18V', null],
];

/** The UII that a set of data identifiers (format 06) carries, if any. */
export function uiiFromDataIdentifiers(fields: ReadonlyMap<string, string>): UiiResult {
  const complete = fields.get('25S');
  if (complete !== undefined) {
    const iac = iacOf(complete);
    return done({ construct: 1, ...(iac === undefined ? {} : { iac }), value: complete });
  }
  const cageSerial = fields.get('18S');
  if (cageSerial !== undefined) return done({ construct: 1, iac: 'D', value: `D${cageSerial}` });

  const enterprise = DI_ENTERPRISE.find(([di]) => fields.has(di));
  const part = fields.get('1P');
  const lot = fields.get('1T');
  const serial = fields.get('S');
  if (enterprise === undefined) return { warnings: [] };
  const [eidDi, prefix] = enterprise;
  const eid = fields.get(eidDi) ?? '';
  const iac = prefix ?? (eidDi === '3V' ? 'GS1' : iacOf(eid));
  const base = part ?? lot;
  if (base === undefined && serial === undefined) return { warnings: [] };
  if (base === undefined) {
    const stray = ['30P', '30T'].filter((di) => fields.has(di));
    const note = stray.length > 0 ? ` (${stray.join(' and ')} ${stray.length > 1 ? 'are' : 'is'} not part of a UII)` : '';
    return { error: `Incomplete UII construct 2: ${eidDi} and S without 1P (original part number) or 1T (lot)${note}; construct 1 is 18S or 25S` };
  }
  if (serial === undefined) return { error: `Incomplete UII construct 2: ${eidDi} and ${part !== undefined ? '1P' : '1T'} without S (serial number)` };
  const warnings = part !== undefined && lot !== undefined ? ['Both 1P and 1T are present; the UII is built on 1P (original part number)'] : [];
  return done({ construct: 2, ...(iac === undefined ? {} : { iac }), value: `${prefix ?? ''}${eid}${base}${serial}` }, warnings);
}

/** Enterprise identifiers by TEI and their IAC (null: the GS1 company prefix carries its own). */
const TEI_ENTERPRISE: ReadonlyArray<readonly [string, string | null]> = [
  ['MFR', 'D'],
  ['CAG', 'D'],
  ['SPL', 'D'],
  ['DUN', 'UN'],
  ['EUC', null],
];

/** The UII that a set of text element identifiers (formats 12 and DD) carries, if any. */
export function uiiFromTextElements(fields: ReadonlyMap<string, string>): UiiResult {
  const complete = fields.get('UID');
  if (complete !== undefined) {
    const iac = iacOf(complete);
    return done({ construct: 1, ...(iac === undefined ? {} : { iac }), value: complete });
  }
  const enterprise = TEI_ENTERPRISE.find(([tei]) => fields.has(tei));
  const serialInEnterprise = fields.get('SER') ?? fields.get('UCN');
  const serialInPart = fields.get('SEQ');
  const part = fields.get('PNO');
  const lot = fields.get('LOT') ?? fields.get('LTN');
  if (enterprise === undefined) {
    if (serialInPart !== undefined && (part !== undefined || lot !== undefined)) {
      return { error: `Incomplete UII construct 2: SEQ and ${part !== undefined ? 'PNO' : 'LOT'} without an enterprise identifier (MFR, CAG, SPL, DUN or EUC)` };
    }
    return { warnings: [] };
  }
  const [eidTei, prefix] = enterprise;
  const eid = fields.get(eidTei) ?? '';
  const iac = prefix ?? 'GS1';
  if (serialInEnterprise !== undefined) {
    return done({ construct: 1, iac, value: `${prefix ?? ''}${eid}${serialInEnterprise}` });
  }
  const base = part ?? lot;
  if (serialInPart === undefined) {
    if (base === undefined) return { warnings: [] };
    return { error: `Incomplete UII construct 2: ${eidTei} and ${part !== undefined ? 'PNO' : 'LOT'} without SEQ (serial number)` };
  }
  if (base === undefined) return { error: `Incomplete UII construct 2: ${eidTei} and SEQ without PNO (original part number) or LOT` };
  return done({ construct: 2, iac, value: `${prefix ?? ''}${eid}${base}${serialInPart}` });
}

/** The UII in GS1 data (format 05): (8004) GIAI is construct 1, (01) GTIN with (21) serial construct 2. */
export function uiiFromApplicationIdentifiers(fields: ReadonlyMap<string, string>): UiiResult {
  const giai = fields.get('8004');
  if (giai !== undefined) return done({ construct: 1, iac: 'GS1', value: giai });
  const gtin = fields.get('01');
  const serial = fields.get('21');
  if (gtin !== undefined && serial !== undefined) return done({ construct: 2, iac: 'GS1', value: `${gtin}${serial}` });
  return { warnings: [] };
}
