/**
 * The NCR lifecycle and its enforcement (src/domain/ncr.ts, docs/ncr.md), and the conflict rules
 * C30–C32 run through decide() exactly as the server runs them.
 */
import { describe, expect, it } from 'vitest';
import type { Signature } from '../../../schemas/common.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import type { PlantState } from '../../../src/domain/plant.ts';
import type { Disposition } from '../../../src/domain/ncr.ts';
import { decide, decideBatch } from '../../../src/domain/decide.ts';
import { checkConsume } from '../../../src/domain/material.ts';
import { CONCURRENCE_MEANINGS, DISPOSITION_MEANINGS, checkDisposition, checkOpenNcr, checkRework, concessionsOn, ncrStopOn } from '../../../src/domain/ncr.ts';
import { reduceEvents } from '../../../src/domain/plant.ts';
import { checkComplete, checkStart } from '../../../src/domain/traveler.ts';
import { AT, SN1, SN2, completed, event, fixturePlant, started } from './fixture.ts';

const SERVER_TIME = new Date(AT.getTime() + 1000);

function serverPlant(state: PlantState, ...events: StationEvent[]): PlantState {
  return decideBatch(state, { stationId: 'ST-1', lastSeq: 0 }, events, { pushedBy: 'ST-1', serverTime: SERVER_TIME, skewMs: 0 }).state;
}

function decideOn(state: PlantState, e: StationEvent) {
  return decide({ state, event: e, station: { stationId: 'ST-1', lastSeq: e.seq - 1 }, pushedBy: 'ST-1', serverTime: SERVER_TIME, skewMs: 0 });
}

const sig = (meaning: Signature['meaning'], signerBadge = 'B-Q', printedName = 'Quinn Lee') =>
  ({ signerBadge, printedName, meaning, reason: 'MRB reviewed the bore', signedAt: AT.toISOString(), components: 'badge+pin' }) as const;

function opened(items = [{ itemId: '1', unit: SN1, quantity: 1 }], actor = 'B-OP') {
  return event('ncr.opened', actor, { workOrderId: 'WO-1', operationId: 'OP10', items, description: 'Chatter marks on the face' });
}

function dispositioned(ncrId: string, disposition: Disposition, options: { actor?: string; unit?: typeof SN1 | typeof SN2 | { kind: 'lot'; lotId: string }; workOrderId?: string; itemId?: string; quantity?: number; concur?: boolean; ref?: string } = {}) {
  const actor = options.actor ?? 'B-Q';
  const names: Record<string, string> = { 'B-Q': 'Quinn Lee', 'B-SUP': 'Sam Reyes', 'B-OP': 'Ana Ortiz' };
  const concurrence = options.concur === true && (disposition === 'use-as-is' || disposition === 'repair') ? { concurrence: sig(CONCURRENCE_MEANINGS[disposition], 'B-ENG', 'Rosa Lindqvist') } : {};
  return event('ncr.dispositioned', actor, {
    ncrId,
    itemId: options.itemId ?? '1',
    workOrderId: options.workOrderId ?? 'WO-1',
    unit: options.unit ?? SN1,
    disposition,
    quantity: options.quantity ?? 1,
    ...(options.ref === undefined ? {} : { customerApprovalRef: options.ref }),
    signature: sig(DISPOSITION_MEANINGS[disposition], actor, names[actor] ?? actor),
    ...concurrence,
  });
}

const request = (operationId: string, unit: typeof SN1 | typeof SN2 = SN1) => ({ workOrderId: 'WO-1', unit, operationId, actor: 'B-OP', at: AT });

