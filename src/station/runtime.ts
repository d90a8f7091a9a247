/**
 * Everything a station screen needs in one object: the database, the plant as the station sees it,
 * the transport to the server, sync with the server, the station's configuration and the clock.
 */
import type { StationDbOptions } from '../db/database.ts';
import type { StationDb } from '../db/database.ts';
import type { EventRecorder } from '../db/events.ts';
import type { PlantStore } from '../db/plant-store.ts';
import type { StationConfig } from '../db/settings.ts';
import type { SyncEngine, SyncOptions } from '../sync/replication.ts';
import type { Scheduler } from '../sync/scheduler.ts';
import type { Transport } from '../sync/transport.ts';
import { openStationDb } from '../db/database.ts';
import { createEventRecorder } from '../db/events.ts';
import { indexedDbKeyStore, memoryKeyStore, storedKeySigner, type KeyStore } from '../audit/station-keys.ts';
import { indexedDbAttachmentStore, memoryAttachmentStore, type AttachmentStore } from '../db/attachments.ts';
import { createPlantStore } from '../db/plant-store.ts';
import { readStationConfig, writeStationConfig } from '../db/settings.ts';
import { startSync } from '../sync/replication.ts';
import type { Leadership } from '../sync/leadership.ts';
import { browserChannel, browserPage, holdLeadership } from '../sync/leadership.ts';
import { createFetchTransport } from '../sync/transport.ts';
import { createSystemScheduler } from './system-scheduler.ts';
import { buildStationReport } from '../sync/station-report.ts';
import { APP_VERSION } from './app-version.ts';

