/**
 * Two-way sync with the server: the pusher (src/sync/push.ts) sends the events that have no receipt
 * yet, the `views` collection is pulled on RxDB's replication (`replicateRxCollection`, pull only)
 * from a `serverSeq` checkpoint, receipts arrive with both, and the live stream or, while it is
 * down, a periodic timer says when to pull. While the pusher is sending, pulls wait and one pull
 * follows its last batch: a station catching up does not pull its own changes after every batch.
 * Every request retries with backoff and jitter (src/sync/retry.ts); a server that refuses the
 * station for good (too old, not enrolled) stops syncing and says so in the status. The pull
 * handler throws only when the engine stops or the station's own database fails, so RxDB's fixed
 * `retryTime` never paces requests to the server.
 */
import type { Subscription } from 'rxjs';
import { Subject } from 'rxjs';
import type { RxReplicationPullStreamItem, WithDeleted } from 'rxdb';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { viewKinds } from '../../schemas/view-doc.ts';
import type { AttachmentStore } from '../db/attachments.ts';
import type { StationDb, StoredView } from '../db/database.ts';
import { photoUploader } from './attachments.ts';
import type { PlantStore } from '../db/plant-store.ts';
import { ensurePullScope, readPullCheckpoint, writePullCheckpoint } from '../db/receipts.ts';
import { readServerContact, writeServerContact } from '../db/settings.ts';
import { watchLive } from './live.ts';
import { pullPage } from './pull.ts';
import { startPusher } from './push.ts';
import type { Restart } from './restart.ts';
import { checkRestart, followRestart, readServerRestart } from './restart.ts';
import type { RetryContext, StopKind } from './retry.ts';
import { messageOf, withRetry } from './retry.ts';
import type { BackoffPolicy, Scheduler } from './scheduler.ts';
import { Nudge, waitOrNudge } from './scheduler.ts';
import type { Transport } from './transport.ts';
import type { StationReport } from '../../schemas/station-report.ts';
import { stationReportHeaders } from './station-report.ts';

/** Pull this often while the live stream is down. */
export const POLL_EVERY_MS = 30_000;
/** Events per push request; the protocol allows up to MAX_PUSH_EVENTS. */
export const PUSH_BATCH_SIZE = 500;
/** How often, at most, the time of the last exchange with the server is written to the station's store. */
export const CONTACT_STORE_EVERY_MS = 10_000;
/** Views per pull request. */
export const PULL_BATCH_SIZE = 1000;

export interface SyncStatus {
  /** `running` until the server refuses the station for good, or the engine is stopped. */
  phase: 'running' | StopKind | 'stopped';
  /** The last request reached the server: false until one succeeds, and after a failure until one does. */
  reachable: boolean;
  /** The live stream is connected. */
  live: boolean;
  /** When a push or pull last succeeded (ISO), in this run or before a reload (kept on the station), or null. */
  lastSyncAt: string | null;
  /** Why the last request failed, while it keeps failing. */
  lastError: string | null;
  /** When the next retry is due (ISO), while retrying. */
  retryAt: string | null;
}

/**
 * RxDB's checkpoint of the views' pull. It carries the pull epoch (src/db/receipts.ts PullScope):
 * RxDB keeps the checkpoint of a replication across restarts, and one from before a reset of the
 * views (a move to another work center and back) would skip everything pulled before it.
 */
export interface ViewsCheckpoint {
  serverSeq: number;
  epoch?: number;
}

export interface SyncEngine {
  status(): SyncStatus;
  subscribe(listener: () => void): () => void;
  /** Pulls now (and pushes anything waiting); cuts any retry wait short. */
  syncNow(): void;
  /** The network may be back: cut retry and reconnect waits short. */
  nudge(): void;
  /** The views' pull replication, for tests that wait on it (events are pushed without RxDB's). */
  readonly replications: {
    views: RxReplicationState<StoredView, ViewsCheckpoint>;
  };
  stop(): Promise<void>;
}

