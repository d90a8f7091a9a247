/**
 * A scheduler on a virtual clock: waits end only when the test advances time, so retries, backoff
 * and reconnects run without real waits, and a wait that was never asked for cannot pass.
 */
import type { Scheduler } from '../../../src/sync/scheduler.ts';

interface Timer {
  at: number;
  ms: number;
  resolve: () => void;
}

export interface VirtualScheduler extends Scheduler {
  /** Every wait asked for, in order, in milliseconds. */
  readonly waits: number[];
  /** Waits not yet over. */
  pending(): number[];
  /** Moves the clock on by `ms`, ending every wait due by then. */
  advance(ms: number): Promise<void>;
  /** Moves the clock to the end of the earliest pending wait of at least `minMs`, if any. */
  advanceToNext(minMs?: number): Promise<void>;
}

/** `random` gives the dice for jitter; 0.5 unless the test says otherwise. */
export function virtualScheduler(start = Date.parse('2026-11-21T08:00:00Z'), random: () => number = () => 0.5): VirtualScheduler {
  let clock = start;
  const timers = new Set<Timer>();
  const waits: number[] = [];
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return {
    waits,
    now: () => new Date(clock),
    random,
    sleep(ms, signal) {
      waits.push(ms);
      return new Promise((resolve, reject) => {
        if (signal?.aborted === true) {
          reject(signal.reason as Error);
          return;
        }
        const timer: Timer = {
          at: clock + ms,
          ms,
          resolve: () => {
            timers.delete(timer);
            resolve();
          },
        };
        timers.add(timer);
        signal?.addEventListener(
          'abort',
          () => {
            timers.delete(timer);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      });
    },
    pending: () => [...timers].map((t) => t.at - clock).sort((a, b) => a - b),
    async advance(ms) {
      const until = clock + ms;
      for (;;) {
        const due = [...timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        clock = due.at;
        due.resolve();
        await flush();
      }
      clock = until;
      await flush();
    },
    async advanceToNext(minMs = 0) {
      const next = [...timers].filter((t) => t.ms >= minMs).sort((a, b) => a.at - b.at)[0];
      if (next !== undefined) await this.advance(next.at - clock);
    },
  };
}
