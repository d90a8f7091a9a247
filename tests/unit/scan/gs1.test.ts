/**
 * GS1 element strings, GTINs and AIM symbology identifiers. The values are the GS1 General
 * Specifications' example numbers (GTIN 09506000134352, SSCC 106141411234567897, GLN 9521234543213…)
 * in the forms its examples show them.
 */
import { describe, expect, it } from 'vitest';
import { parseScan } from '../../../src/scan/parse.ts';
import { fullYear, gs1CheckDigit, gs1Date } from '../../../src/scan/gs1-ai.ts';

const GS = '\u001d';
const ok = (raw: string, options = {}) => {
  const result = parseScan(raw, options);
  if (!result.ok) throw new Error(`expected success for ${JSON.stringify(raw)}: ${result.error}`);
  return result;
};
const error = (raw: string, options = {}) => {
  const result = parseScan(raw, options);
  if (result.ok) throw new Error(`expected an error for ${JSON.stringify(raw)}: ${JSON.stringify(result)}`);
  return result.error;
};

describe('GS1 check digits (General Specifications 7.9)', () => {
  it.each([
    ['GTIN-14 09506000134352', '0950600013435', 2],
    ['GTIN-13 9506000134352', '950600013435', 2],
    ['SSCC 106141411234567897', '10614141123456789', 7],
    ['GLN 9521234543213', '952123454321', 3],
    ['EAN-8 95010014', '9501001', 4],
  ])('computes the check digit of %s', (_name, digits, expected) => {
    expect(gs1CheckDigit(digits)).toBe(expected);
  });
});

describe('GS1 dates YYMMDD', () => {
  it('reads DD=00 as the last day of the month', () => expect(gs1Date('250200', true)).toEqual({ ok: true, iso: '2025-02-28' }));
  it('reads DD=00 in a leap February as the 29th', () => expect(gs1Date('240200', true)).toEqual({ ok: true, iso: '2024-02-29' }));
  it('refuses DD=00 where the AI does not allow it', () => expect(gs1Date('250200', false).ok).toBe(false));
  it('refuses month 13', () => expect(gs1Date('251301', true).ok).toBe(false));
  it('refuses 30 February', () => expect(gs1Date('250230', true).ok).toBe(false));
  it('puts YY 51 years ahead of the reference year in the previous century (7.12)', () => expect(fullYear(77, 2026)).toBe(1977));
  it('puts YY within 50 years of the reference year in its century', () => expect(fullYear(76, 2026)).toBe(2076));
  it('puts YY 50 years behind the reference year in the next century', () => expect(fullYear(49, 2099)).toBe(2149));
});

