/**
 * Nonconformance and MRB disposition over HTTP against the real server, on every store
 * (ncr.pglite.test.ts, ncr.pg.test.ts): the lifecycle as the server keeps it, its enforcement by
 * rules C30–C32 (docs/sync-spec.md, docs/ncr.md), bad input refused without change (C13, S9), and
 * program clearance (S10): another program's NCR reads exactly like one that does not exist.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signature, UnitRef } from '../../schemas/common.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { Disposition } from '../../src/domain/ncr.ts';
import { CONCURRENCE_MEANINGS, DISPOSITION_MEANINGS } from '../../src/domain/ncr.ts';
import { shortNcrId } from '../../src/domain/short-id.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import type { TrailResponse } from '../../schemas/audit-api.ts';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, signature, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const QUALITY = 'B-4001';
const ENGINEERING = 'B-5001';
const SUPERVISOR = 'B-3001';
const OPERATOR = 'B-1001';
const F35 = 'F-35-ACT';

/** Registers the NCR suite on one backend. */
export function runNcrSuite(backend: Backend): void {
  describe(`NCR on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let server: RunningServer;
    let mill: TestStation;
    let lathe: TestStation;
    let commercialOnly: TestStation;
    let orders = 0;

    const freshOrder = (program = 'COMMERCIAL', extra: { customerApprovalRequired?: boolean } = {}) =>
      addWorkOrder(server, `WO-N${backend === 'PGlite' ? 'L' : 'P'}${++orders}`, { program }).then(async (order) => {
        if (extra.customerApprovalRequired === true) {
          const view = await server.store.getView('workOrder', order.workOrderId);
          const { viewOf } = await import('../../sync-server/store/view-keys.ts');
          if (view !== undefined) await server.plant.putViews([viewOf('workOrder', { ...view.data, customerApprovalRequired: true })]);
        }
        return order;
      });

    const view = <K extends Parameters<RunningServer['store']['getView']>[0]>(kind: K, key: string) => server.store.getView(kind, key);

    const sig = (badge: string, meaning: Signature['meaning']) => signature(badge, meaning, clock.now(), 'MRB reviewed');

    function redTag(station: TestStation, workOrderId: string, unit: UnitRef): StationEvent {
      return station.event('ncr.opened', OPERATOR, { workOrderId, operationId: 'OP10', items: [{ itemId: '1', unit, quantity: 1 }], description: 'Chatter marks on the face' });
    }

    function disposition(station: TestStation, ncrId: string, workOrderId: string, unit: UnitRef, kind: Disposition, options: { signer?: string; concur?: boolean; ref?: string } = {}): StationEvent {
      const signer = options.signer ?? QUALITY;
      return station.event('ncr.dispositioned', signer, {
        ncrId, itemId: '1', workOrderId, unit, disposition: kind, quantity: 1,
        ...(options.ref === undefined ? {} : { customerApprovalRef: options.ref }),
        signature: sig(signer, DISPOSITION_MEANINGS[kind]),
        ...(options.concur === true && (kind === 'use-as-is' || kind === 'repair') ? { concurrence: sig(ENGINEERING, CONCURRENCE_MEANINGS[kind]) } : {}),
      });
    }

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now });
      server = fixture.server;
      mill = await enrollStation(server, clock, 'Mill tablet');
      lathe = await enrollStation(server, clock, 'Lathe tablet');
      commercialOnly = await enrollStation(server, clock, 'Commercial cell');
      expect(await server.store.setStationPrograms(commercialOnly.id, ['COMMERCIAL'])).toBe(true);
    }, 60_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    it('[C30] a red tag contains the unit; work recorded offline meanwhile is kept and flagged; the rework and re-inspection inserted in its traveler, pushed over HTTP, close the NCR and the unit goes on', async () => {
      const { workOrderId, units } = await freshOrder();
      const unit = units[0]!;
      const tag = redTag(mill, workOrderId, unit);
      expect((await mill.pushOk([tag]))[0]).toMatchObject({ outcome: 'accepted' });
      const ncrId = `NCR-${tag.id}`;
      const opened = (await view('nonconformance', ncrId))?.data;
      expect(opened).toMatchObject({ status: 'open', workOrderId, openedBy: OPERATOR, items: [{ itemId: '1', unit, quantity: 1, dispositions: [] }] });
      const label = shortNcrId(ncrId, opened!.openedAt);

      // The lathe, offline, started the unit before it heard of the NCR.
      const offline = lathe.step('op.started', 'B-1005', workOrderId, unit, 'OP10', 'D');
      const [flagged] = await lathe.pushOk([offline]);
      expect(flagged).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'] });
      expect((await view('conflict', `CF-${offline.id}-worked-under-ncr`))?.data).toMatchObject({ status: 'open', relatedEventIds: [tag.id], workOrderId });

      // Rework to OP10, and the bore re-inspected after it.
      const rework = mill.event('ncr.dispositioned', QUALITY, {
        ncrId, itemId: '1', workOrderId, unit, disposition: 'rework', quantity: 1, reinspect: ['C1'], signature: sig(QUALITY, DISPOSITION_MEANINGS.rework),
      });
      expect((await mill.pushOk([rework]))[0]).toMatchObject({ outcome: 'accepted' });
      expect((await view('nonconformance', ncrId))?.data).toMatchObject({
        status: 'dispositioned',
        items: [{ dispositions: [{ eventId: rework.id, disposition: 'rework', operationId: 'OP10', reinspect: ['C1'], signature: { signerBadge: QUALITY, meaning: 'dispositioned: rework' } }] }],
      });
      // The free-text record is refused for a unit of the work order (C13): it is reworked in its traveler.
      const note = mill.event('ncr.rework-recorded', OPERATOR, { ncrId, itemId: '1', workOrderId, unit, note: 'Face re-milled' });
      expect((await mill.pushOk([note]))[0]).toMatchObject({ outcome: 'rejected' });

      // Work on the regular operation while the rework is open is kept and flagged.
      const early = lathe.step('op.completed', 'B-1005', workOrderId, unit, 'OP10', 'D');
      const [underRework] = await lathe.pushOk([early]);
      expect(underRework).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'], reason: expect.stringContaining(`Rework 1 for ${label} and Re-inspection 1 for ${label} must be completed`) });

      const flow = [
        mill.step('op.started', OPERATOR, workOrderId, unit, `${label}-RW1`, 'D'),
        mill.step('op.completed', OPERATOR, workOrderId, unit, `${label}-RW1`, 'D'),
        mill.step('op.started', 'B-2001', workOrderId, unit, `${label}-RI1`, 'C'),
        mill.event('measurement.recorded', 'B-2001', {
          workOrderId, operationId: `${label}-RI1`, unit, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'C',
          measured: { kind: 'variable', entered: { value: 12.71, unit: 'mm', text: '12.71' }, value: 12.71, unit: 'mm' }, gaugeId: 'G-17', result: 'pass',
        }),
        mill.step('op.completed', 'B-2001', workOrderId, unit, `${label}-RI1`, 'C'),
      ];
      const receipts = await mill.pushOk(flow);
      expect(receipts.map((r) => [r.outcome, r.flags])).toEqual(flow.map(() => ['accepted', []]));
      expect((await view('nonconformance', ncrId))?.data).toMatchObject({ status: 'closed', items: [{ dispositions: [{ carriedOut: { actor: 'B-2001', note: `Re-inspection 1 for ${label} completed` } }] }] });
      expect((await view('step', `${workOrderId}|serial:${(unit as { serial: string }).serial}|${label}-RI1`))?.data).toMatchObject({ completed: { actor: 'B-2001' } });
      expect((await mill.pushOk([mill.step('op.started', OPERATOR, workOrderId, unit, 'OP20', 'B')]))[0]).toMatchObject({ outcome: 'accepted', flags: [] });

      // Two stations completing the same rework offline collide as any duplicate completion (C1).
      const twice = lathe.step('op.completed', 'B-1005', workOrderId, unit, `${label}-RW1`, 'D');
      expect((await lathe.pushOk([twice]))[0]).toMatchObject({ outcome: 'flagged', flags: ['duplicate-completion'] });

      // The unit's audit trail holds the red tag, the signed disposition and the refused rework record, in order.
      const serial = (unit as { serial: string }).serial;
      const trail = await send<TrailResponse>(server.url, `/api/audit/trail?serial=${serial}`, { credential: mill.credential });
      expect(trail.status).toBe(200);
      const entries = trail.body.entries.map((e) => JSON.parse(e.entry) as AuditEntry).filter((e) => e.eventType?.startsWith('ncr.'));
      expect(entries.map((e) => e.eventType)).toEqual(['ncr.opened', 'ncr.dispositioned', 'ncr.rework-recorded']);
      expect(entries[1]).toMatchObject({ eventId: rework.id, signature: { signerBadge: QUALITY, meaning: 'dispositioned: rework' } });
    });

    it('[C30] work on a unit scrapped meanwhile is flagged', async () => {
      const { workOrderId, units } = await freshOrder();
      const unit = units[0]!;
      const tag = redTag(mill, workOrderId, unit);
      await mill.pushOk([tag, disposition(mill, `NCR-${tag.id}`, workOrderId, unit, 'scrap')]);
      expect((await view('nonconformance', `NCR-${tag.id}`))?.data.status).toBe('closed');
      const [receipt] = await lathe.pushOk([lathe.step('op.started', 'B-1005', workOrderId, unit, 'OP10', 'D')]);
      expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'], reason: expect.stringContaining('left production: scrap') });
    });

    it('[C31] two stations disposition the same item: the first stands, the second is flagged and has no effect', async () => {
      const { workOrderId, units } = await freshOrder();
      const unit = units[0]!;
      const tag = redTag(mill, workOrderId, unit);
      await mill.pushOk([tag]);
      const ncrId = `NCR-${tag.id}`;
      const first = disposition(mill, ncrId, workOrderId, unit, 'scrap');
      const second = disposition(lathe, ncrId, workOrderId, unit, 'use-as-is', { concur: true });
      expect((await mill.pushOk([first]))[0]).toMatchObject({ outcome: 'accepted' });
      const [receipt] = await lathe.pushOk([second]);
      expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['duplicate-disposition'] });
      expect((await view('conflict', `CF-${second.id}-duplicate-disposition`))?.data).toMatchObject({ status: 'open', relatedEventIds: [first.id] });
      const ncr = (await view('nonconformance', ncrId))?.data;
      expect(ncr?.items?.[0]?.dispositions.map((d) => d.eventId)).toEqual([first.id]);
    });

    it('[C32] a disposition signed by a supervisor, or a use as is without engineering or without the customer\'s reference, is flagged and leaves the unit contained', async () => {
      const { workOrderId, units } = await freshOrder('COMMERCIAL', { customerApprovalRequired: true });
      const unit = units[0]!;
      const tag = redTag(mill, workOrderId, unit);
      await mill.pushOk([tag]);
      const ncrId = `NCR-${tag.id}`;
      const bySupervisor = disposition(mill, ncrId, workOrderId, unit, 'scrap', { signer: SUPERVISOR });
      const noEngineering = disposition(mill, ncrId, workOrderId, unit, 'use-as-is');
      const noReference = disposition(mill, ncrId, workOrderId, unit, 'use-as-is', { concur: true });
      const receipts = await mill.pushOk([bySupervisor, noEngineering, noReference]);
      expect(receipts.map((r) => [r.outcome, r.flags])).toEqual([
        ['flagged', ['unauthorized-disposition']],
        ['flagged', ['unauthorized-disposition']],
        ['flagged', ['unauthorized-disposition']],
      ]);
      expect(receipts[0]?.reason).toContain('the disposition must be signed by quality');
      expect(receipts[1]?.reason).toContain("needs engineering's concurrence");
      expect(receipts[2]?.reason).toContain("needs the customer's approval reference");
      expect((await view('nonconformance', ncrId))?.data).toMatchObject({ status: 'open', items: [{ dispositions: [] }] });
      const [work] = await lathe.pushOk([lathe.step('op.started', 'B-1005', workOrderId, unit, 'OP10', 'D')]);
      expect(work?.flags).toEqual(['worked-under-ncr']);
      // With engineering and the customer's reference it stands.
      const good = disposition(mill, ncrId, workOrderId, unit, 'use-as-is', { concur: true, ref: 'CUST-CA-7731' });
      expect((await mill.pushOk([good]))[0]).toMatchObject({ outcome: 'accepted' });
      expect((await view('nonconformance', ncrId))?.data).toMatchObject({ status: 'closed', items: [{ dispositions: [{ customerApprovalRef: 'CUST-CA-7731', concurrence: { signerBadge: ENGINEERING } }] }] });
    });

    it('[C13] a disposition of an NCR, item or quantity the server does not have is refused with the reason and changes nothing', async () => {
      const { workOrderId, units } = await freshOrder();
      const unit = units[0]!;
      const tag = redTag(mill, workOrderId, unit);
      await mill.pushOk([tag]);
      const before = await view('nonconformance', `NCR-${tag.id}`);
      const unknown = disposition(mill, 'NCR-NOT-THERE', workOrderId, unit, 'scrap');
      const otherUnit = disposition(mill, `NCR-${tag.id}`, workOrderId, units[1]!, 'scrap');
      const receipts = await mill.pushOk([unknown, otherUnit]);
      expect(receipts.map((r) => r.outcome)).toEqual(['rejected', 'rejected']);
      expect(receipts[0]?.reason).toBe('ncr.dispositioned names NCR NCR-NOT-THERE, which the server does not have');
      expect(await view('nonconformance', `NCR-${tag.id}`)).toEqual(before);
    });

    it('[S9] a disposition that is not one of the five is refused by its schema, naming the field, and nothing is written', async () => {
      const { workOrderId, units } = await freshOrder();
      const bad = mill.event('ncr.dispositioned', QUALITY, {
        ncrId: 'NCR-X', itemId: '1', workOrderId, unit: units[0]!, disposition: 'burn' as Disposition, quantity: 1, signature: sig(QUALITY, 'dispositioned: scrap'),
      });
      const sequence = await server.store.sequence();
      const answer = await mill.push([bad]);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'invalid-event' });
      expect(JSON.stringify(answer.body)).toContain('disposition');
      expect(await server.store.sequence()).toBeGreaterThanOrEqual(sequence);
      mill.seq -= 1;
    });

    it('[S10] a station not cleared for a program is answered about its NCR exactly as about one that does not exist', async () => {
      const { workOrderId, units } = await freshOrder(F35);
      const unit = units[0]!;
      const tag = redTag(mill, workOrderId, unit);
      await mill.pushOk([tag]);
      const ncrId = `NCR-${tag.id}`;
      const [secret] = await commercialOnly.pushOk([disposition(commercialOnly, ncrId, workOrderId, unit, 'scrap')]);
      const missingId = `NCR-${randomUUID()}`;
      const [missing] = await commercialOnly.pushOk([disposition(commercialOnly, missingId, workOrderId, unit, 'scrap')]);
      expect(secret?.outcome).toBe('rejected');
      expect(missing?.outcome).toBe('rejected');
      expect(secret?.flags).toEqual(missing?.flags);
      expect(secret?.reason?.replace(shortNcrId(ncrId), 'X')).toBe(missing?.reason?.replace(shortNcrId(missingId), 'X'));
      expect(JSON.stringify(secret)).not.toContain(F35);
      const pulled = await commercialOnly.pullAll(0);
      expect(pulled.documents.some((d) => d.kind === 'nonconformance' && d.key === ncrId)).toBe(false);
      expect((await view('nonconformance', ncrId))?.data.status).toBe('open');
    });
  });
}
