import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationRuntime } from '../../../src/station/runtime.ts';
import { hashPin } from '../../../src/auth/pin.ts';
import { allEvents, createEventRecorder } from '../../../src/db/events.ts';
import { completeOperation, consumeMaterial, dispositionNcr, openNcr, recordMeasurement, recordRework, releaseHold, resolveConflict, startOperation } from '../../../src/station/actions.ts';
import { openStationRuntime } from '../../../src/station/runtime.ts';
import { signIn } from '../../../src/station/session.ts';
import { fixtureViews } from '../domain/fixture.ts';
import { testSigner } from '../../helpers/signing.ts';
import { generateStationKey, memoryKeyStore, type KeyStore } from '../../../src/audit/station-keys.ts';
import { ncrLabel } from '../../../src/domain/ncr.ts';

let runtime: StationRuntime | null = null;
const keyStores = new Map<string, KeyStore>();

/** The station's key store, kept per station name so that a reopened station signs with the same key. */
async function enrolledKeys(name: string): Promise<KeyStore> {
  let keys = keyStores.get(name);
  if (keys === undefined) {
    keys = memoryKeyStore(await generateStationKey());
    keyStores.set(name, keys);
  }
  return keys;
}
let counter = 0;

/** A station with the fixture plant pulled, enrolled at WC-A; every badge's PIN is 1234. */
async function station(clock: { ms: number }, factory = new IDBFactory(), name = `station-${++counter}`): Promise<StationRuntime> {
  const rt = await openStationRuntime({ baseUrl: 'http://unused.invalid', db: { name, indexedDB: factory, IDBKeyRange }, keys: await enrolledKeys(name), now: () => new Date(clock.ms) });
  runtime = rt;
  if (rt.config === null) {
    const pin = await hashPin('1234', 10_000);
    const views = fixtureViews().map((doc) => (doc.kind === 'operator' ? { ...doc, data: { ...doc.data, pin } } : doc));
    await rt.db.views.bulkUpsert(views);
    await rt.setConfig({ stationId: 'ST-1', stationName: 'Mill 1', credential: 'x'.repeat(43), workCenterId: 'WC-A', idleMinutes: 10 });
    await settle(rt);
  }
  return rt;
}

/** A supervisor moves the station to another work center: it works that work center's operations. */
async function moveTo(rt: StationRuntime, workCenterId: string): Promise<void> {
  if (rt.config === null) throw new Error('station not enrolled');
  await rt.setConfig({ ...rt.config, workCenterId });
}

