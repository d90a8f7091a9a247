/**
 * The server's conflict rules (docs/sync-spec.md C1–C13, C17), one describe per rule, run through
 * decide() exactly as the server runs them.
 */
import { describe, expect, it } from 'vitest';
import type { Signature } from '../../../../schemas/common.ts';
import type { StationEvent } from '../../../../schemas/event.ts';
import type { PlantState } from '../../../../src/domain/plant.ts';
import { decide, decideBatch } from '../../../../src/domain/decide.ts';
import { changePlant } from '../../../../src/domain/plant.ts';
import { ncrStopOn } from '../../../../src/domain/ncr.ts';
import { AT, SN1, SN2, completed, event, fixturePlant, started } from '../fixture.ts';

const SERVER_TIME = new Date(AT.getTime() + 1000);

/** The plant after the server has accepted these events, in this order. */
function serverPlant(...events: StationEvent[]): PlantState {
  return decideBatch(fixturePlant(), { stationId: 'ST-1', lastSeq: 0 }, events, { pushedBy: 'ST-1', serverTime: SERVER_TIME, skewMs: 0 }).state;
}

function decideOn(state: PlantState, e: StationEvent, options: { lastSeq?: number; skewMs?: number; pushedBy?: string } = {}) {
  return decide({
    state,
    event: e,
    station: { stationId: 'ST-1', lastSeq: options.lastSeq ?? e.seq - 1 },
    pushedBy: options.pushedBy ?? 'ST-1',
    serverTime: SERVER_TIME,
    skewMs: options.skewMs ?? 0,
  });
}

const consumeSerial = (serial: string, unit: typeof SN1 | typeof SN2 = SN1) =>
  event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit, material: { kind: 'serial', serial, partNumber: 'P-9' }, scanned: serial });
const consumeLot = (lotId: string, quantity: number, unit: typeof SN1 | typeof SN2 = SN1) =>
  event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit, material: { kind: 'lot', lotId, partNumber: 'P-8', quantity }, scanned: lotId });
const signature = (meaning: Signature['meaning'], signerBadge = 'B-SUP', printedName = 'Sam Reyes') =>
  ({ signerBadge, printedName, meaning, reason: 'Checked on the floor', signedAt: AT.toISOString(), components: 'badge+pin' }) as const;

describe('decide', () => {
  it('accepts an ordinary event and reports the views it changed', () => {
    const result = decideOn(fixturePlant(), started('OP10'));
    expect(result.decision).toMatchObject({ outcome: 'accepted', flags: [] });
    expect(result.changed).toEqual([{ kind: 'step', key: 'WO-1|serial:SN-1|OP10' }]);
  });
});

describe('[C1] duplicate completion', () => {
  it('[C1] a second completion of the same operation on the same serial is flagged, the first stays', () => {
    const first = completed('OP10', SN1, 'B-OP');
    const plant = serverPlant(started('OP10'), first);
    const second = completed('OP10', SN1, 'B-SUP');
    const result = decideOn(plant, second);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['duplicate-completion'] });
    expect(result.state.steps.get('WO-1|serial:SN-1|OP10')?.completed?.eventId).toBe(first.id);
    expect(result.state.conflicts.get(`CF-${second.id}-duplicate-completion`)).toMatchObject({ status: 'open', relatedEventIds: [first.id], stepKey: 'WO-1|serial:SN-1|OP10' });
  });
});

describe('[C2] executed under hold', () => {
  it('[C2] work recorded on a held unit is kept, flagged, the hold stays and an NCR draft opens', () => {
    const plant = serverPlant(event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }));
    const work = started('OP10');
    const result = decideOn(plant, work);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['executed-under-hold'] });
    expect(result.state.steps.get('WO-1|serial:SN-1|OP10')?.started?.eventId).toBe(work.id);
    expect(result.state.holds.get('H-1')?.status).toBe('active');
    expect(result.state.nonconformances.get(`NCR-${work.id}`)).toMatchObject({ status: 'open', subject: SN1 });
  });

  it('[C2] a hold on the whole work order covers its units', () => {
    const plant = serverPlant(event('hold.placed', 'B-Q', { holdId: 'H-WO', subject: { kind: 'workOrder', workOrderId: 'WO-1' }, reason: 'Customer stop' }));
    expect(decideOn(plant, started('OP10', SN2)).decision.flags).toEqual(['executed-under-hold']);
  });
});

