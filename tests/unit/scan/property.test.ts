/** parseScan is total: whatever a scanner, a person or a fuzzer sends, it answers and never throws. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScan } from '../../../src/scan/parse.ts';
import { DEMO_PLANT_FORMATS } from './demo-formats.ts';

const checkShape = (raw: string, options = {}) => {
  const result = parseScan(raw, options);
  if (result.ok) {
    expect(Array.isArray(result.elements)).toBe(true);
    expect(Array.isArray(result.warnings)).toBe(true);
    if (result.gtin !== undefined) expect(result.gtin).toMatch(/^\d{14}$/);
    if (result.expiry !== undefined) expect(result.expiry).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  } else {
    expect(typeof result.error).toBe('string');
    expect(result.error.length).toBeGreaterThan(0);
  }
};

/** Pieces scans are built from, so that the generator reaches deep into every grammar. */
const piece = fc.constantFrom('\u001d', '\u001e', '\u0004', '[)>', '06', '05', '12', 'DD', ']C1', ']d2', ']d1', ']Q3', ']E0', '01', '10', '17', '21', '25S', '17V', '1P', '30P', 'S', 'MFR ', 'SER ', 'https://id.gs1.org/01/', '/10/', '?17=', '%', '(01)', '<GS>', '|', '8004', '00');

describe('parseScan never throws', () => {
  it('on any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (raw) => checkShape(raw)), { numRuns: 2000 });
  });
  it('on strings of GS, RS, EOT and digits', () => {
    const unit = fc.constantFrom('\u001d', '\u001e', '\u0004', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
    fc.assert(fc.property(fc.string({ unit, maxLength: 120 }), (digits) => {
      checkShape(digits);
      checkShape(`[)>\u001e${digits}`);
      checkShape(`]C1${digits}`);
    }), { numRuns: 2000 });
  });
  it('on strings assembled from the grammars’ own pieces', () => {
    fc.assert(fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 25 }), (parts) => checkShape(parts.join(''), { plantFormats: DEMO_PLANT_FORMATS, gsSubstitute: '|' })), { numRuns: 3000 });
  });
  it('on a value that is not a string at all', () => expect(parseScan(undefined as unknown as string)).toMatchObject({ ok: false }));
});