describe('GS1 element strings: valid', () => {
  it('reads GTIN, expiry and lot from GS1-128 (]C1) with the lot last', () => {
    const r = ok(`]C10109506000134352172012251${'0'}ABC123`);
    expect(r).toMatchObject({ symbologyId: ']C1', dataType: 'gs1', gtin: '09506000134352', expiry: '2020-12-25', lot: 'ABC123' });
    expect(r.hri).toBe('(01)09506000134352(17)201225(10)ABC123');
  });

  it('needs GS after a variable-length lot that is not last', () => {
    const r = ok(`]C10109506000134352${'10'}ABC123${GS}21XYZ789`);
    expect(r).toMatchObject({ lot: 'ABC123', serial: 'XYZ789' });
  });

  it('reads a GS1 DataMatrix (]d2) with serial then expiry', () => {
    const r = ok(`]d20109506000134352${'21'}12345${GS}17250228`);
    expect(r).toMatchObject({ symbologyId: ']d2', serial: '12345', expiry: '2025-02-28' });
  });

  it('reads a GS1 QR Code (]Q3)', () => expect(ok(']Q30109506000134352').gtin).toBe('09506000134352'));

  it('reads GS1 DataBar (]e0)', () => expect(ok(']e00109506000134352').gtin).toBe('09506000134352'));

  it('reads FNC1 sent as a leading GS without a symbology identifier', () => {
    expect(ok(`${GS}0109506000134352${'10'}L1`)).toMatchObject({ dataType: 'gs1', symbologyId: null, lot: 'L1' });
  });

  it('reads an SSCC (00) with its check digit', () => expect(ok(']C100106141411234567897').elements).toEqual([{ ai: '00', value: '106141411234567897' }]));

  it('reads a GLN (414) with its extension (254)', () => {
    expect(ok(`]C14149521234543213${'254'}32a%b`).elements).toEqual([
      { ai: '414', value: '9521234543213' },
      { ai: '254', value: '32a%b' },
    ]);
  });

  it('reads a GRAI (8003) with its serial component', () => expect(ok(']C1800309521234543213ABC1').elements[0]).toEqual({ ai: '8003', value: '09521234543213ABC1' }));

  it('reads a GIAI (8004)', () => expect(ok(']C18004061414112345').elements[0]).toEqual({ ai: '8004', value: '061414112345' }));

  it('reads a GSRN recipient (8018) with its check digit', () => expect(ok(']C18018006141410000012343').elements[0]?.ai).toBe('8018'));

  it('reads a net weight (3103) of predefined length without GS after it', () => {
    expect(ok(`]C10109506000134352${'3103'}000189${'10'}AB`).elements).toEqual([
      { ai: '01', value: '09506000134352' },
      { ai: '3103', value: '000189' },
      { ai: '10', value: 'AB' },
    ]);
  });

  it('reads a count (37) and content (02) of a logistic unit', () => {
    const r = ok(`]C10209506000134352${'37'}24${GS}00106141411234567897`);
    expect(r.quantity).toBe(24);
    expect(r.elements.map((e) => e.ai)).toEqual(['02', '37', '00']);
  });

  it('reads a variable count (30) as the quantity', () => expect(ok(`]C10109506000134352${'30'}12`).quantity).toBe(12));

  it('reads the customer part number (241) as the part number', () => expect(ok(`]C10109506000134352${'241'}P-100`).partNumber).toBe('P-100'));

  it('reads the additional product id (240) as the part number', () => expect(ok(`]C10109506000134352${'240'}ACME-7`).partNumber).toBe('ACME-7'));

  it('accepts every punctuation character of character set 82 in a lot', () => {
    const lot = `!"%&'()*+,-./:;<=>?_`;
    expect(ok(`]C10109506000134352${'10'}${lot}`).lot).toBe(lot);
  });

  it('accepts a lot of exactly 20 characters', () => expect(ok(`]C10109506000134352${'10'}ABCDEFGHIJ0123456789`).lot).toHaveLength(20));

  it('reads the expiry DD=00 as the last day of the month', () => expect(ok(']C1010950600013435217250400').expiry).toBe('2025-04-30'));

  it('reads a CPID (8010) in character set 39', () => expect(ok(']C18010ABC-12/#').elements[0]).toEqual({ ai: '8010', value: 'ABC-12/#' }));

  it('reads a company-internal AI (91)', () => expect(ok(`]C10109506000134352${'91'}anything-at-all`).elements[1]).toEqual({ ai: '91', value: 'anything-at-all' }));

  it('accepts a GS after a fixed-length value (some encoders add one)', () => expect(ok(`]C10109506000134352${GS}10AB`).lot).toBe('AB'));

  it('reads the bracketed form typed from a label', () => expect(ok('(01)09506000134352(10)ABC(21)7')).toMatchObject({ lot: 'ABC', serial: '7' }));

  it('reads an element string sent without FNC1 when it starts with a valid GTIN', () => expect(ok('010950600013435210ABC')).toMatchObject({ dataType: 'gs1', lot: 'ABC' }));

  it('uses the reference year for the century of the expiry', () => expect(ok(']C1010950600013435217991231', { referenceYear: 2026 }).expiry).toBe('1999-12-31'));
});

describe('GS1 element strings: invalid', () => {
  it('refuses a GTIN with a wrong check digit, naming the expected one', () => {
    expect(error(']C10109506000134353')).toMatch(/check digit 3; expected 2/);
  });
  it('refuses an SSCC with a wrong check digit', () => expect(error(']C100106141411234567890')).toMatch(/\(00\) SSCC .*expected 7/));
  it('refuses a GLN (414) with a wrong check digit', () => expect(error(']C14149521234543210')).toMatch(/\(414\).*expected 3/));
  it('refuses a GRAI (8003) with a wrong check digit', () => expect(error(']C1800309521234543219X')).toMatch(/\(8003\).*expected 3/));
  it('refuses a GTIN cut short', () => expect(error(']C101095060001343')).toMatch(/\(01\) GTIN at position 3 needs 14 characters; found 12/));
  it('refuses a GTIN with a letter in it', () => expect(error(']C1010950600013435X')).toMatch(/not in digits/));
  it('refuses a lot longer than 20 characters and suspects a missing GS', () => {
    expect(error(`]C10109506000134352${'10'}ABCDEFGHIJ01234567890`)).toMatch(/\(10\) BATCH\/LOT at position 21 is 21 characters, at most 20: a GS missing/);
  });
  it('refuses a character outside set 82 in a serial', () => expect(error(`]C10109506000134352${'21'}AB#C`)).toMatch(/"#" .* not in GS1 character set 82/));
  it('refuses a CPID (8010) character outside set 39', () => expect(error(']C18010abc')).toMatch(/GS1 character set 39/));
  it('refuses an expiry with month 13', () => expect(error(']C1010950600013435217251301')).toMatch(/\(17\).*month 13/));
  it('refuses an expiry of 31 April', () => expect(error(']C1010950600013435217250431')).toMatch(/day 31.*30 days/));
  it('refuses DD=00 in a first freeze date (7006), which does not allow it', () => expect(error(`]C10109506000134352${'7006'}250400`)).toMatch(/day 00/));
  it('refuses an unknown AI, with its position', () => expect(error(']C10109506000134352' + '23AB')).toMatch(/No GS1 Application Identifier at position 19/));
  it('refuses the same AI twice with different values', () => expect(error(`]C10109506000134352${'10'}A${GS}10B`)).toMatch(/\(10\) appears twice with different values: A and B/));
  it('refuses a symbology identifier with nothing after it', () => expect(error(']C1')).toMatch(/Nothing after the symbology identifier/));
  it('refuses an empty value of a variable-length AI', () => expect(error(`]C10109506000134352${'10'}${GS}21X`)).toMatch(/\(10\)/));
  it('refuses a bracketed form with a wrong check digit', () => expect(error('(01)09506000134359')).toMatch(/expected 2/));
});