/** Waits until the plant store has caught up with what was written. */
async function settle(rt: StationRuntime): Promise<void> {
  for (let i = 0; i < 50 && rt.plant.get().operators.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

afterEach(async () => {
  await runtime?.close();
  runtime = null;
});

const SN1 = { kind: 'serial', serial: 'SN-1' } as const;

describe('station sign-in (offline, against the pulled roster)', () => {
  it('signs in with the right PIN and records the sign-in', async () => {
    const rt = await station({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const result = await signIn(rt, 'B-OP', '1234');
    expect(result).toMatchObject({ ok: true, session: { badge: 'B-OP', name: 'Ana Ortiz', role: 'operator' } });
    expect((await allEvents(rt.db)).map((e) => e.type)).toEqual(['session.signed-in']);
  });

  it('locks a badge on this station for 5 minutes after five wrong PINs, even with the right one', async () => {
    const clock = { ms: Date.parse('2026-11-21T08:00:00Z') };
    const rt = await station(clock);
    for (let i = 1; i <= 4; i++) expect(await signIn(rt, 'B-OP', '0000')).toMatchObject({ ok: false, message: `Wrong PIN (${i} of 5)` });
    expect(await signIn(rt, 'B-OP', '0000')).toMatchObject({ ok: false, lockedForMs: 300_000 });
    expect(await signIn(rt, 'B-OP', '1234')).toMatchObject({ ok: false, message: expect.stringContaining('locked on this station for 5 minutes') });
    expect(await signIn(rt, 'B-INS', '1234')).toMatchObject({ ok: true });
    clock.ms += 300_000;
    expect(await signIn(rt, 'B-OP', '1234')).toMatchObject({ ok: true });
  });

  it('takes a badge typed in lower case, and counts its wrong PINs with the roster spelling', async () => {
    const rt = await station({ ms: Date.parse('2026-11-21T08:00:00Z') });
    expect(await signIn(rt, 'b-op', '0000')).toMatchObject({ ok: false, message: 'Wrong PIN (1 of 5)' });
    expect(await signIn(rt, 'B-OP', '0000')).toMatchObject({ ok: false, message: 'Wrong PIN (2 of 5)' });
    expect(await signIn(rt, ' b-op ', '1234')).toMatchObject({ ok: true, session: { badge: 'B-OP', name: 'Ana Ortiz' } });
    expect((await allEvents(rt.db)).at(-1)).toMatchObject({ type: 'session.signed-in', actor: 'B-OP' });
  });

  it('refuses a badge that is not on the roster', async () => {
    const rt = await station({ ms: 0 });
    expect(await signIn(rt, 'B-404', '1234')).toMatchObject({ ok: false, message: "Badge B-404 is not on this station's roster" });
  });
});

describe('station actions', () => {
  it('records an allowed action and shows its effect; a refused one writes nothing', async () => {
    const rt = await station({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const signed = await signIn(rt, 'B-OP', '1234');
    if (!signed.ok) throw new Error(signed.message);
    const { session } = signed;
    const refused = await completeOperation(rt, session, { workOrderId: 'WO-1', unit: SN1, operationId: 'OP20' });
    expect(refused).toMatchObject({ ok: false, code: 'out-of-sequence' });
    expect(await allEvents(rt.db)).toHaveLength(1);

    expect(await startOperation(rt, session, { workOrderId: 'WO-1', unit: SN1, operationId: 'OP10' })).toMatchObject({ ok: true });
    expect(await completeOperation(rt, session, { workOrderId: 'WO-1', unit: SN1, operationId: 'OP10' })).toMatchObject({ ok: true });
    expect(rt.plant.get().steps.get('WO-1|serial:SN-1|OP10')?.completed).toBeDefined();
    expect((await allEvents(rt.db)).map((e) => `${e.seq}:${e.type}`)).toEqual(['1:session.signed-in', '2:op.started', '3:op.completed']);
  });

  it('takes an out-of-tolerance unit to hold at once, and a supervisor releases it with a signature', async () => {
    const clock = { ms: Date.parse('2026-11-21T08:00:00Z') };
    const rt = await station(clock);
    const op = await signIn(rt, 'B-OP', '1234');
    const ins = await signIn(rt, 'B-INS', '1234');
    if (!op.ok || !ins.ok) throw new Error('sign-in failed');
    const step = (operationId: string) => ({ workOrderId: 'WO-1', unit: SN1, operationId });
    const steps: Array<() => Promise<unknown>> = [
      () => startOperation(rt, op.session, step('OP10')),
      () => completeOperation(rt, op.session, step('OP10')),
      async () => {
        await moveTo(rt, 'WC-B');
        return { ok: true };
      },
      () => startOperation(rt, op.session, step('OP20')),
      () => consumeMaterial(rt, op.session, { ...step('OP20'), scanned: 'BRG-1' }),
      () => consumeMaterial(rt, op.session, { ...step('OP20'), scanned: 'L-8' }),
      () => completeOperation(rt, op.session, step('OP20')),
      async () => {
        await moveTo(rt, 'WC-Q');
        return { ok: true };
      },
      () => startOperation(rt, ins.session, step('OP30')),
    ];
    for (const run of steps) expect(await run()).toMatchObject({ ok: true });
    const measured = await recordMeasurement(rt, ins.session, { ...step('OP30'), characteristicId: 'C1', input: { kind: 'variable', text: '12.75', unit: 'mm' }, gaugeId: 'G-17' });
    if (!measured.ok) throw new Error(measured.message);
    const holdId = `H-${measured.event.id}`;
    expect(rt.plant.get().holds.get(holdId)?.status).toBe('active');
    expect(rt.plant.get().nonconformances.get(`NCR-${measured.event.id}`)?.status).toBe('open');
    expect(await completeOperation(rt, ins.session, step('OP30'))).toMatchObject({ ok: false, code: 'under-ncr' });

    expect(await releaseHold(rt, { holdId, signerBadge: 'B-INS', pin: '1234', reason: 'ok' })).toMatchObject({ ok: false, code: 'role-not-allowed' });
    expect(await releaseHold(rt, { holdId, signerBadge: 'B-SUP', pin: '9999', reason: 'ok' })).toMatchObject({ ok: false, code: 'signature-mismatch' });
    const released = await releaseHold(rt, { holdId, signerBadge: 'B-SUP', pin: '1234', reason: 'Gauge G-17 out of calibration; re-measured 12.71' });
    expect(released).toMatchObject({ ok: true, manifestation: { printedName: 'Sam Reyes', meaning: 'released for further processing', signedAt: '2026-11-21T08:00:00.000Z' } });
    expect(rt.plant.get().holds.get(holdId)?.status).toBe('released');
    const last = (await allEvents(rt.db)).at(-1);
    expect(last).toMatchObject({ type: 'hold.released', actor: 'B-SUP', payload: { holdId, signature: { reason: 'Gauge G-17 out of calibration; re-measured 12.71', components: 'badge+pin' } } });
  });

  it('records a red tag, a two-signature repair and the repair operation it inserts without the network; the unit is stopped until then', async () => {
    const rt = await station({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const op = await signIn(rt, 'B-OP', '1234');
    if (!op.ok) throw new Error(op.message);
    const target = { workOrderId: 'WO-1', unit: SN1, operationId: 'OP10' };
    const tag = await openNcr(rt, op.session, { workOrderId: 'WO-1', operationId: 'OP10', items: [{ unit: SN1, quantity: 1 }], description: 'Dent on the flange' });
    if (!tag.ok) throw new Error(tag.message);
    const ncrId = `NCR-${tag.event.id}`;
    const blocked = await startOperation(rt, op.session, target);
    expect(blocked).toMatchObject({ ok: false, code: 'under-ncr' });
    expect(!blocked.ok && blocked.message).toContain('Dent on the flange');

    const request = { ncrId, itemId: '1', disposition: 'repair', quantity: 1, signerBadge: 'B-Q', pin: '1234', reason: 'Blend per SRM 51-10', instruction: { ref: 'SRM-51-10', revision: 'C' } } as const;
    expect(await dispositionNcr(rt, { ...request, signerBadge: 'B-SUP' })).toMatchObject({ ok: false, code: 'role-not-allowed' });
    expect(await dispositionNcr(rt, request)).toMatchObject({ ok: false, code: 'concurrence-required' });
    expect(await dispositionNcr(rt, { ...request, concurrenceBadge: 'B-ENG', concurrencePin: '0000' })).toMatchObject({ ok: false, code: 'signature-mismatch' });
    const signed = await dispositionNcr(rt, { ...request, concurrenceBadge: 'B-ENG', concurrencePin: '1234' });
    expect(signed).toMatchObject({ ok: true, manifestation: { printedName: 'Quinn Lee', meaning: 'dispositioned: repair' }, concurrence: { printedName: 'Rosa Lindqvist', meaning: 'engineering concurrence: repair' } });
    expect(await startOperation(rt, op.session, target)).toMatchObject({ ok: false, code: 'rework-pending' });
    expect(await recordRework(rt, op.session, { ncrId, itemId: '1', note: 'Blended' })).toMatchObject({ ok: false, code: 'no-rework-pending' });
    // The repair is an operation inserted in SN-1's traveler (no characteristic named: no re-inspection).
    const ncr = rt.plant.get().nonconformances.get(ncrId);
    const repair = { ...target, operationId: `${ncrLabel(ncr!)}-RP1` };
    expect(await startOperation(rt, op.session, repair)).toMatchObject({ ok: true });
    expect(await completeOperation(rt, op.session, repair)).toMatchObject({ ok: true });
    expect(rt.plant.get().nonconformances.get(ncrId)?.status).toBe('closed');
    expect(await startOperation(rt, op.session, target)).toMatchObject({ ok: true });
    expect((await allEvents(rt.db)).map((e) => e.type)).toEqual(['session.signed-in', 'ncr.opened', 'ncr.dispositioned', 'op.started', 'op.completed', 'op.started']);
  });

  it('refuses an operation of another work center, naming it, and records nothing', async () => {
    const rt = await station({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const signed = await signIn(rt, 'B-OP', '1234');
    if (!signed.ok) throw new Error(signed.message);
    const step = (operationId: string) => ({ workOrderId: 'WO-1', unit: SN1, operationId });
    await startOperation(rt, signed.session, step('OP10'));
    await completeOperation(rt, signed.session, step('OP10'));
    const before = (await allEvents(rt.db)).length;
    const refused = await startOperation(rt, signed.session, step('OP20'));
    expect(refused).toMatchObject({ ok: false, code: 'wrong-work-center', message: expect.stringContaining('OP20 Assemble is done at WC-B Assembly') });
    expect(await allEvents(rt.db)).toHaveLength(before);
    await moveTo(rt, 'WC-B');
    expect(await startOperation(rt, signed.session, step('OP20'))).toMatchObject({ ok: true });
  });

  it('applies each event once, though the change stream also brings the events this tab wrote', async () => {
    const rt = await station({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const signed = await signIn(rt, 'B-OP', '1234');
    if (!signed.ok) throw new Error(signed.message);
    const step = { workOrderId: 'WO-1', unit: SN1, operationId: 'OP20' } as const;
    await startOperation(rt, signed.session, { ...step, operationId: 'OP10' });
    await completeOperation(rt, signed.session, { ...step, operationId: 'OP10' });
    await moveTo(rt, 'WC-B');
    await startOperation(rt, signed.session, step);
    expect(await consumeMaterial(rt, signed.session, { ...step, scanned: 'L-8' })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(rt.plant.get().consumptions.get('WO-1|serial:SN-1|OP20')).toHaveLength(1);
    expect(rt.plant.get().lots.get('L-8')?.remaining).toBe(96);
  });

  it('shows events another tab of the station wrote', async () => {
    const rt = await station({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const otherTab = createEventRecorder(rt.db, { signer: testSigner(), stationId: 'ST-1' });
    await otherTab.record({ type: 'op.started', actor: 'B-OP', payload: { workOrderId: 'WO-1', operationId: 'OP10', unit: SN1, instructionRevision: 'D' } });
    await until(() => rt.plant.get().steps.get('WO-1|serial:SN-1|OP10')?.started !== undefined);
  });

  it('loses nothing when the station is closed and opened again', async () => {
    const factory = new IDBFactory();
    const clock = { ms: Date.parse('2026-11-21T08:00:00Z') };
    const first = await station(clock, factory, 'reopened');
    const signed = await signIn(first, 'B-OP', '1234');
    if (!signed.ok) throw new Error(signed.message);
    await startOperation(first, signed.session, { workOrderId: 'WO-1', unit: SN1, operationId: 'OP10' });
    await first.close();
    runtime = null;
    const again = await station(clock, factory, 'reopened');
    expect(again.config?.workCenterId).toBe('WC-A');
    expect(again.plant.get().steps.get('WO-1|serial:SN-1|OP10')?.started?.actor).toBe('B-OP');
  });
});

describe('resolving a conflict', () => {
  const conflict = {
    conflictId: 'CF-E2-duplicate-completion',
    flag: 'duplicate-completion',
    eventId: 'E2',
    stationId: 'ST-2',
    actor: 'B-OP',
    eventType: 'op.completed',
    relatedEventIds: ['E1'],
    subject: SN1,
    workOrderId: 'WO-1',
    stepKey: 'WO-1|serial:SN-1|OP10',
    description: 'OP10 on SN-1 was already completed by B-EXP; this second completion by B-OP is kept as evidence only',
    raisedAt: '2026-11-21T07:59:00.000Z',
    status: 'open',
  } as const;

  async function withConflict(clock: { ms: number }): Promise<StationRuntime> {
    const rt = await station(clock);
    await rt.db.views.upsert({ id: `conflict:${conflict.conflictId}`, kind: 'conflict', key: conflict.conflictId, serverSeq: 1000, data: { ...conflict, relatedEventIds: [...conflict.relatedEventIds] } });
    await until(() => rt.plant.get().conflicts.has(conflict.conflictId));
    return rt;
  }

  it('[C7] records a supervisor\'s decision under a signature with the meaning of the action', async () => {
    const rt = await withConflict({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const request = { conflictId: conflict.conflictId, action: 'accept', signerBadge: 'B-SUP', pin: '1234', reason: 'First completion stands; second was a double tap' } as const;
    const resolved = await resolveConflict(rt, request);
    expect(resolved).toMatchObject({ ok: true, manifestation: { printedName: 'Sam Reyes', meaning: 'reviewed: accepted as recorded', signedAt: '2026-11-21T08:00:00.000Z' } });
    expect((await allEvents(rt.db)).at(-1)).toMatchObject({
      type: 'conflict.resolved',
      actor: 'B-SUP',
      payload: { conflictId: conflict.conflictId, action: 'accept', signature: { signerBadge: 'B-SUP', printedName: 'Sam Reyes', meaning: 'reviewed: accepted as recorded', components: 'badge+pin' } },
    });
    expect(rt.plant.get().conflicts.get(conflict.conflictId)?.status).toBe('resolved');
    expect(await resolveConflict(rt, request)).toMatchObject({ ok: false, code: 'conflict-resolved' });
  });

  it('[C7] signs a void with its own meaning, by quality as well as a supervisor', async () => {
    const rt = await withConflict({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const voided = await resolveConflict(rt, { conflictId: conflict.conflictId, action: 'void', signerBadge: 'B-Q', pin: '1234', reason: 'Entered on the wrong unit' });
    expect(voided).toMatchObject({ ok: true, manifestation: { printedName: 'Quinn Lee', meaning: 'reviewed: voided' } });
  });

  it('[C7] refuses an operator, a missing reason, a wrong PIN and an unknown conflict, and records nothing', async () => {
    const rt = await withConflict({ ms: Date.parse('2026-11-21T08:00:00Z') });
    const base = { conflictId: conflict.conflictId, action: 'open-ncr', signerBadge: 'B-SUP', pin: '1234', reason: 'Scrap review' } as const;
    expect(await resolveConflict(rt, { ...base, signerBadge: 'B-OP' })).toMatchObject({ ok: false, code: 'role-not-allowed' });
    expect(await resolveConflict(rt, { ...base, reason: '  ' })).toMatchObject({ ok: false, code: 'reason-required' });
    expect(await resolveConflict(rt, { ...base, pin: '9999' })).toMatchObject({ ok: false, code: 'signature-mismatch' });
    expect(await resolveConflict(rt, { ...base, conflictId: 'CF-NONE' })).toMatchObject({ ok: false, code: 'unknown-conflict' });
    expect(await resolveConflict(rt, { ...base, signerBadge: 'B-404' })).toMatchObject({ ok: false, code: 'unknown-operator' });
    expect(await allEvents(rt.db)).toEqual([]);
  });
});
