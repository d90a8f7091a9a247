/**
 * What the Material screen checks as a person types (src/features/material/material-forms.ts): the
 * look-up, quantities, new lot ids, each move's fields, and the domain's refusal of the move as a
 * whole, in words.
 */
import { describe, expect, it } from 'vitest';
import type { Lot } from '../../../schemas/lot.ts';
import {
  blockedReason,
  builtIn,
  builtInWords,
  checkMergeForm,
  checkRepackForm,
  checkReturnForm,
  checkScrapForm,
  checkSplitForm,
  describeMove,
  findMaterial,
  moveBlocker,
  newLotError,
  parseQuantity,
} from '../../../src/features/material/material-forms.ts';
import { SN1, event, fixturePlant, plantAfter, started } from '../domain/fixture.ts';

const plant = fixturePlant();
const lot = (id: string): Lot => {
  const found = plant.lots.get(id);
  if (found === undefined) throw new Error(`no lot ${id}`);
  return found;
};

describe('material look-up and fields', () => {
  it('finds a lot or serial typed in any case, as the scan said, or nothing', () => {
    expect(findMaterial(plant, ' l-8 ')).toMatchObject({ kind: 'lot', lot: { lotId: 'L-8' } });
    expect(findMaterial(plant, 'brg-1')).toMatchObject({ kind: 'serial', serial: { serial: 'BRG-1' } });
    expect(findMaterial(plant, 'BRG-1', 'lot')).toBeNull();
    expect(findMaterial(plant, 'L-404')).toBeNull();
  });

  it('reads a quantity as a number more than 0, and says what is wrong otherwise', () => {
    expect(parseQuantity('')).toBeNull();
    expect(parseQuantity(' 12 ')).toEqual({ ok: true, value: 12 });
    expect(parseQuantity('2.5')).toEqual({ ok: true, value: 2.5 });
    expect(parseQuantity('0')).toEqual({ ok: false, error: 'Enter more than 0' });
    for (const bad of ['-3', 'ten', '1e3', '4,5']) expect(parseQuantity(bad)).toEqual({ ok: false, error: 'Enter a number, like 12' });
  });

  it('refuses a new lot id the plant has (lot or serial, any case), one named twice, one with spaces', () => {
    expect(newLotError(plant, 'L-8-A')).toBeNull();
    expect(newLotError(plant, 'l-8')).toBe('Lot L-8 already exists; give the new lot an id of its own');
    expect(newLotError(plant, 'BRG-1')).toBe('BRG-1 is a serial the plant already has; give the new lot an id of its own');
    expect(newLotError(plant, 'L-8-A', ['l-8-a'])).toBe('L-8-A is named twice');
    expect(newLotError(plant, 'L 8')).toBe('A lot id has no spaces');
    expect(newLotError(plant, 'X'.repeat(81))).toBe('At most 80 characters');
  });
});

