/**
 * Scanners as they ship: no AIM symbology identifier, FNC1 dropped. A GS1-128 label then arrives as
 * bare digits; EAN/UPC arrive with add-ons or as UPC-E. And the plant's own formats share that input
 * (docs/scanning.md, "Plant formats and GS1"). Values: the General Specifications' example numbers.
 */
import { describe, expect, it } from 'vitest';
import type { ParseOptions } from '../../../src/scan/parse.ts';
import { expandUpcE, parseScan } from '../../../src/scan/parse.ts';

const GS = '\u001d';
const GTIN = '09506000134352';
const ok = (raw: string, options: ParseOptions = {}) => {
  const result = parseScan(raw, options);
  if (!result.ok) throw new Error(`expected success for ${JSON.stringify(raw)}: ${result.error}`);
  return result;
};
const error = (raw: string, options: ParseOptions = {}) => {
  const result = parseScan(raw, options);
  if (result.ok) throw new Error(`expected an error for ${JSON.stringify(raw)}: ${JSON.stringify(result)}`);
  return result.error;
};

describe('a bare GS1 element string (no symbology identifier, no FNC1) is read as GS1', () => {
  it('reads GTIN, expiry and lot run together, the lot last', () => {
    expect(ok(`01${GTIN}17251231${'10'}ABC123`)).toMatchObject({ symbologyId: null, dataType: 'gs1', gtin: GTIN, expiry: '2025-12-31', lot: 'ABC123', hri: `(01)${GTIN}(17)251231(10)ABC123` });
  });
  it('says it read GS1 without a symbology identifier', () => expect(ok(`01${GTIN}`).warnings).toContain('GS1 element string without a symbology identifier or FNC1'));
  it('reads GS between variable-length fields', () => expect(ok(`01${GTIN}10ABC${GS}21XYZ`)).toMatchObject({ lot: 'ABC', serial: 'XYZ' }));
  it('reads the station’s configured GS substitute between variable-length fields', () => {
    expect(ok(`01${GTIN}10ABC|21XYZ`, { gsSubstitute: '|' })).toMatchObject({ dataType: 'gs1', lot: 'ABC', serial: 'XYZ' });
  });
  it('refuses | where the station has no GS substitute configured, naming the character', () => expect(error(`01${GTIN}10ABC|21XYZ`)).toMatch(/"\|" at offset 3 is not in GS1 character set 82/));
  it('reads an SSCC alone', () => expect(ok('00106141411234567897').elements).toEqual([{ ai: '00', value: '106141411234567897' }]));
  it('reads an SSCC with content, count and lot', () => expect(ok(`00106141411234567897${'02'}${GTIN}${'37'}25${GS}10L1`)).toMatchObject({ quantity: 25, lot: 'L1' }));
  it('reads a GLN (414) with its extension (254)', () => expect(ok('4149521234543213254A1').elements.map((e) => e.ai)).toEqual(['414', '254']));
  it('reads a GMN (8013), a key with a check character pair', () => expect(ok('80131987654Ad4X4bL5ttr2310c2K').elements).toEqual([{ ai: '8013', value: '1987654Ad4X4bL5ttr2310c2K' }]));
  it('refuses a GMN (8013) with wrong check characters, with the expected pair', () => expect(error(']C180131987654Ad4X4bL5ttr2310c2L')).toMatch(/\(8013\) GMN .*check characters 2L; expected 2K/));
  it('reads a fixed-length AI outside the predefined table followed by GS', () => expect(ok(`01${GTIN}7003251231120${'0'}${GS}10A`).lot).toBe('A'));
  it('reads a value that holds digits that look like an AI: the lot is "10ABC"', () => expect(ok(`01${GTIN}1010ABC`).lot).toBe('10ABC'));
});

describe('a bare string that looks like GS1 but fails is refused with the reason', () => {
  it('refuses a wrong GTIN check digit', () => expect(error(`01${'09506000134353'}10ABC`)).toMatch(/without FNC1: \(01\) GTIN 09506000134353 has check digit 3; expected 2/));
  it('refuses a wrong SSCC check digit', () => expect(error('00106141411234567890')).toMatch(/\(00\) SSCC .*expected 7/));
  it('refuses a lot longer than 20 characters', () => expect(error(`01${GTIN}10${'A'.repeat(21)}`)).toMatch(/\(10\) BATCH\/LOT at position 18 is 21 characters, at most 20/));
  it('refuses characters left over after the last field', () => expect(error(`01${GTIN}ABC`)).toMatch(/No GS1 Application Identifier at position 16 .*3 characters left over/));
  it('refuses an unknown AI after the key', () => expect(error(`01${GTIN}89ABC`)).toMatch(/No GS1 Application Identifier at position 16/));
  it('refuses a bad expiry date', () => expect(error(`01${GTIN}17251301`)).toMatch(/\(17\).*month 13/));
  it('refuses a fixed-length AI outside the predefined table run on without GS', () => expect(error(`01${GTIN}7003251231120010A`)).toMatch(/\(7003\).*a GS missing after it\?/));
  it('refuses a character outside set 82 in a serial', () => expect(error(`01${GTIN}21A B`)).toMatch(/" " .*not in GS1 character set 82/));
  it('refuses what breaks the pairing rules, which are only warnings behind ]C1', () => {
    expect(error('00106141411234567897' + '10ABC')).toMatch(/\(10\) BATCH\/LOT should come with \(01\) or \(02\)/);
    expect(ok(']C100106141411234567897' + '10ABC').lot).toBe('ABC');
  });
  it('refuses a GS-separated string that starts with an AI but holds no key', () => expect(error(`10ABC${GS}21XYZ`)).toMatch(/holds no GS1 key/));
  it('never passes a refused scan on as text', () => expect(parseScan(`01${'09506000134353'}`)).toMatchObject({ ok: false }));
});

