/**
 * The server's authority over the plant: the one place that writes what stations did. It keeps the
 * plant in memory (rebuilt from the views table at start), decides each pushed batch with the pure
 * rules of src/domain/decide.ts inside one transaction that holds the server sequence, and swaps the
 * new plant in only after that transaction commits.
 *
 * Several server processes may share one PostgreSQL: each batch takes the sequence row's lock, and
 * if the sequence moved since this process last wrote, the plant is rebuilt from the views first.
 */
import type { Flag } from '../../schemas/flags.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { QuarantineEntry } from '../../schemas/quarantine.ts';
import type { Receipt } from '../../schemas/receipt.ts';
import type { Characteristic, Operation, Routing } from '../../schemas/routing.ts';
import type { PlantDraft, PlantState, ViewRef } from '../../src/domain/plant.ts';
import { changePlant, plantFromViews, routingKey, viewData } from '../../src/domain/plant.ts';
import type { StationSyncState } from '../../src/domain/rules/index.ts';
import { decide, decideBatch } from '../../src/domain/decide.ts';
import type { LockedStore, NewStation, NumberedViewWrite, RefusedReceipt, Station, StoredEvent, Store } from '../store/store.ts';
import type { AuditLog, EntryDraft } from '../audit/audit-log.ts';
import { eventHashNode } from '../audit/station-signatures.ts';
import { prepareEvent, type PreparedEvent } from '../audit/prepared-event.ts';
import { GENESIS_HASH } from '../../src/audit/event-signing.ts';
import { canonicalText } from '../../src/audit/canonical.ts';
import { parseStepKey, unitKey } from '../../src/domain/plant.ts';
import type { ViewWrite } from '../store/view-keys.ts';
import { PLANT_WIDE } from '../store/view-keys.ts';
import { plantPrograms, programIndex, programOfEvent, sameScope, scopeOf } from './scope.ts';
import { tokenSet, withholdForeign } from './program-tokens.ts';

/**
 * The plant as a station cleared only for `programs` knows it: without the work orders of other
 * programs, their serials and lots, and the holds, NCRs and conflict items scoped to them.
 */
function withoutPrograms(state: PlantState, programs: readonly string[]): PlantState {
  const foreign = (program: string | null): boolean => program !== null && !programs.includes(program);
  const keep = <V>(map: ReadonlyMap<string, V>, drop: (value: V, key: string) => boolean): ReadonlyMap<string, V> =>
    new Map([...map].filter(([key, value]) => !drop(value, key)));
  const index = programIndex(state);
  const owned = (id: string): boolean => foreign(index.owners.get(id) ?? null);
  return {
    ...state,
    workOrders: keep(state.workOrders, (workOrder) => foreign(workOrder.program)),
    serials: keep(state.serials, (serial) => owned(serial.serial)),
    lots: keep(state.lots, (lot) => owned(lot.lotId)),
    holds: keep(state.holds, (hold) => owned(hold.holdId)),
    nonconformances: keep(state.nonconformances, (ncr) => owned(ncr.ncrId)),
    conflicts: keep(state.conflicts, (conflict) => owned(conflict.conflictId)),
  };
}

/** Longest reason a receipt or quarantine entry carries (the schemas' limit). */
const MAX_REASON = 2000;

function clip(text: string): string {
  return text.length <= MAX_REASON ? text : `${text.slice(0, MAX_REASON - 1)}…`;
}

/** A batch a station pushed, its events already valid against their schemas. */
export interface IngestRequest {
  station: Station;
  events: readonly StationEvent[];
  /** The station's clock when it sent the batch. */
  sentAt: string;
  /**
   * Whether each event is attested by its station's key (checked before the lock, per unbroken run:
   * push.ts and audit/station-signatures.ts `attestRuns`), in the order of `events`; every event is
   * taken as unverified when absent.
   */
  signatures?: readonly boolean[];
  /** The events encoded once (push.ts), in the order of `events`; encoded here when absent. */
  prepared?: readonly PreparedEvent[];
}

/** Something refused before it could be decided (a schema failure, a push for another station), to keep in quarantine. */
export interface QuarantineDraft {
  eventId: string;
  stationId: string;
  reason: string;
  flags: Flag[];
  raw: unknown;
}

