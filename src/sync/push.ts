/**
 * Pushing this station's events: one batch at a time in sequence order, at most
 * {@link MAX_PUSH_EVENTS} a request, the receipts stored as they come back. Events the server
 * refuses as malformed (`400 invalid-event`) are noted as refused and kept; the rest go on.
 *
 * The pusher reads the events that have no receipt straight from the collection rather than going
 * through RxDB's push replication, whose checkpoint bookkeeping (a metadata write per event) cost
 * more than the push itself: a station catching up reads the next batch while the server decides
 * this one, and stores this batch's receipts while the next request is on its way. Only one
 * request is ever in flight, so the server still gets the station's events in order (S5, S18).
 */
import type { PushResponse } from '../../schemas/push.ts';
import type { Receipt } from '../../schemas/receipt.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { MAX_PUSH_EVENTS } from '../../schemas/push.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import type { StationDb, StoredEvent } from '../db/database.ts';
import { readOverlaySettled, storeInvalidEventRefusals, storeReceipts } from '../db/receipts.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import type { RetryContext } from './retry.ts';
import { classifyFailure, withRetry } from './retry.ts';
import { backoffDelay, untilAborted, waitOrNudge } from './scheduler.ts';
import type { Restart } from './restart.ts';
import type { Transport } from './transport.ts';
import { ApiFailure } from './transport.ts';

export const PUSH_PATH = '/api/sync/push';

/**
 * The settings document saying how far the station's events are answered: every event up to `seq`
 * has a receipt (or a refusal) stored. Written when the pusher runs out of events, so a restart
 * does not look through a long history again; if it lags, the events past it that already have a
 * receipt are skipped, not pushed again.
 */
export const PUSH_CURSOR_ID = 'push-cursor';

export interface PushCursor {
  seq: number;
}

export interface PushContext {
  db: StationDb;
  transport: Transport;
  stationId: string;
  credential: string;
  now: () => Date;
  retry: RetryContext;
  /** Told after each batch the server answered. */
  onPushed?: () => void;
  /** Headers to send with each push, read as it leaves (the station report, src/sync/station-report.ts). */
  headers?: () => Record<string, string>;
  /** The restart of the server's log this station follows, named in every push (docs/sync-spec.md S23). */
  epoch?: () => string | undefined;
}

/**
 * The server did not take a push: its log was restored from a backup since (docs/sync-spec.md S23)
 * and the push named another restart (or none). Nothing was stored; the station catches up first.
 */
export class ServerRestarted extends Error {
  constructor(
    readonly restart: Restart,
    /** The epoch the refused push named. */
    readonly sentEpoch: string | undefined,
  ) {
    super(`The server was restored from a backup (restart ${restart.epoch})`);
    this.name = 'ServerRestarted';
  }
}

/** The event as recorded, without what RxDB adds to a stored document. */
export function eventOfDocument(doc: StoredEvent): StationEvent {
  const { id, type, stationId, seq, actor, deviceTime, hlc, payload, prevHash, keyAlg, signature } = doc;
  return { id, type, stationId, seq, actor, deviceTime, hlc, payload, prevHash, ...(keyAlg === undefined ? {} : { keyAlg }), signature } as unknown as StationEvent;
}

type BatchAnswer = { receipts: PushResponse['receipts'] } | { invalid: string[]; message: string } | { restart: Restart };

/** The events of a `400 invalid-event` answer that are in the batch; empty if it names none of them. */
function invalidIn(error: unknown, batch: readonly StationEvent[]): string[] {
  if (!(error instanceof ApiFailure) || classifyFailure(error) !== 'invalid-event') return [];
  const named = (error.body as { eventIds?: unknown } | null)?.eventIds;
  if (!Array.isArray(named)) return [];
  const ids = new Set(named.filter((id): id is string => typeof id === 'string'));
  return batch.filter((event) => ids.has(event.id)).map((event) => event.id);
}

/**
 * Sends events (in sequence order, at most {@link MAX_PUSH_EVENTS} a request) until the server has
 * answered each with a receipt or refused it as malformed; refusals are stored here, the receipts
 * are returned for the caller to store. Retries transient failures (see withRetry); with `refresh`,
 * a retry sends what it returns instead (the same events and any recorded since), so the events
 * recorded while the server was out of reach go with it rather than in batches of their own.
 */
