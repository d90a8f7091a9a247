/**
 * Time as the sync code sees it: waits, the clock and the dice for jitter, behind one small
 * interface so that tests run retries and reconnects without real waits (src/sync itself never
 * touches timers; the station passes the system scheduler in, tests pass their own).
 */

export interface Scheduler {
  /** Resolves after `ms`; rejects with the signal's reason if `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** The wall clock. */
  now(): Date;
  /** A number in [0, 1), for jitter. */
  random(): number;
}

export interface BackoffPolicy {
  /** The wait after the first failure, before jitter. */
  baseMs: number;
  /** The longest wait, before jitter. */
  maxMs: number;
}

/**
 * Retries start at about a second and double to a minute: a restarting server is not hammered, and
 * a station back on the network catches up within a minute even without an `online` event.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };

/**
 * The wait before retry number `attempt` (0 for the first): exponential, capped, with "equal
 * jitter" (half fixed, half random) so that stations failing together do not retry together, and no
 * wait is ever near zero (no hot loop).
 */
export function backoffDelay(attempt: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A wake-up call shared by everything that waits to retry: the browser coming back online, or the
 * live stream saying the server is there again, cuts the waits short.
 */
export class Nudge {
  private waiters = new Set<() => void>();

  /** Resolves at the next {@link fire}. */
  next(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  fire(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * Waits `ms`, or less if nudged; rejects if `signal` aborts. Resolves `true` if a nudge cut the wait
 * short: the network is said to be back, so a caller counting failures starts its backoff afresh.
 */
export async function waitOrNudge(scheduler: Scheduler, ms: number, signal: AbortSignal, nudge?: Nudge): Promise<boolean> {
  const wake = new AbortController();
  const both = AbortSignal.any([signal, wake.signal]);
  let nudged = false;
  try {
    await Promise.race([
      scheduler.sleep(ms, both).catch(() => undefined),
      ...(nudge === undefined ? [] : [nudge.next(both).then(() => void (nudged = !both.aborted))]),
    ]);
  } finally {
    wake.abort();
  }
  signal.throwIfAborted();
  return nudged;
}

/** Waits until `signal` aborts, then rejects with its reason. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}
