/**
 * Records events: every action on the station becomes an immutable event in IndexedDB before the
 * screen shows its effect. Assigns the UUIDv7 id, the gapless per-station sequence number, the
 * device time and the hybrid logical clock, chains it to the station's previous event and signs it
 * with the station's key (src/audit/event-signing.ts).
 */
import type { Table } from 'dexie';
import type { RxCollection } from 'rxdb';
import { v7 as uuidv7 } from 'uuid';
import type { EventPayload, EventType, StationEvent } from '../../schemas/event.ts';
import { validateEvent } from './validators.ts';
import { eventHash, GENESIS_HASH, signEvent, type EventSigner } from '../audit/event-signing.ts';
import { formatHlc, parseHlc, tickHlc } from '../domain/hlc.ts';
import type { StationDb, StoredEvent } from './database.ts';
import { asEvent } from './database.ts';

/** What a screen says happened; the recorder adds id, sequence, times and clock. */
export type EventDraft = { [T in EventType]: { type: T; actor: string; payload: EventPayload<T> } }[EventType];

export interface RecorderOptions {
  stationId: string;
  /** Signs each event with the station's key as it is captured. */
  signer: EventSigner;
  /** The wall clock; tests pass their own. */
  now?: () => Date;
  /** The id generator; tests pass their own. */
  newId?: () => string;
}

export interface EventRecorder {
  record(draft: EventDraft): Promise<StationEvent>;
}

/** A lock shared by every tab of the station, where the browser has the Web Locks API. */
function withStationLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks === undefined) return work();
  return locks.request('travelog-event-recorder', work);
}

/**
 * An event recorder for one station. Writes are serialised (within the tab by a queue, across tabs
 * by a Web Lock) so that sequence numbers stay gapless and unique.
 */
export function createEventRecorder(db: StationDb, options: RecorderOptions): EventRecorder {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? uuidv7;
  let queue: Promise<unknown> = Promise.resolve();

  async function write(draft: EventDraft): Promise<StationEvent> {
    const last = await db.events.findOne({ selector: {}, sort: [{ seq: 'desc' }] }).exec();
    const previous = last === null ? null : parseHlc(last.hlc);
    const at = now();
    const prevHash = last === null ? GENESIS_HASH : await eventHash(asEvent(last));
    const unsigned = {
      id: newId(),
      type: draft.type,
      stationId: options.stationId,
      seq: (last?.seq ?? 0) + 1,
      actor: draft.actor,
      deviceTime: at.toISOString(),
      hlc: formatHlc(tickHlc(previous, at.getTime(), options.stationId)),
      payload: draft.payload,
      prevHash,
    };
    const event = await signEvent(unsigned, options.signer);
    const valid = await validateEvent(event);
    if (!valid.ok) throw new Error(`Event not recorded: ${valid.message}`);
    await db.events.insert(valid.value);
    return valid.value;
  }

  return {
    record(draft: EventDraft): Promise<StationEvent> {
      const result = queue.then(() => withStationLock(() => write(draft)));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

/** All events of this station in sequence order. */
export async function allEvents(db: StationDb): Promise<StationEvent[]> {
  const docs = await db.events.find({ selector: {}, sort: [{ seq: 'asc' }] }).exec();
  return docs.map(asEvent);
}

/** What RxDB's Dexie storage keeps per collection (rxdb/plugins/storage-dexie): its table of documents. */
interface DexieInternals {
  dexieTable?: Table;
}

/** The Dexie table behind a collection of the station's database (RxDB's Dexie storage), or null on another storage. */
export async function dexieTableOf(collection: RxCollection<unknown>): Promise<Table | null> {
  const internals = (await (collection.storageInstance as unknown as { internals: Promise<DexieInternals> | DexieInternals }).internals) as DexieInternals | undefined;
  return internals?.dexieTable ?? null;
}

/**
 * The Dexie index over (`_deleted`, `field`, …) that RxDB made for a collection's index on `field`
 * (and for its primary key). RxDB keeps a deleted document until its cleanup, flagged in `_deleted`
 * ('0' or '1' in an index), so a read of the stored documents goes through such an index.
 */
export function liveIndexOf(table: Table, field: string): string | null {
  const index = table.schema.indexes.find((candidate) => Array.isArray(candidate.keyPath) && candidate.keyPath[0] === '_deleted' && candidate.keyPath[1] === field);
  return index?.name ?? null;
}

/**
 * The events after `after` in sequence order, at most `limit`: one range read of the sequence
 * index (one IndexedDB `getAll`) rather than RxDB's query, which walks a cursor one document at a
 * time and builds a document object for each. A station catching up reads thousands this way.
 */
export async function eventsAfter(db: StationDb, after: number, limit: number): Promise<StationEvent[]> {
  const table = await dexieTableOf(db.events as RxCollection<unknown>);
  const index = table === null ? null : liveIndexOf(table, 'seq');
  if (table === null || index === null) {
    const docs = await db.events.find({ selector: { seq: { $gt: after } }, sort: [{ seq: 'asc' }], limit }).exec();
    return docs.map(asEvent);
  }
  const rows = (await table
    .where(index)
    .between(['0', Math.floor(after) + 1], ['0', Infinity], true, true)
    .limit(limit)
    .toArray()) as StoredEvent[];
  return rows.map(recordedEvent);
}

/** The event as recorded, from its stored form (which carries fields of RxDB's own too). */
function recordedEvent(doc: StoredEvent): StationEvent {
  const { id, type, stationId, seq, actor, deviceTime, hlc, payload, prevHash, keyAlg, signature } = doc;
  // Only validated events reach the collection (see asEvent).
  return { id, type, stationId, seq, actor, deviceTime, hlc, payload, prevHash, ...(keyAlg === undefined ? {} : { keyAlg }), signature } as unknown as StationEvent;
}
