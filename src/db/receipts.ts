/**
 * The server's receipts for this station's events, and the pull checkpoint they are weighed against:
 * together they say which events the station still shows from its own overlay (see {@link isPending}).
 */
import type { Receipt } from '../../schemas/receipt.ts';
import type { ReceiptDoc } from '../../schemas/receipt-doc.ts';
import type { RxCollection } from 'rxdb';
import type { StationDb } from './database.ts';
import { dexieTableOf, liveIndexOf } from './events.ts';
import { readSetting, writeSetting } from './settings.ts';

/** The settings document holding the checkpoint up to which the server's views are stored. */
export const PULL_CHECKPOINT_ID = 'pull-checkpoint';

/** How far this station has pulled: views up to `serverSeq` are stored; `at` is when (ISO), if known. */
export interface PullCheckpoint {
  serverSeq: number;
  at?: string;
}

export async function readPullCheckpoint(db: StationDb): Promise<PullCheckpoint> {
  return (await readSetting<PullCheckpoint>(db, PULL_CHECKPOINT_ID)) ?? { serverSeq: 0 };
}

/** Write only once the views up to `serverSeq` are stored: the overlay drops events on the strength of it. */
export async function writePullCheckpoint(db: StationDb, checkpoint: PullCheckpoint): Promise<void> {
  await writeSetting(db, PULL_CHECKPOINT_ID, checkpoint);
}

/**
 * The settings document saying up to which sequence number this station's events are settled:
 * each has its receipt, and is rejected or in the views stored (checkpoint ≥ visibleAt). A settled
 * event never returns to the overlay (receipts never change and the checkpoint only grows), so the
 * plant store reads only the events after it when the station starts (src/db/plant-store.ts).
 */
export const OVERLAY_SETTLED_ID = 'overlay-settled';

export interface OverlaySettled {
  seq: number;
}

export async function readOverlaySettled(db: StationDb): Promise<number> {
  return (await readSetting<OverlaySettled>(db, OVERLAY_SETTLED_ID))?.seq ?? 0;
}

export async function writeOverlaySettled(db: StationDb, seq: number): Promise<void> {
  await writeSetting<OverlaySettled>(db, OVERLAY_SETTLED_ID, { seq });
}

/** Views every station gets whatever its work center (docs/sync-spec.md S12): kept across a move. */
const PLANT_WIDE_KINDS = ['workCenter', 'part', 'routing', 'operator', 'identifierFormat'];

/**
 * Forgets the work-center-scoped views and the pull checkpoint, so the next pull starts from the
 * beginning: for a station moved to other work centers, whose work orders, steps, holds and material
 * were scoped to the old ones. The roster and master data stay, so people can still sign in while
 * the pull runs. Events and receipts stay; until the views are back every event counts as pending
 * and shows from the overlay.
 */
export async function resetPulledViews(db: StationDb): Promise<void> {
  await writePullCheckpoint(db, { serverSeq: 0 });
  // The checkpoint went back: a station started now reads every event again.
  await writeOverlaySettled(db, 0);
  await db.views.find({ selector: { kind: { $nin: PLANT_WIDE_KINDS } } }).remove();
}

/**
 * The settings document naming the work centers the stored views were pulled for, and the pull
 * epoch: the epoch grows with every reset of the pulled views, and a pull checkpoint of another
 * epoch (RxDB keeps its own, per replication) is not trusted (docs/sync-spec.md S12).
 */
export const PULL_SCOPE_ID = 'pull-scope';

export interface PullScope {
  /** Sorted; empty for the whole plant the station is cleared for. */
  workCenterIds: string[];
  epoch: number;
}

/**
 * Makes the stored views those of `workCenterIds` and returns the pull epoch to pull under. When
 * the views were pulled for other work centers (or it is not known for which: a station from before
 * the scope was kept), they are reset and the epoch moves on, whether the change was made while
 * sync ran, while it did not, or before a reload.
 */
export async function ensurePullScope(db: StationDb, workCenterIds: readonly string[]): Promise<number> {
  const wanted = [...workCenterIds].sort();
  const stored = await readSetting<PullScope>(db, PULL_SCOPE_ID);
  if (stored !== null && stored.workCenterIds.length === wanted.length && stored.workCenterIds.every((id, i) => id === wanted[i])) return stored.epoch;
  await resetPulledViews(db);
  const epoch = (stored?.epoch ?? 0) + 1;
  // Written after the reset: a station stopped in between resets again at its next start.
  await writeSetting<PullScope>(db, PULL_SCOPE_ID, { workCenterIds: wanted, epoch });
  return epoch;
}

/**
 * Stores the server's receipts. A receipt is the server's word on an event and never changes (the
 * server answers a retry with the same receipt), so one already stored is left as it is: a pull
 * brings again the receipts of events it just pushed, and rewriting them would cost a write and a
 * rebuild of the plant each. Only the station's own refusal of an event (S9) gives way to the
 * server's receipt.
 */