export async function sendEvents(
  context: PushContext,
  events: readonly StationEvent[],
  refresh?: () => Promise<readonly StationEvent[]>,
): Promise<Receipt[]> {
  let rest = [...events].sort((a, b) => a.seq - b.seq);
  const { signal } = context.retry;
  const receipts: Receipt[] = [];
  while (rest.length > 0) {
    let batch = rest.slice(0, MAX_PUSH_EVENTS);
    let failed = false;
    let sentEpoch: string | undefined;
    const answer = await withRetry<BatchAnswer>(async () => {
      if (failed && refresh !== undefined) {
        rest = [...(await refresh())].sort((a, b) => a.seq - b.seq);
        batch = rest.slice(0, MAX_PUSH_EVENTS);
      }
      failed = true;
      sentEpoch = context.epoch?.();
      try {
        const response = await context.transport.post<PushResponse>(
          PUSH_PATH,
          { protocolVersion: PROTOCOL_VERSION, stationId: context.stationId, sentAt: context.now().toISOString(), events: batch, ...(sentEpoch === undefined ? {} : { epoch: sentEpoch }) },
          context.credential,
          { signal, ...(context.headers === undefined ? {} : { headers: context.headers() }) },
        );
        failed = false;
        // A push naming another restart than the server's is answered with it and no receipts (S23).
        if (response.restart !== undefined && response.receipts.length === 0) return { restart: response.restart };
        return { receipts: response.receipts };
      } catch (error) {
        const invalid = invalidIn(error, batch);
        // An invalid-event answer that names none of these events cannot be acted on: it is
        // retried like any other failure rather than dropping or resending blindly.
        if (invalid.length > 0) return { invalid, message: (error as ApiFailure).message };
        throw error;
      }
    }, context.retry);
    signal.throwIfAborted();
    if ('restart' in answer) throw new ServerRestarted(answer.restart, sentEpoch);
    if ('invalid' in answer) {
      await storeInvalidEventRefusals(context.db, answer.invalid, answer.message, context.now());
      const refused = new Set(answer.invalid);
      rest = rest.filter((event) => !refused.has(event.id));
    } else {
      receipts.push(...answer.receipts);
      rest = rest.slice(batch.length);
    }
    context.onPushed?.();
  }
  return receipts;
}

interface Batch {
  /** Events without a receipt, in sequence order. */
  events: StationEvent[];
  /** The highest sequence number looked at: every event up to it is in `events` or has a receipt. */
  through: number;
}

/** The next events after `after` that have no receipt, at most `size`, skipping answered ones. */
async function readBatch(db: StationDb, after: number, size: number): Promise<Batch> {
  let through = after;
  for (;;) {
    const docs = await db.events.find({ selector: { seq: { $gt: through } }, sort: [{ seq: 'asc' }], limit: size }).exec();
    const last = docs.at(-1);
    if (last === undefined) return { events: [], through };
    const answered = await db.receipts.findByIds(docs.map((doc) => doc.id)).exec();
    through = last.seq;
    const events = docs.filter((doc) => !answered.has(doc.id)).map((doc) => eventOfDocument(doc.toJSON() as StoredEvent));
    if (events.length > 0) return { events, through };
  }
}

export interface PusherOptions extends PushContext {
  /** Events per request. */
  batchSize: number;
  /** Told `true` when a run starts sending and `false` when it has sent everything it found. */
  onBusy?: (busy: boolean) => void;
  /** Told when the station's own database failed; the pusher tries again after a backoff. */
  onError?: (error: unknown) => void;
  /** Resolves when this instance may push (RxDB's leader election); pushes at once if absent. */
  leading?: Promise<unknown>;
  /**
   * Told of a restart the server answered a push with; resolves true once the station follows it
   * (src/sync/restart.ts), false if it does not (the pusher then stops).
   */
  onRestart?: (restart: Restart) => Promise<boolean>;
}

export interface Pusher {
  /** There may be events to push: recorded since, or the user asked to sync now. */
  wake(): void;
  /** Events after `seq` lost their receipts (a restart, S23): look at them again from there, and push. */
  rewind(seq: number): void;
  /** Resolves once the pusher has stopped (when the retry context's signal aborts). */
  done: Promise<void>;
}

/**
 * Pushes every event without a receipt, and again whenever woken, until the signal aborts. One
 * request at a time: batch N + 1 is sent only after batch N is answered.
 */
