/**
 * ISO/IEC 15434 envelopes, MH10.8.2 data identifiers, text element identifiers and MIL-STD-130
 * UIIs. The values follow MIL-STD-130N's figures and tables A-II/A-III (CAGE 0CVA5, serial 786950,
 * part 1234) and the DoD Guide to Uniquely Identifying Items.
 */
import { describe, expect, it } from 'vitest';
import { parseScan } from '../../../src/scan/parse.ts';
import { splitDataIdentifier } from '../../../src/scan/mh10.ts';

const GS = '\u001d';
const RS = '\u001e';
const EOT = '\u0004';
const msg = (...envelopes: string[][]) => `[)>${RS}${envelopes.map(([format, ...fields]) => `${format}${GS}${fields.join(GS)}${RS}`).join('')}${EOT}`;
const ok = (raw: string, options = {}) => {
  const result = parseScan(raw, options);
  if (!result.ok) throw new Error(`expected success for ${JSON.stringify(raw)}: ${result.error}`);
  return result;
};
const error = (raw: string) => {
  const result = parseScan(raw);
  if (result.ok) throw new Error(`expected an error for ${JSON.stringify(raw)}: ${JSON.stringify(result)}`);
  return result.error;
};

describe('MH10.8.2 data identifiers: the whole numeric prefix is the DI', () => {
  it.each([
    ['25SUN043', '25S', 'UN043'],
    ['SA1234', 'S', 'A1234'],
    ['1P1234', '1P', '1234'],
    ['30P1234', '30P', '1234'],
    ['17V0CVA5', '17V', '0CVA5'],
    ['18S0CVA5786950', '18S', '0CVA5786950'],
    ['7LABCDEF', '7L', 'ABCDEF'],
    ['100Z1', '100Z', '1'],
  ])('splits %s into DI %s', (field, di, value) => expect(splitDataIdentifier(field)).toEqual({ di, value }));
  it('does not read four leading digits as a DI', () => expect(splitDataIdentifier('1234P')).toBeNull());
  it('does not read a field starting with a lower-case letter as a DI', () => expect(splitDataIdentifier('s123')).toBeNull());
});

