import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Outbox } from '../db/plant-store.ts';
import type { StationConfig } from '../db/settings.ts';
import type { SyncEngine, SyncStatus } from '../sync/replication.ts';
import type { StationRuntime } from '../station/runtime.ts';

export interface SyncView {
  /** The browser says it has a network. */
  online: boolean;
  /** The engine's status, or null before the station is enrolled and syncing. */
  status: SyncStatus | null;
  /** Another tab of this station syncs; this one shows what it writes. */
  follower: boolean;
  /** Pulls and pushes now, cutting any retry wait short. */
  syncNow: () => void;
}

const subscribeNothing = () => () => undefined;

/**
 * Runs sync in the background once the station is enrolled, and reports on it. Coming back online
 * cuts the retry waits short. The station keeps working from what it has whatever happens here.
 */
export function useSync(rt: StationRuntime, config: StationConfig | null): SyncView {
  const [online, setOnline] = useState(() => navigator.onLine);
  const credential = config?.credential ?? null;
  // The engine comes and goes as this tab takes over sync from another and hands it back.
  const subscribeEngine = useCallback((listener: () => void) => rt.subscribeSync(listener), [rt]);
  const engine = useSyncExternalStore<SyncEngine | null>(subscribeEngine, () => rt.sync);
  const follower = useSyncExternalStore(subscribeEngine, () => rt.syncRole() === 'follower');

  useEffect(() => {
    if (credential === null) return;
    // A failure to start leaves the station working offline; the status bar shows no sync.
    rt.startSync().catch(() => undefined);
  }, [rt, credential]);

  useEffect(() => {
    const up = () => {
      setOnline(true);
      rt.sync?.syncNow();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, [rt]);

  const subscribe = useCallback((listener: () => void) => engine?.subscribe(listener) ?? subscribeNothing(), [engine]);
  const status = useSyncExternalStore(subscribe, () => engine?.status() ?? null);
  const syncNow = useCallback(() => rt.sync?.syncNow(), [rt]);
  return { online, status, follower, syncNow };
}

/** This station's events the server has not answered yet. */
export function useOutbox(rt: StationRuntime): Outbox {
  const subscribe = useCallback((listener: () => void) => rt.plant.subscribe(listener), [rt]);
  return useSyncExternalStore(subscribe, () => rt.plant.outbox());
}
