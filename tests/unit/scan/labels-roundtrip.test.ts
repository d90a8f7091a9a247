/**
 * Each label's Data Matrix, rendered by bwip-js and read back by zxing through `decodeLuminance`
 * (the camera's decoding path), parses back to the identifiers printed on it.
 */
import bwipjs from 'bwip-js/node';
import { describe, expect, it } from 'vitest';
import { createDecoder, decodeLuminance, symbologyOfZxing, withSymbologyId } from '../../../src/scan/decode.ts';
import type { LabelSubject } from '../../../src/scan/labels.ts';
import { bwipEscape, labelFor } from '../../../src/scan/labels.ts';
import { parseScan } from '../../../src/scan/parse.ts';
import { DEMO_PLANT_FORMATS } from './demo-formats.ts';

/** Draws the symbol's modules as a grey image: 4 pixels a module, 4 modules of quiet zone. */
function render(options: { bcid: string; text: string; parse: boolean }): { luminance: Uint8ClampedArray; width: number; height: number } {
  const [symbol] = bwipjs.raw({ ...options }) as Array<{ pixs: number[]; pixx: number; pixy: number }>;
  if (symbol === undefined) throw new Error('bwip-js drew nothing');
  const scale = 4;
  const quiet = 4;
  const width = (symbol.pixx + 2 * quiet) * scale;
  const height = (symbol.pixy + 2 * quiet) * scale;
  const luminance = new Uint8ClampedArray(width * height).fill(255);
  for (let y = 0; y < symbol.pixy; y++) {
    for (let x = 0; x < symbol.pixx; x++) {
      if (symbol.pixs[y * symbol.pixx + x] === 0) continue;
      for (let dy = 0; dy < scale; dy++) luminance.fill(0, ((y + quiet) * scale + dy) * width + (x + quiet) * scale, ((y + quiet) * scale + dy) * width + (x + quiet + 1) * scale);
    }
  }
  return { luminance, width, height };
}

const SUBJECTS: Array<[string, LabelSubject]> = [
  ['a unit serial', { kind: 'serial', serial: 'SN-1001-01', partNumber: 'P-100', revision: 'C', description: 'Actuator housing', workOrderId: 'WO-1001' }],
  ['a bearing serial', { kind: 'serial', serial: 'BRG-0001', partNumber: 'P-300' }],
  ['a material lot with its quantity', { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 12 }],
  ['a production lot', { kind: 'lot', lotId: 'LOT-2001', partNumber: 'P-200', revision: 'B' }],
  ['a traveler', { kind: 'traveler', workOrderId: 'WO-1001', partNumber: 'P-100', revision: 'C', quantity: 4 }],
  ['a serial of a part with a GTIN (GS1)', { kind: 'serial', serial: 'SN-1', partNumber: 'P-1', gtin: '09506000134352' }],
  ['a lot of a part with a GTIN (GS1)', { kind: 'lot', lotId: 'L-910-A', partNumber: 'P-910', gtin: '09506000134352' }],
];

describe('labels round trip: bwip-js → zxing → parseScan', () => {
  const reader = createDecoder();
  it.each(SUBJECTS)('reads back %s', (_name, subject) => {
    const label = labelFor(subject);
    const image = render(label.bwip);
    const decoded = decodeLuminance(reader, image.luminance, image.width, image.height);
    expect(decoded).not.toBeNull();
    if (decoded === null) return;
    const scan = withSymbologyId(decoded.text, symbologyOfZxing(decoded.format));
    const parsed = parseScan(scan, { plantFormats: DEMO_PLANT_FORMATS });
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.warnings).toEqual([]);
    const { workOrder, ...identifiers } = label.expected;
    expect(parsed).toMatchObject(identifiers);
    if (label.bwip.bcid === 'gs1datamatrix') {
      expect(parsed).toMatchObject({ symbologyId: ']d2', dataType: 'gs1' });
    } else {
      expect(parsed).toMatchObject({ symbologyId: ']d1', dataType: 'iso15434', format: '06' });
      expect(decoded.text).toBe(label.message);
    }
    if (workOrder !== undefined) expect(parsed.elements).toContainEqual({ di: '1K', value: workOrder });
  });

  it('escapes ^ in label data so bwip-js does not read it as an escape', () => expect(bwipEscape('A^B\u001d')).toBe('A^094B^029'));
  it('finds nothing in a blank image', () => expect(decodeLuminance(reader, new Uint8ClampedArray(100 * 100).fill(255), 100, 100)).toBeNull());
});

describe('symbology identifiers for camera reads', () => {
  it.each([
    ['\u001d0109506000134352', 'datamatrix', ']d20109506000134352'],
    ['[)>\u001e06\u001dS1\u001e\u0004', 'datamatrix', ']d1[)>\u001e06\u001dS1\u001e\u0004'],
    [']C10109506000134352', 'code128', ']C10109506000134352'],
    ['SN-1', 'code128', ']C0SN-1'],
    ['012345678905', 'upca', ']E00012345678905'],
    ['95010014', 'ean8', ']E495010014'],
    ['1PP-100', 'code39', ']A01PP-100'],
  ] as const)('sends %j from %s as %j', (text, symbology, expected) => expect(withSymbologyId(text, symbology)).toBe(expected));
});