describe('NCR lifecycle', () => {
  it('a red tag opened by an operator contains the unit: start and completion are refused, naming the NCR', () => {
    const tag = opened();
    const plant = reduceEvents(fixturePlant(), [tag]);
    const ncr = plant.nonconformances.get(`NCR-${tag.id}`);
    expect(ncr).toMatchObject({ status: 'open', openedBy: 'B-OP', items: [{ itemId: '1', unit: SN1, quantity: 1, dispositions: [] }] });
    const refusal = checkStart(plant, request('OP10'));
    expect(refusal).toMatchObject({ ok: false, code: 'under-ncr' });
    expect(!refusal.ok && refusal.message).toMatch(/SN-1 is held by NCR-2026-\w{6} \(Chatter marks on the face\); quality must disposition it first/);
    expect(checkStart(plant, request('OP10', SN2)).ok).toBe(true);
    const inProgress = reduceEvents(fixturePlant(), [started('OP10'), tag]);
    expect(checkComplete(inProgress, request('OP10'))).toMatchObject({ ok: false, code: 'under-ncr' });
  });

  it('a use-as-is signed by quality with engineering concurrence lets the unit continue and shows the concession', () => {
    const tag = opened();
    const plant = reduceEvents(fixturePlant(), [tag, dispositioned(`NCR-${tag.id}`, 'use-as-is', { concur: true })]);
    expect(plant.nonconformances.get(`NCR-${tag.id}`)?.status).toBe('closed');
    expect(checkStart(plant, request('OP10')).ok).toBe(true);
    expect(concessionsOn(plant, SN1)).toHaveLength(1);
  });

  it('use as is without engineering has no effect, and the station refuses to sign it', () => {
    const tag = opened();
    const plant = reduceEvents(fixturePlant(), [tag, dispositioned(`NCR-${tag.id}`, 'use-as-is')]);
    expect(plant.nonconformances.get(`NCR-${tag.id}`)?.status).toBe('open');
    expect(checkDisposition(reduceEvents(fixturePlant(), [tag]), { ncrId: `NCR-${tag.id}`, itemId: '1', disposition: 'use-as-is', quantity: 1, signerBadge: 'B-Q', reason: 'ok' }))
      .toMatchObject({ ok: false, code: 'concurrence-required' });
  });

  it('only quality signs a disposition, and a program that requires it needs the customer reference', () => {
    const tag = opened();
    const plant = reduceEvents(fixturePlant(), [tag]);
    const base = { ncrId: `NCR-${tag.id}`, itemId: '1', quantity: 1, reason: 'MRB' } as const;
    expect(checkDisposition(plant, { ...base, disposition: 'scrap', signerBadge: 'B-SUP' })).toMatchObject({ ok: false, code: 'role-not-allowed' });
    expect(checkDisposition(plant, { ...base, disposition: 'scrap', signerBadge: 'B-Q' }).ok).toBe(true);
    const repairBy = { ...base, disposition: 'repair', signerBadge: 'B-Q', instruction: { ref: 'SRI-118', revision: 'B' } } as const;
    expect(checkDisposition(plant, { ...repairBy, concurrenceBadge: 'B-SUP' })).toMatchObject({ ok: false, code: 'role-not-allowed' });
    const wo = plant.workOrders.get('WO-1');
    if (wo === undefined) throw new Error('fixture');
    const strict = reduceEvents(fixturePlant(), [tag]);
    (strict.workOrders as Map<string, typeof wo>).set('WO-1', { ...wo, customerApprovalRequired: true });
    expect(checkDisposition(strict, { ...repairBy, concurrenceBadge: 'B-ENG' })).toMatchObject({ ok: false, code: 'customer-approval-required' });
    expect(checkDisposition(strict, { ...repairBy, concurrenceBadge: 'B-ENG', customerApprovalRef: 'CA-7731' }).ok).toBe(true);
    const applied = reduceEvents(strict, [dispositioned(`NCR-${tag.id}`, 'repair', { concur: true })]);
    expect(applied.nonconformances.get(`NCR-${tag.id}`)?.status).toBe('open');
  });

  it('rework of material (not a unit of the work order): the lot is contained until the rework is recorded; then the NCR closes', () => {
    // A unit of the work order is reworked through operations inserted in its traveler (rework.test.ts);
    // material has no traveler, so its rework is one signed record.
    const LOT = { kind: 'lot', lotId: 'L-8-LOW' } as const;
    const tag = event('ncr.opened', 'B-INS', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: LOT, quantity: 2 }], description: 'Two screws with burrs' });
    const ncrId = `NCR-${tag.id}`;
    const plant = reduceEvents(fixturePlant(), [started('OP10'), completed('OP10'), started('OP20'), tag, dispositioned(ncrId, 'rework', { unit: LOT, quantity: 2 })]);
    expect(plant.nonconformances.get(ncrId)?.status).toBe('dispositioned');
    const consume = { workOrderId: 'WO-1', unit: SN1, operationId: 'OP20', scanned: 'L-8-LOW' };
    expect(checkConsume(plant, consume)).toMatchObject({ ok: false, code: 'under-ncr' });
    expect(checkRework(plant, { ncrId, itemId: '1', note: '', actor: 'B-OP' })).toMatchObject({ ok: false, code: 'reason-required' });
    const reworked = reduceEvents(plant, [event('ncr.rework-recorded', 'B-OP', { ncrId, itemId: '1', workOrderId: 'WO-1', unit: LOT, note: 'Deburred to WI-20 rev B' })]);
    expect(reworked.nonconformances.get(ncrId)?.status).toBe('closed');
    // No longer contained: what stops it now is only that the lot has 3 of the 4 the bill needs.
    expect(checkConsume(reworked, consume)).toMatchObject({ ok: false, code: 'insufficient-quantity' });
  });

  it('scrap: the serial leaves production', () => {
    const tag = opened();
    const plant = reduceEvents(fixturePlant(), [tag, dispositioned(`NCR-${tag.id}`, 'scrap')]);
    expect(plant.nonconformances.get(`NCR-${tag.id}`)?.status).toBe('closed');
    expect(checkStart(plant, request('OP10'))).toMatchObject({ ok: false, code: 'left-production' });
  });

  it('a lot quantity: part scrapped reduces the lot, the rest contained stops consumption beyond what is free', () => {
    const tag = event('ncr.opened', 'B-INS', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'L-8-LOW' }, quantity: 2 }], description: 'Two screws with stripped threads' });
    const ncrId = `NCR-${tag.id}`;
    const before = reduceEvents(fixturePlant(), [started('OP10'), completed('OP10'), started('OP20'), tag]);
    const consume = { workOrderId: 'WO-1', unit: SN1, operationId: 'OP20', scanned: 'L-8-LOW' };
    expect(checkConsume(before, consume)).toMatchObject({ ok: false, code: 'under-ncr' });
    const after = reduceEvents(before, [dispositioned(ncrId, 'scrap', { unit: { kind: 'lot', lotId: 'L-8-LOW' }, quantity: 1 }), dispositioned(ncrId, 'return-to-supplier', { unit: { kind: 'lot', lotId: 'L-8-LOW' }, quantity: 1 })]);
    expect(after.lots.get('L-8-LOW')?.remaining).toBe(1);
    expect(after.nonconformances.get(ncrId)?.status).toBe('closed');
  });

  it('an out-of-tolerance measurement opens a real NCR; its disposition releases the NCR\'s own hold', () => {
    const fail = event('measurement.recorded', 'B-INS', {
      workOrderId: 'WO-1', operationId: 'OP30', unit: SN1, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'A',
      measured: { kind: 'variable', entered: { value: 12.75, unit: 'mm', text: '12.75' }, value: 12.75, unit: 'mm' }, gaugeId: 'G-1', result: 'fail',
    });
    const plant = reduceEvents(fixturePlant(), [fail]);
    expect(plant.nonconformances.get(`NCR-${fail.id}`)).toMatchObject({ status: 'open', holdId: `H-${fail.id}`, items: [{ unit: SN1, quantity: 1 }] });
    const after = reduceEvents(plant, [dispositioned(`NCR-${fail.id}`, 'use-as-is', { concur: true })]);
    expect(after.holds.get(`H-${fail.id}`)).toMatchObject({ status: 'released' });
  });

  it('a legacy draft (no items) contains its subject and can be dispositioned', () => {
    const plant = fixturePlant();
    (plant.nonconformances as Map<string, unknown>).set('NCR-OLD', { ncrId: 'NCR-OLD', status: 'draft', subject: SN2, workOrderId: 'WO-1', description: 'Old draft', openedBy: 'server', openedAt: AT.toISOString(), sourceEventId: 'e' });
    expect(ncrStopOn(plant, SN2)?.why).toBe('contained');
    const after = reduceEvents(plant, [dispositioned('NCR-OLD', 'scrap', { unit: SN2 })]);
    expect(after.nonconformances.get('NCR-OLD')?.status).toBe('closed');
  });

  it('opening checks the person and the items', () => {
    const plant = fixturePlant();
    expect(checkOpenNcr(plant, { workOrderId: 'WO-1', items: [{ unit: SN1, quantity: 1 }], description: ' ', actor: 'B-OP' })).toMatchObject({ ok: false, code: 'reason-required' });
    expect(checkOpenNcr(plant, { workOrderId: 'WO-1', items: [{ unit: { kind: 'serial', serial: 'NOPE' }, quantity: 1 }], description: 'x', actor: 'B-OP' })).toMatchObject({ ok: false, code: 'unknown-unit' });
    expect(checkOpenNcr(plant, { workOrderId: 'WO-1', items: [{ unit: { kind: 'lot', lotId: 'L-8-LOW' }, quantity: 9 }], description: 'x', actor: 'B-OP' })).toMatchObject({ ok: false, code: 'unknown-unit' });
    expect(checkOpenNcr(plant, { workOrderId: 'WO-1', items: [{ unit: SN1, quantity: 1 }], description: 'Burr', actor: 'B-INS' }).ok).toBe(true);
  });
});

