/**
 * The station's storage, watched: whether the browser agreed to keep it (`navigator.storage.persist()`)
 * and how full it is against the quota (`navigator.storage.estimate()`), so that a supervisor hears
 * about a full disk long before an event cannot be written.
 */

/** Share of the quota past which supervisors are warned. */
export const NEAR_QUOTA_RATIO = 0.8;
/** How often the estimate is read again; events are small, so a minute is early enough. */
export const ESTIMATE_EVERY_MS = 60_000;

export interface StorageState {
  /** The browser will not evict this station's data on its own (null: unknown or unsupported). */
  persisted: boolean | null;
  /** Bytes used and the quota, from the last estimate (null: unknown). */
  usage: number | null;
  quota: number | null;
  /** Usage has passed {@link NEAR_QUOTA_RATIO} of the quota. */
  nearQuota: boolean;
}

export interface StorageMonitor {
  get(): StorageState;
  subscribe(listener: () => void): () => void;
  /** Reads the estimate now. */
  refresh(): Promise<void>;
  stop(): void;
}

/** What the monitor uses of `navigator.storage`; absent in some browsers and in insecure contexts. */
export type StorageApi = Pick<StorageManager, 'estimate' | 'persist' | 'persisted'>;

export const UNKNOWN_STORAGE: StorageState = { persisted: null, usage: null, quota: null, nearQuota: false };

/**
 * Asks for persistent storage once (browsers grant it silently or not at all; there is no prompt
 * in Chromium) and reads the estimate now and every `everyMs`.
 */
export function watchStorage(storage: StorageApi | undefined, everyMs = ESTIMATE_EVERY_MS): StorageMonitor {
  let state: StorageState = UNKNOWN_STORAGE;
  const listeners = new Set<() => void>();
  const set = (change: Partial<StorageState>) => {
    state = { ...state, ...change };
    listeners.forEach((listener) => listener());
  };

  const refresh = async () => {
    if (storage === undefined) return;
    try {
      const { usage, quota } = await storage.estimate();
      if (usage === undefined || quota === undefined || quota <= 0) return;
      set({ usage, quota, nearQuota: usage / quota > NEAR_QUOTA_RATIO });
    } catch {
      // An estimate that fails tells nothing; the last one stands.
    }
  };

  if (storage !== undefined) {
    void (async () => {
      try {
        const already = await storage.persisted();
        set({ persisted: already || (await storage.persist()) });
      } catch {
        set({ persisted: false });
      }
    })();
    void refresh();
  }
  const timer = storage === undefined ? undefined : window.setInterval(() => void refresh(), everyMs);

  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    stop: () => window.clearInterval(timer),
  };
}

/** "412 MB" and the like, for the warning. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
