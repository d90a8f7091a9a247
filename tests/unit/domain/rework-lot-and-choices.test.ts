/**
 * Issue 15, the parts of rework that the screens ask the domain for (src/domain/rework.ts): a partial
 * rework of a lot told apart from the rest by the inserted operations' names; which characteristics a
 * disposition may add to the re-inspection; and the operation (so the work center) an NCR is about,
 * for one opened by hand, by a reading, or from work under a hold (C2).
 */
import { describe, expect, it } from 'vitest';
import type { Signature } from '../../../schemas/common.ts';
import { CONCURRENCE_MEANINGS, DISPOSITION_MEANINGS, itemsOf, ncrLabel } from '../../../src/domain/ncr.ts';
import type { Disposition } from '../../../src/domain/ncr.ts';
import { reduceEvents } from '../../../src/domain/plant.ts';
import { decideBatch } from '../../../src/domain/decide.ts';
import { insertedOperationsOn, ncrOperation, reinspectionChoices } from '../../../src/domain/rework.ts';
import { checkStart, travelerOf, travelerRows } from '../../../src/domain/traveler.ts';
import { AT, SN1, completed, event, fixturePlant, started } from './fixture.ts';

const LOT = { kind: 'lot', lotId: 'LOT-2' } as const;

const sig = (meaning: Signature['meaning'], signerBadge = 'B-Q', printedName = 'Quinn Lee') =>
  ({ signerBadge, printedName, meaning, reason: 'MRB', signedAt: AT.toISOString(), components: 'badge+pin' }) as const;

function dispose(ncrId: string, workOrderId: string, unit: typeof LOT | typeof SN1, disposition: Disposition, quantity: number, extra: { reinspect?: string[]; operationId?: string } = {}) {
  return event('ncr.dispositioned', 'B-Q', {
    ncrId, itemId: '1', workOrderId, unit, disposition, quantity, signature: sig(DISPOSITION_MEANINGS[disposition]),
    ...(disposition === 'use-as-is' || disposition === 'repair' ? { concurrence: sig(CONCURRENCE_MEANINGS[disposition], 'B-ENG', 'Rosa Lindqvist') } : {}),
    ...extra,
  });
}

const bore = (operationId: string, value: number) =>
  event('measurement.recorded', 'B-INS', {
    workOrderId: 'WO-1', operationId, unit: SN1, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'A',
    measured: { kind: 'variable', entered: { value, unit: 'mm', text: String(value) }, value, unit: 'mm' }, gaugeId: 'G-1', result: 'fail',
  });

describe('a partial rework of a lot', () => {
  it('reworks 3 of 5 tagged and uses 2 as is: the inserted operation says "3 of lot LOT-2" on the traveler and in the stop; done, the NCR closes with both quantities', () => {
    const tag = event('ncr.opened', 'B-OP', { workOrderId: 'WO-2', operationId: 'OP10', items: [{ itemId: '1', unit: LOT, quantity: 5 }], description: 'Burrs on 5 brackets' });
    const ncrId = `NCR-${tag.id}`;
    let plant = reduceEvents(fixturePlant(), [tag, dispose(ncrId, 'WO-2', LOT, 'rework', 3), dispose(ncrId, 'WO-2', LOT, 'use-as-is', 2)]);
    const label = ncrLabel(plant.nonconformances.get(ncrId)!);
    const inserted = insertedOperationsOn(plant, 'WO-2', LOT);
    // No characteristic on the cut: no re-inspection, the rework's completion carries it out.
    expect(inserted.map((i) => [i.kind, i.operation.id, i.operation.name])).toEqual([['rework', `${label}-RW1`, `Rework 1 for ${label} (3 of lot LOT-2)`]]);
    const traveler = travelerOf(plant, 'WO-2');
    if (!traveler.ok) throw new Error(traveler.message);
    expect(travelerRows(plant, traveler.value).map((r) => r.operation.name)).toContain(`Rework 1 for ${label} (3 of lot LOT-2)`);
    const stopped = checkStart(plant, { workOrderId: 'WO-2', unit: LOT, operationId: 'OP10', actor: 'B-OP', at: AT });
    expect(!stopped.ok && stopped.message).toContain(`Rework 1 for ${label} (3 of lot LOT-2)`);

    plant = reduceEvents(plant, [
      event('op.started', 'B-OP', { workOrderId: 'WO-2', operationId: `${label}-RW1`, unit: LOT, instructionRevision: 'A' }),
      event('op.completed', 'B-OP', { workOrderId: 'WO-2', operationId: `${label}-RW1`, unit: LOT, instructionRevision: 'A' }),
    ]);
    const ncr = plant.nonconformances.get(ncrId)!;
    expect(ncr.status).toBe('closed');
    // Use as is is carried out when signed; the rework by its inserted operation.
    expect(itemsOf(plant, ncr)[0]?.dispositions.map((d) => [d.disposition, d.quantity, d.carriedOut?.note ?? '—'])).toEqual([
      ['rework', 3, `Rework 1 for ${label} (3 of lot LOT-2) completed`],
      ['use-as-is', 2, '—'],
    ]);
  });

  it('a serial\'s inserted operations keep their plain names', () => {
    const fail = bore('OP30', 12.75);
    const ncrId = `NCR-${fail.id}`;
    const plant = reduceEvents(fixturePlant(), [started('OP10'), completed('OP10'), started('OP20'), completed('OP20'), started('OP30', SN1, 'B-INS'), fail, dispose(ncrId, 'WO-1', SN1, 'rework', 1, { operationId: 'OP10' })]);
    const label = ncrLabel(plant.nonconformances.get(ncrId)!);
    expect(insertedOperationsOn(plant, 'WO-1', SN1).map((i) => i.operation.name)).toEqual([`Rework 1 for ${label}`, `Re-inspection 1 for ${label}`]);
  });
});

