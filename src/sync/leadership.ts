/**
 * Which tab of a station syncs: one at a time, the holder of a Web Lock (docs/offline.md).
 *
 * RxDB's own leader election cannot let a leader step down and come back later, and a leader the
 * browser freezes (Page Lifecycle: a background tab suspended to save power) would keep its lock
 * and stall sync for every other tab of the station. So a leader about to be frozen gives the lock
 * up at once and asks for it again when it resumes; a hidden leader hands over to a visible tab
 * that is waiting (a hidden tab's timers are throttled to about once a minute, so its retries and
 * polls would crawl); and a tab that closes releases the lock with it. Without Web Locks (Node
 * tests, or a browser without them) the one instance leads.
 */

import type { Scheduler } from './scheduler.ts';

/** What leadership needs of the page: whether it is hidden, and its lifecycle events. */
export interface PageLifecycle {
  hidden(): boolean;
  on(type: 'freeze' | 'resume' | 'visibilitychange', listener: () => void): () => void;
}

/** Tabs of one station telling each other that a visible one is waiting to lead. */
export interface LeadershipChannel {
  post(): void;
  onMessage(listener: () => void): () => void;
  close(): void;
}

export interface LeadershipOptions {
  /** The lock's name: one per station database. */
  name: string;
  /** The browser's lock manager; absent, this instance leads alone. */
  locks?: LockManager | undefined;
  page?: PageLifecycle | undefined;
  channel?: LeadershipChannel | undefined;
  /** Timers (for the wait before asking again after a failure). */
  scheduler: Scheduler;
  /** Starts syncing; resolves to the function that stops it. */
  lead(): Promise<() => Promise<void>>;
  /** Told each time this tab starts or stops leading. */
  onChange?(leading: boolean): void;
  /** Told when leading failed to start or stop; the tab asks for the lock again. */
  onError?(error: unknown): void;
}

export interface Leadership {
  readonly leading: boolean;
  /**
   * Resolves once this tab either leads or knows another tab does (the first request for the
   * lock is answered at once), so a caller can tell which.
   */
  readonly settled: Promise<void>;
  /** Stops leading and stops asking. */
  stop(): Promise<void>;
}

type StepDown = 'freeze' | 'handover' | 'stop';

/** How long a tab whose sync failed to start waits before asking to lead again. */
const RETRY_AFTER_ERROR_MS = 5_000;

/** The page of this browser tab, for {@link holdLeadership}. */
export function browserPage(): PageLifecycle | undefined {
  if (typeof document === 'undefined') return undefined;
  return {
    hidden: () => document.visibilityState === 'hidden',
    on(type, listener) {
      document.addEventListener(type, listener);
      return () => document.removeEventListener(type, listener);
    },
  };
}

/** A BroadcastChannel between the station's tabs, for {@link holdLeadership}. */
export function browserChannel(name: string): LeadershipChannel | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const channel = new BroadcastChannel(name);
  return {
    post: () => channel.postMessage('visible-tab-waiting'),
    onMessage(listener) {
      channel.addEventListener('message', listener);
      return () => channel.removeEventListener('message', listener);
    },
    close: () => channel.close(),
  };
}

/** Leads whenever this tab holds the lock `options.name`, for as long as it holds it. */
export function holdLeadership(options: LeadershipOptions): Leadership {
  const { locks, page, channel } = options;
  let leading = false;
  let stopped = false;
  let frozen = false;
  /** Ends the current term: resolves the promise the lock is held on. */
  let stepDown: ((why: StepDown) => void) | null = null;
  /** The last term's stop, which must finish before this tab leads again. */
  let stopping: Promise<void> = Promise.resolve();
  let resumed: (() => void) | null = null;
  const unsubscribe: Array<() => void> = [];
  const asking = new AbortController();

  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const setLeading = (value: boolean) => {
    if (leading === value) return;
    leading = value;
    options.onChange?.(value);
  };

  /** One term: lead until told to step down; a frozen page releases at once and stops later. */
  async function term(): Promise<StepDown> {
    await stopping;
    if (stopped || frozen) return stopped ? 'stop' : 'freeze';
    const stopLeading = await options.lead();
    setLeading(true);
    settle();
    const why = await new Promise<StepDown>((resolve) => {
      stepDown = resolve;
      if (stopped) resolve('stop');
    });
    stepDown = null;
    setLeading(false);
    // The stop cuts requests at once; what it still awaits (IndexedDB, replication state) cannot
    // run in a frozen page, and the lock must not wait for it.
    stopping = stopLeading().catch((error: unknown) => options.onError?.(error));
    if (why !== 'freeze') await stopping;
    return why;
  }

  /** Without Web Locks: one term, for as long as this instance runs. */
  async function leadAlone(): Promise<void> {
    try {
      await term();
    } catch (error) {
      options.onError?.(error);
      settle();
    }
  }

  /** Asks for the lock: first without queueing (to settle at once), then in the queue. */
  async function ask(lockManager: LockManager, queue: boolean): Promise<StepDown | 'not-granted'> {
    return lockManager.request(options.name, queue ? { signal: asking.signal } : { ifAvailable: true }, async (lock) => {
      if (lock === null) return 'not-granted' as const;
      settle();
      return term();
    });
  }

  async function run(lockManager: LockManager): Promise<void> {
    let queue = false;
    while (!stopped) {
      if (frozen) {
        await new Promise<void>((resolve) => {
          resumed = resolve;
        });
        resumed = null;
        continue;
      }
      if (queue && !page?.hidden()) channel?.post();
      let outcome: StepDown | 'not-granted';
      try {
        outcome = await ask(lockManager, queue);
      } catch (error) {
        if (asking.signal.aborted) return;
        // Leading failed to start: say so, let another tab try, and ask again a little later.
        options.onError?.(error);
        settle();
        await options.scheduler.sleep(RETRY_AFTER_ERROR_MS, asking.signal).catch(() => undefined);
        outcome = 'handover';
      }
      if (outcome === 'not-granted') settle();
      queue = true;
    }
  }

  /** A hidden leader gives way when a visible tab is waiting for the lock. */
  async function handOverIfWaited(lockManager: LockManager): Promise<void> {
    if (!leading || !page?.hidden()) return;
    const state = await lockManager.query();
    if ((state.pending ?? []).some((lock) => lock.name === options.name)) stepDown?.('handover');
  }

  // Without Web Locks there is no other tab to hand over to: lifecycle events change nothing.
  if (locks !== undefined && page !== undefined) {
    unsubscribe.push(
      page.on('freeze', () => {
        frozen = true;
        stepDown?.('freeze');
      }),
      page.on('resume', () => {
        frozen = false;
        resumed?.();
      }),
      page.on('visibilitychange', () => {
        if (page.hidden()) void handOverIfWaited(locks);
        // A tab that becomes visible while waiting tells a hidden leader so.
        else if (!leading) channel?.post();
      }),
    );
  }
  if (locks !== undefined && channel !== undefined) {
    unsubscribe.push(
      channel.onMessage(() => {
        if (leading && page?.hidden()) stepDown?.('handover');
      }),
    );
  }

  const running = locks === undefined ? leadAlone() : run(locks);
  return {
    get leading() {
      return leading;
    },
    settled,
    async stop() {
      stopped = true;
      unsubscribe.forEach((off) => off());
      channel?.close();
      asking.abort();
      resumed?.();
      stepDown?.('stop');
      settle();
      await running.catch(() => undefined);
      await stopping;
    },
  };
}