describe('[C3] out of tolerance', () => {
  it('[C3] a failing measurement is recorded as measured, holds the unit and drafts an NCR', () => {
    const plant = serverPlant(started('OP10'), completed('OP10'), started('OP20'), consumeSerial('BRG-1'), consumeLot('L-8', 4), completed('OP20'), started('OP30', SN1, 'B-INS'));
    const measured = event('measurement.recorded', 'B-INS', {
      workOrderId: 'WO-1', operationId: 'OP30', unit: SN1, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'A',
      measured: { kind: 'variable', entered: { value: 12.75, unit: 'mm', text: '12.75' }, value: 12.75, unit: 'mm' }, gaugeId: 'G-1', result: 'fail',
    });
    const result = decideOn(plant, measured);
    expect(result.decision.outcome).toBe('accepted');
    expect(result.decision.findings.map((f) => f.rule)).toContain('C3');
    expect(result.state.holds.get(`H-${measured.id}`)?.status).toBe('active');
    expect(result.state.nonconformances.get(`NCR-${measured.id}`)?.status).toBe('open');
  });

  it('[C3] the server judges the value itself, whatever verdict the station sent', () => {
    const plant = serverPlant(started('OP10'), completed('OP10'), started('OP20'), consumeSerial('BRG-1'), consumeLot('L-8', 4), completed('OP20'), started('OP30', SN1, 'B-INS'));
    const lying = event('measurement.recorded', 'B-INS', {
      workOrderId: 'WO-1', operationId: 'OP30', unit: SN1, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'A',
      measured: { kind: 'variable', entered: { value: 13, unit: 'mm', text: '13' }, value: 13, unit: 'mm' }, gaugeId: 'G-1', result: 'pass',
    });
    expect(decideOn(plant, lying).state.holds.get(`H-${lying.id}`)?.status).toBe('active');
  });
});

describe('[C4] stale revision', () => {
  function revised(plant: PlantState, effectiveFrom: string): PlantState {
    return changePlant(plant, (draft) => {
      const routing = draft.routings.get('P-1@C');
      if (routing === undefined) throw new Error('fixture changed');
      draft.routings.set('P-1@C', {
        ...routing,
        operations: routing.operations.map((op) => (op.id === 'OP10' ? { ...op, instruction: { ...op.instruction, revision: 'E', effectiveFrom } } : op)),
      });
    }).state;
  }

  it('[C4] work to an instruction revision superseded before it was done is flagged', () => {
    const plant = revised(fixturePlant(), '2026-11-21T09:00:00Z');
    const work = event('op.started', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP10', unit: SN1, instructionRevision: 'D' });
    const result = decideOn(plant, work);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['stale-revision'] });
    expect(result.decision.reason).toContain('WI-10 rev D (current rev E)');
  });

  it('[C4] work done before the new revision took effect is not stale, even if it arrives after', () => {
    const plant = revised(fixturePlant(), '2026-11-21T11:00:00Z');
    const work = event('op.started', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP10', unit: SN1, instructionRevision: 'D' });
    expect(decideOn(plant, work).decision.flags).toEqual([]);
  });
});

describe('[C5] over-consumption', () => {
  it('[C5] a lot consumed beyond what remains is recorded, flagged and the lot held', () => {
    const plant = serverPlant(started('OP10'), completed('OP10'), started('OP20'));
    const over = consumeLot('L-8-LOW', 4);
    const result = decideOn(plant, over);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['over-consumption'] });
    expect(result.state.lots.get('L-8-LOW')?.remaining).toBe(-1);
    expect(result.state.holds.get(`H-${over.id}`)).toMatchObject({ status: 'active', subject: { kind: 'lot', lotId: 'L-8-LOW' } });
    expect(result.state.nonconformances.get(`NCR-${over.id}`)).toMatchObject({
      status: 'open', workOrderId: 'WO-1', operationId: 'OP20', holdId: `H-${over.id}`, items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'L-8-LOW' }, quantity: 3, dispositions: [] }],
    });
    expect(ncrStopOn(result.state, { kind: 'lot', lotId: 'L-8-LOW' })?.why).toBe('contained');
    // Scrapping what is left of the count releases the hold with the disposition's signature.
    const scrap = event('ncr.dispositioned', 'B-Q', {
      ncrId: `NCR-${over.id}`, itemId: '1', workOrderId: 'WO-1', unit: { kind: 'lot', lotId: 'L-8-LOW' }, disposition: 'scrap', quantity: 3,
      signature: { signerBadge: 'B-Q', printedName: 'Quinn Lee', meaning: 'dispositioned: scrap', reason: 'Recounted: bin empty', signedAt: AT.toISOString(), components: 'badge+pin' },
    });
    const after = decideOn(result.state, scrap);
    expect(after.decision.outcome).toBe('accepted');
    expect(after.state.nonconformances.get(`NCR-${over.id}`)?.status).toBe('closed');
    expect(after.state.holds.get(`H-${over.id}`)?.status).toBe('released');
  });
});

