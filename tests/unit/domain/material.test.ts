import { describe, expect, it } from 'vitest';
import type { PlantState } from '../../../src/domain/plant.ts';
import { checkConsume } from '../../../src/domain/material.ts';
import { SN1, SN2, completed, event, plantAfter, started } from './fixture.ts';

const atAssembly = (...more: Parameters<typeof plantAfter>) => plantAfter(started('OP10'), completed('OP10'), started('OP20'), ...more);
const scan = (plant: PlantState, scanned: string, unit: typeof SN1 | typeof SN2 = SN1) => checkConsume(plant, { workOrderId: 'WO-1', unit, operationId: 'OP20', scanned });

describe('scanning material in', () => {
  it('accepts a serial of a part the bill calls for', () => {
    expect(scan(atAssembly(), 'BRG-1')).toMatchObject({ ok: true, value: { material: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' } } });
  });

  it('accepts a lot and takes the quantity the bill still needs', () => {
    expect(scan(atAssembly(), 'L-8')).toMatchObject({ ok: true, value: { material: { kind: 'lot', lotId: 'L-8', quantity: 4 } } });
  });

  it('trims what a scanner adds around the identifier', () => {
    expect(scan(atAssembly(), '  BRG-1 ').ok).toBe(true);
  });

  it('refuses a part the bill does not call for, saying what was expected and what was scanned', () => {
    expect(scan(atAssembly(), 'SN-2')).toMatchObject({
      ok: false,
      code: 'wrong-part',
      message: 'Expected one of parts P-9, P-8 for OP20 Assemble; scanned serial SN-2, which is part P-1',
    });
  });

  it('refuses an identifier the station does not know', () => {
    expect(scan(atAssembly(), 'XYZ-1')).toMatchObject({
      ok: false,
      code: 'unknown-identifier',
      message: 'Expected a serial or lot of one of parts P-9, P-8; scanned XYZ-1, which is not a known serial or lot',
    });
  });

  it('refuses a serial on hold', () => {
    expect(scan(atAssembly(), 'BRG-H')).toMatchObject({ ok: false, code: 'on-hold', message: 'Serial BRG-H (part P-9) is on hold: Dropped on floor' });
  });

  it('refuses a lot on hold', () => {
    expect(scan(atAssembly(), 'L-8-HELD')).toMatchObject({ ok: false, code: 'on-hold', message: 'Lot L-8-HELD (part P-8) is on hold: Cert missing' });
  });

  it('refuses a serial already consumed, naming where it went', () => {
    const consumed = event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, scanned: 'BRG-1' });
    const plant = atAssembly(consumed, started('OP10', SN2), completed('OP10', SN2), started('OP20', SN2));
    expect(scan(plant, 'BRG-1', SN2)).toMatchObject({ ok: false, code: 'already-consumed', message: 'Serial BRG-1 was already consumed into SN-1 on work order WO-1' });
  });

  it('refuses a lot without enough remaining quantity, with both quantities', () => {
    expect(scan(atAssembly(), 'L-8-LOW')).toMatchObject({
      ok: false,
      code: 'insufficient-quantity',
      message: 'Lot L-8-LOW has 3 remaining; OP20 Assemble needs 4 × P-8 on SN-1',
    });
  });

  it('refuses more of a part once the bill line is satisfied', () => {
    const consumed = event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, scanned: 'BRG-1' });
    expect(scan(atAssembly(consumed), 'BRG-2')).toMatchObject({ ok: false, code: 'bill-satisfied' });
  });

  it('refuses material at an operation that consumes none, and before the operation starts', () => {
    const plant = atAssembly();
    expect(checkConsume(plant, { workOrderId: 'WO-1', unit: SN1, operationId: 'OP10', scanned: 'L-8' })).toMatchObject({ ok: false, code: 'not-on-bill' });
    expect(scan(plantAfter(started('OP10'), completed('OP10')), 'L-8')).toMatchObject({ ok: false, code: 'not-started' });
  });

  it('multiplies the bill by the lot quantity on a lot-tracked order', () => {
    const plant = plantAfter(event('op.started', 'B-OP', { workOrderId: 'WO-2', operationId: 'OP10', unit: { kind: 'lot', lotId: 'LOT-2' }, instructionRevision: 'A' }));
    const result = checkConsume(plant, { workOrderId: 'WO-2', unit: { kind: 'lot', lotId: 'LOT-2' }, operationId: 'OP10', scanned: 'L-8' });
    expect(result).toMatchObject({ ok: true, value: { material: { quantity: 20 } } });
  });

  it('reduces the lot and marks the serial consumed once recorded', () => {
    const plant = atAssembly(
      event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 4 }, scanned: 'L-8' }),
      event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' }, scanned: 'BRG-2' }),
    );
    expect(plant.lots.get('L-8')?.remaining).toBe(96);
    expect(plant.serials.get('BRG-2')?.consumedInto).toMatchObject({ workOrderId: 'WO-1', unitKey: 'serial:SN-1' });
  });
});
