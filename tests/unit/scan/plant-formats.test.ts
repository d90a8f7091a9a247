/** Plant formats: the demo plant's internal identifiers, read only after every standard. */
import { describe, expect, it } from 'vitest';
import { parseScan } from '../../../src/scan/parse.ts';
import { DEMO_PLANT_FORMATS } from './demo-formats.ts';

const options = { plantFormats: DEMO_PLANT_FORMATS };

describe('plant formats from master data', () => {
  it.each([
    ['B-1001', { badge: 'B-1001' }],
    ['WO-1001', { workOrder: 'WO-1001' }],
    ['SN-1001-01', { serial: 'SN-1001-01' }],
    ['BRG-0001', { serial: 'BRG-0001' }],
    ['L-920-A', { lot: 'L-920-A' }],
    ['LOT-2001', { lot: 'LOT-2001' }],
    ['P-100', { partNumber: 'P-100' }],
  ])('reads %s as the plant identifier it is', (raw, expected) => {
    expect(parseScan(raw, options)).toMatchObject({ ok: true, dataType: 'text', elements: [{ value: raw }], ...expected });
  });
  it('reads text no format claims as plain text', () => expect(parseScan('HELLO', options)).toEqual({ ok: true, symbologyId: null, dataType: 'text', elements: [{ value: 'HELLO' }], warnings: [] }));
  it('matches the whole identifier only', () => expect(parseScan('B-10011', options)).not.toHaveProperty('badge'));
  it('lets a plant format win over an unmarked GTIN-8 it matches', () => {
    expect(parseScan('95010014', { plantFormats: [{ kind: 'badge', pattern: '\\d{8}' }] })).toMatchObject({ dataType: 'text', badge: '95010014' });
  });
  it('reads the same digits behind an EAN-8 symbology identifier as the GTIN', () => {
    expect(parseScan(']E495010014', { plantFormats: [{ kind: 'badge', pattern: '\\d{8}' }] })).toMatchObject({ dataType: 'gtin', gtin: '00000095010014' });
  });
  it('lets a plant format claim an all-digit identifier whose GTIN check digit is wrong', () => {
    expect(parseScan('12345678', { plantFormats: [{ kind: 'badge', pattern: '\\d{8}' }] })).toMatchObject({ ok: true, badge: '12345678' });
  });
  it('skips a plant format that does not compile', () => expect(parseScan('B-1001', { plantFormats: [{ kind: 'lot', pattern: '(' }, ...DEMO_PLANT_FORMATS] })).toMatchObject({ badge: 'B-1001' }));
  it('does not read SN-1001-01 as data identifier S unless told to', () => expect(parseScan('SN-1001-01')).toMatchObject({ dataType: 'text', elements: [{ value: 'SN-1001-01' }] }));
  it('reads a data identifier on a Code 39 label (]A0 1P…)', () => expect(parseScan(']A01PP-100')).toMatchObject({ ok: true, partNumber: 'P-100', elements: [{ di: '1P', value: 'P-100' }] }));
  it('reads data identifiers outside an envelope when asked to', () => expect(parseScan('1TL-920-A', { standaloneDataIdentifiers: true })).toMatchObject({ lot: 'L-920-A' }));
  it('refuses an empty scan', () => expect(parseScan('  \r\n')).toEqual({ ok: false, error: 'Empty scan' }));
  it('warns about control characters in plain text', () => expect(parseScan('AB\u001dCD')).toMatchObject({ ok: true, warnings: ['The text holds control characters: AB<GS>CD'] }));
});