describe('[C6] double consumption', () => {
  it('[C6] one serial consumed into two assemblies: the first keeps it, both assemblies are held', () => {
    const plant = serverPlant(
      started('OP10'), completed('OP10'), started('OP20'),
      started('OP10', SN2), completed('OP10', SN2), started('OP20', SN2),
    );
    const first = consumeSerial('BRG-1', SN1);
    const afterFirst = decideOn(plant, first).state;
    const second = consumeSerial('BRG-1', SN2);
    const result = decideOn(afterFirst, second);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['double-consumption'] });
    expect(result.state.serials.get('BRG-1')?.consumedInto?.eventId).toBe(first.id);
    expect(result.state.holds.get(`H-${second.id}-1`)?.subject).toEqual(SN2);
    expect(result.state.holds.get(`H-${second.id}-2`)?.subject).toEqual(SN1);
    expect(result.state.nonconformances.get(`NCR-${second.id}`)).toMatchObject({ status: 'open', workOrderId: 'WO-1', holdId: `H-${second.id}-1`, items: [{ unit: SN2, quantity: 1 }] });
    expect(result.state.nonconformances.get(`NCR-${first.id}-C6`)).toMatchObject({ status: 'open', workOrderId: 'WO-1', holdId: `H-${second.id}-2`, items: [{ unit: SN1, quantity: 1 }] });
    expect(ncrStopOn(result.state, SN1)?.ncr.ncrId).toBe(`NCR-${first.id}-C6`);
    expect(ncrStopOn(result.state, SN2)?.ncr.ncrId).toBe(`NCR-${second.id}`);
  });
});

describe('[C7] release without authority', () => {
  const held = () => serverPlant(event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }));

  it('[C7] a supervisor release with a proper signature is accepted and clears the hold', () => {
    const release = event('hold.released', 'B-SUP', { holdId: 'H-1', signature: signature('released for further processing') });
    const result = decideOn(held(), release);
    expect(result.decision.outcome).toBe('accepted');
    expect(result.state.holds.get('H-1')?.status).toBe('released');
  });

  it('[C7] an operator release is refused into quarantine and the hold stays', () => {
    const release = event('hold.released', 'B-OP', { holdId: 'H-1', signature: signature('released for further processing', 'B-OP', 'Ana Ortiz') });
    const result = decideOn(held(), release);
    expect(result.decision).toMatchObject({ outcome: 'rejected', flags: ['security:unauthorized-release'] });
    expect(result.decision.reason).toContain('only a supervisor or quality may sign this');
    expect(result.state.holds.get('H-1')?.status).toBe('active');
  });

  it('[C7] a signature copied from another person or with the wrong meaning is refused', () => {
    const copied = event('hold.released', 'B-SUP', { holdId: 'H-1', signature: signature('released for further processing', 'B-Q', 'Quinn Lee') });
    expect(decideOn(held(), copied).decision.outcome).toBe('rejected');
    const wrongMeaning = event('hold.released', 'B-SUP', { holdId: 'H-1', signature: signature('reviewed: voided') });
    expect(decideOn(held(), wrongMeaning).decision.reason).toContain('does not match the action');
  });
});

