import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../schemas/audit-entry.ts';
import { entrySummary, entryTitle } from '../../../src/features/audit/describe-entry.ts';
import { plantAfter } from '../domain/fixture.ts';

const EVENT = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const receipt = (type: string, payload: Record<string, unknown>): AuditEntry => ({
  index: 3, kind: 'receipt', recordedAt: '2026-12-03T08:00:00.000Z', keyId: '00000000', eventType: type, eventId: EVENT, event: { id: EVENT, type, payload },
});
const SN1 = { kind: 'serial', serial: 'SN-1' };

describe('an audit entry in words', () => {
  it('names the lot and quantity a consumption recorded', () => {
    const entry = receipt('material.consumed', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId: 'L-8', partNumber: 'P-8', quantity: 4 }, scanned: 'L-8' });
    expect(entryTitle(entry)).toBe('Material consumed: OP20');
    expect(entrySummary(entry)).toBe('Lot L-8 (P-8), quantity 4, built into SN-1 of WO-1 at OP20');
  });

  it('gives a measurement its value, the limits from the plant, and the verdict', () => {
    const entry = receipt('measurement.recorded', {
      workOrderId: 'WO-1', operationId: 'OP30', unit: SN1, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'A',
      measured: { kind: 'variable', entered: { value: 0.5005, unit: 'in', text: '0.5005' }, value: 12.7127, unit: 'mm' }, result: 'pass', gaugeId: 'G-17',
    });
    expect(entrySummary(entry, plantAfter())).toBe('C1 Bore diameter: 0.5005 in = 12.713 mm (limits 12.7 +0.02/−0.02 mm) PASS on SN-1 of WO-1, gauge G-17');
    // Without the plant, the value and verdict still.
    expect(entrySummary(entry)).toBe('C1: 0.5005 in = 12.713 mm PASS on SN-1 of WO-1, gauge G-17');
  });

  it('gives a hold its short id and reason, and a conflict decision in words', () => {
    expect(entrySummary(receipt('hold.placed', { holdId: `H-${EVENT}`, subject: SN1, reason: 'Porosity suspected' }))).toBe('Hold H-Q3YJJV on SN-1: Porosity suspected');
    expect(entrySummary(receipt('conflict.resolved', { conflictId: `conflict-${EVENT}`, action: 'void', signature: {} }))).toBe('Conflict C-Q3YJJV voided');
    expect(entryTitle(receipt('op.completed', { operationId: 'OP10' }))).toBe('Operation completed: OP10');
    expect(entryTitle({ index: 0, kind: 'log.created', recordedAt: '2026-12-03T08:00:00.000Z', keyId: '00000000' })).toBe('Audit log created');
  });

  it('says an NCR, its signed disposition and its rework in words, with the NCR\'s short id', () => {
    const opened = receipt('ncr.opened', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: SN1, quantity: 1 }, { itemId: '2', unit: { kind: 'lot', lotId: 'L-8' }, quantity: 3 }], description: 'Burrs on the bore' });
    expect(entryTitle(opened)).toBe('Nonconformance opened');
    expect(entrySummary(opened)).toBe('NCR-Q3YJJV on SN-1, 3 of lot L-8 of WO-1: Burrs on the bore');
    const signed = { signerBadge: 'B-Q', printedName: 'Quinn Lee', meaning: 'dispositioned: use as is', reason: 'ok', signedAt: '2026-12-03T08:00:00.000Z', components: 'badge+pin' };
    const dispositioned = receipt('ncr.dispositioned', {
      ncrId: `NCR-${EVENT}`, itemId: '1', workOrderId: 'WO-1', unit: SN1, disposition: 'use-as-is', quantity: 1, customerApprovalRef: 'CA-1',
      signature: signed, concurrence: { ...signed, signerBadge: 'B-ENG', printedName: 'Rosa Lindqvist', meaning: 'engineering concurrence: use as is' },
    });
    expect(entrySummary(dispositioned)).toBe('NCR-Q3YJJV: SN-1 of WO-1 dispositioned use as is, engineering concurrence by Rosa Lindqvist, customer approval CA-1');
    expect(entrySummary(receipt('ncr.rework-recorded', { ncrId: `NCR-${EVENT}`, itemId: '1', workOrderId: 'WO-1', unit: SN1, note: 'Deburred' }))).toBe('NCR-Q3YJJV: rework of SN-1 of WO-1 recorded: Deburred');
  });
});
