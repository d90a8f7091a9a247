/**
 * Program segregation as a property (issue 11, docs/sync-spec.md S10, S12, S20), on every store
 * (segregation-property.pglite.test.ts, segregation-property.pg.test.ts): whatever mix of valid,
 * malformed, mis-addressed and other-program pushes stations cleared for every program make, and
 * whatever a COMMERCIAL-only station pushes about F-35-ACT work itself, nothing that station can
 * fetch (pull from 0, the audit entries, every unit's trail, a station's enrollment entry, the
 * station list, its own receipts and refusals) holds a name or identifier of F-35-ACT.
 *
 * What belongs to F-35-ACT is read from what a fully cleared station pulls, not from the server's
 * own classification: its work orders, their serials and lots, and the holds, NCRs and conflict
 * items about them. Echoing back an identifier the station itself sent discloses nothing, so the
 * station's own receipts and refusals may name what its own events named.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldSubject, UnitRef } from '../../schemas/common.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { send, testClock, type Answer } from './harness.ts';
import { enrollStation, P100_REVISION, signature, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const F35 = 'F-35-ACT';
const OPERATIONS = ['OP10', 'OP20', 'OP30', 'OP40', 'OP50'] as const;
const REASONS = ['Suspect part', 'Dent on flange', 'Same batch as {id}', 'See {id} before release'] as const;

/** One event to record, with its targets as indexes into the plant's lists (taken modulo their length). */
type EventSpec =
  | { type: 'step'; completed: boolean; order: number; unit: number; operation: number; otherUnit: boolean }
  | { type: 'hold'; subject: 'workOrder' | 'serial' | 'lot' | 'unknown'; target: number; reason: number; mention: number }
  | { type: 'release'; hold: number; unknown: boolean }
  | { type: 'resolve'; conflict: number; unknown: boolean; action: 'accept' | 'void' | 'open-ncr' }
  | { type: 'consume'; order: number; unit: number; bearing: number };

/** A push: from a fully cleared station (as sent, malformed, or naming another station), or from the COMMERCIAL-only one. */
interface PushSpec {
  kind: 'valid' | 'malformed' | 'misaddressed' | 'commercial';
  by: number;
  events: EventSpec[];
}

const index = fc.nat({ max: 1000 });
const eventSpec: fc.Arbitrary<EventSpec> = fc.oneof(
  fc.record({ type: fc.constant('step' as const), completed: fc.boolean(), order: index, unit: index, operation: fc.nat({ max: 4 }), otherUnit: fc.boolean() }),
  fc.record({ type: fc.constant('hold' as const), subject: fc.constantFrom('workOrder', 'serial', 'lot', 'unknown'), target: index, reason: fc.nat({ max: REASONS.length - 1 }), mention: index }),
  fc.record({ type: fc.constant('release' as const), hold: index, unknown: fc.boolean() }),
  fc.record({ type: fc.constant('resolve' as const), conflict: index, unknown: fc.boolean(), action: fc.constantFrom('accept', 'void', 'open-ncr') }),
  fc.record({ type: fc.constant('consume' as const), order: index, unit: index, bearing: fc.nat({ max: 11 }) }),
);
const pushSpec: fc.Arbitrary<PushSpec> = fc.record({
  kind: fc.constantFrom('valid', 'malformed', 'misaddressed', 'commercial'),
  by: fc.nat({ max: 1 }),
  events: fc.array(eventSpec, { minLength: 1, maxLength: 4 }),
});

function pick<T>(list: readonly T[], at: number): T | undefined {
  return list.length === 0 ? undefined : list[at % list.length];
}

const unitId = (unit: UnitRef): string => (unit.kind === 'serial' ? unit.serial : unit.lotId);

/** Identifiers as a reader would cut them out of text: runs of letters, digits, `-`, `_` and `.`. */
function tokens(text: string): Set<string> {
  return new Set(text.split(/[^A-Za-z0-9_.-]+/).filter((token) => token !== ''));
}

/** The F-35-ACT identifiers among what a fully cleared station pulled. */
function f35Identifiers(documents: readonly ViewDoc[]): Set<string> {
  const orders = new Set<string>();
  const units = new Set<string>();
  for (const doc of documents) {
    if (doc.kind === 'workOrder' && doc.data.program === F35) {
      orders.add(doc.data.id);
      for (const unit of doc.data.units) units.add(unitId(unit));
    }
  }
  const about = (subject: HoldSubject | undefined, workOrderId?: string): boolean =>
    (workOrderId !== undefined && orders.has(workOrderId)) ||
    (subject !== undefined && (subject.kind === 'workOrder' ? orders.has(subject.workOrderId) : units.has(unitId(subject))));
  const ids = new Set<string>([F35, ...orders, ...units]);
  for (const doc of documents) {
    if (doc.kind === 'hold' && about(doc.data.subject)) ids.add(doc.data.holdId);
    if (doc.kind === 'nonconformance' && about(doc.data.subject, doc.data.workOrderId)) ids.add(doc.data.ncrId);
    if (doc.kind === 'conflict' && about(doc.data.subject, doc.data.workOrderId)) ids.add(doc.data.conflictId);
  }
  return ids;
}