describe('short text that merely starts with AI digits stays text', () => {
  it.each(['100234', '10ABC', '9912345', '1525123110AB', '21XYZ', '4001', '401ABC', '8004061414112345', '0012345678901234', 'HELLO', 'SN-1001-01'])('reads %s as text', (raw) => {
    expect(ok(raw)).toMatchObject({ dataType: 'text', elements: [{ value: raw }] });
  });
});

describe('plant formats and GS1 share ambiguous input', () => {
  const serial6 = { plantFormats: [{ kind: 'serial' as const, pattern: '\\d{6}' }] };
  const serial16 = { plantFormats: [{ kind: 'serial' as const, pattern: '\\d{16}' }] };
  it('reads a numeric plant serial that looks like AI 10 as the serial', () => expect(ok('100234', serial6)).toMatchObject({ dataType: 'text', serial: '100234' }));
  it('lets a plant format win over an unmarked string that is a complete GS1 element string', () => {
    expect(ok(`01${GTIN}`, serial16)).toMatchObject({ dataType: 'text', serial: `01${GTIN}` });
  });
  it('reads AIM-marked GS1 as GS1, whatever plant format matches its data', () => {
    expect(ok(`]C1100234`, serial6)).toMatchObject({ dataType: 'gs1', lot: '0234' });
    expect(ok(`]d201${GTIN}`, serial16)).toMatchObject({ dataType: 'gs1', gtin: GTIN });
  });
  it('reads FNC1 sent as a leading GS as GS1, whatever plant format matches', () => expect(ok(`${GS}100234`, serial6)).toMatchObject({ dataType: 'gs1', lot: '0234' }));
  it('reads the unmarked string as GS1 when no plant format matches it', () => expect(ok(`01${GTIN}`, serial6)).toMatchObject({ dataType: 'gs1', gtin: GTIN }));
});

describe('EAN/UPC with add-ons and UPC-E', () => {
  it('reads an EAN-13 with a 5-digit add-on behind ]E3', () => expect(ok(`]E39506000134352${'51234'}`)).toMatchObject({ symbologyId: ']E3', gtin: GTIN, addOn: '51234' }));
  it('refuses ]E3 data of another length', () => expect(error(']E39506000134352123')).toMatch(/15 or 18 digits; found 16/));
  it('refuses ]E3 whose main symbol has a wrong check digit', () => expect(error(']E3950600013435312')).toMatch(/GTIN-13 9506000134353 has check digit 3; expected 2/));
  it('reads a 2-digit add-on read alone (]E1)', () => expect(ok(']E112')).toMatchObject({ addOn: '12' }));
  it('refuses a 5-digit add-on (]E2) of another length', () => expect(error(']E21234')).toMatch(/5-digit add-on; found 4 digits/));
  it('reads an unmarked EAN-13 with a 2-digit add-on', () => expect(ok(`9506000134352${'12'}`)).toMatchObject({ dataType: 'gtin', gtin: GTIN, addOn: '12' }));
  it('reads an unmarked EAN-13 with a 5-digit add-on', () => expect(ok(`9506000134352${'51234'}`)).toMatchObject({ gtin: GTIN, addOn: '51234' }));
  it('reads an unmarked UPC-A with a 5-digit add-on', () => expect(ok(`012345678905${'51234'}`)).toMatchObject({ gtin: '00012345678905', addOn: '51234' }));
  it('reads 14 digits as a GTIN-14, never as UPC-A with a 2-digit add-on', () => expect(error('01234567890512')).toMatch(/GTIN-14 .* expected/));
  it.each([
    ['04252614', '042100005264', 'last digit 0–2: manufacturer digits, then 0000 and the item'],
    ['01234531', '012300000451', 'last digit 3'],
    ['11234540', '112340000050', 'last digit 4, number system 1'],
    ['01234572', '012345000072', 'last digit 5–9'],
  ])('expands UPC-E %s to GTIN-12 %s (%s)', (upcE, upcA) => expect(expandUpcE(upcE)).toBe(upcA));
  it('refuses to expand a UPC-E with a wrong check digit', () => expect(expandUpcE('04252615')).toBeNull());
  it('refuses to expand a number system other than 0 and 1', () => expect(expandUpcE('24252614')).toBeNull());
  it('reads an unmarked UPC-E that is no EAN-8 as its GTIN', () => {
    expect(ok('04252614')).toMatchObject({ dataType: 'gtin', gtin: '00042100005264', warnings: ['Read as UPC-E 04252614, which stands for GTIN-12 042100005264'] });
  });
  it('refuses an ITF-14 (]I1) with a wrong check digit', () => expect(error(']I109506000134353')).toMatch(/ITF-14 09506000134353 has check digit 3; expected 2/));
  it('reads 8 digits that are a valid EAN-8 as the EAN-8', () => expect(ok('95010014').gtin).toBe('00000095010014'));
});
