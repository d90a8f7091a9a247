import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../schemas/audit-entry.ts';
import { describeSubjectKey, entrySubjects, parseSubject } from '../../../src/audit/subjects.ts';
import { trailQuery } from '../../../sync-server/audit/trail-query.ts';
import { plantAfter } from '../domain/fixture.ts';

const receipt = (type: string, payload: Record<string, unknown>, unit?: string): AuditEntry => ({
  index: 1, kind: 'receipt', recordedAt: '2026-12-03T08:00:00.000Z', keyId: '00000000', eventType: type,
  ...(unit === undefined ? {} : { unit }), event: { id: 'e', type, payload },
});

describe('trail subjects of an entry', () => {
  it('a consumption belongs to its unit, its work order, the lot consumed and its part (sorted)', () => {
    const entry = receipt('material.consumed', {
      workOrderId: 'WO-1001', operationId: 'OP10', unit: { kind: 'serial', serial: 'SN-1001-03' }, material: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 1 },
    }, 'serial:SN-1001-03');
    expect(entrySubjects(entry)).toEqual(['lot:L-920-A', 'part:P-920', 'serial:SN-1001-03', 'work-order:WO-1001']);
  });

  it('a serialized component consumed belongs to that serial too; a hold on a work order to the work order', () => {
    expect(entrySubjects(receipt('material.consumed', { workOrderId: 'WO-1', unit: { kind: 'serial', serial: 'SN-1' }, material: { kind: 'serial', serial: 'BRG-1', partNumber: 'P-9' } })))
      .toEqual(['part:P-9', 'serial:BRG-1', 'serial:SN-1', 'work-order:WO-1']);
    expect(entrySubjects(receipt('hold.placed', { holdId: 'H-1', subject: { kind: 'workOrder', workOrderId: 'WO-7' }, reason: 'x' }))).toEqual(['work-order:WO-7']);
  });

  it('a split, merge, scrap or return belongs to every lot and serial it names (genealogy chains)', () => {
    expect(entrySubjects(receipt('lot.split', { lot: { kind: 'lot', lotId: 'L-1', partNumber: 'P-8' }, children: [{ kind: 'lot', lotId: 'L-1A', quantity: 2 }, { kind: 'lot', lotId: 'L-1B', quantity: 3 }] })))
      .toEqual(['lot:L-1', 'lot:L-1A', 'lot:L-1B', 'part:P-8']);
    expect(entrySubjects(receipt('lot.merged', { sources: [{ kind: 'lot', lotId: 'L-1', quantity: 1 }, { kind: 'lot', lotId: 'L-2', quantity: 1 }], into: { kind: 'lot', lotId: 'L-M', partNumber: 'P-8' } })))
      .toEqual(['lot:L-1', 'lot:L-2', 'lot:L-M', 'part:P-8']);
    expect(entrySubjects(receipt('unit.scrapped', { item: { kind: 'serial', serial: 'BRG-6', partNumber: 'P-9' }, reason: 'Dropped' }))).toEqual(['part:P-9', 'serial:BRG-6']);
    expect(entrySubjects(receipt('material.returned', { workOrderId: 'WO-1', operationId: 'OP20', unit: { kind: 'serial', serial: 'SN-1' }, consumedEventId: 'e0', material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 2 }, reason: 'x' })))
      .toEqual(['lot:L-8', 'part:P-8', 'serial:SN-1', 'work-order:WO-1']);
  });

  it('a release belongs to the unit the server filed it under; system entries and unreadable events to their unit only', () => {
    expect(entrySubjects(receipt('hold.released', { holdId: 'H-1' }, 'serial:SN-2'))).toEqual(['serial:SN-2']);
    expect(entrySubjects({ kind: 'station.enrolled' })).toEqual([]);
    expect(entrySubjects({ kind: 'receipt', unit: 'lot:L-1', event: { sha256: 'abc', bytes: 99999 } })).toEqual(['lot:L-1']);
  });

  it('reads and words subject keys', () => {
    expect(parseSubject('work-order:WO-1001')).toEqual({ kind: 'workOrder', id: 'WO-1001' });
    expect(parseSubject('work-order:')).toBeNull();
    expect(describeSubjectKey('work-order:WO-1001')).toBe('work order WO-1001');
    expect(describeSubjectKey('lot:L-920-A')).toBe('lot L-920-A');
  });
});

describe('a look-up as typed', () => {
  const plant = plantAfter();
  const wo = [...plant.workOrders.values()][0]!;
  const unit = wo.units[0]!;
  const unitId = unit.kind === 'serial' ? unit.serial : unit.lotId;

  it('matches serials, work orders and parts without regard to case', () => {
    expect(trailQuery(plant, unitId.toLowerCase()).subjects).toContain(`${unit.kind}:${unitId}`);
    expect(trailQuery(plant, ` ${wo.id.toLowerCase()} `).subjects).toEqual([`work-order:${wo.id}`]);
    const part = trailQuery(plant, wo.partNumber.toLowerCase());
    expect(part.part).toBe(wo.partNumber);
    expect(part.subjects).toContain(`work-order:${wo.id}`);
  });

  it('looks up what the plant does not know as typed and in capitals, and names nothing for nothing', () => {
    expect(trailQuery(plant, 'brg-1').subjects).toEqual(['serial:BRG-1']);
    expect(trailQuery(plant, 'xyz-9').subjects).toEqual(['lot:XYZ-9', 'lot:xyz-9', 'part:XYZ-9', 'part:xyz-9', 'serial:XYZ-9', 'serial:xyz-9', 'work-order:XYZ-9', 'work-order:xyz-9']);
    expect(trailQuery(plant, '  ')).toEqual({ subjects: [] });
  });

  it('answers an identifier the station may not see as one the plant does not know', () => {
    const hidden = trailQuery(plant, wo.id.toLowerCase(), () => false);
    expect(hidden.part).toBeUndefined();
    expect(hidden.subjects).toEqual([`lot:${wo.id}`, `lot:${wo.id.toLowerCase()}`, `part:${wo.id}`, `part:${wo.id.toLowerCase()}`, `serial:${wo.id}`, `serial:${wo.id.toLowerCase()}`, `work-order:${wo.id}`, `work-order:${wo.id.toLowerCase()}`].sort());
  });
});
