/**
 * The plant as this station sees it: the server's views with this station's pending events applied
 * by the same pure reducers the server runs. An event is pending until the server's receipt for it
 * has arrived and the station has pulled the views that include its effect ({@link isPending});
 * a rejected event is never applied. Screens read it through `subscribe`/`get` (React's
 * useSyncExternalStore).
 */
import type { Subscription } from 'rxjs';
import type { StationEvent } from '../../schemas/event.ts';
import type { ReceiptDoc } from '../../schemas/receipt-doc.ts';
import type { PlantState } from '../domain/plant.ts';
import { emptyPlant, plantFromViews, reduceEvents } from '../domain/plant.ts';
import type { StationDb, StoredEvent } from './database.ts';
import { asEvent, asView } from './database.ts';
import { startMark } from './start-marks.ts';
import { allEvents } from './events.ts';
import { PULL_CHECKPOINT_ID, isPending, readOverlaySettled, readPullCheckpoint, receiptsFor, writeOverlaySettled } from './receipts.ts';

/** What the station still has to hear back about from the server. */
export interface Outbox {
  /** Events without a receipt yet: not pushed, or pushed and not answered. */
  waiting: number;
  /** Device time of the oldest of them, or null when none waits. */
  oldestWaitingAt: string | null;
  /** Events shown from the overlay: waiting, or answered but not yet in the pulled views. */
  pending: number;
}

export interface PlantStore {
  get(): PlantState;
  /** Changes with every change of the plant or of the outbox. */
  outbox(): Outbox;
  /**
   * This station's events still shown from the overlay (not yet confirmed by the server: no receipt,
   * or the views with their effect not yet pulled), in sequence order. Read it when `get` changes.
   */
  pendingEvents(): readonly StationEvent[];
  subscribe(listener: () => void): () => void;
  /**
   * Shows an event this tab has just written at once, without waiting for the database's change
   * stream, so the next check sees it. Events from other tabs arrive through the stream.
   */
  applyRecorded(event: StationEvent): void;
  /**
   * Holds back rebuilds caused by views and the pull checkpoint until the returned function is
   * called, then rebuilds once (receipts are applied as they come, against the views shown). A pull writes views first and its checkpoint after; a
   * rebuild in between would apply an event twice (once in the views, once from the overlay) and
   * the screen would flicker.
   */
  deferRebuilds(): () => void;
  /** Resolves once the first state has been read from IndexedDB. */
  ready: Promise<void>;
  close(): void;
}

const NO_OUTBOX: Outbox = { waiting: 0, oldestWaitingAt: null, pending: 0 };

/** From this many pending events on, their receipts are read in one pass rather than by id. */
const MANY_PENDING = 1000;

/** The event as recorded, from its stored document (which carries fields of RxDB's own too). */
function recordedEvent(doc: StoredEvent): StationEvent {
  const { id, type, stationId, seq, actor, deviceTime, hlc, payload, prevHash, keyAlg, signature } = doc;
  const event = { id, type, stationId, seq, actor, deviceTime, hlc, payload, prevHash, ...(keyAlg === undefined ? {} : { keyAlg }), signature };
  // Only validated events reach the collection (see asEvent).
  return event as unknown as StationEvent;
}