describe('ISO/IEC 15434 format 06 and the UII from data identifiers (MIL-STD-130N table A-II)', () => {
  it('builds construct 1 from 18S: D + CAGE + serial', () => {
    expect(ok(msg(['06', '18S0CVA5786950']))).toMatchObject({ dataType: 'iso15434', format: '06', serial: '786950', uii: { construct: 1, iac: 'D', value: 'D0CVA5786950' } });
  });
  it('takes 25S as the complete UII with its DUNS issuing agency code', () => {
    expect(ok(msg(['06', '25SUN077991289A1234'])).uii).toEqual({ construct: 1, iac: 'UN', value: 'UN077991289A1234' });
  });
  it('takes 25S with a CAGE issuing agency code', () => expect(ok(msg(['06', '25SD0CVA5786950'])).uii).toEqual({ construct: 1, iac: 'D', value: 'D0CVA5786950' }));
  it('takes 25S with a GS1 company prefix (IAC 0–9, carried in the prefix)', () => expect(ok(msg(['06', '25S0614141ABC123'])).uii?.iac).toBe('GS1'));
  it('builds construct 2 from 17V, 1P and S: D + CAGE + part + serial', () => {
    expect(ok(msg(['06', '17V0CVA5', '1P1234', 'S786950']))).toMatchObject({ partNumber: '1234', serial: '786950', uii: { construct: 2, iac: 'D', value: 'D0CVA51234786950' } });
  });
  it('builds construct 2 from 12V (DUNS): UN + DUNS + part + serial', () => {
    expect(ok(msg(['06', '12V077991289', '1P1234', 'S786950'])).uii).toEqual({ construct: 2, iac: 'UN', value: 'UN0779912891234786950' });
  });
  it('builds construct 2 from 7L (DoDAAC): LD + DoDAAC + part + serial', () => {
    expect(ok(msg(['06', '7LW81XYZ', '1P1234', 'S786950'])).uii).toEqual({ construct: 2, iac: 'LD', value: 'LDW81XYZ1234786950' });
  });
  it('builds construct 2 from 3V (GS1 company prefix) without adding an IAC', () => {
    expect(ok(msg(['06', '3V0614141', '1P1234', 'S786950'])).uii).toEqual({ construct: 2, iac: 'GS1', value: '06141411234786950' });
  });
  it('builds construct 2 from 18V, whose value carries the IAC', () => {
    expect(ok(msg(['06', '18VLH12345', '1P1234', 'S786950'])).uii).toEqual({ construct: 2, iac: 'LH', value: 'LH123451234786950' });
  });
  it('builds construct 2 within a lot from 17V, 1T and S', () => {
    expect(ok(msg(['06', '17V0CVA5', '1TLOT42', 'S786950']))).toMatchObject({ lot: 'LOT42', uii: { construct: 2, value: 'D0CVA5LOT42786950' } });
  });
  it('leaves 30P (current part number) out of the UII but reads it as the part number', () => {
    const r = ok(msg(['06', '17V0CVA5', '1P1234', '30P1234-02', 'S786950']));
    expect(r.uii?.value).toBe('D0CVA51234786950');
    expect(r.partNumber).toBe('1234-02');
  });
  it('leaves 30T (traceability number) out of the UII', () => expect(ok(msg(['06', '17V0CVA5', '1P1234', '30TBATCH9', 'S786950'])).uii?.value).toBe('D0CVA51234786950'));
  it('refuses 17V and S with only 30P: 30P is not part of a UII', () => expect(error(msg(['06', '17V0CVA5', '30P1234', 'S786950']))).toMatch(/Incomplete UII construct 2.*30P is not part of a UII/));
  it('refuses 17V and 1P without S as an incomplete construct 2', () => expect(error(msg(['06', '17V0CVA5', '1P1234']))).toMatch(/17V and 1P without S/));
  it('refuses 12V and 1T without S', () => expect(error(msg(['06', '12V077991289', '1T42']))).toMatch(/12V and 1T without S/));
  it('reads 1P and S without an enterprise identifier as part and serial, with no UII', () => {
    const r = ok(msg(['06', '1PP-100', 'SSN-1001-01']));
    expect(r).toMatchObject({ partNumber: 'P-100', serial: 'SN-1001-01' });
    expect(r.uii).toBeUndefined();
  });
  it('reads a lot (1T) and quantity (Q) from a supplier label', () => expect(ok(msg(['06', '1PP-910', '1TL-910-A', 'Q500']))).toMatchObject({ lot: 'L-910-A', quantity: 500, partNumber: 'P-910' }));
  it('reads the expiration date (14D) as YYYY-MM-DD', () => expect(ok(msg(['06', '1TL1', '14D20261231'])).expiry).toBe('2026-12-31'));
  it('refuses an expiration date (14D) that is not a date', () => expect(error(msg(['06', '1TL1', '14D20261332']))).toMatch(/14D.*not a YYYYMMDD date/));
  it('refuses a quantity (Q) that is not a number', () => expect(error(msg(['06', 'QTEN']))).toMatch(/quantity \(Q\) TEN is not a number/));
  it('keeps an unknown data identifier, with a warning', () => {
    const r = ok(msg(['06', '9Zhello', 'S1']));
    expect(r.elements[0]).toEqual({ di: '9Z', value: 'hello' });
    expect(r.warnings.some((w) => w.includes('9Z'))).toBe(true);
  });
  it('refuses a field that does not start with a data identifier, with its position', () => expect(error(msg(['06', 'S1', '#oops']))).toMatch(/"#oops" at position 10 does not start with a data identifier/));
  it('refuses an empty data field', () => expect(error(msg(['06', 'S1', '']))).toMatch(/empty data field/));
  it('refuses a data identifier without a value', () => expect(error(msg(['06', '1P']))).toMatch(/1P at position 7 has no value/));
  it('refuses the same data identifier twice with different values', () => expect(error(msg(['06', 'S1', 'S2']))).toMatch(/S appears twice with different values: 1 and 2/));
});