export interface StationRuntime {
  db: StationDb;
  /** Photos kept with NCRs (src/db/attachments.ts), uploaded by the sync engine. */
  attachments: AttachmentStore;
  plant: PlantStore;
  transport: Transport;
  /** Where the station's signing key lives (made at enrollment). */
  keys: KeyStore;
  /** Null until the station is enrolled. */
  config: StationConfig | null;
  now(): Date;
  setConfig(config: StationConfig): Promise<void>;
  /** The recorder for this station's events; only an enrolled station records. */
  recorder(): EventRecorder;
  /**
   * Starts syncing with the server if the station is enrolled and sync is not running yet, and
   * returns the running engine: null before enrollment, or while another tab of the station syncs
   * (src/sync/leadership.ts). A new credential restarts it.
   */
  startSync(): Promise<SyncEngine | null>;
  /** The sync engine running in this tab, or null. */
  sync: SyncEngine | null;
  /** `follower` while another tab of this station syncs; `off` before sync is started. */
  syncRole(): 'leader' | 'follower' | 'off';
  /** Told when this tab starts or stops syncing. */
  subscribeSync(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  baseUrl: string;
  db?: StationDbOptions;
  transport?: Transport;
  /** The station's key store; an IndexedDB database beside the station's unless given. */
  keys?: KeyStore;
  now?: () => Date;
  newId?: () => string;
  /** Timers for sync; tests pass their own. */
  scheduler?: Scheduler;
  /**
   * Sync settings beyond the station's identity (tests turn off the live stream, or leadership:
   * `waitForLeadership: false` syncs in this instance without asking the other tabs).
   */
  sync?: Partial<Pick<SyncOptions, 'waitForLeadership' | 'live' | 'policy' | 'pollEveryMs' | 'pushBatchSize' | 'pullBatchSize'>>;
  /** Whether the browser keeps the station's data for good (the shell's storage monitor), for the station report; unknown unless given. */
  storagePersisted?: () => boolean | null;
  /** The release the station reports; the build's ({@link APP_VERSION}) unless given. */
  appVersion?: string;
}

export async function openStationRuntime(options: RuntimeOptions): Promise<StationRuntime> {
  const db = await openStationDb(options.db ?? {});
  const plant = createPlantStore(db);
  await plant.ready;
  const now = options.now ?? (() => new Date());
  const idb = options.db?.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  const keys = options.keys ?? (idb === undefined ? memoryKeyStore() : indexedDbKeyStore(idb, `${options.db?.name ?? 'travelog'}-keys`));
  const attachments = idb === undefined ? memoryAttachmentStore() : indexedDbAttachmentStore(idb, `${options.db?.name ?? 'travelog'}-attachments`);
  let recorder: EventRecorder | null = null;
  const makeRecorder = (stationId: string): EventRecorder => {
    const inner = createEventRecorder(db, { stationId, now, signer: storedKeySigner(keys), ...(options.newId === undefined ? {} : { newId: options.newId }) });
    return {
      async record(draft) {
        const event = await inner.record(draft);
        plant.applyRecorded(event);
        return event;
      },
    };
  };

  const scheduler = options.scheduler ?? createSystemScheduler(now);
  let starting: Promise<SyncEngine | null> | null = null;
  let syncedWith: string | null = null;
  let leadership: Leadership | null = null;
  const syncListeners = new Set<() => void>();
  const syncChanged = () => syncListeners.forEach((listener) => listener());
  /** One lock and channel per station database: the tabs of one station share it. */
  const lockName = `travelog-sync:${options.db?.name ?? 'travelog'}`;
  const askTabs = options.sync?.waitForLeadership !== false;

  /** What a running sync was started for: a new credential or work center needs a new one. */
  const syncKey = (config: StationConfig | null) => (config === null ? null : `${config.credential}|${config.workCenterId}`);

  async function restartSync(): Promise<SyncEngine | null> {
    const config = runtime.config;
    if (leadership !== null && syncedWith === syncKey(config)) return runtime.sync;
    await leadership?.stop();
    leadership = null;
    syncedWith = null;
    if (config === null) return null;
    // Views pulled for another work center are reset when sync starts (startSync, ensurePullScope).
    syncedWith = syncKey(config);
    leadership = holdLeadership({
      name: lockName,
      locks: askTabs ? (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks : undefined,
      page: askTabs ? browserPage() : undefined,
      channel: askTabs ? browserChannel(lockName) : undefined,
      scheduler,
      lead: async () => {
        const engine = await startSync({
          ...options.sync,
          // The tab lock above decides which tab replicates; RxDB's election would only wait on it.
          waitForLeadership: false,
          db,
          plant,
          transport: runtime.transport,
          stationId: config.stationId,
          credential: config.credential,
          attachments,
          ...(config.workCenterId === '' ? {} : { workCenterIds: [config.workCenterId] }),
          scheduler,
          report: () =>
            buildStationReport({
              appVersion: options.appVersion ?? APP_VERSION,
              workCenterId: runtime.config?.workCenterId ?? config.workCenterId,
              outbox: plant.outbox(),
              storagePersisted: options.storagePersisted?.() ?? null,
            }),
        });
        runtime.sync = engine;
        syncChanged();
        return async () => {
          runtime.sync = null;
          syncChanged();
          await engine.stop();
        };
      },
      onChange: syncChanged,
      onError: (error) => console.warn('Sync could not start in this tab', error),
    });
    await leadership.settled;
    // Leading or not, this tab now knows which: the screens show it.
    syncChanged();
    return runtime.sync;
  }

  const runtime: StationRuntime = {
    db,
    attachments,
    plant,
    transport: options.transport ?? createFetchTransport(options.baseUrl),
    keys,
    config: await readStationConfig(db),
    now,
    async setConfig(config) {
      await writeStationConfig(db, config);
      const restart = runtime.sync !== null && syncKey(runtime.config) !== syncKey(config);
      runtime.config = config;
      recorder = null;
      if (restart) await runtime.startSync();
    },
    sync: null,
    syncRole: () => (leadership === null ? 'off' : leadership.leading ? 'leader' : 'follower'),
    subscribeSync(listener) {
      syncListeners.add(listener);
      return () => syncListeners.delete(listener);
    },
    startSync() {
      const run = (starting ?? Promise.resolve(null)).then(restartSync, restartSync);
      starting = run.catch(() => null);
      return run;
    },
    recorder() {
      if (runtime.config === null) throw new Error('This station is not enrolled yet; a supervisor must enroll it first');
      recorder ??= makeRecorder(runtime.config.stationId);
      return recorder;
    },
    async close() {
      await starting;
      await leadership?.stop();
      leadership = null;
      syncListeners.clear();
      plant.close();
      attachments.close();
      await db.close();
    },
  };
  return runtime;
}