describe('[C8] a release clears only the hold it names', () => {
  it('[C8] releasing H leaves H2, placed meanwhile, in force', () => {
    const plant = serverPlant(
      event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }),
      event('hold.placed', 'B-Q', { holdId: 'H-2', subject: SN1, reason: 'Second finding' }),
    );
    const result = decideOn(plant, event('hold.released', 'B-SUP', { holdId: 'H-1', signature: signature('released for further processing') }));
    expect(result.decision.outcome).toBe('accepted');
    expect(result.decision.findings.find((f) => f.rule === 'C8')?.description).toContain('leaves H-2 in force');
    expect(result.state.holds.get('H-2')?.status).toBe('active');
  });

  it('[C8] a second release of the same hold is recorded and flagged; an unknown hold is refused', () => {
    const release = () => event('hold.released', 'B-SUP', { holdId: 'H-1', signature: signature('released for further processing') });
    const plant = serverPlant(event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }), release());
    expect(decideOn(plant, release()).decision).toMatchObject({ outcome: 'flagged', flags: ['release-not-active'] });
    const unknown = event('hold.released', 'B-SUP', { holdId: 'H-404', signature: signature('released for further processing') });
    expect(decideOn(plant, unknown).decision.outcome).toBe('rejected');
  });
});

describe('[C9] unqualified operator', () => {
  it('[C9] work by an operator whose qualification had expired at event time is recorded and flagged', () => {
    const result = decideOn(fixturePlant(), started('OP10', SN1, 'B-EXP'));
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['unqualified-operator'] });
    expect(result.decision.reason).toContain('expired on 2025-06-30');
  });
});

describe('[C10] missing events', () => {
  it('[C10] a gap in the station sequence is flagged once per station and the event recorded', () => {
    const gapped = started('OP10');
    const result = decideOn(fixturePlant(), gapped, { lastSeq: gapped.seq - 3 });
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['missing-events'] });
    expect(result.state.conflicts.get('CF-ST-1-missing-events')?.status).toBe('open');
  });

  it('[C10] names the station by the name plant IT gave it, not its id', () => {
    const gapped = started('OP10');
    const result = decide({ state: fixturePlant(), event: gapped, station: { stationId: 'ST-1', stationName: 'Mill B', lastSeq: gapped.seq - 3 }, pushedBy: 'ST-1', serverTime: SERVER_TIME, skewMs: 0 });
    expect(result.decision.reason).toMatch(/^Station Mill B sent event \d+ but events \d+–\d+ have not arrived/);
  });
});

describe('[C11] clock skew', () => {
  it('[C11] a station clock an hour behind is flagged, nothing refused', () => {
    const result = decideOn(fixturePlant(), started('OP10'), { skewMs: 60 * 60 * 1000 });
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['clock-skew'] });
    expect(result.decision.reason).toContain('behind the server by about 60 min');
  });

  it('[C11] drift within five minutes is not flagged', () => {
    expect(decideOn(fixturePlant(), started('OP10'), { skewMs: 4 * 60 * 1000 }).decision.flags).toEqual([]);
  });
});

describe('[C12] station mismatch', () => {
  it('[C12] an event claiming another station than the credential that pushed it is refused', () => {
    const result = decideOn(fixturePlant(), started('OP10'), { pushedBy: 'ST-OTHER' });
    expect(result.decision).toMatchObject({ outcome: 'rejected', flags: ['security:station-mismatch'] });
  });
});