describe('GS1 pairing rules are warnings, not errors (4.14)', () => {
  it('warns that (21) needs (01)', () => expect(ok(']C121ABC').warnings).toContain('(21) SERIAL should come with (01) or (03) or (8006)'));
  it('warns that (10) needs a trade item', () => expect(ok(']C110ABC').warnings.some((w) => w.startsWith('(10) BATCH/LOT should come with'))).toBe(true));
  it('warns that (17) needs a trade item', () => expect(ok(']C117251231').warnings.some((w) => w.startsWith('(17)'))).toBe(true));
  it('warns that (37) needs (00) with (02) or (8026)', () => expect(ok(']C13712').warnings).toContain('(37) COUNT should come with (00)+(02) or (00)+(8026)'));
  it('warns that (01) and (02) do not go together', () => {
    expect(ok(`]C10109506000134352${'02'}09506000134352${'37'}1`).warnings).toContain('(01) GTIN and (02) CONTENT should not be used together');
  });
  it('warns that (254) needs (414)', () => expect(ok(']C1254X').warnings.some((w) => w.startsWith('(254)'))).toBe(true));
  it('does not warn about a complete (01)(17)(10)(21)', () => {
    expect(ok(`]C10109506000134352${'17'}251231${'10'}A${GS}21B`).warnings).toEqual([]);
  });
  it('refuses a fixed-length AI outside the predefined table run on without GS (7.8.5)', () => {
    expect(error(`]C10109506000134352${'7003'}2512311200${'10'}A`)).toMatch(/\(7003\) EXPIRY TIME at position 23 is 13 characters, needs 10: a GS missing after it\?/);
  });
  it('reads the same fixed-length AI followed by GS', () => expect(ok(`]C10109506000134352${'7003'}2512311200${GS}10A`).lot).toBe('A'));
});

describe('GTINs alone and retail symbologies', () => {
  it('reads a GTIN-14 alone', () => expect(ok('09506000134352')).toMatchObject({ dataType: 'gtin', gtin: '09506000134352' }));
  it('reads a GTIN-13 alone, padded to 14 digits', () => expect(ok('9506000134352').gtin).toBe('09506000134352'));
  it('reads a GTIN-12 (UPC-A) alone', () => expect(ok('012345678905').gtin).toBe('00012345678905'));
  it('reads a GTIN-8 alone', () => expect(ok('95010014').gtin).toBe('00000095010014'));
  it('reads an EAN-13 behind ]E0', () => expect(ok(']E09506000134352')).toMatchObject({ symbologyId: ']E0', gtin: '09506000134352' }));
  it('reads an EAN-8 behind ]E4', () => expect(ok(']E495010014').gtin).toBe('00000095010014'));
  it('reads an ITF-14 behind ]I1', () => expect(ok(']I109506000134352').gtin).toBe('09506000134352'));
  it('refuses an EAN-13 behind ]E0 with a wrong check digit', () => expect(error(']E09506000134353')).toMatch(/GTIN-13 9506000134353 has check digit 3; expected 2/));
  it('refuses an EAN-8 behind ]E4 that is not 8 digits', () => expect(error(']E4950100')).toMatch(/EAN-8 of 8 digits/));
  it('refuses a 13-digit number with a wrong check digit that no plant format claims', () => expect(error('9506000134353')).toMatch(/expected 2/));
  it('reads an EAN-13 with a 2-digit add-on (]E3)', () => expect(ok(']E3950600013435212')).toMatchObject({ gtin: '09506000134352', addOn: '12', warnings: [] }));
});

describe('AIM symbology identifiers', () => {
  it.each([
    [']C0', 'code 128 without FNC1'],
    [']d1', 'Data Matrix ECC 200'],
    [']Q1', 'QR Code model 2'],
    [']A0', 'Code 39'],
    [']L2', 'PDF417'],
  ])('keeps %s (%s) as the symbology of plain text', (id) => expect(ok(`${id}HELLO-1`)).toMatchObject({ symbologyId: id, dataType: 'text' }));
  it('refuses an unknown code character', () => expect(error(']W1ABC')).toMatch(/Unknown AIM symbology identifier \]W1 at position 0/));
  it('refuses an unknown modifier of a known symbology', () => expect(error(']C9ABC')).toMatch(/modifier 9 is not defined for \]C/));
  it('refuses a symbology identifier cut short', () => expect(error(']C')).toMatch(/Incomplete AIM symbology identifier/));
});