describe('ISO/IEC 15434 formats 12 and DD: text element identifiers (MIL-STD-130N table A-III)', () => {
  it('builds construct 1 from MFR and SER in format 12', () => {
    expect(ok(msg(['12', 'MFR 0CVA5', 'SER 786950']))).toMatchObject({ format: '12', serial: '786950', uii: { construct: 1, iac: 'D', value: 'D0CVA5786950' } });
  });
  it('builds construct 1 from MFR and SER in format DD', () => expect(ok(msg(['DD', 'MFR 0CVA5', 'SER 786950']))).toMatchObject({ format: 'DD', uii: { value: 'D0CVA5786950' } }));
  it('builds construct 2 from MFR, PNO and SEQ', () => {
    expect(ok(msg(['DD', 'MFR 0CVA5', 'PNO 1234', 'SEQ 786950']))).toMatchObject({ partNumber: '1234', serial: '786950', uii: { construct: 2, value: 'D0CVA51234786950' } });
  });
  it('builds construct 1 from DUN and SER with IAC UN', () => expect(ok(msg(['12', 'DUN 077991289', 'SER A1234'])).uii).toEqual({ construct: 1, iac: 'UN', value: 'UN077991289A1234' }));
  it('builds construct 1 from CAG and UCN', () => expect(ok(msg(['12', 'CAG 0CVA5', 'UCN 786950'])).uii?.value).toBe('D0CVA5786950'));
  it('builds construct 2 from SPL, LOT and SEQ', () => expect(ok(msg(['12', 'SPL 0CVA5', 'LOT 42', 'SEQ 7'])).uii).toMatchObject({ construct: 2, value: 'D0CVA5427' }));
  it('takes UID as the complete UII', () => expect(ok(msg(['12', 'UID D0CVA5786950'])).uii).toEqual({ construct: 1, iac: 'D', value: 'D0CVA5786950' }));
  it('refuses MFR and PNO without SEQ as an incomplete construct 2', () => expect(error(msg(['DD', 'MFR 0CVA5', 'PNO 1234']))).toMatch(/MFR and PNO without SEQ/));
  it('refuses MFR and SEQ without PNO or LOT', () => expect(error(msg(['12', 'MFR 0CVA5', 'SEQ 7']))).toMatch(/MFR and SEQ without PNO/));
  it('refuses PNO and SEQ without an enterprise identifier', () => expect(error(msg(['12', 'PNO 1234', 'SEQ 7']))).toMatch(/without an enterprise identifier/));
  it('refuses a field that is not TEI, space, value', () => expect(error(msg(['12', 'MFR0CVA5']))).toMatch(/not a text element identifier, a space and a value/));
  it('warns when a UII has characters MIL-STD-130 does not allow', () => expect(ok(msg(['12', 'MFR 0CVA5', 'SER 78 69']))).toMatchObject({ warnings: [expect.stringMatching(/characters other than/)] }));
});