describe('the moves, field by field and then by the domain', () => {
  it('a split: a quantity beyond what is left and an existing lot id are field errors; complete, the domain hands back the payload', () => {
    const over = checkSplitForm(plant, lot('L-8'), [{ lotId: 'L-8-A', quantity: '60' }, { lotId: 'L-8', quantity: '50' }], '');
    expect(over.errors).toEqual({ 'lot-0': null, 'quantity-0': null, 'lot-1': 'Lot L-8 already exists; give the new lot an id of its own', 'quantity-1': 'Only 100 left of L-8; the new lots take 110' });
    expect(over.check).toBeNull();
    expect(blockedReason(over)).toBe('Correct the fields marked in red first');
    const half = checkSplitForm(plant, lot('L-8'), [{ lotId: 'L-8-A', quantity: '' }], '');
    expect(blockedReason(half)).toBe('Give each new lot its id and its quantity');
    const ok = checkSplitForm(plant, lot('L-8'), [{ lotId: 'L-8-A', quantity: '60' }, { lotId: 'L-8-B', quantity: '40' }], 'Kits');
    expect(blockedReason(ok)).toBeNull();
    expect(ok.check).toEqual({ ok: true, value: { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-A', quantity: 60 }, { kind: 'lot', lotId: 'L-8-B', quantity: 40 }], reason: 'Kits' } });
  });

  it('a lot on hold is refused by the domain with the hold in words', () => {
    const held = checkSplitForm(plant, lot('L-8-HELD'), [{ lotId: 'L-8-H1', quantity: '5' }], '');
    expect(blockedReason(held)).toBe('Lot L-8-HELD is on hold: Cert missing');
    expect(moveBlocker(plant, { kind: 'lot', lot: lot('L-8-HELD') }, 'split')).toBe('Lot L-8-HELD is on hold: Cert missing');
    expect(moveBlocker(plant, { kind: 'lot', lot: lot('L-8') }, 'split')).toBeNull();
  });

  it('a merge: a serial given as a lot quantity, another part, a lot named twice are field errors; all that is left by default', () => {
    const wrong = checkMergeForm(plant, lot('L-8'), '', [{ lotId: 'BRG-1', quantity: '1' }, { lotId: 'LOT-2', quantity: '' }, { lotId: 'l-8', quantity: '' }], 'L-8-M', '');
    expect(wrong.errors['source-0']).toBe('BRG-1 is a serial of part P-9 Bearing, which is serialized: it is never merged by quantity');
    expect(wrong.errors['source-1']).toBe('Lot LOT-2 is part P-2; the merge is of part P-8');
    expect(wrong.errors['source-2']).toBe('Lot L-8 is named twice');
    const ok = checkMergeForm(plant, lot('L-8'), '10', [{ lotId: 'l-8-low', quantity: '' }], 'L-8-M', '');
    expect(ok.check).toEqual({ ok: true, value: { sources: [{ kind: 'lot', lotId: 'L-8', quantity: 10 }, { kind: 'lot', lotId: 'L-8-LOW', quantity: 3 }], into: { kind: 'lot', lotId: 'L-8-M', partNumber: 'P-8' } } });
    const tooMany = checkMergeForm(plant, lot('L-8'), '', [{ lotId: 'L-8-LOW', quantity: '4' }], 'L-8-M', '');
    expect(tooMany.errors['source-quantity-0']).toBe('Only 3 left of L-8-LOW');
    expect(blockedReason(checkMergeForm(plant, lot('L-8'), '', [{ lotId: '', quantity: '' }], '', ''))).toBe('Scan or type the other lots to merge');
  });

  it('a repack takes all that is left unless a quantity is typed', () => {
    expect(checkRepackForm(plant, lot('L-8-LOW'), 'L-8-BAG', '', '').check).toMatchObject({ ok: true, value: { into: { lotId: 'L-8-BAG', quantity: 3 } } });
    expect(checkRepackForm(plant, lot('L-8-LOW'), 'L-8-BAG', '4', '').errors['quantity']).toBe('Only 3 left of L-8-LOW');
  });

  it('a scrap needs a reason; a serial has no quantity; a serial built in is refused with where it went', () => {
    expect(blockedReason(checkScrapForm(plant, { kind: 'lot', lot: lot('L-8') }, '5', ''))).toBe('Say why it is scrapped');
    expect(checkScrapForm(plant, { kind: 'lot', lot: lot('L-8') }, '5', 'Bent').check).toMatchObject({ ok: true, value: { item: { kind: 'lot', lotId: 'L-8', quantity: 5 }, reason: 'Bent' } });
    const built = plantAfter(started('OP20'), event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' }, scanned: 'BRG-1' }));
    const serial = built.serials.get('BRG-1');
    if (serial === undefined) throw new Error('no BRG-1');
    expect(moveBlocker(built, { kind: 'serial', serial }, 'scrap')).toBe('Serial BRG-1 is built into SN-1; return it first');
    expect(moveBlocker(built, { kind: 'serial', serial }, 'split')).toBe('BRG-1 is a serial of part P-9 Bearing, which is serialized: it is never split by quantity, only scrapped or returned whole');
  });

  it('a return: where the material is built in, a quantity no more than is built in there, a reason', () => {
    const built = plantAfter(started('OP20'), event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 4 }, scanned: 'L-8' }));
    const found = { kind: 'lot', lot: built.lots.get('L-8') as Lot } as const;
    const places = builtIn(built, found);
    expect(places.map(builtInWords)).toEqual(['4 in SN-1 at OP20 of WO-1']);
    expect(checkReturnForm(built, places[0], '5', 'Left over').errors['quantity']).toBe('Only 4 are built in there');
    expect(blockedReason(checkReturnForm(built, places[0], '1', ''))).toBe('Say why it goes back');
    const ok = checkReturnForm(built, places[0], '', 'Left over');
    expect(ok.check).toMatchObject({ ok: true, value: { workOrderId: 'WO-1', operationId: 'OP20', material: { kind: 'lot', lotId: 'L-8', quantity: 4 }, reason: 'Left over' } });
    expect(moveBlocker(plant, { kind: 'lot', lot: lot('L-8') }, 'return')).toBe('Nothing of L-8 is built in anywhere this station knows');
  });

  it('says each move in words', () => {
    expect(describeMove({ type: 'lot.split', payload: { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-8-A', quantity: 60 }, { kind: 'lot', lotId: 'L-8-B', quantity: 40 }] } })).toBe('Split lot L-8: 60 into L-8-A, 40 into L-8-B');
    expect(describeMove({ type: 'lot.merged', payload: { sources: [{ kind: 'lot', lotId: 'L-8', quantity: 10 }, { kind: 'lot', lotId: 'L-8-LOW', quantity: 3 }], into: { kind: 'lot', lotId: 'L-8-M', partNumber: 'P-8' } } })).toBe('Merged 10 of L-8 and 3 of L-8-LOW into lot L-8-M');
    expect(describeMove({ type: 'lot.repacked', payload: { lot: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8' }, into: { kind: 'lot', lotId: 'L-8-BAG', quantity: 20 } } })).toBe('Repacked 20 of lot L-8 as lot L-8-BAG');
    expect(describeMove({ type: 'unit.scrapped', payload: { item: { kind: 'serial', serial: 'BRG-2', partNumber: 'P-9' }, reason: 'Dropped' } })).toBe('Scrapped serial BRG-2: Dropped');
    expect(describeMove({ type: 'material.returned', payload: { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, consumedEventId: 'e1', material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 2 }, reason: 'Left over' } })).toBe('Returned 2 of lot L-8 from SN-1 at OP20 of WO-1: Left over');
  });
});