/** A new revision of an operation's work instruction or of one characteristic, from `effectiveFrom` on. */
export interface OperationRevision {
  instructionRevision?: string;
  characteristic?: { id: string; revision: string };
  /** When the new revision takes effect: work to the old one recorded after this is stale (C4). */
  effectiveFrom: string;
}

/** The authority; see the module comment. */
export interface PlantService {
  /** The plant as this process last committed or loaded it. */
  state(): PlantState;
  /** The server sequence that plant is at. */
  sequence(): number;
  /** Loads the plant from the views (and corrects any stored scope that disagrees with it). */
  load(): Promise<void>;
  /** Decides a station's batch and returns one receipt per event, in the order given. */
  ingest(request: IngestRequest): Promise<Receipt[]>;
  /** Keeps refused input in quarantine (as `quarantine` views); changes nothing else. */
  quarantine(drafts: readonly QuarantineDraft[], receivedAt: Date): Promise<void>;
  /** Writes master data (or any view) and rebuilds the plant with it, scopes computed. */
  putViews(views: readonly ViewWrite[]): Promise<void>;
  /** Issues a new revision of an operation's instruction or a characteristic (master data). */
  reviseOperation(partNumber: string, partRevision: string, operationId: string, revision: OperationRevision): Promise<Routing>;
  /** Records a station and its key, with the enrollment and the approval as audit entries, in one transaction. */
  enrollStation(station: NewStation, approver: { badge: string; role: string; printedName: string }): Promise<Station>;
  /** Revokes a station (its later pushes are refused), recorded as an audit entry; false if unknown or already revoked. */
  revokeStation(stationId: string, actor: { badge: string; role: string }, reason: string): Promise<boolean>;
  /**
   * A change the server itself decides (a disposition the QMS posted, sync-server/qms/): `decide`
   * looks at the plant under the lock and returns a value, and optionally a change to the plant and
   * the audit entries recording it, written in one transaction (views renumbered as a push's are).
   */
  applyServerChange<T>(decide: (state: PlantState) => { value: T; change?: (draft: PlantDraft) => void; entries?: EntryDraft[] }): Promise<T>;
  /** The audit log this service appends to, if any. */
  readonly audit: AuditLog | null;
}

/** Options of {@link createPlantService}. */
export interface PlantServiceOptions {
  store: Store;
  now: () => Date;
  /** Told the new server sequence after each commit (the live stream). */
  onCommit?: (sequence: number) => void;
  /** The audit log every receipt and system action is appended to, in the same transaction. */
  audit?: AuditLog;
  /** Where the plant's MRB decides (MRB_DECIDES): with `qms`, rule C35 refuses a station's disposition. */
  mrbDecides?: 'travelog' | 'qms';
}

/** Largest refused input an audit entry carries whole; above it, its hash. */
const MAX_RAW_TEXT = 64 * 1024;

function rawForAudit(raw: unknown): unknown {
  try {
    const text = canonicalText(raw);
    return text.length <= MAX_RAW_TEXT ? raw : { sha256: eventHashNode(raw as StationEvent), bytes: text.length };
  } catch {
    return { unreadable: true };
  }
}

/** The serial or lot an event is about, as the audit trail keys it. */
function unitOfEvent(state: PlantState, event: StationEvent): string | undefined {
  const payload = event.payload as { unit?: unknown; subject?: { unit?: unknown }; holdId?: unknown; conflictId?: unknown };
  const unit = (payload.unit ?? payload.subject?.unit) as Parameters<typeof unitKey>[0] | undefined;
  if (unit !== undefined && typeof unit === 'object') return unitKey(unit);
  // A red tag names its items: it belongs to the trail of the first (each item is a subject too).
  if (event.type === 'ncr.opened') {
    const first = event.payload.items[0];
    if (first !== undefined) return unitKey(first.unit);
  }
  // A release names only its hold: it belongs to the trail of the serial or lot the hold is on.
  if (event.type === 'hold.released' && typeof payload.holdId === 'string') {
    const subject = state.holds.get(payload.holdId)?.subject;
    if (subject?.kind === 'serial' || subject?.kind === 'lot') return unitKey(subject);
  }
  // A signed resolution names only its conflict item: it belongs to the trail of the unit the item is
  // about, or of the unit of the step it acted on.
  if (event.type === 'conflict.resolved' && typeof payload.conflictId === 'string') {
    const conflict = state.conflicts.get(payload.conflictId);
    if (conflict?.subject?.kind === 'serial' || conflict?.subject?.kind === 'lot') return unitKey(conflict.subject);
    const step = conflict?.stepKey === undefined ? undefined : parseStepKey(conflict.stepKey);
    if (step !== undefined) return unitKey(step.unit);
  }
  return undefined;
}