describe('[C13] NCR events about what the server does not have', () => {
  it('[C13] a disposition of an unknown NCR, item or quantity is refused and changes nothing', () => {
    const tag = opened();
    const plant = serverPlant(fixturePlant(), tag);
    expect(decideOn(plant, dispositioned('NCR-NOPE', 'scrap')).decision).toMatchObject({ outcome: 'rejected' });
    expect(decideOn(plant, dispositioned(`NCR-${tag.id}`, 'scrap', { itemId: '9' })).decision).toMatchObject({ outcome: 'rejected' });
    expect(decideOn(plant, dispositioned(`NCR-${tag.id}`, 'scrap', { unit: SN2 })).decision).toMatchObject({ outcome: 'rejected' });
    const tooMany = decideOn(plant, dispositioned(`NCR-${tag.id}`, 'scrap', { quantity: 2 }));
    expect(tooMany.decision).toMatchObject({ outcome: 'rejected' });
    expect(tooMany.state).toBe(plant);
    expect(decideOn(plant, event('ncr.rework-recorded', 'B-OP', { ncrId: `NCR-${tag.id}`, itemId: '1', workOrderId: 'WO-1', unit: SN1, note: 'done' })).decision.outcome).toBe('rejected');
    expect(decideOn(fixturePlant(), event('ncr.opened', 'B-OP', { workOrderId: 'WO-9', items: [{ itemId: '1', unit: SN1, quantity: 1 }], description: 'x' })).decision.outcome).toBe('rejected');
  });
});