export function createPlantStore(db: StationDb): PlantStore {
  /** The plant as the server's views describe it; read again only when views change. */
  let base: PlantState = emptyPlant();
  let viewsStale = true;
  /** This station's pending events in sequence order, with the receipts known for them. */
  let pending: StationEvent[] = [];
  let receipts = new Map<string, ReceiptDoc>();
  /** The views and pull checkpoint of the state shown: receipts are applied against these. */
  let shownBase: PlantState = base;
  let shownCheckpoint = 0;
  let state: PlantState = emptyPlant();
  let outbox: Outbox = NO_OUTBOX;
  let lastSeq = 0;
  /** Every event up to this one is settled, as last stored (see OVERLAY_SETTLED_ID). */
  let settledThrough = 0;
  let deferrals = 0;
  let rebuildWanted = false;
  let rebuildQueued = false;
  /**
   * Bumped by every change of views or the pull checkpoint. A rebuild reads views, then
   * the checkpoint, then receipts, each a separate read: if any of them changed meanwhile, or a
   * pull began, the reads may not belong together (views that hold an event with a checkpoint that
   * does not yet cover it would show the event twice), so the rebuild is not shown and runs again.
   */
  let changes = 0;
  let closed = false;
  const listeners = new Set<() => void>();
  const subscriptions: Subscription[] = [];
  const notify = () => listeners.forEach((listener) => listener());

  function computeOutbox(): Outbox {
    let waiting = 0;
    let oldestWaitingAt: string | null = null;
    for (const event of pending) {
      if (receipts.has(event.id)) continue;
      waiting += 1;
      if (oldestWaitingAt === null || event.deviceTime < oldestWaitingAt) oldestWaitingAt = event.deviceTime;
    }
    return { waiting, oldestWaitingAt, pending: pending.length };
  }

  /**
   * Receipts for these events. At start every stored event counts as pending: with many, reading the
   * whole receipts collection in one pass costs less than looking each id up (a hundred thousand
   * lookups take seconds), and nothing on a station whose events were never answered.
   */
  async function receiptsOf(events: readonly StationEvent[]): Promise<Map<string, ReceiptDoc>> {
    const ids = events.map((event) => event.id);
    if (ids.length < MANY_PENDING || (await db.receipts.count().exec()) > 3 * ids.length) return receiptsFor(db, ids);
    const wanted = new Set(ids);
    const found = new Map<string, ReceiptDoc>();
    for (const doc of await db.receipts.find().exec()) if (wanted.has(doc.eventId)) found.set(doc.eventId, doc.toMutableJSON());
    return found;
  }

  async function rebuild(): Promise<void> {
    rebuildQueued = false;
    if (closed) return;
    const changesBefore = changes;
    if (viewsStale) {
      viewsStale = false;
      const views = await db.views.find().exec();
      startMark('views-read');
      base = plantFromViews(views.map(asView));
    }
    const checkpoint = (await readPullCheckpoint(db)).serverSeq;
    if (checkpoint < shownCheckpoint) {
      // The views were reset under a running station (a server restored from a backup, docs/sync-spec.md
      // S23): events that had left the overlay are pending again until the views are pulled anew.
      const events = await allEvents(db);
      settledThrough = 0;
      lastSeq = Math.max(lastSeq, events.at(-1)?.seq ?? 0);
      pending = events.filter((event) => event.seq <= lastSeq);
    }
    const found = await receiptsOf(pending);
    if (changes !== changesBefore || deferrals > 0) {
      wantRebuild();
      return;
    }
    // The checkpoint only grows and a receipt never changes, so an event that leaves the overlay
    // never comes back: only the pending ones are looked at again.
    pending = pending.filter((event) => isPending(found.get(event.id), checkpoint));
    receipts = found;
    shownBase = base;
    shownCheckpoint = checkpoint;
    state = reduceEvents(base, pending);
    outbox = computeOutbox();
    notify();
    // Every event before the first pending one has left the overlay for good: a restart need not read it.
    const settled = (pending[0]?.seq ?? lastSeq + 1) - 1;
    if (settled > settledThrough) {
      settledThrough = settled;
      serially(() => saveSettled(settled));
    }
  }

  /**
   * Stores the settled mark, next in line after the rebuild that found it, but not awaited by it:
   * the store is {@link PlantStore.ready} (and the station's first screen shows) without waiting for
   * a write, whose document check would load the validators' chunk at start (issue 13). It is only
   * a saving at the next start, so a write that fails (storage full) or never happens (the tab
   * closed first) loses nothing: that start reads the events after the mark stored before, and
   * tells settled from pending by their receipts as always. A mark that no longer holds is never
   * written: a rebuild since found the views reset (settledThrough went back), or the pull
   * checkpoint went back under the state shown (resetPulledViews writes it before its own mark 0).
   */
  async function saveSettled(settled: number): Promise<void> {
    if (closed || settledThrough !== settled) return;
    try {
      if ((await readPullCheckpoint(db)).serverSeq < shownCheckpoint) return;
      await writeOverlaySettled(db, settled);
    } catch {
      if (settledThrough === settled) settledThrough = 0;
    }
  }

  /**
   * Reads the events after the last settled one (all of them on a station that never settled
   * any): a station with a long history starts without reading what can no longer be pending.
   */
  async function load(): Promise<void> {
    settledThrough = await readOverlaySettled(db);
    const events = settledThrough === 0 ? await allEvents(db) : (await db.events.find({ selector: { seq: { $gt: settledThrough } }, sort: [{ seq: 'asc' }] }).exec()).map(asEvent);
    lastSeq = events.at(-1)?.seq ?? settledThrough;
    pending = events;
    startMark('events-read');
    await rebuild();
    startMark('plant-ready');
  }

  /** New events only extend the state: a new event is pending. Reads what is stored past the last one applied. */
  async function catchUp(): Promise<void> {
    if (closed) return;
    const found = (await db.events.find({ selector: { seq: { $gt: lastSeq } }, sort: [{ seq: 'asc' }] }).exec()).map(asEvent);
    // applyRecorded may have taken some of these while the query ran: apply each event once.
    const fresh = found.filter((event) => event.seq > lastSeq);
    if (fresh.length === 0) return;
    append(fresh);
  }

  /**
   * Extends the overlay: the events already pending and their receipts are as they were, so the
   * outbox is only added to. With a hundred thousand events pending, copying the list or counting
   * it again would cost more than the rest of a scan.
   */
  function append(fresh: StationEvent[]): void {
    let { waiting, oldestWaitingAt } = outbox;
    for (const event of fresh) {
      pending.push(event);
      if (receipts.has(event.id)) continue;
      waiting += 1;
      if (oldestWaitingAt === null || event.deviceTime < oldestWaitingAt) oldestWaitingAt = event.deviceTime;
    }
    lastSeq = fresh.at(-1)?.seq ?? lastSeq;
    state = reduceEvents(state, fresh);
    outbox = { waiting, oldestWaitingAt, pending: pending.length };
    notify();
  }

  /** Events stored since the queue last looked, as their change events carried them. */
  let arrived: StationEvent[] = [];

  /**
   * Applies the events the database says it stored (in this tab or another) from the change events
   * themselves: a query per scan would cost more than the rest of the scan. Events that do not
   * follow on from the last one applied (one missed, or the store read since) are read instead.
   */
  async function applyArrived(): Promise<void> {
    const fresh = arrived.filter((event) => event.seq > lastSeq).sort((a, b) => a.seq - b.seq);
    arrived = [];
    if (fresh.length === 0 || closed) return;
    if (fresh.every((event, i) => event.seq === lastSeq + 1 + i)) append(fresh);
    else await catchUp();
  }

  /** Receipts stored since the overlay last looked, as their change events carried them. */
  let answered: ReceiptDoc[] = [];

  /**
   * Applies new receipts from their change events rather than reading every pending event's receipt
   * again: a station catching up stores hundreds at a time, and a rebuild per batch read them all.
   * They are weighed against the views and checkpoint the shown state was built from, so the state
   * stays consistent while a pull is writing newer views.
   */
  function applyAnswered(): Promise<void> {
    const docs = answered;
    answered = [];
    if (docs.length === 0 || closed) return Promise.resolve();
    let left = false;
    for (const doc of docs) {
      receipts.set(doc.eventId, doc);
      if (!isPending(doc, shownCheckpoint)) left = true;
    }
    if (left) {
      pending = pending.filter((event) => isPending(receipts.get(event.id), shownCheckpoint));
      state = reduceEvents(shownBase, pending);
    }
    outbox = computeOutbox();
    notify();
    return Promise.resolve();
  }

  let work: Promise<void> = Promise.resolve();
  const serially = (task: () => Promise<void>) => {
    work = work.then(task, task);
  };

  function wantRebuild(): void {
    if (deferrals > 0) {
      rebuildWanted = true;
      return;
    }
    if (rebuildQueued) return;
    rebuildQueued = true;
    serially(rebuild);
  }

  const ready = load();
  work = ready;
  subscriptions.push(
    db.events.insert$.subscribe((change) => {
      arrived.push(recordedEvent(change.documentData));
      if (arrived.length === 1) serially(applyArrived);
    }),
  );
  subscriptions.push(
    db.views.$.subscribe(() => {
      viewsStale = true;
      changes += 1;
      wantRebuild();
    }),
  );
  subscriptions.push(
    db.receipts.$.subscribe((change) => {
      // Applied after any rebuild under way, which may have read the receipts before this one. A
      // receipt only ever takes an event out of the overlay, against the same views and checkpoint,
      // so it cannot make a rebuild's reads disagree.
      if (change.operation === 'DELETE') {
        changes += 1;
        wantRebuild();
        return;
      }
      answered.push(change.documentData);
      if (answered.length === 1) serially(applyAnswered);
    }),
  );
  subscriptions.push(
    db.settings.$.subscribe((change) => {
      if (change.documentId !== PULL_CHECKPOINT_ID) return;
      changes += 1;
      wantRebuild();
    }),
  );

  return {
    get: () => state,
    outbox: () => outbox,
    pendingEvents: () => pending,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    applyRecorded(event) {
      // Its change event may have come first.
      if (event.seq <= lastSeq) return;
      if (event.seq !== lastSeq + 1) {
        serially(catchUp);
        return;
      }
      append([event]);
    },
    deferRebuilds() {
      deferrals += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        deferrals -= 1;
        if (deferrals === 0 && rebuildWanted) {
          rebuildWanted = false;
          wantRebuild();
        }
      };
    },
    ready,
    close() {
      closed = true;
      subscriptions.forEach((s) => s.unsubscribe());
      listeners.clear();
    },
  };
}
