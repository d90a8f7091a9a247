/** GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax), with its examples' values. */
import { describe, expect, it } from 'vitest';
import { parseScan } from '../../../src/scan/parse.ts';

const ok = (raw: string) => {
  const result = parseScan(raw);
  if (!result.ok) throw new Error(`expected success for ${raw}: ${result.error}`);
  return result;
};
const error = (raw: string) => {
  const result = parseScan(raw);
  if (result.ok) throw new Error(`expected an error for ${raw}: ${JSON.stringify(result)}`);
  return result.error;
};

describe('GS1 Digital Link', () => {
  it('reads the GTIN from the shortest Digital Link', () => {
    expect(ok('https://id.gs1.org/01/09506000134352')).toMatchObject({ dataType: 'gs1-digital-link', gtin: '09506000134352', hri: '(01)09506000134352' });
  });
  it('reads key qualifiers (22), (10), (21) in order', () => {
    expect(ok('https://id.gs1.org/01/09506000134352/22/2A/10/ABC/21/12345')).toMatchObject({ lot: 'ABC', serial: '12345', hri: '(01)09506000134352(22)2A(10)ABC(21)12345' });
  });
  it('reads data attributes from the query string', () => expect(ok('https://id.gs1.org/01/09506000134352/10/ABC?17=251231&3103=000195')).toMatchObject({ lot: 'ABC', expiry: '2025-12-31' }));
  it('ignores non-AI query attributes such as linkType', () => expect(ok('https://example.com/01/09506000134352?linkType=gs1:pip').elements).toHaveLength(1));
  it('percent-decodes values', () => expect(ok('https://id.gs1.org/01/09506000134352/10/AB%2FC%25').lot).toBe('AB/C%'));
  it('allows a path prefix before the primary key', () => expect(ok('https://brand.example.com/some/path/01/09506000134352/21/A1').serial).toBe('A1'));
  it('refuses a GTIN-13 in the path: the standard writes 14 digits', () => expect(error('https://id.gs1.org/01/9506000134352')).toMatch(/\(01\) GTIN needs 14 digits; GTIN-13 9506000134352 is written 09506000134352/));
  it('reads an SSCC (00) as primary key', () => expect(ok('https://id.gs1.org/00/106141411234567897').elements[0]).toEqual({ ai: '00', value: '106141411234567897' }));
  it('reads a GLN (414) with its extension (254)', () => expect(ok('https://id.gs1.org/414/9521234543213/254/32a').elements).toHaveLength(2));
  it('reads http as well as https', () => expect(ok('http://id.gs1.org/01/09506000134352').dataType).toBe('gs1-digital-link'));
  it('reads an all-upper-case URI, as QR alphanumeric mode carries it', () => expect(ok('HTTPS://ID.GS1.ORG/01/09506000134352').gtin).toBe('09506000134352'));
  it('refuses Digital Link 1.0 short names (gtin, lot), deprecated by the standard, saying what to use', () => expect(error('https://id.gs1.org/gtin/09506000134352/lot/ABC')).toMatch(/"gtin" is a Digital Link 1.0 short name.*\/01\//));
  it('does not take a mixed-case scheme for a Digital Link', () => expect(ok('Https://id.gs1.org/01/09506000134352')).toMatchObject({ dataType: 'text' }));
  it('takes a URI without a primary key for text', () => expect(ok('https://example.com/about').dataType).toBe('text'));
  it('refuses qualifiers out of order: (10) before (22)', () => expect(error('https://id.gs1.org/01/09506000134352/10/ABC/22/2A')).toMatch(/\(22\) after \(01\) is out of order/));
  it('refuses (21) before (10)', () => expect(error('https://id.gs1.org/01/09506000134352/21/1/10/A')).toMatch(/out of order/));
  it('refuses a qualifier of another key', () => expect(error('https://id.gs1.org/01/09506000134352/254/A')).toMatch(/not a qualifier of this key/));
  it('refuses a GTIN with a wrong check digit in the path', () => expect(error('https://id.gs1.org/01/09506000134353')).toMatch(/Digital Link path: \(01\).*expected 2/));
  it('refuses a bad date in the query', () => expect(error('https://id.gs1.org/01/09506000134352?17=251331')).toMatch(/Digital Link query: \(17\).*month 13/));
  it('refuses invalid percent-encoding', () => expect(error('https://id.gs1.org/01/09506000134352/10/%E0%A4%A')).toMatch(/not valid percent-encoding/));
  it('refuses an unknown numeric query key (numeric keys are reserved for AIs)', () => expect(error('https://id.gs1.org/01/09506000134352?9999=1')).toMatch(/query: 9999 is not a GS1 Application Identifier/));
});

/**
 * Which AIs belong in the path and which in the query (GS1 Digital Link Standard: URI Syntax, and the
 * key-qualifier sequences of the GS1 Barcode Syntax Dictionary: `01` → 22, 10, 21 or 235; `8006` →
 * 22, 10, 21; `414` → 254 or 7040; `8004` → 7040; `8010` → 8011; `8017`/`8018` → 8019; `415` → 8020).
 */
describe('GS1 Digital Link: path and query', () => {
  const G = '09506000134352';
  it.each([
    ['(01) with (22), (10), (21)', `https://a.example/01/${G}/22/V1/10/L1/21/S1`, ['01', '22', '10', '21']],
    ['(01) with (22) and (21), skipping (10)', `https://a.example/01/${G}/22/V1/21/S1`, ['01', '22', '21']],
    ['(01) with (235), the other sequence', `https://a.example/01/${G}/235/TPX1`, ['01', '235']],
    ['(8006) with (22), (10), (21)', `https://a.example/8006/${G}0102/22/V/10/L/21/S`, ['8006', '22', '10', '21']],
    ['(414) with (7040)', 'https://a.example/414/9521234543213/7040/1ABC', ['414', '7040']],
    ['(8004) with (7040)', 'https://a.example/8004/9520614141234567/7040/1ABC', ['8004', '7040']],
    ['(417) with (7040)', 'https://a.example/417/9521234543213/7040/1ABC', ['417', '7040']],
    ['(8010) with (8011)', 'https://a.example/8010/95212345/8011/1234', ['8010', '8011']],
    ['(8018) with (8019)', 'https://a.example/8018/952123454321000003/8019/123', ['8018', '8019']],
    ['(415) with (8020)', 'https://a.example/415/9521234543213/8020/REF1', ['415', '8020']],
    ['(253) alone', 'https://a.example/253/9521234543213ABC', ['253']],
  ])('reads %s in the path', (_name, uri, ais) => expect(ok(uri).elements.map((e) => e.ai)).toEqual(ais));

  it('takes the rightmost primary key, the rest of the path before it being a prefix', () => {
    expect(ok('https://a.example/00/faux/00/106141411234567897').elements).toEqual([{ ai: '00', value: '106141411234567897' }]);
  });
  it('reads a second key as a data attribute in the query', () => {
    expect(ok(`https://a.example/8004/9520614141234567?01=${G}`).elements.map((e) => e.ai)).toEqual(['8004', '01']);
  });
  it('reads (10) in the query when the path took (235), whose sequence has no (10)', () => {
    expect(ok(`https://a.example/01/${G}/235/XYZ?10=ABC`).lot).toBe('ABC');
  });
  it('reads (02), (37) and (10) as data attributes of an SSCC', () => {
    expect(ok(`https://a.example/00/106141411234567897?02=${G}&37=25&10=ABC`)).toMatchObject({ lot: 'ABC', quantity: 25 });
  });
  it('skips query parameters without a value and extra separators', () => expect(ok(`https://a.example/01/${G}?&&single&17=251231&&`).expiry).toBe('2025-12-31'));
  it('ignores the fragment', () => expect(ok(`https://a.example/01/${G}/10/AB#frag`).lot).toBe('AB'));
  it('reads "+" as itself in the path', () => expect(ok(`https://a.example/01/${G}/10/A+B`).lot).toBe('A+B'));

  // Key qualifiers in the query, out of order, repeated, or of another key: refused with the reason.
  it('refuses a key qualifier of the primary key in the query', () => {
    expect(error(`https://a.example/01/${G}?10=ABC`)).toMatch(/query: \(10\) is a key qualifier of \(01\) and belongs in the path/);
  });
  it('refuses (22) in the query when (10) is in the path: its place is before (10)', () => {
    expect(error(`https://a.example/01/${G}/10/ABC?22=V`)).toMatch(/\(22\) is a key qualifier of \(01\)/);
  });
  it('refuses (21) in the query of a GTIN', () => expect(error(`https://a.example/01/${G}?21=S1`)).toMatch(/\(21\) is a key qualifier of \(01\)/));
  it('refuses an AI that may not be a data attribute, (254) in the query of a GTIN', () => {
    expect(error(`https://a.example/01/${G}?254=X`)).toMatch(/query: \(254\) GLN EXTENSION COMPONENT is not a Digital Link data attribute/);
  });
  it('refuses qualifiers out of order: (21) before (22)', () => expect(error(`https://a.example/01/${G}/21/S/22/V`)).toMatch(/\(22\) after \(01\) is out of order; allowed, in order: \(22\), \(10\), \(21\) or \(235\)/));
  it('refuses mixing the two sequences of (01): (10) then (235)', () => expect(error(`https://a.example/01/${G}/10/L/235/T`)).toMatch(/\(235\) after \(01\) is out of order/));
  it('refuses (7040) before (254) after a GLN, which takes one or the other', () => expect(error('https://a.example/414/9521234543213/254/A/7040/1ABC')).toMatch(/\(7040\) after \(414\)/));
  it('refuses a qualifier of another key: (254) after (01)', () => expect(error(`https://a.example/01/${G}/254/A`)).toMatch(/\(254\) after \(01\) is not a qualifier of this key/));
  it('refuses a qualifier of another key: (21) after (8004)', () => expect(error('https://a.example/8004/9520614141234567/21/S')).toMatch(/\(21\) after \(8004\) is not a qualifier of this key/));
  it('refuses any qualifier after a key that takes none: (10) after (00)', () => expect(error('https://a.example/00/106141411234567897/10/L')).toMatch(/\(00\) takes no key qualifiers/));
  it('refuses a data attribute in the path: (99) after (01)', () => expect(error(`https://a.example/01/${G}/99/ABC`)).toMatch(/\(99\) after \(01\) is not a qualifier/));
  it('refuses a qualifier repeated in the path', () => expect(error(`https://a.example/01/${G}/10/A/10/A`)).toMatch(/\(10\) appears twice/));
  it('refuses an AI repeated in the query', () => expect(error(`https://a.example/01/${G}?99=A&99=A`)).toMatch(/\(99\) appears twice/));
  it('refuses the primary key repeated in the query', () => expect(error(`https://a.example/01/${G}/10/A?01=${G}`)).toMatch(/\(01\) appears twice/));
  it('refuses an unknown AI in the path after the key', () => expect(error(`https://a.example/01/${G}/89/ABC`)).toMatch(/"89" is not a GS1 Application Identifier/));
  it('refuses an empty value in the query', () => expect(error(`https://a.example/01/${G}?99=`)).toMatch(/query: \(99\) has no value/));
  it('refuses an empty path segment', () => expect(error(`https://a.example/01//${G}`)).toMatch(/Digital Link/));
  it('refuses a path ending in "/"', () => expect(error(`https://a.example/00/106141411234567897/`)).toMatch(/ends in "\/"/));
  it('reads "+" in the query as a space, which set 82 does not hold', () => expect(error(`https://a.example/01/${G}?99=A+B`)).toMatch(/query: \(99\).*" " .*not in GS1 character set 82/));
  it('refuses a character no URI may hold', () => expect(error(`https://a.example/01/${G}<x`)).toMatch(/"<" is not a character a URI may hold/));
  it('refuses a character no domain name may hold', () => expect(error(`https://a%25b/01/${G}`)).toMatch(/"%" is not a character a domain name may hold/));
  it('refuses a too-long value in the query', () => expect(error(`https://a.example/01/${G}?99=${'A'.repeat(91)}`)).toMatch(/\(99\) INTERNAL needs at most 90 characters; found 91/));
  it('accepts a value of the greatest length in the query', () => expect(ok(`https://a.example/01/${G}?99=${'A'.repeat(90)}`).elements[1]?.value).toHaveLength(90));
});