describe('ISO/IEC 15434 format 05 (GS1) and envelopes', () => {
  it('reads a GS1 element string in a format 05 envelope, GS between all fields', () => {
    expect(ok(msg(['05', '0109506000134352', '10ABC', '21X7']))).toMatchObject({ format: '05', gtin: '09506000134352', lot: 'ABC', serial: 'X7', hri: '(01)09506000134352(10)ABC(21)X7' });
  });
  it('derives construct 1 from (8004) GIAI in format 05', () => expect(ok(msg(['05', '8004061414112345'])).uii).toEqual({ construct: 1, iac: 'GS1', value: '061414112345' }));
  it('derives construct 2 from (01) and (21) in format 05', () => expect(ok(msg(['05', '0109506000134352', '21A1'])).uii).toEqual({ construct: 2, iac: 'GS1', value: '09506000134352A1' }));
  it('refuses a bad GTIN check digit inside format 05', () => expect(error(msg(['05', '0109506000134353']))).toMatch(/format 05.*expected 2/));
  it('reads several envelopes in one message', () => {
    const r = ok(msg(['06', '1PP-100', 'SSN-1001-01'], ['05', '0109506000134352']));
    expect(r).toMatchObject({ format: '06', serial: 'SN-1001-01', gtin: '09506000134352', partNumber: 'P-100' });
    expect(r.warnings).toContain('2 format envelopes (06, 05)');
  });
  it('refuses two envelopes that disagree on the serial', () => expect(error(msg(['06', 'S1'], ['12', 'SER 2']))).toMatch(/Two different serial values in one scan: 1 and 2/));
  it('reads a message behind the Data Matrix identifier ]d1', () => expect(ok(`]d1${msg(['06', 'S1'])}`)).toMatchObject({ symbologyId: ']d1', serial: '1' }));
  it('refuses a message without EOT as truncated', () => expect(error(`[)>${RS}06${GS}S1${RS}`)).toMatch(/without EOT: truncated/));
  it('refuses an envelope without its closing RS as truncated', () => expect(error(`[)>${RS}06${GS}S1`)).toMatch(/has no closing RS: truncated/));
  it('refuses an envelope cut by EOT before its RS', () => expect(error(`[)>${RS}06${GS}S1${EOT}`)).toMatch(/no closing RS/));
  it('refuses a header without RS', () => expect(error(`[)>06${GS}S1${RS}${EOT}`)).toMatch(/\[\)> must be followed by RS at position 3/));
  it('refuses the header alone', () => expect(error('[)>')).toMatch(/truncated/));
  it('refuses a format indicator not followed by GS', () => expect(error(`[)>${RS}06S1${RS}${EOT}`)).toMatch(/format 06 at position 4 must be followed by GS/));
  it('refuses format 07 (free text), which Travelog does not read', () => expect(error(`[)>${RS}07${GS}hello${RS}${EOT}`)).toMatch(/format 07 \(free-form text\)/));
  it('refuses an unknown format indicator', () => expect(error(`[)>${RS}ZZ${GS}x${RS}${EOT}`)).toMatch(/"ZZ" at position 4 is not a format indicator/));
  it('refuses an empty envelope', () => expect(error(`[)>${RS}06${GS}${RS}${EOT}`)).toMatch(/envelope at position 4 is empty/));
  it('refuses EOT before any envelope', () => expect(error(`[)>${RS}${EOT}`)).toMatch(/EOT at position 4 before any format envelope/));
  it('warns about data after EOT', () => expect(ok(`${msg(['06', 'S1'])}xyz`).warnings.some((w) => w.includes('after EOT'))).toBe(true));
});

describe('What wedge scanners do to control characters', () => {
  it('reads <RS>, <GS> and <EOT> tokens', () => expect(ok('[)><RS>06<GS>1TL-920-A<RS><EOT>').lot).toBe('L-920-A'));
  it('reads {RS}, {GS} and {EOT} tokens in any case', () => expect(ok('[)>{rs}06{gs}1TL-920-A{rs}{eot}').lot).toBe('L-920-A'));
  it('reads Unicode control pictures ␞ ␝ ␄', () => expect(ok('[)>␞06␝1TL-920-A␞␄').lot).toBe('L-920-A'));
  it('reads a configured GS substitute', () => {
    expect(ok(`]C10109506000134352${'10'}ABC|21X`, { gsSubstitute: '|' })).toMatchObject({ lot: 'ABC', serial: 'X' });
  });
  it('leaves | as data when no substitute is configured, and | is not in GS1 set 82', () => expect(error(`]C10109506000134352${'10'}ABC|21X`)).toMatch(/"\|" .* not in GS1 character set 82/));
  it('reads configured RS and EOT substitutes', () => expect(ok('[)>~06|S1~^', { gsSubstitute: '|', rsSubstitute: '~', eotSubstitute: '^' }).serial).toBe('1'));
  it('reads <FNC1> as the leading FNC1 of a GS1 element string', () => expect(ok('<FNC1>0109506000134352').dataType).toBe('gs1'));
  it('drops the CR and LF a scanner adds as a suffix', () => expect(ok(`${msg(['06', 'S1'])}\r\n`).serial).toBe('1'));
  it('without GS a GS1-128 lot swallows the next field, so a too-long lot is refused', () => {
    expect(error(`]C10109506000134352${'10'}ABCDEFGHIJKLMNOPQ21X7`)).toMatch(/a GS missing after it/);
  });
});
