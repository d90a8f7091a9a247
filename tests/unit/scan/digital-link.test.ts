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
  it('pads a GTIN-13 in the path to 14 digits', () => expect(ok('https://id.gs1.org/01/9506000134352').gtin).toBe('09506000134352'));
  it('reads an SSCC (00) as primary key', () => expect(ok('https://id.gs1.org/00/106141411234567897').elements[0]).toEqual({ ai: '00', value: '106141411234567897' }));
  it('reads a GLN (414) with its extension (254)', () => expect(ok('https://id.gs1.org/414/9521234543213/254/32a').elements).toHaveLength(2));
  it('reads http as well as https', () => expect(ok('http://id.gs1.org/01/09506000134352').dataType).toBe('gs1-digital-link'));
  it('reads an all-upper-case URI, as QR alphanumeric mode carries it', () => expect(ok('HTTPS://ID.GS1.ORG/01/09506000134352').gtin).toBe('09506000134352'));
  it('reads Digital Link 1.0 short names (gtin, lot)', () => expect(ok('https://id.gs1.org/gtin/09506000134352/lot/ABC')).toMatchObject({ gtin: '09506000134352', lot: 'ABC' }));
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