export function startPusher(options: PusherOptions): Pusher {
  const { db, retry } = options;
  const { signal } = retry;
  let woken = true;
  let wakeUp: (() => void) | null = null;
  /** Every event up to this one has a receipt stored. */
  let answeredThrough = 0;
  let saved = 0;
  /** Set by a restart followed while a run was under way: applied before the next run. */
  let rewindTo: number | null = null;
  const applyRewind = (seq: number) => {
    answeredThrough = Math.min(answeredThrough, seq);
    saved = Math.min(saved, seq);
  };

  const untilWoken = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      wakeUp = done;
      signal.addEventListener('abort', done, { once: true });
    });

  /** Only a saving at the next start: a write that fails (storage full) is tried again next time, and pushing goes on. */
  async function saveCursor(): Promise<void> {
    if (answeredThrough <= saved) return;
    const seq = answeredThrough;
    try {
      await writeSetting<PushCursor>(db, PUSH_CURSOR_ID, { seq });
      saved = Math.max(saved, seq);
    } catch {
      // Kept in memory: the events up to it are answered whether or not the cursor is stored.
    }
  }

  /** Pushes everything found after the cursor; the next batch is read while this one is answered. */
  async function drain(): Promise<void> {
    let batch = await readBatch(db, answeredThrough, options.batchSize);
    let storing: Promise<void> = Promise.resolve();
    let busy = false;
    try {
      while (batch.events.length > 0) {
        if (!busy) {
          busy = true;
          options.onBusy?.(true);
        }
        // Events never change once recorded, so the next batch can be read now.
        const reading = readBatch(db, batch.through, options.batchSize);
        reading.catch(() => undefined);
        // A retry sends the same events again (S7) and those recorded since, up to a full batch.
        let refreshed = false;
        const refresh = async () => {
          const room = options.batchSize - batch.events.length;
          if (room <= 0) return batch.events;
          const more = await readBatch(db, batch.through, room);
          batch = { events: [...batch.events, ...more.events], through: more.through };
          refreshed = true;
          return batch.events;
        };
        woken = false;
        const receipts = await sendEvents(options, batch.events, refresh);
        // One store at a time, in order, so the cursor only moves over stored receipts.
        await storing;
        const through = batch.through;
        storing = storeReceipts(db, receipts).then(() => {
          answeredThrough = Math.max(answeredThrough, through);
        });
        storing.catch(() => undefined);
        const next = await reading;
        // Read on from the batch sent if a retry added to it, or if events were recorded since a short read.
        batch = refreshed || (woken && next.events.length < options.batchSize) ? await readBatch(db, through, options.batchSize) : next;
      }
      await storing;
      answeredThrough = Math.max(answeredThrough, batch.through);
      await saveCursor();
    } finally {
      // A run cut short (a restart, a failure) leaves no store of receipts behind it: a rewind after it must not be overtaken.
      await storing.catch(() => undefined);
      if (busy) options.onBusy?.(false);
    }
  }

  const done = (async () => {
    try {
      await Promise.race([options.leading, untilAborted(signal)]);
      let cursorRead = false;
      for (let failures = 0; !signal.aborted; ) {
        if (!woken) await untilWoken();
        wakeUp = null;
        if (signal.aborted) return;
        woken = false;
        try {
          if (!cursorRead) {
            // A settled event (src/db/plant-store.ts) has its receipt too: a station that has no
            // cursor yet (its first start with this pusher) need not look through what is settled.
            saved = (await readSetting<PushCursor>(db, PUSH_CURSOR_ID))?.seq ?? 0;
            answeredThrough = Math.max(saved, await readOverlaySettled(db));
            cursorRead = true;
          }
          if (rewindTo !== null) {
            applyRewind(rewindTo);
            rewindTo = null;
          }
          await drain();
          failures = 0;
        } catch (error) {
          if (signal.aborted) return;
          // A restart the station did not know yet: follow it, then push again from the server's last event.
          if (error instanceof ServerRestarted && error.restart.epoch !== error.sentEpoch) {
            if (!(await (options.onRestart?.(error.restart) ?? Promise.resolve(false)))) return;
            applyRewind(error.restart.lastSeq);
            woken = true;
            continue;
          }
          // The station's own database failed (full, or closing): nothing is lost, the events
          // stay and are looked at again from the last stored receipt.
          options.onError?.(error);
          woken = true;
          if (await waitOrNudge(retry.scheduler, backoffDelay(failures++, () => retry.scheduler.random(), retry.policy), signal, retry.nudge)) failures = 0;
        }
      }
    } catch (error) {
      if (!signal.aborted) options.onError?.(error);
    }
  })();

  return {
    wake() {
      woken = true;
      wakeUp?.();
    },
    rewind(seq) {
      rewindTo = Math.min(rewindTo ?? seq, seq);
      woken = true;
      wakeUp?.();
    },
    done,
  };
}