describe('[C30] work recorded on a unit an NCR stops', () => {
  it('[C30] a start recorded offline after an NCR opened on the unit is kept and flagged worked-under-ncr', () => {
    const tag = opened();
    const plant = serverPlant(fixturePlant(), tag);
    const work = started('OP10');
    const result = decideOn(plant, work);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'] });
    expect(result.state.steps.get('WO-1|serial:SN-1|OP10')?.started?.eventId).toBe(work.id);
    expect(result.state.conflicts.get(`CF-${work.id}-worked-under-ncr`)).toMatchObject({ status: 'open', subject: SN1, relatedEventIds: [tag.id] });
  });

  it('[C30] work on a unit scrapped meanwhile is flagged; after a use-as-is it is not', () => {
    const tag = opened();
    const scrapped = serverPlant(fixturePlant(), tag, dispositioned(`NCR-${tag.id}`, 'scrap'));
    expect(decideOn(scrapped, started('OP10')).decision.flags).toEqual(['worked-under-ncr']);
    const tag2 = opened();
    const accepted = serverPlant(fixturePlant(), tag2, dispositioned(`NCR-${tag2.id}`, 'use-as-is', { concur: true }));
    expect(decideOn(accepted, started('OP10')).decision).toMatchObject({ outcome: 'accepted', flags: [] });
  });

  it('[C30] consuming a contained lot quantity is flagged', () => {
    const tag = event('ncr.opened', 'B-INS', { workOrderId: 'WO-1', items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'L-8-LOW' }, quantity: 2 }], description: 'Stripped' });
    const plant = serverPlant(fixturePlant(), started('OP10'), completed('OP10'), started('OP20'), tag);
    const consume = event('material.consumed', 'B-OP', { workOrderId: 'WO-1', operationId: 'OP20', unit: SN1, material: { kind: 'lot', lotId: 'L-8-LOW', partNumber: 'P-8', quantity: 3 }, scanned: 'L-8-LOW' });
    expect(decideOn(plant, consume).decision.flags).toContain('worked-under-ncr');
  });
});

describe('[C31] two dispositions of the same item', () => {
  it('[C31] the first in server order stands; the second is recorded without effect and flagged', () => {
    const tag = opened();
    const ncrId = `NCR-${tag.id}`;
    const first = dispositioned(ncrId, 'scrap');
    const plant = serverPlant(fixturePlant(), tag, first);
    const second = dispositioned(ncrId, 'use-as-is', { concur: true });
    const result = decideOn(plant, second);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['duplicate-disposition'] });
    expect(result.state.nonconformances.get(ncrId)?.items?.[0]?.dispositions.map((d) => d.eventId)).toEqual([first.id]);
    expect(result.state.conflicts.get(`CF-${second.id}-duplicate-disposition`)).toMatchObject({ status: 'open', relatedEventIds: [first.id] });
  });
});

describe('[C32] a disposition signed without authority', () => {
  it('[C32] a supervisor\'s disposition is recorded without effect and flagged; the unit stays contained', () => {
    const tag = opened();
    const ncrId = `NCR-${tag.id}`;
    const plant = serverPlant(fixturePlant(), tag);
    const bad = dispositioned(ncrId, 'scrap', { actor: 'B-SUP' });
    const result = decideOn(plant, bad);
    expect(result.decision).toMatchObject({ outcome: 'flagged', flags: ['unauthorized-disposition'] });
    expect(result.decision.reason).toMatch(/Sam Reyes is supervisor; the disposition must be signed by quality/);
    expect(result.state.nonconformances.get(ncrId)?.status).toBe('open');
    expect(ncrStopOn(result.state, SN1)?.why).toBe('contained');
  });

  it('[C32] use as is without engineering\'s concurrence is flagged', () => {
    const tag = opened();
    const plant = serverPlant(fixturePlant(), tag);
    expect(decideOn(plant, dispositioned(`NCR-${tag.id}`, 'use-as-is')).decision.flags).toEqual(['unauthorized-disposition']);
  });
});