/** What a receipt entry carries as the event, as rawForAudit decides, with its RFC 8785 text when whole. */
function auditedEvent(prepared: PreparedEvent): { event: unknown; text: string | null } {
  if (prepared.text === null) return { event: { unreadable: true }, text: null };
  if (prepared.text.length > MAX_RAW_TEXT) return { event: { sha256: prepared.hash, bytes: prepared.text.length }, text: null };
  return { event: prepared.event, text: prepared.text };
}

/** The receipt of an event as an audit entry, and the text of the event it carries (see AppendOptions.eventTexts). */
function receiptEntry(state: PlantState, prepared: PreparedEvent, receipt: Receipt, pushedBy: string): { draft: EntryDraft; eventText: string | null } {
  const { event } = prepared;
  const audited = auditedEvent(prepared);
  const role = state.operators.get(event.actor)?.role;
  const payload = event.payload as { signature?: { signerBadge: string; printedName: string; meaning: string; reason?: string; signedAt: string } };
  const unit = unitOfEvent(state, event);
  const sig = payload.signature;
  const draft: EntryDraft = {
    kind: 'receipt',
    recordedAt: receipt.receivedAt,
    actor: event.actor,
    ...(role === undefined ? {} : { role }),
    stationId: pushedBy,
    eventId: event.id,
    eventType: event.type,
    serverSeq: receipt.serverSeq,
    outcome: receipt.outcome,
    flags: receipt.flags,
    ...(receipt.reason === undefined ? {} : { reason: receipt.reason }),
    deviceTime: event.deviceTime,
    hlc: event.hlc,
    ...(unit === undefined ? {} : { unit }),
    event: audited.event,
    ...(sig === undefined
      ? {}
      : { signature: { signerBadge: sig.signerBadge, printedName: sig.printedName, meaning: sig.meaning, signedAt: sig.signedAt, ...(sig.reason === undefined ? {} : { reason: sig.reason }) } }),
  };
  return { draft, eventText: audited.text };
}

/** The security check of one new event: its signature, its station's key, its place in the station's chain. */
type Security = { ok: true } | { ok: false; flag: Flag; reason: string };

interface Cached {
  state: PlantState;
  sequence: number;
}

/**
 * Waits for every one of `work` to settle, then fails with the first failure, if any. Unlike
 * Promise.all it never returns while a statement of one is still to come: the caller's transaction
 * must not end (commit, or roll back and hand its connection on) under a write still running.
 */