export interface SyncOptions {
  db: StationDb;
  plant: Pick<PlantStore, 'deferRebuilds'>;
  transport: Transport;
  stationId: string;
  credential: string;
  /**
   * The work centers this station pulls for (docs/sync-spec.md S12); empty or absent pulls the whole
   * plant it is cleared for. Views stored for other work centers are dropped and pulled afresh
   * when sync starts (`ensurePullScope`).
   */
  workCenterIds?: readonly string[];
  scheduler: Scheduler;
  /** Only the leading tab of the station replicates (default true); tests run a single instance. */
  waitForLeadership?: boolean;
  /** Open the live stream (default true). */
  live?: boolean;
  policy?: BackoffPolicy;
  pollEveryMs?: number;
  pushBatchSize?: number;
  pullBatchSize?: number;
  /**
   * What the station says about itself with every push and pull (docs/sync-spec.md S24), read as
   * each request leaves; no report is sent unless given.
   */
  report?: () => StationReport;
  /** The station's photos (docs/ncr.md "Photo"): put on the server after each push and each poll. */
  attachments?: AttachmentStore;
}

/** Starts syncing; resolves once the pull checkpoint is read. Stop it with {@link SyncEngine.stop}. */
export async function startSync(options: SyncOptions): Promise<SyncEngine> {
  const { db, scheduler } = options;
  const report = options.report;
  const reportHeaders = report === undefined ? undefined : () => stationReportHeaders(report());
  const controller = new AbortController();
  const { signal } = controller;
  const nudge = new Nudge();
  const listeners = new Set<() => void>();
  // Until a request is answered the server is not known to be reachable (an offline reload).
  let status: SyncStatus = { phase: 'running', reachable: false, live: false, lastSyncAt: await readServerContact(db), lastError: null, retryAt: null };
  const setStatus = (change: Partial<SyncStatus>) => {
    status = { ...status, ...change };
    listeners.forEach((listener) => listener());
  };
  let contactStoredAt = 0;
  const succeeded = () => {
    const at = scheduler.now();
    setStatus({ reachable: true, lastSyncAt: at.toISOString(), lastError: null, retryAt: null });
    // Kept for the next start; at most one write per CONTACT_STORE_EVERY_MS while exchanges go on.
    if (at.getTime() - contactStoredAt < CONTACT_STORE_EVERY_MS) return;
    contactStoredAt = at.getTime();
    writeServerContact(db, at.toISOString()).catch(() => undefined);
  };

  let halted = false;
  const halt = (kind: StopKind, error: unknown) => {
    if (halted) return;
    halted = true;
    setStatus({ phase: kind, lastError: messageOf(error), retryAt: null, live: false });
    // Stop asking: the replication and the pusher end, and requests waiting in withRetry end with the signal.
    void views.cancel().finally(() => controller.abort());
  };

  const retry: RetryContext = {
    scheduler,
    signal,
    nudge,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    onRetry: (error, delayMs) =>
      setStatus({ reachable: false, lastError: messageOf(error), retryAt: new Date(scheduler.now().getTime() + delayMs).toISOString() }),
    onStop: halt,
  };

  const subscriptions: Subscription[] = [];
  const photos = options.attachments === undefined ? null : photoUploader({ attachments: options.attachments, transport: options.transport, credential: options.credential, now: () => scheduler.now(), signal });

  // Views pulled for other work centers are reset before the checkpoint is read.
  let epoch = await ensurePullScope(db, options.workCenterIds ?? []);
  /** The restart of the server's log this station follows (docs/sync-spec.md S23), if any. */
  let restartEpoch = (await readServerRestart(db))?.epoch;
  // The pull checkpoint as committed (views up to it are stored) and as fetched (handed to RxDB).
  let committed = (await readPullCheckpoint(db)).serverSeq;
  let fetched = committed;
  let moreWaiting = false;
  const pullTrigger = new Subject<RxReplicationPullStreamItem<StoredView, ViewsCheckpoint>>();
  const pullNow = () => {
    if (!halted && !signal.aborted) pullTrigger.next('RESYNC');
  };
  /**
   * While the pusher sends a backlog, the server's `changed` after each batch is mostly this
   * station's own receipts: one pull after the last batch brings them all. A pull asked for
   * meanwhile waits for that one, or goes at once if a push has to wait for a retry.
   */
  let pushing = false;
  let pullWaiting = false;
  const resync = () => {
    if (pushing) pullWaiting = true;
    else pullNow();
  };
  const pullIfWaiting = () => {
    if (!pullWaiting) return;
    pullWaiting = false;
    pullNow();
  };

  /**
   * Follows a restart the server told of (docs/sync-spec.md S23), once, whichever of the pull and the
   * pusher heard of it first: checks it against the pinned keys, then resets the views and the pull
   * checkpoint, drops the receipts the lost log gave, and has the pusher push those events again.
   * Resolves false (and stops syncing with an alarm) when the restart does not verify.
   */
  let following: Promise<boolean> = Promise.resolve(true);
  const noteRestart = (restart: Restart): Promise<boolean> => {
    const next = following.then(async () => {
      if (restart.epoch === restartEpoch) return true;
      const context = { transport: options.transport, credential: options.credential, signal, now: () => scheduler.now() };
      const verdict = await withRetry(() => checkRestart(context, db, restart.epoch), retry);
      if (!verdict.ok) {
        halt('restart-refused', new Error(`The server says it was restored from a backup, but its log does not prove it: ${verdict.reason}. Sync is stopped; work is kept on this station.`));
        return false;
      }
      const release = options.plant.deferRebuilds();
      try {
        const followed = await followRestart(db, restart, verdict.facts, scheduler.now());
        epoch = followed.pullEpoch;
        committed = 0;
        fetched = 0;
        restartEpoch = restart.epoch;
      } finally {
        release();
      }
      pusher.rewind(restart.lastSeq);
      pullNow();
      return true;
    });
    following = next.catch(() => false);
    return next;
  };

  const views = replicateRxCollection<StoredView, ViewsCheckpoint>({
    // One replication state per scope: RxDB's own checkpoint must not carry over to another scope.
    replicationIdentifier: `travelog-views-from-server:${[...(options.workCenterIds ?? [])].sort().join(',')}`,
    collection: db.views,
    live: true,
    waitForLeadership: options.waitForLeadership ?? true,
    pull: {
      batchSize: options.pullBatchSize ?? PULL_BATCH_SIZE,
      stream$: pullTrigger.asObservable(),
      handler: async (last, batchSize) => {
        let page;
        for (;;) {
          // RxDB keeps no checkpoint for a page without documents (receipts only); ours covers it.
          // RxDB's checkpoint from an earlier epoch belongs to views since reset: it is ignored.
          const fromRxdb = last !== undefined && (last.epoch ?? 0) === epoch ? last.serverSeq : 0;
          const from = Math.max(fromRxdb, committed);
          const under = restartEpoch;
          page = await withRetry(
            () =>
              pullPage(
                db,
                options.transport,
                { credential: options.credential, checkpoint: from, limit: batchSize, epoch: under, ...(options.workCenterIds === undefined ? {} : { workCenterIds: options.workCenterIds }) },
                { signal, ...(reportHeaders === undefined ? {} : { headers: reportHeaders() }) },
              ),
            retry,
          );
          if (page.restart === undefined) break;
          // The server was restored: once the restart is followed, pull again from 0 (S23).
          if (!(await noteRestart(page.restart))) return { documents: [], checkpoint: { serverSeq: committed, epoch } };
        }
        fetched = Math.max(fetched, page.checkpoint);
        moreWaiting = page.hasMore;
        succeeded();
        const documents = page.documents.map((doc): WithDeleted<StoredView> => ({ ...(doc as StoredView), _deleted: false }));
        // A view of a program this station was taken off (S22) is deleted here; its data is not kept.
        for (const id of page.dropped) {
          const at = id.indexOf(':');
          const kind = id.slice(0, at);
          if (at > 0 && (viewKinds as readonly string[]).includes(kind)) {
            documents.push({ id, kind, key: id.slice(at + 1), serverSeq: page.checkpoint, data: {}, _deleted: true });
          }
        }
        return { documents, checkpoint: { serverSeq: page.checkpoint, epoch } };
      },
    },
  });

  // RxDB's leader election among tabs, as for the views (the replication plugin adds it).
  const leading = (options.waitForLeadership ?? true) ? db.waitForLeadership() : Promise.resolve(true);
  const pusher = startPusher({
    db,
    transport: options.transport,
    stationId: options.stationId,
    credential: options.credential,
    now: () => scheduler.now(),
    retry: {
      ...retry,
      onRetry: (error, delayMs, attempt) => {
        retry.onRetry?.(error, delayMs, attempt);
        pullIfWaiting();
      },
    },
    onPushed: succeeded,
    ...(reportHeaders === undefined ? {} : { headers: reportHeaders }),
    epoch: () => restartEpoch,
    onRestart: noteRestart,
    batchSize: Math.min(options.pushBatchSize ?? PUSH_BATCH_SIZE, PUSH_BATCH_SIZE),
    onBusy: (busy) => {
      pushing = busy;
      // The receipts just stored become visible (S13) once the views up to them are pulled.
      if (!busy) {
        pullWaiting = false;
        pullNow();
        photos?.wake();
      }
    },
    onError: (error) => setStatus({ lastError: messageOf(error) }),
    leading,
  });
  subscriptions.push(db.events.insert$.subscribe(() => pusher.wake()));

  /**
   * Views are written by RxDB after the handler returns; the checkpoint is written only once RxDB
   * is idle again, that is once those views are stored, and the plant is rebuilt once after that.
   */
  let releaseRebuilds: (() => void) | null = null;
  let active = false;
  subscriptions.push(
    views.active$.subscribe((isActive) => {
      active = isActive;
      if (isActive) {
        releaseRebuilds ??= options.plant.deferRebuilds();
        return;
      }
      const target = fetched;
      const under = epoch;
      void (async () => {
        // A restart followed meanwhile reset the views: this checkpoint is of the numbering before it.
        if (target > committed && !signal.aborted && under === epoch) {
          committed = target;
          await writePullCheckpoint(db, { serverSeq: target, at: scheduler.now().toISOString() });
        }
        if (!active) {
          releaseRebuilds?.();
          releaseRebuilds = null;
        }
        if (moreWaiting) {
          moreWaiting = false;
          resync();
        }
      })().catch((error: unknown) => setStatus({ lastError: messageOf(error) }));
    }),
  );

  // The live stream, and a pull every POLL_EVERY_MS while it is down.
  const liveDone =
    options.live === false
      ? Promise.resolve()
      : watchLive({
          transport: options.transport,
          credential: options.credential,
          scheduler,
          signal,
          nudge,
          ...(options.policy === undefined ? {} : { policy: options.policy }),
          onChanged: (checkpoint) => {
            if (checkpoint === null || checkpoint > fetched) resync();
          },
          onConnection: (connected) => {
            setStatus({ live: connected });
            // Whatever changed while the stream was down is pulled now.
            if (connected) resync();
          },
          onStop: halt,
        });
  const pollDone = (async () => {
    const every = options.pollEveryMs ?? POLL_EVERY_MS;
    while (!signal.aborted) {
      try {
        await waitOrNudge(scheduler, every, signal);
      } catch {
        return;
      }
      if (!status.live) resync();
      photos?.wake();
    }
  })();
  photos?.wake();

  return {
    status: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    syncNow() {
      nudge.fire();
      resync();
      pusher.wake();
    },
    nudge: () => nudge.fire(),
    replications: { views },
    async stop() {
      if (!signal.aborted) {
        controller.abort();
        await views.cancel();
      }
      subscriptions.forEach((s) => s.unsubscribe());
      pullTrigger.complete();
      releaseRebuilds?.();
      releaseRebuilds = null;
      await Promise.all([liveDone, pollDone, pusher.done, photos?.done()]);
      if (status.phase === 'running') setStatus({ phase: 'stopped', live: false });
      listeners.clear();
    },
  };
}
