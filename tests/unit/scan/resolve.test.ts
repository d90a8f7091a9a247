/** Scans resolved in context: what a screen expects against what the label names on this station. */
import { describe, expect, it } from 'vitest';
import { checkConsume } from '../../../src/domain/material.ts';
import { parseScan } from '../../../src/scan/parse.ts';
import { resolveScan } from '../../../src/scan/resolve.ts';
import { labelFor } from '../../../src/scan/labels.ts';
import { fixturePlant, plantAfter, started, completed } from '../domain/fixture.ts';

const GS = '\u001d';
const RS = '\u001e';
const EOT = '\u0004';
const plant = fixturePlant();
const formats = { plantFormats: [{ kind: 'serial' as const, pattern: 'SN-\\d+' }, { kind: 'lot' as const, pattern: 'L-\\d+(-[A-Z]+)?' }] };

describe('resolving a scan on the station', () => {
  it('resolves a serial from a 15434 label to the unit', () => {
    expect(resolveScan(plant, parseScan(`[)>${RS}06${GS}1PP-1${GS}SSN-1${RS}${EOT}`), ['serial'])).toMatchObject({ ok: true, kind: 'serial', id: 'SN-1' });
  });
  it('resolves a lot from a GS1 label to the lot', () => {
    expect(resolveScan(plant, parseScan(`]C10109506000134352${'10'}L-8`), ['lot'])).toMatchObject({ ok: true, kind: 'lot', id: 'L-8' });
  });
  it('resolves a plain work order to its traveler', () => expect(resolveScan(plant, parseScan('WO-1'), ['traveler'])).toMatchObject({ ok: true, kind: 'traveler', id: 'WO-1' }));
  it('resolves a traveler label (1K) to its traveler', () => {
    const label = labelFor({ kind: 'traveler', workOrderId: 'WO-2', partNumber: 'P-2', revision: 'A', quantity: 10 });
    expect(resolveScan(plant, parseScan(label.message), ['traveler'])).toMatchObject({ ok: true, id: 'WO-2' });
  });
  it('resolves a plain part number to the part', () => expect(resolveScan(plant, parseScan('P-9'), ['part'])).toMatchObject({ ok: true, kind: 'part', id: 'P-9' }));
  it('resolves a badge to the operator', () => {
    const badge = [...plant.operators.keys()][0] ?? '';
    expect(resolveScan(plant, parseScan(badge), ['operator'])).toMatchObject({ ok: true, kind: 'operator', id: badge });
  });
  it('names what was expected and what was scanned when the kind is wrong', () => {
    expect(resolveScan(plant, parseScan('L-8', formats), ['operator'])).toEqual({ ok: false, error: 'Expected a badge; scanned lot L-8' });
  });
  it('names both when a serial is scanned where a work order is expected', () => {
    expect(resolveScan(plant, parseScan('BRG-1'), ['traveler'])).toEqual({ ok: false, error: 'Expected a work order; scanned serial BRG-1' });
  });
  it('says when the station does not know the identifier', () => {
    expect(resolveScan(plant, parseScan(`[)>${RS}06${GS}SSN-404${RS}${EOT}`), ['serial', 'lot'])).toEqual({ ok: false, error: 'Expected a serial or lot; scanned serial SN-404, which this station does not know' });
  });
  it('refuses a label whose part number contradicts the serial’s part', () => {
    expect(resolveScan(plant, parseScan(`[)>${RS}06${GS}1PP-2${GS}SBRG-1${RS}${EOT}`), ['serial'])).toEqual({ ok: false, error: 'The label says part P-2, but serial BRG-1 is part P-9' });
  });
  it('passes an unreadable scan on with what was expected', () => {
    expect(resolveScan(plant, parseScan(`[)>${RS}06${GS}S1`), ['serial'])).toMatchObject({ ok: false, error: expect.stringMatching(/^Expected a serial; the scan cannot be read: .*truncated/) });
  });
});

describe('consuming material from parsed identifiers (domain)', () => {
  const atAssembly = plantAfter(started('OP10'), completed('OP10'), started('OP20'));
  const consume = (identifiers: { serial?: string; lot?: string; partNumber?: string }, scanned = 'raw') =>
    checkConsume(atAssembly, { workOrderId: 'WO-1', unit: { kind: 'serial', serial: 'SN-1' }, operationId: 'OP20', scanned, identifiers });
  it('consumes the serial a label names', () => expect(consume({ serial: 'BRG-1', partNumber: 'P-9' })).toMatchObject({ ok: true, value: { material: { kind: 'serial', serial: 'BRG-1' } } }));
  it('consumes the lot a label names', () => expect(consume({ lot: 'L-8' })).toMatchObject({ ok: true, value: { material: { kind: 'lot', lotId: 'L-8' } } }));
  it('takes the serial over the lot when a label has both', () => expect(consume({ serial: 'BRG-1', lot: 'L-8' })).toMatchObject({ ok: true, value: { material: { kind: 'serial' } } }));
  it('refuses a label whose part number contradicts the record', () => {
    expect(consume({ serial: 'BRG-1', partNumber: 'P-8' })).toMatchObject({ ok: false, code: 'wrong-part', message: 'The label says part P-8, but serial BRG-1 is part P-9' });
  });
  it('refuses a label with a part number but no serial or lot', () => {
    expect(consume({ partNumber: 'P-9' })).toMatchObject({ ok: false, code: 'unknown-identifier', message: 'Expected a serial or lot of one of parts P-9, P-8; scanned part number P-9 with no serial or lot' });
  });
  it('names the parsed serial, not the raw scan, when it is unknown', () => {
    expect(consume({ serial: 'BRG-404' }, '[)>…')).toMatchObject({ ok: false, message: 'Expected a serial or lot of one of parts P-9, P-8; scanned BRG-404, which is not a known serial or lot' });
  });
});
