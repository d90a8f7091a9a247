/**
 * What a failed request means for the station, and retrying the ones worth retrying with backoff
 * and jitter. RxDB's own retry waits a fixed time; the replication handlers retry here instead and
 * hand RxDB only success.
 */
import type { BackoffPolicy, Nudge, Scheduler } from './scheduler.ts';
import { backoffDelay, untilAborted, waitOrNudge } from './scheduler.ts';
import { ApiFailure } from './transport.ts';

/**
 * - `transient`: the network, a timeout, a 5xx, or anything else that may pass: retry later.
 * - `client-too-old`: this app's protocol is older than the server serves (426): reload to update.
 * - `not-enrolled`: the station's credential is unknown or revoked (401/403).
 * - `invalid-event`: the server refused named events of a push as malformed (400 invalid-event).
 */
export type FailureKind = 'transient' | 'client-too-old' | 'not-enrolled' | 'invalid-event';

/**
 * Why syncing stopped until the app is reloaded or the station enrolled again: a failure, or
 * `restart-refused`, a server that says it was restored but whose log does not prove it (S23).
 */
export type StopKind = Exclude<FailureKind, 'transient' | 'invalid-event'> | 'restart-refused';

export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof ApiFailure)) return 'transient';
  if (error.status === 426 || error.code === 'client-too-old') return 'client-too-old';
  if (error.status === 401 || error.status === 403) return 'not-enrolled';
  if (error.status === 400 && error.code === 'invalid-event') return 'invalid-event';
  return 'transient';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface RetryContext {
  scheduler: Scheduler;
  /** Aborts the waiting and the attempts: the station is closing or syncing has stopped. */
  signal: AbortSignal;
  nudge?: Nudge;
  policy?: BackoffPolicy;
  /** Told of each failure that will be retried, and after how long. */
  onRetry?: (error: unknown, delayMs: number, attempt: number) => void;
  /** Told of a failure that stops syncing; the attempt then waits until `signal` aborts. */
  onStop?: (kind: StopKind, error: unknown) => void;
  /** Failures of these kinds are thrown to the caller instead of retried. */
  passThrough?: readonly FailureKind[];
}

/**
 * Runs `attempt` until it succeeds. Transient failures wait {@link backoffDelay} (cut short by a
 * nudge, which also restarts the backoff) and try again; a failure that stops syncing is reported once and never retried.
 */
export async function withRetry<T>(attempt: () => Promise<T>, context: RetryContext): Promise<T> {
  const { scheduler, signal } = context;
  for (let failures = 0; ; failures++) {
    signal.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      signal.throwIfAborted();
      const kind = classifyFailure(error);
      if (context.passThrough?.includes(kind) === true) throw error;
      if (kind === 'client-too-old' || kind === 'not-enrolled') {
        context.onStop?.(kind, error);
        return untilAborted(signal);
      }
      const delay = backoffDelay(failures, () => scheduler.random(), context.policy);
      context.onRetry?.(error, delay, failures);
      // Back online (or asked to sync now): a failure after this starts the backoff afresh, so
      // one lost answer right after an outage is retried in about a second, not a minute.
      if (await waitOrNudge(scheduler, delay, signal, context.nudge)) failures = -1;
    }
  }
}