describe('[C13] unknown reference', () => {
  it('[C13] an event about a work order or unit the server does not have is refused, changing nothing', () => {
    const ghost = event('op.started', 'B-OP', { workOrderId: 'WO-404', operationId: 'OP10', unit: SN1, instructionRevision: 'D' });
    const result = decideOn(fixturePlant(), ghost);
    expect(result.decision.outcome).toBe('rejected');
    expect(result.changed).toEqual([]);
    const wrongUnit = event('op.started', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP10', unit: { kind: 'serial', serial: 'SN-404' }, instructionRevision: 'D' });
    expect(decideOn(fixturePlant(), wrongUnit).decision.reason).toBe('SN-404 is not a unit of WO-1');
  });

  it('[C13] a hold on a work order, serial or lot the server does not have is refused; one on a unit it has is placed', () => {
    const hold = (subject: Parameters<typeof event<'hold.placed'>>[2]['subject']) => event('hold.placed', 'B-Q', { holdId: 'H-9', subject, reason: 'Suspect' });
    for (const [subject, name] of [[{ kind: 'workOrder', workOrderId: 'WO-404' }, 'work order WO-404'], [{ kind: 'serial', serial: 'SN-404' }, 'serial SN-404'], [{ kind: 'lot', lotId: 'LOT-404' }, 'lot LOT-404']] as const) {
      const result = decideOn(fixturePlant(), hold(subject));
      expect(result.decision).toMatchObject({ outcome: 'rejected', flags: [], reason: `hold.placed names ${name}, which the server does not have` });
      expect(result.changed).toEqual([]);
    }
    expect(decideOn(fixturePlant(), hold(SN1)).decision.outcome).toBe('accepted');
  });

  it('[C13] a resolution of a conflict item the server does not have is refused', () => {
    const resolution = event('conflict.resolved', 'B-SUP', { conflictId: 'CF-404', action: 'accept', signature: signature('reviewed: accepted as recorded') });
    expect(decideOn(fixturePlant(), resolution).decision).toMatchObject({ outcome: 'rejected', flags: [], reason: 'conflict.resolved names conflict item CF-404, which the server does not have' });
  });
});

describe('conflict resolution', () => {
  it('voiding a duplicate completion takes it back from the traveler and records the signature', () => {
    const plant = serverPlant(started('OP10'));
    const only = completed('OP10', SN1, 'B-OP');
    const flaggedPlant = decideOn(plant, only, { skewMs: 60 * 60 * 1000 }).state;
    const conflictId = 'CF-ST-1-clock-skew';
    expect(flaggedPlant.conflicts.get(conflictId)?.status).toBe('open');
    const resolution = event('conflict.resolved', 'B-SUP', { conflictId, action: 'accept', signature: signature('reviewed: accepted as recorded') });
    const result = decideOn(flaggedPlant, resolution);
    expect(result.decision.outcome).toBe('accepted');
    expect(result.state.conflicts.get(conflictId)).toMatchObject({ status: 'resolved', resolution: { action: 'accept', signature: { printedName: 'Sam Reyes' } } });
  });

  it('voiding a flagged consumption gives the material back', () => {
    const plant = serverPlant(started('OP10'), completed('OP10'), started('OP20'), event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }));
    const consumption = consumeLot('L-8', 4);
    const flagged = decideOn(plant, consumption).state;
    expect(flagged.lots.get('L-8')?.remaining).toBe(96);
    const voiding = event('conflict.resolved', 'B-SUP', { conflictId: `CF-${consumption.id}-executed-under-hold`, action: 'void', signature: signature('reviewed: voided') });
    const result = decideOn(flagged, voiding);
    expect(result.state.lots.get('L-8')?.remaining).toBe(100);
    expect(result.state.consumptions.get('WO-1|serial:SN-1|OP20')).toEqual([]);
  });

  it('an inspector cannot resolve a conflict', () => {
    const plant = decideOn(fixturePlant(), started('OP10', SN1, 'B-EXP')).state;
    const conflictId = [...plant.conflicts.keys()][0] ?? '';
    const resolution = event('conflict.resolved', 'B-INS', { conflictId, action: 'accept', signature: signature('reviewed: accepted as recorded', 'B-INS', 'Ines Park') });
    expect(decideOn(plant, resolution).decision.outcome).toBe('rejected');
  });
});

/** The event as another station recorded and pushed it. */
function decideFrom(stationId: string, state: PlantState, e: StationEvent) {
  const moved = { ...e, stationId, hlc: e.hlc.replace(/ST-1$/, stationId) };
  return {
    event: moved,
    ...decide({ state, event: moved, station: { stationId, lastSeq: e.seq - 1 }, pushedBy: stationId, serverTime: SERVER_TIME, skewMs: 0 }),
  };
}