export async function settled(work: ReadonlyArray<Promise<unknown> | undefined>): Promise<void> {
  const results = await Promise.allSettled(work.map((one) => one ?? Promise.resolve()));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** Runs tasks one after another: batches of this process wait here rather than in the database. */
function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

async function loadFrom(tx: LockedStore): Promise<Cached> {
  const views = await tx.allViews();
  const state = plantFromViews(views);
  const wrong = views.flatMap((view) => {
    const scope = scopeOf(state, view.kind, view.data);
    return sameScope(scope, view.scope) ? [] : [{ kind: view.kind, key: view.key, scope }];
  });
  await tx.rescope(wrong);
  return { state, sequence: tx.sequence };
}

type Slot =
  | { kind: 'stored'; receipt: Receipt }
  | { kind: 'same-as'; index: number }
  | { kind: 'reused'; event: StationEvent; storedSeq: number | null }
  | { kind: 'new'; event: StationEvent; hash: string };

/** The prepared form of the event at `index`: push.ts's, or made here. */
function preparedAt(prepared: readonly PreparedEvent[], index: number): PreparedEvent {
  const found = prepared[index];
  if (found === undefined) throw new Error(`No prepared event at ${index}`);
  return found;
}

interface Outcome {
  outcome: Receipt['outcome'];
  flags: Flag[];
  reason?: string;
}

function masterDataEntry(at: Date, views: readonly string[]): EntryDraft {
  return { kind: 'master-data.changed', recordedAt: at.toISOString(), actor: 'system', role: 'system', subject: { views: views.slice(0, MAX_LISTED_VIEWS), count: views.length } };
}

/** Views a master-data entry names; the count says how many more. */
const MAX_LISTED_VIEWS = 200;

/** The authority over `store`. Call {@link PlantService.load} before serving. */
export function createPlantService(options: PlantServiceOptions): PlantService {
  const { store, now } = options;
  const oneAtATime = serialQueue();
  let cache: Cached | null = null;

  async function current(tx: LockedStore): Promise<Cached> {
    if (cache === null || cache.sequence !== tx.sequence) cache = await loadFrom(tx);
    return cache;
  }

  function committed(next: Cached): void {
    cache = next;
    options.onCommit?.(next.sequence);
  }

  async function ingestLocked(tx: LockedStore, request: IngestRequest, serverTime: Date): Promise<{ receipts: Receipt[]; next: Cached | null }> {
    const { station, events } = request;
    const prepared = request.prepared ?? events.map(prepareEvent);
    const base = await current(tx);
    const receivedAt = serverTime.toISOString();
    const skewMs = serverTime.getTime() - Date.parse(request.sentAt);

    // Idempotency: an id already stored with the same content gets its stored receipt.
    const stored = await tx.storedEvents([...new Set(events.map((event) => event.id))]);
    const firstInBatch = new Map<string, { index: number; hash: string }>();
    const slots: Slot[] = events.map((event, index) => {
      const { hash } = preparedAt(prepared, index);
      const before = stored.get(event.id);
      if (before !== undefined) {
        return before.contentHash === hash ? { kind: 'stored', receipt: before.receipt } : { kind: 'reused', event, storedSeq: before.receipt.serverSeq };
      }
      const earlier = firstInBatch.get(event.id);
      if (earlier !== undefined) return earlier.hash === hash ? { kind: 'same-as', index: earlier.index } : { kind: 'reused', event, storedSeq: null };
      firstInBatch.set(event.id, { index, hash });
      return { kind: 'new', event, hash };
    });

    // Signature, key and chain (docs/sync-spec.md S16–S18) before any rule: a refused event does not move the chain.
    const security = new Map<number, Security>();
    const head = await tx.stationChainHead(station.id);
    let chainSeq = head.lastSeq;
    let chainHash = head.lastHash ?? (head.lastSeq === 0 ? GENESIS_HASH : null);
    slots.forEach((slot, index) => {
      if (slot.kind !== 'new') return;
      const event = slot.event;
      // An event claiming another station is refused by C12, whatever it carries.
      if (event.stationId !== station.id) return;
      if (station.publicKey === null) {
        security.set(index, { ok: false, flag: 'security:unknown-station', reason: `Station ${station.name} has no enrolled key; enroll it again` });
        return;
      }
      if (request.signatures?.[index] !== true) {
        security.set(index, { ok: false, flag: 'security:bad-signature', reason: `The signature of event ${event.id} does not verify with the key enrolled for station ${station.name}` });
        return;
      }
      if (event.seq === chainSeq + 1 && chainHash !== null && event.prevHash !== chainHash) {
        security.set(index, {
          ok: false,
          flag: 'security:broken-chain',
          reason: `Event ${event.id} (seq ${event.seq}) names previous hash ${event.prevHash.slice(0, 12)}…, but the station's event ${chainSeq} hashes to ${chainHash.slice(0, 12)}…`,
        });
        return;
      }
      if (event.seq > chainSeq) {
        chainSeq = event.seq;
        chainHash = preparedAt(prepared, index).hash;
      }
    });

    // Decide the new events in order; one not cleared for its program is refused before the rules see it.
    let state = base.state;
    // The chain head's sequence is the station's last_seq (the same row, read above).
    let sync: StationSyncState = { stationId: station.id, stationName: station.name, lastSeq: head.lastSeq };
    const context = { pushedBy: station.id, serverTime, skewMs, ...(options.mrbDecides === 'qms' ? { mrbDecides: 'qms' as const } : {}) };
    const outcomes = new Map<number, Outcome>();
    const changed = new Map<string, ViewRef>();
    let run: Array<{ index: number; event: StationEvent }> = [];
    let masked: PlantState | undefined;
    const flush = (): void => {
      if (run.length === 0) return;
      masked = undefined;
      const result = decideBatch(state, sync, run.map((r) => r.event), context);
      state = result.state;
      sync = result.station;
      for (const ref of result.changed) changed.set(`${ref.kind}:${ref.key}`, ref);
      result.decisions.forEach(({ decision }, i) => {
        const index = run[i]?.index ?? -1;
        outcomes.set(index, { outcome: decision.outcome, flags: decision.flags, ...(decision.reason === undefined ? {} : { reason: clip(decision.reason) }) });
      });
      run = [];
    };
    slots.forEach((slot, index) => {
      if (slot.kind !== 'new') return;
      const check = security.get(index);
      if (check !== undefined && !check.ok) {
        flush();
        outcomes.set(index, { outcome: 'rejected', flags: [check.flag], reason: check.reason });
        return;
      }
      const program = programOfEvent(base.state, slot.event);
      if (program !== null && !station.programs.includes(program)) {
        // Refused exactly as an event about something the server does not have: decided against
        // the plant without the programs the station is not cleared for (S10), and never applied.
        flush();
        masked ??= withoutPrograms(state, station.programs);
        const { decision } = decide({ state: masked, station: sync, event: slot.event, ...context });
        const refusal = decision.outcome === 'rejected' ? decision : { flags: [], reason: 'The server does not have what this event names' };
        outcomes.set(index, { outcome: 'rejected', flags: refusal.flags, ...(refusal.reason === undefined ? {} : { reason: clip(refusal.reason) }) });
        if (slot.event.stationId === station.id) sync = { ...sync, lastSeq: Math.max(sync.lastSeq, slot.event.seq) };
        return;
      }
      run.push({ index, event: slot.event });
    });
    flush();

    // Number what the batch writes: its events in order, then the views they changed.
    let sequence = tx.sequence;
    const receipts: Array<Receipt | undefined> = [];
    const storedEvents: StoredEvent[] = [];
    const refused: RefusedReceipt[] = [];
    const quarantined: Array<{ entry: QuarantineEntry }> = [];
    const pending: Receipt[] = [];
    const entries: EntryDraft[] = [];
    const eventTexts: Array<string | null> = [];
    // A reason may name other work than the event's (the completion it duplicates, the assembly a
    // serial went into): what belongs to a program the station is not cleared for is blanked,
    // except what the event itself names (S10).
    const restricted = !plantPrograms(state).every((program) => station.programs.includes(program));
    const reasonFor = (reason: string | undefined, event: StationEvent): { reason?: string } => {
      if (reason === undefined) return {};
      return { reason: restricted ? withholdForeign(reason, programIndex(state), station.programs, tokenSet(event)) : reason };
    };
    /** Records the receipt in the audit log; true if its entry carries the event whole. */
    const record = (index: number, receipt: Receipt): boolean => {
      const { draft, eventText } = receiptEntry(state, preparedAt(prepared, index), receipt, station.id);
      entries.push(draft);
      eventTexts.push(eventText);
      return options.audit !== undefined && eventText !== null;
    };
    slots.forEach((slot, index) => {
      if (slot.kind === 'stored') {
        receipts[index] = slot.receipt;
        return;
      }
      if (slot.kind === 'same-as') return;
      const serverSeq = ++sequence;
      if (slot.kind === 'reused') {
        const reason = `Event id ${slot.event.id} was already used for other content${slot.storedSeq === null ? ' in this push' : ` (server seq ${slot.storedSeq})`}; refused, and the stored event kept`;
        const receipt: Receipt = { eventId: slot.event.id, outcome: 'rejected', flags: ['security:id-reused'], reason, serverSeq, visibleAt: 0, receivedAt };
        refused.push({ pushedBy: station.id, receipt });
        quarantined.push({
          entry: { quarantineId: `Q-${serverSeq}`, eventId: slot.event.id, stationId: station.id, receivedAt, reason, flags: receipt.flags, raw: slot.event },
        });
        receipts[index] = receipt;
        pending.push(receipt);
        record(index, receipt);
        return;
      }
      const outcome = outcomes.get(index);
      if (outcome === undefined) throw new Error(`No decision for event ${slot.event.id}`);
      const receipt: Receipt = { eventId: slot.event.id, ...outcome, ...reasonFor(outcome.reason, slot.event), serverSeq, visibleAt: 0, receivedAt };
      // Kept once: in its receipt entry when that carries it whole, else in the events table.
      const inLog = record(index, receipt);
      storedEvents.push({ event: slot.event, eventText: preparedAt(prepared, index).text, inLog, contentHash: slot.hash, pushedBy: station.id, receipt });
      if (outcome.outcome === 'rejected') {
        quarantined.push({
          entry: {
            quarantineId: `Q-${serverSeq}`, eventId: slot.event.id, stationId: station.id, receivedAt,
            reason: outcome.reason ?? 'refused', flags: outcome.flags, raw: slot.event,
          },
        });
      }
      receipts[index] = receipt;
      pending.push(receipt);
    });
    if (pending.length === 0) {
      return { receipts: slots.map((slot, index) => receipts[slot.kind === 'same-as' ? slot.index : index] as Receipt), next: null };
    }

    const views: NumberedViewWrite[] = [];
    for (const ref of changed.values()) {
      const data = viewData(state, ref);
      if (data === undefined) continue;
      views.push({ kind: ref.kind, key: ref.key, data, scope: scopeOf(state, ref.kind, data), serverSeq: ++sequence } as NumberedViewWrite);
    }
    for (const { entry } of quarantined) {
      views.push({ kind: 'quarantine', key: entry.quarantineId, data: entry, scope: scopeOf(state, 'quarantine', entry), serverSeq: ++sequence });
    }
    for (const receipt of pending) receipt.visibleAt = sequence;

    // The entries are numbered and chained, then the batch and the entries with the signed
    // checkpoint that covers them written, in the same transaction: every receipt is provable once
    // answered. Both writes are under way together: on PostgreSQL the database stores the events
    // while this thread hashes the entries and the tree. Both settle before the transaction ends.
    const appending = await options.audit?.startAppend(tx.sql, entries, { eventTexts });
    await settled([
      tx.write({
        sequence, events: storedEvents, refused, views,
        station: { id: station.id, lastSeq: sync.lastSeq, ...(chainSeq === sync.lastSeq && chainHash !== null ? { lastHash: chainHash } : {}) },
      }),
      appending?.finish(),
    ]);
    return {
      receipts: slots.map((slot, index) => receipts[slot.kind === 'same-as' ? slot.index : index] as Receipt),
      next: { state, sequence },
    };
  }

  return {
    audit: options.audit ?? null,

    enrollStation: (newStation, approver) =>
      oneAtATime(() =>
        store.locked(async (tx) => {
          const station = await tx.addStation(newStation);
          const at = newStation.enrolledAt.toISOString();
          await options.audit?.append(tx.sql, [
            {
              kind: 'station.enrolled', recordedAt: at, actor: approver.badge, role: approver.role, stationId: station.id,
              subject: { name: station.name, publicKey: station.publicKey, keyAlg: station.keyAlg, programs: station.programs },
            },
            {
              kind: 'station.approved', recordedAt: at, actor: approver.badge, role: approver.role, stationId: station.id,
              signature: { signerBadge: approver.badge, printedName: approver.printedName, meaning: 'approved station enrollment', signedAt: at, reason: `Enrolled ${station.name}` },
            },
          ]);
          return station;
        }),
      ),

    revokeStation: (stationId, actor, reason) =>
      oneAtATime(() =>
        store.locked(async (tx) => {
          const at = now();
          const revoked = await tx.revokeStation(stationId, at);
          if (revoked) {
            await options.audit?.append(tx.sql, [{ kind: 'station.revoked', recordedAt: at.toISOString(), actor: actor.badge, role: actor.role, stationId, reason }]);
          }
          return revoked;
        }),
      ),

    async applyServerChange(decideChange) {
      const result = await oneAtATime(() =>
        store.locked(async (tx) => {
          const base = await current(tx);
          const decided = decideChange(base.state);
          if (decided.change === undefined) return { value: decided.value, next: null };
          const { state, changed } = changePlant(base.state, decided.change);
          let sequence = tx.sequence;
          const views: NumberedViewWrite[] = [];
          for (const ref of changed) {
            const data = viewData(state, ref);
            if (data === undefined) continue;
            views.push({ kind: ref.kind, key: ref.key, data, scope: scopeOf(state, ref.kind, data), serverSeq: ++sequence } as NumberedViewWrite);
          }
          await tx.write({ sequence, events: [], refused: [], views });
          await options.audit?.append(tx.sql, decided.entries ?? []);
          return { value: decided.value, next: { state, sequence } };
        }),
      );
      if (result.next !== null) committed(result.next);
      return result.value;
    },

    state() {
      if (cache === null) throw new Error('The plant is not loaded; call load() first');
      return cache.state;
    },

    sequence() {
      return cache?.sequence ?? 0;
    },

    load: () =>
      oneAtATime(() =>
        store.locked(async (tx) => {
          cache = await loadFrom(tx);
        }),
      ),

    async ingest(request) {
      const serverTime = now();
      const { receipts, next } = await oneAtATime(() => store.locked((tx) => ingestLocked(tx, request, serverTime)));
      if (next !== null) committed(next);
      return receipts;
    },

    async quarantine(drafts, receivedAt) {
      if (drafts.length === 0) return;
      const next = await oneAtATime(() =>
        store.locked(async (tx) => {
          const base = await current(tx);
          let sequence = tx.sequence;
          const views: NumberedViewWrite[] = drafts.map((draft) => {
            const serverSeq = ++sequence;
            const data: QuarantineEntry = { quarantineId: `Q-${serverSeq}`, ...draft, reason: clip(draft.reason), receivedAt: receivedAt.toISOString() };
            return { kind: 'quarantine', key: data.quarantineId, data, scope: scopeOf(base.state, 'quarantine', data), serverSeq };
          });
          await tx.write({ sequence, events: [], refused: [], views });
          await options.audit?.append(
            tx.sql,
            views.map(({ data }) => {
              const entry = data as QuarantineEntry;
              return {
                kind: 'quarantine', recordedAt: entry.receivedAt, actor: 'system', stationId: entry.stationId, eventId: entry.eventId.slice(0, 200),
                outcome: 'rejected', flags: entry.flags, reason: entry.reason, event: rawForAudit(entry.raw),
              } satisfies EntryDraft;
            }),
          );
          return { state: base.state, sequence };
        }),
      );
      committed(next);
    },

    async putViews(views) {
      if (views.length === 0) return;
      const next = await oneAtATime(() =>
        store.locked(async (tx) => {
          let sequence = tx.sequence;
          const numbered = views.map((view) => ({ ...view, serverSeq: ++sequence }));
          await tx.write({ sequence, events: [], refused: [], views: numbered });
          await options.audit?.append(tx.sql, [masterDataEntry(now(), numbered.map((view) => `${view.kind}:${view.key}`))]);
          // Rebuilt from the views just written, so every scope is computed against the new plant.
          return loadFrom({ ...tx, sequence });
        }),
      );
      committed(next);
    },

    async reviseOperation(partNumber, partRevision, operationId, revision) {
      const result = await oneAtATime(() =>
        store.locked(async (tx) => {
          const base = await current(tx);
          const key = routingKey(partNumber, partRevision);
          const routing = base.state.routings.get(key);
          if (routing === undefined) throw new Error(`No routing ${key}`);
          const operation = routing.operations.find((op) => op.id === operationId);
          if (operation === undefined) throw new Error(`Routing ${key} has no operation ${operationId}`);
          const revised: Operation = {
            ...operation,
            ...(revision.instructionRevision === undefined
              ? {}
              : { instruction: { ...operation.instruction, revision: revision.instructionRevision, effectiveFrom: revision.effectiveFrom } }),
            characteristics: operation.characteristics.map((c): Characteristic => {
              if (revision.characteristic === undefined || c.id !== revision.characteristic.id) return c;
              return { ...c, revision: revision.characteristic.revision, effectiveFrom: revision.effectiveFrom };
            }),
          };
          if (revision.characteristic !== undefined && !operation.characteristics.some((c) => c.id === revision.characteristic?.id)) {
            throw new Error(`${operationId} of ${key} has no characteristic ${revision.characteristic.id}`);
          }
          const next: Routing = { ...routing, operations: routing.operations.map((op) => (op.id === operationId ? revised : op)) };
          const { state } = changePlant(base.state, (draft) => draft.routings.set(key, next));
          const sequence = tx.sequence + 1;
          await tx.write({ sequence, events: [], refused: [], views: [{ kind: 'routing', key, data: next, scope: PLANT_WIDE, serverSeq: sequence }] });
          await options.audit?.append(tx.sql, [{ ...masterDataEntry(now(), [`routing:${key}`]), reason: `New revision of ${operationId} effective from ${revision.effectiveFrom}` }]);
          return { routing: next, cached: { state, sequence } };
        }),
      );
      committed(result.cached);
      return result.routing;
    },
  };
}
