/**
 * Push over HTTP against the real server, run on every store implementation (push.pglite.test.ts,
 * push.pg.test.ts): receipts, idempotency, each conflict rule (docs/sync-spec.md C1–C13), one
 * transaction per batch, bad input, and convergence of pull with the server's plant.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrailResponse } from '../../schemas/audit-api.ts';
import type { UnitRef } from '../../schemas/common.ts';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import type { QuarantineEntry } from '../../schemas/quarantine.ts';
import { apiErrorSchema } from '../../schemas/pull.ts';
import { pushResponseSchema } from '../../schemas/push.ts';
import type { Receipt } from '../../schemas/receipt.ts';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import { plantFromViews, viewData } from '../../src/domain/plant.ts';
import { buildServer } from '../../sync-server/app.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import type { Store } from '../../sync-server/store/store.ts';
import { errorOf, send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, P100_REVISION, signature, startSyncServer, V, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

/** Registers the push suite on one backend. */
export function runPushSuite(backend: Backend): void {
  describe(`push on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let server: RunningServer;
    let mill: TestStation;
    let lathe: TestStation;
    let orders = 0;
    const ajv = new Ajv();
    addFormats(ajv);
    const validatePushResponse = ajv.compile(pushResponseSchema);
    const validateError = ajv.compile(apiErrorSchema);

    /** A fresh serialized work order no other test touches. */
    const freshOrder = (program = 'COMMERCIAL', units = 2) => addWorkOrder(server, `WO-T${backend === 'PGlite' ? 'L' : 'P'}${++orders}`, { program, units });

    const quarantine = async (): Promise<QuarantineEntry[]> =>
      (await server.store.viewsSince(0, 1_000_000)).documents.flatMap((doc) => (doc.kind === 'quarantine' ? [doc.data] : []));

    const view = <K extends ViewDoc['kind']>(kind: K, key: string) => server.store.getView(kind, key);

    /** Everything a refused push must leave as it was: views other than quarantine, receipts, station sequences. */
    const snapshot = async () => {
      const views = (await server.store.viewsSince(0, 1_000_000)).documents.filter((doc) => doc.kind !== 'quarantine');
      const ids = [mill.id, lathe.id];
      const receipts = await Promise.all(ids.map((id) => server.store.receiptsFor(id, 0, Number.MAX_SAFE_INTEGER)));
      const lastSeqs = await server.store.locked((tx) => Promise.all(ids.map((id) => tx.stationLastSeq(id))));
      return { views, receipts, lastSeqs };
    };

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now });
      server = fixture.server;
      mill = await enrollStation(server, clock, 'Mill tablet');
      lathe = await enrollStation(server, clock, 'Lathe tablet');
    }, 60_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    describe('receipts', () => {
      it('[S6] accepts a batch and answers one receipt per event, in order, in the server sequence', async () => {
        const { workOrderId, units } = await freshOrder();
        const unit = units[0]!;
        const events = [
          mill.step('op.started', 'B-1001', workOrderId, unit, 'OP10', 'D'),
          mill.event('material.consumed', 'B-1001', { workOrderId, operationId: 'OP10', unit, material: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 1 }, scanned: 'L-920-A' }),
          mill.step('op.completed', 'B-1001', workOrderId, unit, 'OP10', 'D'),
        ];
        const before = await server.store.sequence();
        const answer = await mill.push(events);
        expect(answer.status).toBe(200);
        expect(validatePushResponse(answer.body), ajv.errorsText(validatePushResponse.errors)).toBe(true);
        const { receipts } = answer.body;
        expect(receipts.map((r) => [r.eventId, r.outcome, r.flags])).toEqual(events.map((e) => [e.id, 'accepted', []]));
        expect(receipts.map((r) => r.serverSeq)).toEqual([before + 1, before + 2, before + 3]);
        const visibleAt = await server.store.sequence();
        expect(receipts.every((r) => r.visibleAt === visibleAt && r.receivedAt === clock.now().toISOString())).toBe(true);
        const step = await view('step', `${workOrderId}|serial:${unit.kind === 'serial' ? unit.serial : ''}|OP10`);
        expect(step?.data).toMatchObject({ started: { eventId: events[0]!.id }, completed: { eventId: events[2]!.id } });
        // Every view the batch wrote comes after its events in server order, up to visibleAt.
        expect(step!.serverSeq).toBeGreaterThan(before + 3);
        expect(step!.serverSeq).toBeLessThanOrEqual(visibleAt);
        expect((await view('lot', 'L-920-A'))?.data.remaining).toBe(199);
      });

      it('[S6] keeps each accepted event once: whole in its receipt entry of the audit log, not again in the events table', async () => {
        const { workOrderId, units } = await freshOrder();
        const event = mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D');
        const [receipt] = await mill.pushOk([event]);
        const [row] = await server.store.sql.query<{ event: unknown; content_hash: string }>('SELECT event, content_hash FROM events WHERE id = $1', [event.id]);
        expect(row).toMatchObject({ event: null });
        const entries = await server.store.sql.query<{ entry: string }>("SELECT entry FROM audit_entries WHERE kind = 'receipt' AND entry LIKE $1", [`%"eventId":"${event.id}"%`]);
        expect(entries).toHaveLength(1);
        const entry = JSON.parse(entries[0]!.entry) as AuditEntry;
        expect(entry).toMatchObject({ eventId: event.id, serverSeq: receipt!.serverSeq, outcome: 'accepted' });
        expect(entry.event).toEqual(event);
        // A retry still finds it by id and content hash.
        expect(await mill.pushOk([event])).toEqual([receipt]);
      });

      it('[S7] answers a retry with the identical receipts and writes nothing', async () => {
        const { workOrderId, units } = await freshOrder();
        const events = [mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D'), mill.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')];
        const first = await mill.pushOk(events);
        const sequence = await server.store.sequence();
        clock.advance(60_000);
        const again = await mill.pushOk(events);
        expect(again).toEqual(first);
        expect(await server.store.sequence()).toBe(sequence);
        // A retry mixed with new events: the old ones keep their receipts, the new get new ones.
        const next = mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP20', 'B');
        const mixed = await mill.pushOk([...events, next]);
        expect(mixed.slice(0, 2)).toEqual(first);
        expect(mixed[2]).toMatchObject({ eventId: next.id, outcome: 'accepted', serverSeq: sequence + 1 });
      });

      it('[S7] refuses the same id with other content, flags it as a security event, quarantines it and keeps the stored event', async () => {
        const { workOrderId, units } = await freshOrder();
        const original = mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D');
        const [stored] = await mill.pushOk([original]);
        const forged = { ...original, actor: 'B-1005' };
        const [receipt] = await lathe.pushOk([{ ...forged, stationId: lathe.id, seq: ++lathe.seq }]);
        expect(receipt).toMatchObject({ eventId: original.id, outcome: 'rejected', flags: ['security:id-reused'] });
        expect(receipt!.serverSeq).not.toBe(stored!.serverSeq);
        const entry = (await quarantine()).find((q) => q.eventId === original.id);
        expect(entry).toMatchObject({ flags: ['security:id-reused'], stationId: lathe.id, raw: { actor: 'B-1005' } });
        expect((await view('step', `${workOrderId}|serial:${(units[0] as { serial: string }).serial}|OP10`))?.data.started).toMatchObject({ eventId: original.id, actor: 'B-1001' });
        // The original's own retry still gets its stored receipt.
        expect(await mill.pushOk([original])).toEqual([stored]);
      });

      it('[S11] gives every receipt of a batch to its station in pull, between the checkpoints', async () => {
        const { workOrderId, units } = await freshOrder();
        const start = (await lathe.pullAll()).checkpoint;
        const receipts = await lathe.pushOk([lathe.step('op.started', 'B-1003', workOrderId, units[0]!, 'OP10', 'D')]);
        const pulled = await lathe.pullAll(start);
        expect(pulled.receipts).toEqual(receipts);
        expect(pulled.checkpoint).toBe(receipts[0]!.visibleAt);
        expect((await lathe.pullAll(pulled.checkpoint)).receipts).toEqual([]);
        // Another station never gets them.
        expect((await mill.pullAll(start)).receipts.some((r) => r.eventId === receipts[0]!.eventId)).toBe(false);
      });
    });

    describe('conflict rules through HTTP', () => {
      const serialOf = (unit: unknown): string => (unit as { serial: string }).serial;

      it('[C1] a second completion of the same operation by another station is flagged; a conflict item names both', async () => {
        const { workOrderId, units } = await freshOrder();
        const first = mill.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP10', 'D');
        const second = lathe.step('op.completed', 'B-1005', workOrderId, units[0]!, 'OP10', 'D');
        expect((await mill.pushOk([first]))[0]).toMatchObject({ outcome: 'accepted' });
        const [receipt] = await lathe.pushOk([second]);
        expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['duplicate-completion'] });
        const conflict = await view('conflict', `CF-${second.id}-duplicate-completion`);
        expect(conflict?.data).toMatchObject({ status: 'open', eventId: second.id, relatedEventIds: [first.id], workOrderId });
        expect((await view('step', `${workOrderId}|serial:${serialOf(units[0])}|OP10`))?.data.completed?.eventId).toBe(first.id);
      });

      it('[C2] work on a held unit is recorded, flagged executed-under-hold, the hold stays and an NCR draft opens', async () => {
        const { workOrderId, units } = await freshOrder();
        const hold = mill.hold('B-4001', `H-${workOrderId}`, units[0]!);
        await mill.pushOk([hold]);
        const work = mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D');
        const [receipt] = await mill.pushOk([work]);
        expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['executed-under-hold'] });
        expect((await view('hold', `H-${workOrderId}`))?.data.status).toBe('active');
        expect((await view('nonconformance', `NCR-${work.id}`))?.data).toMatchObject({ status: 'open', workOrderId });
      });

      it('[C3] an out-of-tolerance measurement is recorded, holds the unit and drafts an NCR', async () => {
        const { workOrderId, units } = await freshOrder();
        const measurement = mill.event('measurement.recorded', 'B-2001', {
          workOrderId, operationId: 'OP30', unit: units[0]!, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'C',
          measured: { kind: 'variable', entered: { value: 12.8, unit: 'mm', text: '12.80' }, value: 12.8, unit: 'mm' }, gaugeId: 'G-1', result: 'pass',
        });
        const [receipt] = await mill.pushOk([measurement]);
        expect(receipt?.outcome).toBe('accepted');
        expect((await view('hold', `H-${measurement.id}`))?.data).toMatchObject({ status: 'active', subject: units[0] });
        expect((await view('nonconformance', `NCR-${measurement.id}`))?.data).toMatchObject({ characteristicId: 'C1', holdId: `H-${measurement.id}` });
        const step = await view('step', `${workOrderId}|serial:${serialOf(units[0])}|OP30`);
        expect(step?.data.measurements).toEqual([expect.objectContaining({ eventId: measurement.id, result: 'fail' })]);
      });

      it('[C4] work to an instruction revision superseded before it was done is flagged stale-revision', async () => {
        const { workOrderId, units } = await freshOrder();
        const routing = await server.plant.reviseOperation('P-100', 'C', 'OP50', {
          instructionRevision: 'B',
          characteristic: { id: 'C4', revision: 'C' },
          effectiveFrom: new Date(clock.now().getTime() - 3_600_000).toISOString(),
        });
        expect(routing.operations.find((op) => op.id === 'OP50')?.instruction).toMatchObject({ revision: 'B' });
        expect((await view('routing', 'P-100@C'))?.data.operations.find((op) => op.id === 'OP50')?.characteristics[0]?.revision).toBe('C');
        const [receipt] = await mill.pushOk([mill.step('op.started', 'B-2001', workOrderId, units[0]!, 'OP50', 'A')]);
        expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['stale-revision'] });
        const [current] = await mill.pushOk([mill.step('op.started', 'B-2001', workOrderId, units[1]!, 'OP50', 'B')]);
        expect(current?.outcome).toBe('accepted');
      });

      it('[C5] a lot consumed beyond what remains is recorded, flagged over-consumption, and the lot held', async () => {
        const { workOrderId, units } = await freshOrder();
        const consume = mill.event('material.consumed', 'B-1004', {
          workOrderId, operationId: 'OP40', unit: units[0]!, material: { kind: 'lot', lotId: 'L-910-B', partNumber: 'P-910', quantity: 4 }, scanned: 'L-910-B',
        });
        const [receipt] = await mill.pushOk([consume]);
        expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['over-consumption'] });
        expect((await view('lot', 'L-910-B'))?.data.remaining).toBe(-1);
        expect((await view('hold', `H-${consume.id}`))?.data).toMatchObject({ subject: { kind: 'lot', lotId: 'L-910-B' }, status: 'active' });
        // A real NCR contains the lot until quality dispositions it.
        expect((await view('nonconformance', `NCR-${consume.id}`))?.data).toMatchObject({
          status: 'open', workOrderId, holdId: `H-${consume.id}`, items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'L-910-B' }, quantity: 3, dispositions: [] }],
        });
      });

      it('[C6] one serial consumed into two assemblies: the second is flagged double-consumption and both are held', async () => {
        const { workOrderId, units } = await freshOrder();
        const bearing = { kind: 'serial', serial: 'BRG-0007', partNumber: 'P-900' } as const;
        const first = mill.event('material.consumed', 'B-1004', { workOrderId, operationId: 'OP40', unit: units[0]!, material: bearing, scanned: 'BRG-0007' });
        const second = lathe.event('material.consumed', 'B-1006', { workOrderId, operationId: 'OP40', unit: units[1]!, material: bearing, scanned: 'BRG-0007' });
        expect((await mill.pushOk([first]))[0]?.outcome).toBe('accepted');
        const [receipt] = await lathe.pushOk([second]);
        expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['double-consumption'] });
        expect((await view('hold', `H-${second.id}-1`))?.data.subject).toEqual(units[1]);
        expect((await view('hold', `H-${second.id}-2`))?.data.subject).toEqual(units[0]);
        expect((await view('serial', 'BRG-0007'))?.data.consumedInto?.eventId).toBe(first.id);
        // Each assembly has a real NCR that contains it and is linked to its hold.
        expect((await view('nonconformance', `NCR-${second.id}`))?.data).toMatchObject({ status: 'open', workOrderId, holdId: `H-${second.id}-1`, items: [{ unit: units[1], quantity: 1 }] });
        expect((await view('nonconformance', `NCR-${first.id}-C6`))?.data).toMatchObject({ status: 'open', workOrderId, holdId: `H-${second.id}-2`, items: [{ unit: units[0], quantity: 1 }] });
      });

      describe('[C17] material beyond the bill', () => {
        /** OP10 of P-100 calls for 1 × P-920: the station starts it, builds one bar of L-920-A in and completes it. */
        const millOp10 = (station: TestStation, actor: string, workOrderId: string, unit: UnitRef | undefined) => {
          if (unit === undefined) throw new Error('the work order has no unit');
          const u = unit;
          return [
            station.step('op.started', actor, workOrderId, u, 'OP10', 'D'),
            station.event('material.consumed', actor, { workOrderId, operationId: 'OP10', unit: u, material: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 1 }, scanned: 'L-920-A' }),
            station.step('op.completed', actor, workOrderId, u, 'OP10', 'D'),
          ];
        };
        const remaining = async () => (await view('lot', 'L-920-A'))?.data.remaining ?? Number.NaN;
        const resolve = (conflictId: string, action: 'void' | 'accept') =>
          mill.event('conflict.resolved', 'B-3001', { conflictId, action, signature: signature('B-3001', action === 'void' ? 'reviewed: voided' : 'reviewed: accepted as recorded', clock.now()) });

        it('[C17] two stations each build the bill in: the second consumption is flagged beyond-bill; voiding it returns the bar to its lot', async () => {
          const { workOrderId, units } = await freshOrder();
          const before = await remaining();
          await mill.pushOk(millOp10(mill, 'B-1001', workOrderId, units[0]));
          const late = millOp10(lathe, 'B-1005', workOrderId, units[0]);
          const receipts = await lathe.pushOk(late);
          expect(receipts.map((r) => r.flags)).toEqual([[], ['beyond-bill'], ['duplicate-completion']]);
          expect(await remaining()).toBe(before - 2);
          const conflictId = `CF-${late[1]!.id}-beyond-bill`;
          expect((await view('conflict', conflictId))?.data).toMatchObject({ status: 'open', stationId: lathe.id, stepKey: `${workOrderId}|serial:${serialOf(units[0])}|OP10` });

          const [voided] = await mill.pushOk([resolve(conflictId, 'void')]);
          expect(voided?.outcome).toBe('accepted');
          expect(await remaining()).toBe(before - 1);
          expect((await view('step', `${workOrderId}|serial:${serialOf(units[0])}|OP10`))?.data.consumptions.map((c) => c.eventId)).toHaveLength(1);
          expect((await view('conflict', conflictId))?.data.status).toBe('resolved');
        });

        it('[C1][C17] voiding the duplicate completion voids the material its station recorded and closes its beyond-bill item; the trail of the unit ends with the resolution', async () => {
          const { workOrderId, units } = await freshOrder();
          const before = await remaining();
          const first = millOp10(mill, 'B-1001', workOrderId, units[0]);
          await mill.pushOk(first);
          const late = millOp10(lathe, 'B-1005', workOrderId, units[0]);
          await lathe.pushOk(late);
          const resolution = resolve(`CF-${late[2]!.id}-duplicate-completion`, 'void');
          expect((await mill.pushOk([resolution]))[0]?.outcome).toBe('accepted');

          const step = await view('step', `${workOrderId}|serial:${serialOf(units[0])}|OP10`);
          expect(step?.data.completed?.eventId).toBe(first[2]!.id);
          expect(step?.data.consumptions.map((c) => c.eventId)).toEqual([first[1]!.id]);
          expect(await remaining()).toBe(before - 1);
          expect((await view('conflict', `CF-${late[1]!.id}-beyond-bill`))?.data).toMatchObject({ status: 'resolved', resolution: { action: 'void', eventId: resolution.id } });

          // Item 3 of issue 12: the signed resolution is in the unit's trail, last.
          const trail = await send<TrailResponse>(server.url, `/api/audit/trail?serial=${serialOf(units[0])}`, { credential: mill.credential });
          expect(trail.status).toBe(200);
          const entries = trail.body.entries.map((e) => JSON.parse(e.entry) as AuditEntry);
          expect(entries.at(-1)).toMatchObject({ eventType: 'conflict.resolved', eventId: resolution.id, signature: { signerBadge: 'B-3001', meaning: 'reviewed: voided' } });
        });
      });

      it('[C7] a release by an operator is refused into quarantine with a security flag; the hold stays', async () => {
        const { workOrderId, units } = await freshOrder();
        await mill.pushOk([mill.hold('B-4001', `H-${workOrderId}`, units[0]!)]);
        const release = mill.release('B-1001', `H-${workOrderId}`);
        const [receipt] = await mill.pushOk([release]);
        expect(receipt).toMatchObject({ outcome: 'rejected', flags: ['security:unauthorized-release'], reason: expect.stringContaining('only a supervisor or quality') });
        expect((await view('hold', `H-${workOrderId}`))?.data.status).toBe('active');
        expect((await quarantine()).find((q) => q.eventId === release.id)).toMatchObject({ flags: ['security:unauthorized-release'], raw: { id: release.id } });
        const [signed] = await mill.pushOk([mill.release('B-3001', `H-${workOrderId}`)]);
        expect(signed?.outcome).toBe('accepted');
        expect((await view('hold', `H-${workOrderId}`))?.data.status).toBe('released');
      });

      it('[C8] a release clears only the hold it names; H2 placed meanwhile stays, a second release is flagged', async () => {
        const { workOrderId, units } = await freshOrder();
        await mill.pushOk([mill.hold('B-4001', `H1-${workOrderId}`, units[0]!)]);
        await lathe.pushOk([lathe.hold('B-4001', `H2-${workOrderId}`, units[0]!, 'Burr found')]);
        const [released] = await mill.pushOk([mill.release('B-3001', `H1-${workOrderId}`)]);
        expect(released?.outcome).toBe('accepted');
        expect((await view('hold', `H1-${workOrderId}`))?.data.status).toBe('released');
        expect((await view('hold', `H2-${workOrderId}`))?.data.status).toBe('active');
        const [again] = await lathe.pushOk([lathe.release('B-3001', `H1-${workOrderId}`)]);
        expect(again).toMatchObject({ outcome: 'flagged', flags: ['release-not-active'] });
        const [unknown] = await mill.pushOk([mill.release('B-3001', 'H-NEVER')]);
        expect(unknown).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('H-NEVER') });
      });

      it('[C9] work by an operator whose qualification had expired is recorded and flagged unqualified-operator', async () => {
        const { workOrderId, units } = await freshOrder();
        const [receipt] = await mill.pushOk([mill.step('op.started', 'B-1002', workOrderId, units[0]!, 'OP10', 'D')]);
        expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['unqualified-operator'] });
        expect((await view('conflict', `CF-${receipt!.eventId}-unqualified-operator`))?.data.status).toBe('open');
      });

      it('[C10] a gap in a station sequence is recorded and flagged missing-events on that station', async () => {
        const { workOrderId, units } = await freshOrder();
        const station = await enrollStation(server, clock, 'Gappy tablet');
        await station.pushOk([station.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
        station.seq += 3;
        const [receipt] = await station.pushOk([station.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
        expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['missing-events'] });
        expect((await view('conflict', `CF-${station.id}-missing-events`))?.data.description).toContain('2–4');
      });

      it('[C11] a station clock an hour behind is recorded and flagged clock-skew', async () => {
        const { workOrderId, units } = await freshOrder();
        const event = mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D');
        const [receipt] = await mill.pushOk([event], { sentAt: new Date(clock.now().getTime() - 3_600_000).toISOString() });
        expect(receipt).toMatchObject({ outcome: 'flagged', flags: ['clock-skew'] });
      });

      it('[C12] an event claiming another station than the credential that pushed it is refused with a security flag', async () => {
        const { workOrderId, units } = await freshOrder();
        const claimed = { ...mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D'), stationId: lathe.id };
        mill.seq--;
        const [receipt] = await mill.pushOk([claimed]);
        expect(receipt).toMatchObject({ outcome: 'rejected', flags: ['security:station-mismatch'] });
        expect((await quarantine()).find((q) => q.eventId === claimed.id)?.flags).toEqual(['security:station-mismatch']);
      });

      it('[S16] a forged event in the middle of a run is refused as bad-signature; the events before it are accepted, and those after it by their own run', async () => {
        const { workOrderId, units } = await freshOrder('COMMERCIAL', 3);
        const events = units.flatMap((unit) => [mill.step('op.started', 'B-1001', workOrderId, unit, 'OP10', 'D'), mill.step('op.completed', 'B-1001', workOrderId, unit, 'OP10', 'D')]);
        // The third event changed after it was signed: its signature no longer verifies, and the fourth no longer links to it.
        const forged = { ...events[2]!, actor: 'B-1005' };
        const receipts = await mill.pushOk([...events.slice(0, 2), forged, ...events.slice(3)]);
        // The fourth is recorded after a gap (flagged missing-events, C10); the rest are accepted.
        expect(receipts.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'rejected', 'flagged', 'accepted', 'accepted']);
        expect(receipts[2]?.flags).toEqual(['security:bad-signature']);
        expect((await quarantine()).find((q) => q.eventId === forged.id)?.flags).toEqual(['security:bad-signature']);
        // The refused event is not in the station's chain: the fourth follows a gap.
        expect(receipts[3]?.flags).toContain('missing-events');
      });

      it('[S16] a bad signature on the last event of a push costs only that event', async () => {
        const { workOrderId, units } = await freshOrder('COMMERCIAL', 2);
        const events = units.flatMap((unit) => [mill.step('op.started', 'B-1001', workOrderId, unit, 'OP10', 'D'), mill.step('op.completed', 'B-1001', workOrderId, unit, 'OP10', 'D')]);
        const last = { ...events[3]!, signature: events[2]!.signature };
        const receipts = await mill.pushOk([...events.slice(0, 3), last]);
        expect(receipts.map((r) => [r.outcome, r.flags])).toEqual([['accepted', []], ['accepted', []], ['accepted', []], ['rejected', ['security:bad-signature']]]);
        mill.seq -= 1;
      });

      it('[C13] an event about a work order the server does not have is refused into quarantine, changing nothing', async () => {
        const before = await snapshot();
        const event = mill.step('op.started', 'B-1001', 'WO-NOWHERE', { kind: 'serial', serial: 'SN-X' }, 'OP10', 'D');
        const [receipt] = await mill.pushOk([event]);
        expect(receipt).toMatchObject({ outcome: 'rejected', flags: [], reason: expect.stringContaining('WO-NOWHERE') });
        expect((await quarantine()).find((q) => q.eventId === event.id)?.reason).toContain('WO-NOWHERE');
        const after = await snapshot();
        expect(after.views).toEqual(before.views);
      });
    });

    describe('one transaction per batch', () => {
      it('[S8] writes nothing of a batch when the store fails before commit, and the batch goes through on retry', async () => {
        const { workOrderId, units } = await freshOrder();
        // The same database, behind a store whose batch write fails after writing everything.
        const failing: Store = {
          ...server.store,
          locked: (fn) =>
            server.store.locked((tx) =>
              fn({
                ...tx,
                write: async (batch) => {
                  await tx.write(batch);
                  throw new Error('disk full');
                },
              }),
            ),
        };
        const app = await buildServer({ store: failing, now: clock.now, auditKey: server.auditKey });
        const url = await app.listen({ port: 0, host: '127.0.0.1' });
        try {
          const events = [
            mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D'),
            mill.hold('B-4001', `H-${workOrderId}`, units[1]!),
            mill.release('B-1001', `H-${workOrderId}`),
          ];
          const before = await snapshot();
          const sequence = await server.store.sequence();
          const answer = await send(url, '/api/sync/push', { body: { protocolVersion: V, stationId: mill.id, sentAt: clock.now().toISOString(), events }, credential: mill.credential });
          expect(answer.status).toBe(500);
          expect(errorOf(answer).code).toBe('internal');
          expect(await server.store.sequence()).toBe(sequence);
          expect(await snapshot()).toEqual(before);
          expect((await quarantine()).some((q) => events.some((e) => e.id === q.eventId))).toBe(false);
          const receipts = await mill.pushOk(events);
          expect(receipts.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'rejected']);
          expect(receipts[0]!.serverSeq).toBe(sequence + 1);
        } finally {
          await app.close();
        }
      });

      it('[S5] serializes concurrent batches from several stations: gapless event numbers, one order', async () => {
        const { workOrderId, units } = await freshOrder('COMMERCIAL', 6);
        const stations = [mill, lathe, await enrollStation(server, clock, 'Third')];
        const before = await server.store.sequence();
        const answers = await Promise.all(
          stations.map((station, i) => station.pushOk([0, 1].map((j) => station.step('op.started', 'B-1001', workOrderId, units[i * 2 + j]!, 'OP10', 'D')))),
        );
        const receipts = answers.flat();
        expect(receipts.every((r) => r.outcome === 'accepted')).toBe(true);
        const seqs = receipts.map((r) => r.serverSeq).sort((a, b) => a - b);
        expect(new Set(seqs).size).toBe(6);
        expect(seqs[0]).toBeGreaterThan(before);
        expect(Math.max(...receipts.map((r) => r.visibleAt))).toBe(await server.store.sequence());
      });
    });

    describe('[S4][S9] bad input is refused with the right 4xx and changes nothing but the quarantine', () => {
      const event = () => mill.step('op.started', 'B-1001', 'WO-1003', { kind: 'serial', serial: 'SN-1003-01' }, 'OP10', 'D');
      const body = (events: unknown[], extra: Record<string, unknown> = {}) => ({ protocolVersion: V, stationId: mill.id, sentAt: clock.now().toISOString(), events, ...extra });
      const cases: Array<{ name: string; send: () => Parameters<typeof send>[2]; status: number; code: string; message?: string | RegExp; quarantined?: number }> = [
        { name: 'malformed JSON', send: () => ({ raw: '{"protocolVersion": 2, "events": [', credential: mill.credential }), status: 400, code: 'malformed-json' },
        { name: 'a body over the limit', send: () => ({ body: body([{ ...event(), payload: { pad: 'x'.repeat(4_200_000) } }]), credential: mill.credential }), status: 413, code: 'body-too-large' },
        { name: 'a missing sentAt', send: () => ({ body: { protocolVersion: V, stationId: mill.id, events: [] }, credential: mill.credential }), status: 400, code: 'invalid-request', message: "body must have required property 'sentAt'" },
        { name: 'events that are not a list', send: () => ({ body: body([], { events: { 0: event() } }), credential: mill.credential }), status: 400, code: 'invalid-request', message: 'body/events must be array' },
        { name: 'more than 1,000 events', send: () => ({ body: body(Array.from({ length: 1001 }, () => ({}))), credential: mill.credential }), status: 400, code: 'invalid-request', message: 'body/events must NOT have more than 1000 items' },
        { name: 'an unknown event type', send: () => ({ body: body([event(), { ...event(), type: 'op.teleported' }]), credential: mill.credential }), status: 400, code: 'invalid-event', message: 'events/1/type "op.teleported" is not a known event type', quarantined: 1 },
        {
          name: 'a payload missing a field',
          send: () => {
            const bad = event() as { payload: Record<string, unknown> };
            delete bad.payload['instructionRevision'];
            return { body: body([event(), event(), event(), bad]), credential: mill.credential };
          },
          status: 400, code: 'invalid-event', message: 'events/3/payload/instructionRevision is required', quarantined: 1,
        },
        { name: 'a bad event envelope', send: () => ({ body: body([{ ...event(), seq: 0 }, { ...event(), id: 'not-a-uuid' }]), credential: mill.credential }), status: 400, code: 'invalid-event', message: /^events\/0\/seq must be >= 1; events\/1\/id must match format "uuid"$/, quarantined: 2 },
        { name: 'another station in the body', send: () => ({ body: body([event()], { stationId: lathe.id }), credential: mill.credential }), status: 403, code: 'station-mismatch', quarantined: 1 },
        { name: 'no credential', send: () => ({ body: body([event()]) }), status: 401, code: 'unauthenticated' },
        { name: 'an unknown credential', send: () => ({ body: body([event()]), credential: 'A'.repeat(43) }), status: 401, code: 'unauthenticated' },
        { name: 'a too-old protocol', send: () => ({ body: body([event()], { protocolVersion: 1 }), credential: mill.credential }), status: 426, code: 'client-too-old' },
        { name: 'a too-old protocol with an old message shape', send: () => ({ body: { protocolVersion: 1, changes: [] }, credential: mill.credential }), status: 426, code: 'client-too-old' },
      ];

      it.each(cases)('$name → $status $code', async (testCase) => {
        const before = await snapshot();
        const quarantinedBefore = (await quarantine()).length;
        const answer = await send(server.url, '/api/sync/push', testCase.send());
        expect(answer.status).toBe(testCase.status);
        expect(validateError(answer.body), answer.text).toBe(true);
        expect(errorOf(answer).code).toBe(testCase.code);
        if (typeof testCase.message === 'string') expect(errorOf(answer).message).toBe(testCase.message);
        else if (testCase.message !== undefined) expect(errorOf(answer).message).toMatch(testCase.message);
        expect(await snapshot()).toEqual(before);
        const entries = (await quarantine()).slice(quarantinedBefore);
        expect(entries).toHaveLength(testCase.quarantined ?? 0);
        if (testCase.code === 'invalid-event') {
          expect(entries.every((q) => q.flags.includes('schema') && q.reason.length > 0)).toBe(true);
          expect((answer.body as { eventIds: string[] }).eventIds).toEqual(entries.map((q) => q.eventId));
        }
      });

      it('still serves after all of them', async () => {
        const { workOrderId, units } = await freshOrder();
        // Refused pushes were never received: the station sends those sequence numbers again.
        mill.seq = (await server.store.locked((tx) => tx.stationLastSeq(mill.id)));
        expect((await mill.pushOk([mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]))[0]?.outcome).toBe('accepted');
      });
    });

    describe('convergence', () => {
      it('[S11] pulling from 0 after pushes from two stations yields exactly the server plant', async () => {
        const { workOrderId, units } = await freshOrder();
        await mill.pushOk([
          mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D'),
          mill.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP10', 'D'),
        ]);
        await lathe.pushOk([
          lathe.step('op.completed', 'B-1005', workOrderId, units[0]!, 'OP10', 'D'),
          lathe.step('op.started', 'B-1003', workOrderId, units[0]!, 'OP20', P100_REVISION['OP20']!),
        ]);
        const fresh = await enrollStation(server, clock, 'Fresh tablet');
        const { documents } = await fresh.pullAll(0, { limit: 500 });
        const views = documents.filter((doc) => doc.kind !== 'quarantine');
        const state = server.plant.state();
        for (const doc of views) expect(doc.data, doc.id).toEqual(viewData(state, doc));
        // Every view the server's plant has, and nothing else (a step view gathers three maps).
        const refs = new Set<string>();
        const kinds = { workCenters: 'workCenter', parts: 'part', routings: 'routing', workOrders: 'workOrder', operators: 'operator', lots: 'lot', serials: 'serial', holds: 'hold', nonconformances: 'nonconformance', conflicts: 'conflict', identifierFormats: 'identifierFormat', steps: 'step', consumptions: 'step' } as const;
        for (const [map, kind] of Object.entries(kinds)) for (const key of state[map as keyof typeof kinds].keys()) refs.add(`${kind}:${key}`);
        for (const key of state.measurements.keys()) refs.add(`step:${key.slice(0, key.lastIndexOf('|'))}`);
        expect(views.map((doc) => doc.id).sort()).toEqual([...refs].sort());
        // And the station's reducers rebuild the same plant from them.
        const rebuilt = plantFromViews(views);
        for (const id of refs) {
          const [kind, ...key] = id.split(':');
          const ref = { kind: kind as ViewDoc['kind'], key: key.join(':') };
          expect(viewData(rebuilt, ref), id).toEqual(viewData(state, ref));
        }
        expect(new Set(documents.map((doc) => doc.id)).size).toBe(documents.length);
      });

      it('a station that pushed and pulled holds a receipt for every event it pushed', async () => {
        const station = await enrollStation(server, clock, 'Counting tablet');
        const { workOrderId, units } = await freshOrder('COMMERCIAL', 3);
        const pushed: Receipt[] = [];
        for (const unit of units) pushed.push(...(await station.pushOk([station.step('op.started', 'B-1001', workOrderId, unit, 'OP10', 'D')])));
        const { receipts } = await station.pullAll(0);
        expect(receipts).toEqual(pushed);
      });
    });
  });
}
