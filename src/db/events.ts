/**
 * Records events: every action on the station becomes an immutable event in IndexedDB before the
 * screen shows its effect. Assigns the UUIDv7 id, the gapless per-station sequence number, the
 * device time and the hybrid logical clock, chains it to the station's previous event and signs it
 * with the station's key (src/audit/event-signing.ts).
 */
import { v7 as uuidv7 } from 'uuid';
import type { EventPayload, EventType, StationEvent } from '../../schemas/event.ts';
import { validateEvent } from './validators.ts';
import { eventHash, GENESIS_HASH, signEvent, type EventSigner } from '../audit/event-signing.ts';
import { formatHlc, parseHlc, tickHlc } from '../domain/hlc.ts';
import type { StationDb } from './database.ts';
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