/** Registers the property on one backend. */
export function runSegregationProperty(backend: Backend): void {
  describe(`program segregation as a property on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let server: RunningServer;
    let commercial: TestStation;
    let cleared: TestStation[];

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now, defaultPrograms: ['COMMERCIAL'] });
      server = fixture.server;
      commercial = await enrollStation(server, clock, 'Commercial cell');
      cleared = [await enrollStation(server, clock, 'Program cell'), await enrollStation(server, clock, 'Program bench')];
      for (const station of cleared) expect(await server.store.setStationPrograms(station.id, ['COMMERCIAL', F35])).toBe(true);
    }, 60_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    /** The event a spec describes, recorded by `station`, against the plant as it stands. */
    function eventOf(station: TestStation, spec: EventSpec): StationEvent {
      const state = server.plant.state();
      const orders = [...state.workOrders.values()];
      const unitOf = (order: WorkOrder, at: number, other: boolean): UnitRef => {
        const source = other ? (pick(orders, at + 1) ?? order) : order;
        return pick(source.units, at) ?? { kind: 'serial', serial: 'SN-NONE' };
      };
      switch (spec.type) {
        case 'step': {
          const order = pick(orders, spec.order) as WorkOrder;
          const operation = OPERATIONS[spec.operation] ?? 'OP10';
          return station.step(spec.completed ? 'op.completed' : 'op.started', 'B-1001', order.id, unitOf(order, spec.unit, spec.otherUnit), operation, P100_REVISION[operation] ?? 'A');
        }
        case 'hold': {
          const order = pick(orders, spec.target) as WorkOrder;
          const unit = unitOf(order, spec.target, false);
          const mentioned = pick(orders, spec.mention) as WorkOrder;
          const reason = (REASONS[spec.reason] ?? 'Suspect').replace('{id}', spec.mention % 2 === 0 ? mentioned.id : unitId(unitOf(mentioned, spec.mention, false)));
          const subject: HoldSubject =
            spec.subject === 'workOrder' ? { kind: 'workOrder', workOrderId: order.id }
            : spec.subject === 'unknown' ? { kind: 'serial', serial: `SN-GHOST-${spec.target}` }
            : spec.subject === 'lot' && unit.kind === 'lot' ? unit
            : unit;
          return station.hold('B-4001', `H-P-${crypto.randomUUID().slice(0, 8)}`, subject, reason);
        }
        case 'release': {
          const hold = spec.unknown ? undefined : pick([...state.holds.keys()], spec.hold);
          return station.release('B-3001', hold ?? `H-GHOST-${spec.hold}`);
        }
        case 'resolve': {
          const conflict = spec.unknown ? undefined : pick([...state.conflicts.keys()], spec.conflict);
          const meaning = spec.action === 'accept' ? 'reviewed: accepted as recorded' : spec.action === 'void' ? 'reviewed: voided' : 'reviewed: nonconformance opened';
          return station.event('conflict.resolved', 'B-3001', { conflictId: conflict ?? `CF-GHOST-${spec.conflict}`, action: spec.action, signature: signature('B-3001', meaning, clock.now()) });
        }
        case 'consume': {
          const order = pick(orders, spec.order) as WorkOrder;
          const serial = `BRG-${String(spec.bearing + 1).padStart(4, '0')}`;
          return station.event('material.consumed', 'B-1004', {
            workOrderId: order.id, operationId: 'OP40', unit: unitOf(order, spec.unit, false), material: { kind: 'serial', serial, partNumber: 'P-900' }, scanned: serial,
          });
        }
      }
    }

    /** Runs a push as its spec says; the answers the COMMERCIAL station received, with what it sent. */
    async function runPush(spec: PushSpec, own: { answers: Answer[]; sent: string[] }): Promise<void> {
      const station = spec.kind === 'commercial' ? commercial : (cleared[spec.by] as TestStation);
      const events = spec.events.map((event) => eventOf(station, event));
      if (spec.kind === 'malformed') {
        const [first, ...rest] = events as [StationEvent, ...StationEvent[]];
        const answer = await station.push([{ ...first, payload: { ...first.payload, operationId: 42, holdId: 7, conflictId: null } }, ...rest]);
        expect(answer.status).toBe(400);
        return;
      }
      if (spec.kind === 'misaddressed') {
        const answer = await station.push(events, { stationId: spec.by === 0 ? commercial.id : (cleared[0] as TestStation).id });
        expect(answer.status).toBe(403);
        return;
      }
      const answer = await station.push(events);
      expect(answer.status, answer.text).toBe(200);
      if (spec.kind === 'commercial') {
        own.answers.push(answer);
        own.sent.push(JSON.stringify(events));
      }
    }

    /** Everything the COMMERCIAL station can fetch, as text. */
    async function fetchAll(): Promise<{ shared: string[]; ownReceipts: string[] }> {
      const { credential, url } = commercial;
      const pulled = await commercial.pullAll(0);
      const shared = [JSON.stringify(pulled.documents)];
      const size = Number((await send<{ size: number }>(url, '/api/audit/checkpoint', { credential })).body.size ?? 0);
      const total = await server.store.sql.query<{ count: string | number }>('SELECT count(*) AS count FROM audit_entries');
      const entries = Number(total[0]?.count ?? 0);
      for (let start = 0; start < entries; start += 1000) shared.push((await send(url, `/api/audit/entries?start=${start}&end=${start + 1000}`, { credential })).text);
      for (const order of server.plant.state().workOrders.values()) {
        for (const unit of order.units) shared.push((await send(url, `/api/audit/trail?${unit.kind}=${encodeURIComponent(unitId(unit))}`, { credential })).text);
      }
      shared.push((await send(url, '/api/stations', { credential })).text);
      for (const station of cleared) {
        if (size > 0) shared.push((await send(url, `/api/audit/enrollment?station=${station.id}&size=${size}`, { credential })).text);
      }
      return { shared, ownReceipts: [JSON.stringify(pulled.receipts)] };
    }

    it('[S10][S12][S20] nothing a COMMERCIAL-only station fetches names F-35-ACT or one of its identifiers', async () => {
      const own = { answers: [] as Answer[], sent: [] as string[] };
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(pushSpec, { minLength: 1, maxLength: 5 }), async (pushes) => {
          runs += 1;
          for (const push of pushes) await runPush(push, own);
          clock.advance(1000);

          const everything = (await (cleared[0] as TestStation).pullAll(0)).documents;
          const forbidden = f35Identifiers(everything);
          const seen = await fetchAll();
          const sentByItself = tokens(own.sent.join('\n'));
          const leaks = (texts: readonly string[], allowed: ReadonlySet<string>): string[] =>
            [...tokens(texts.join('\n'))].filter((token) => forbidden.has(token) && !allowed.has(token));
          expect(leaks(seen.shared, new Set())).toEqual([]);
          expect(seen.shared.join('\n')).not.toContain(F35);
          expect(leaks([...seen.ownReceipts, ...own.answers.map((answer) => answer.text)], sentByItself)).toEqual([]);
          expect(own.answers.map((answer) => answer.text).join('\n')).not.toContain(F35);
        }),
        {
          numRuns: 12,
          endOnFailure: true,
          // One run that surely covers every kind of push about the first work order (F-35-ACT's WO-1001).
          examples: [[[
            { kind: 'valid', by: 0, events: [{ type: 'step', completed: false, order: 0, unit: 0, operation: 0, otherUnit: false }, { type: 'hold', subject: 'serial', target: 0, reason: 2, mention: 3 }] },
            { kind: 'malformed', by: 1, events: [{ type: 'step', completed: true, order: 0, unit: 1, operation: 0, otherUnit: false }] },
            { kind: 'misaddressed', by: 0, events: [{ type: 'step', completed: true, order: 0, unit: 2, operation: 0, otherUnit: false }] },
            { kind: 'commercial', by: 0, events: [{ type: 'step', completed: true, order: 0, unit: 0, operation: 0, otherUnit: false }, { type: 'release', hold: 0, unknown: false }, { type: 'resolve', conflict: 0, unknown: false, action: 'void' }] },
          ]]],
        },
      );
      expect(runs).toBeGreaterThan(0);

      // The mix reached F-35-ACT records of every path, so there was something to withhold: the
      // fully cleared station sees quarantined F-35-ACT input (malformed and mis-addressed pushes).
      const everything = (await (cleared[0] as TestStation).pullAll(0)).documents;
      const f35 = f35Identifiers(everything);
      const quarantined = everything.filter((doc) => doc.kind === 'quarantine' && [...tokens(JSON.stringify(doc.data.raw))].some((token) => f35.has(token)));
      const flags = new Set(quarantined.flatMap((doc) => (doc.kind === 'quarantine' ? doc.data.flags : [])));
      expect(flags.has('schema')).toBe(true);
      expect(flags.has('security:station-mismatch')).toBe(true);
    }, 600_000);
  });
}