export async function storeReceipts(db: StationDb, receipts: readonly Receipt[]): Promise<void> {
  if (receipts.length === 0) return;
  // Which are stored already, in one key read: a pull after a catch-up brings back thousands of
  // receipts the pusher stored, and inserting them again costs a read and a refused write each.
  const known = await answeredAmong(db, receipts.map((receipt) => receipt.eventId));
  let fresh = receipts;
  if (known.size > 0) {
    // The station's own refusals (S9) are rejected receipts, found by the indexed outcome.
    const ownRefusals = await db.receipts.find({ selector: { outcome: 'rejected', origin: 'invalid-event' } }).exec();
    const replaceable = new Set(ownRefusals.map((doc) => doc.eventId));
    fresh = receipts.filter((receipt) => !known.has(receipt.eventId) || replaceable.has(receipt.eventId));
    if (fresh.length === 0) return;
  }
  const docs = fresh.map((receipt): ReceiptDoc => ({ ...receipt, origin: 'receipt' }));
  const { error } = await db.receipts.bulkInsert(docs);
  const replace = new Set<string>();
  for (const failure of error) {
    if (failure.status !== 409) throw new Error(`A receipt could not be stored (${failure.status}) for event ${failure.documentId}`);
    if (failure.documentInDb?.origin !== 'receipt') replace.add(failure.documentId);
  }
  if (replace.size > 0) await db.receipts.bulkUpsert(docs.filter((doc) => replace.has(doc.eventId)));
}

/**
 * Notes that the server refused events outright (`400 invalid-event`): it kept no receipt, so the
 * station writes its own, marked `invalid-event`, and pushes them no more. A server receipt already
 * stored for an event wins.
 */
export async function storeInvalidEventRefusals(db: StationDb, eventIds: readonly string[], reason: string, at: Date): Promise<void> {
  const known = await db.receipts.findByIds([...eventIds]).exec();
  const docs = eventIds
    .filter((eventId) => !known.has(eventId))
    .map((eventId): ReceiptDoc => ({
      eventId,
      outcome: 'rejected',
      flags: ['schema'],
      reason: reason.slice(0, 2000),
      serverSeq: 0,
      visibleAt: 0,
      receivedAt: at.toISOString(),
      origin: 'invalid-event',
    }));
  if (docs.length > 0) await db.receipts.bulkInsert(docs);
}

/**
 * Whether an event is still shown from the station's overlay: until its receipt exists and the
 * station has pulled the views that include its effect (`checkpoint ≥ visibleAt`). A rejected event
 * is never overlaid, receipt in hand.
 */
export function isPending(receipt: Pick<ReceiptDoc, 'outcome' | 'visibleAt'> | undefined, checkpoint: number): boolean {
  if (receipt === undefined) return true;
  if (receipt.outcome === 'rejected') return false;
  return checkpoint < receipt.visibleAt;
}

/** Beyond this many receipts per event asked about, a key range is not worth reading: each id is looked up instead. */
const RANGE_SPREAD = 4;

/**
 * Which of these events have a receipt stored (the server's or the station's own refusal). A
 * station's event ids are UUIDv7, so the events of a batch are close together in the receipts'
 * key order: one read of the keys between the lowest and highest id (one IndexedDB `getAllKeys`,
 * no documents, receipts a restart removed left out) answers for the whole batch. Where that range holds many more keys than the batch
 * (a clock set back scatters the ids), each id is looked up instead.
 */
export async function answeredAmong(db: StationDb, eventIds: readonly string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const table = await dexieTableOf(db.receipts as RxCollection<unknown>);
  const index = table === null ? null : liveIndexOf(table, 'eventId');
  if (table !== null && index !== null) {
    let low = eventIds[0] ?? '';
    let high = low;
    for (const id of eventIds) {
      if (id < low) low = id;
      if (id > high) high = id;
    }
    const limit = RANGE_SPREAD * eventIds.length + 1;
    // An array sorts after every string in IndexedDB's key order: the upper bound takes in `high`.
    const keys = (await table.where(index).between(['0', low], ['0', high, []], true, true).limit(limit).primaryKeys()) as string[];
    if (keys.length < limit) {
      const wanted = new Set(eventIds);
      return new Set(keys.filter((key) => wanted.has(key)));
    }
  }
  return new Set((await db.receipts.findByIds([...eventIds]).exec()).keys());
}

/** Receipts for the given events, keyed by event id (events without one are absent). */
export async function receiptsFor(db: StationDb, eventIds: readonly string[]): Promise<Map<string, ReceiptDoc>> {
  if (eventIds.length === 0) return new Map();
  const docs = await db.receipts.findByIds([...eventIds]).exec();
  const result = new Map<string, ReceiptDoc>();
  for (const [id, doc] of docs) result.set(id, doc.toMutableJSON());
  return result;
}

/**
 * Moves the pull epoch on without a change of work centers: the server's sequence numbers were
 * given again after a restore (docs/sync-spec.md S23), so RxDB's own checkpoint of the views' pull,
 * which carries the epoch, must not be resumed. Call after {@link resetPulledViews}.
 */
export async function advancePullEpoch(db: StationDb): Promise<number> {
  const stored = await readSetting<PullScope>(db, PULL_SCOPE_ID);
  const epoch = (stored?.epoch ?? 0) + 1;
  await writeSetting<PullScope>(db, PULL_SCOPE_ID, { workCenterIds: stored?.workCenterIds ?? [], epoch });
  return epoch;
}
