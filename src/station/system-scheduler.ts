/** The real clock and timers for the sync code (src/sync reaches timers only through a Scheduler). */
import type { Scheduler } from '../sync/scheduler.ts';

export function createSystemScheduler(now: () => Date = () => new Date()): Scheduler {
  return {
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted === true) {
          reject(signal.reason as Error);
          return;
        }
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason as Error);
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    now,
    random: Math.random,
  };
}