describe('[C17] material beyond the bill', () => {
  const OP20 = 'WO-1|serial:SN-1|OP20';
  // OP20's bill calls for 4 × P-8 on each unit.
  const ready = () => serverPlant(started('OP10'), completed('OP10'), started('OP20'));

  it('[C17] material built in by two stations beyond what the bill calls for is recorded and flagged', () => {
    const first = consumeLot('L-8', 4);
    const afterFirst = decideOn(ready(), first);
    expect(afterFirst.decision).toMatchObject({ outcome: 'accepted', flags: [] });
    const second = decideFrom('ST-2', afterFirst.state, consumeLot('L-8', 4));
    expect(second.decision).toMatchObject({ outcome: 'flagged', flags: ['beyond-bill'] });
    expect(second.decision.reason).toContain('calls for 4 × P-8; 4 already built in');
    expect(second.state.lots.get('L-8')?.remaining).toBe(92);
    expect(second.state.conflicts.get(`CF-${second.event.id}-beyond-bill`)).toMatchObject({
      status: 'open',
      stationId: 'ST-2',
      relatedEventIds: [first.id],
      subject: SN1,
      stepKey: OP20,
    });
  });

  it('[C17] a part the bill does not call for, recorded by a station that did not know, is kept and flagged for a deviation', () => {
    const offBill = event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId: 'LOT-2', partNumber: 'P-2', quantity: 1 }, scanned: 'LOT-2' });
    const result = decideOn(ready(), offBill);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['beyond-bill'] });
    expect(result.decision.reason).toBe('OP20 on SN-1 does not call for P-2; B-OP consumed 1 × P-2 from lot LOT-2 (a substitution needs an authorized deviation)');
    expect(result.state.lots.get('LOT-2')?.remaining).toBe(9);
  });

  it('[C17] the bill met in parts, or the same part on another unit, is not flagged', () => {
    const half = decideOn(ready(), consumeLot('L-8', 2)).state;
    expect(decideFrom('ST-2', half, consumeLot('L-8', 2)).decision.flags).toEqual([]);
    const other = serverPlant(started('OP10'), completed('OP10'), started('OP20'), started('OP10', SN2), completed('OP10', SN2), started('OP20', SN2));
    const onOne = decideOn(other, consumeLot('L-8', 4)).state;
    expect(decideFrom('ST-2', onOne, consumeLot('L-8', 4, SN2)).decision.flags).toEqual([]);
  });

  it('[C17] voiding the item under signature takes the extra consumption back and returns it to its lot', () => {
    const first = consumeLot('L-8', 4);
    const extra = decideFrom('ST-2', decideOn(ready(), first).state, consumeLot('L-8', 4));
    const voiding = event('conflict.resolved', 'B-SUP', { conflictId: `CF-${extra.event.id}-beyond-bill`, action: 'void', signature: signature('reviewed: voided') });
    const result = decideOn(extra.state, voiding);
    expect(result.decision.outcome).toBe('accepted');
    expect(result.state.lots.get('L-8')?.remaining).toBe(96);
    expect(result.state.consumptions.get(OP20)?.map((c) => c.eventId)).toEqual([first.id]);
    expect(result.state.conflicts.get(`CF-${extra.event.id}-beyond-bill`)).toMatchObject({ status: 'resolved', resolution: { action: 'void', eventId: voiding.id } });
  });

  it('[C1][C17] voiding a duplicate completion also voids the material its station recorded on the step, and closes its beyond-bill item', () => {
    const plant = serverPlant(started('OP10'), completed('OP10'), started('OP20', SN1, 'B-SUP'));
    // The online station (ST-1) builds the bill in and completes; the offline one (ST-2) does the same.
    const first = consumeLot('L-8', 4);
    const serial = consumeSerial('BRG-1');
    const done = completed('OP20');
    let state = decideOn(decideOn(decideOn(plant, first).state, serial).state, done).state;
    const extraLot = decideFrom('ST-2', state, consumeLot('L-8', 4));
    state = extraLot.state;
    const lateDone = decideFrom('ST-2', state, completed('OP20'));
    expect(lateDone.decision.flags).toEqual(['duplicate-completion']);
    state = lateDone.state;
    expect(state.lots.get('L-8')?.remaining).toBe(92);

    const voiding = event('conflict.resolved', 'B-SUP', { conflictId: `CF-${lateDone.event.id}-duplicate-completion`, action: 'void', signature: signature('reviewed: voided') });
    const result = decideOn(state, voiding);
    expect(result.decision.outcome).toBe('accepted');
    // The winner's completion and material stay; the lot gets back what ST-2 consumed.
    expect(result.state.steps.get(OP20)?.completed?.eventId).toBe(done.id);
    expect(result.state.consumptions.get(OP20)?.map((c) => c.eventId)).toEqual([first.id, serial.id]);
    expect(result.state.lots.get('L-8')?.remaining).toBe(96);
    expect(result.state.conflicts.get(`CF-${extraLot.event.id}-beyond-bill`)).toMatchObject({ status: 'resolved', resolution: { action: 'void', eventId: voiding.id } });
    expect(result.changed).toContainEqual({ kind: 'conflict', key: `CF-${extraLot.event.id}-beyond-bill` });
  });
});