describe('characteristics a disposition may add to the re-inspection', () => {
  it('an out-of-tolerance reading: the inspecting operation\'s characteristics, its own always in; the extra one chosen goes into the re-inspection', () => {
    const fail = bore('OP30', 12.75);
    const ncrId = `NCR-${fail.id}`;
    const history = [started('OP10'), completed('OP10'), started('OP20'), completed('OP20'), started('OP30', SN1, 'B-INS'), fail];
    const plant = reduceEvents(fixturePlant(), history);
    const ncr = plant.nonconformances.get(ncrId)!;
    const choices = reinspectionChoices(plant, ncr, SN1, 'OP10');
    expect(choices?.operation.id).toBe('OP30');
    expect(choices?.characteristics.map((c) => c.id)).toEqual(['C1', 'C2']);
    expect(choices?.fixed).toEqual(['C1']);
    const after = reduceEvents(plant, [dispose(ncrId, 'WO-1', SN1, 'rework', 1, { operationId: 'OP10', reinspect: ['C2'] })]);
    expect(insertedOperationsOn(after, 'WO-1', SN1)[1]?.operation.characteristics.map((c) => c.id)).toEqual(['C1', 'C2']);
  });

  it('a red tag at an operation with characteristics offers them, none fixed; at one without any (and reworked there) there is nothing to choose', () => {
    const atInspection = event('ncr.opened', 'B-INS', { workOrderId: 'WO-1', operationId: 'OP30', items: [{ itemId: '1', unit: SN1, quantity: 1 }], description: 'Dent' });
    const atMill = event('ncr.opened', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP10', items: [{ itemId: '1', unit: SN1, quantity: 1 }], description: 'Chatter' });
    const plant = reduceEvents(fixturePlant(), [atInspection, atMill]);
    const inspection = reinspectionChoices(plant, plant.nonconformances.get(`NCR-${atInspection.id}`)!, SN1);
    expect([inspection?.operation.id, inspection?.characteristics.map((c) => c.id), inspection?.fixed]).toEqual(['OP30', ['C1', 'C2'], []]);
    expect(reinspectionChoices(plant, plant.nonconformances.get(`NCR-${atMill.id}`)!, SN1, 'OP10')).toBeUndefined();
    // Material with no traveler has no re-inspection to choose.
    const lotTag = event('ncr.opened', 'B-OP', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'L-8' }, quantity: 5 }], description: 'Rusty screws' });
    const withLot = reduceEvents(plant, [lotTag]);
    expect(reinspectionChoices(withLot, withLot.nonconformances.get(`NCR-${lotTag.id}`)!, { kind: 'lot', lotId: 'L-8' })).toBeUndefined();
  });
});

describe('the operation an NCR is about (its work center)', () => {
  it('a red tag: the step it was opened at; a reading: its operation; work under a hold (C2): the step of the work, from its conflict item', () => {
    const tag = event('ncr.opened', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP10', items: [{ itemId: '1', unit: SN1, quantity: 1 }], description: 'Chatter' });
    const fail = bore('OP30', 12.75);
    let plant = reduceEvents(fixturePlant(), [tag, fail]);
    expect(ncrOperation(plant, plant.nonconformances.get(`NCR-${tag.id}`)!)?.workCenterId).toBe('WC-A');
    expect(ncrOperation(plant, plant.nonconformances.get(`NCR-${fail.id}`)!)?.workCenterId).toBe('WC-Q');

    // SN-2 on hold; the mill, offline, starts it anyway: C2 opens an NCR naming no operation.
    const hold = event('hold.placed', 'B-SUP', { holdId: 'H-SN2', subject: { kind: 'serial', serial: 'SN-2' }, reason: 'Suspect' });
    const underHold = event('op.started', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP10', unit: { kind: 'serial', serial: 'SN-2' }, instructionRevision: 'D' });
    plant = decideBatch(plant, { stationId: 'ST-1', lastSeq: 0 }, [hold, underHold], { pushedBy: 'ST-1', serverTime: new Date(AT.getTime() + 1000), skewMs: 0 }).state;
    const c2 = [...plant.nonconformances.values()].find((n) => n.sourceEventId === underHold.id);
    expect(c2).toBeDefined();
    expect(c2?.operationId).toBeUndefined();
    expect(ncrOperation(plant, c2!)?.id).toBe('OP10');
  });
});
