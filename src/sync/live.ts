/**
 * The live stream (`GET /api/sync/live`, server-sent events): the server says `changed` after each
 * committed batch and the station pulls at once. Read with fetch streaming, because EventSource
 * cannot send the station's credential. A dropped or silent stream is reconnected with backoff; the
 * caller falls back to periodic pulls meanwhile.
 */
import type { BackoffPolicy, Nudge, Scheduler } from './scheduler.ts';
import type { StopKind } from './retry.ts';
import { backoffDelay, waitOrNudge } from './scheduler.ts';
import { classifyFailure } from './retry.ts';
import type { Transport } from './transport.ts';

export const LIVE_PATH = '/api/sync/live';

/**
 * The server sends a heartbeat comment every 15 s; three missed in a row mean the connection is
 * dead even if the socket has not said so (a Wi-Fi access point dropping the station silently).
 */
export const LIVE_SILENCE_MS = 45_000;

export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * A parser for the text of an event stream (WHATWG server-sent events): feed it chunks as they
 * arrive; it calls `onEvent` for each complete event. Comments (heartbeats) produce no event.
 */
export function createEventStreamParser(onEvent: (event: ServerSentEvent) => void): (chunk: string) => void {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  const dispatch = () => {
    if (data.length > 0) onEvent({ event: event === '' ? 'message' : event, data: data.join('\n') });
    event = '';
    data = [];
  };
  return (chunk) => {
    buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer);
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      if (match === null || (match[0] === '\r' && match.index === buffer.length - 1)) return;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === '') {
        dispatch();
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  };
}

export interface LiveOptions {
  transport: Transport;
  credential: string;
  scheduler: Scheduler;
  signal: AbortSignal;
  nudge?: Nudge;
  policy?: BackoffPolicy;
  silenceMs?: number;
  /** The server committed up to `checkpoint`. */
  onChanged: (checkpoint: number | null) => void;
  /** The stream is connected (true) or down (false). */
  onConnection: (connected: boolean) => void;
  /** The server refused the station for good (too old, not enrolled): the stream is not retried. */
  onStop: (kind: StopKind, error: unknown) => void;
}

/** Keeps the live stream open until `signal` aborts or the server refuses the station for good. */
export async function watchLive(options: LiveOptions): Promise<void> {
  const { scheduler, signal } = options;
  const silenceMs = options.silenceMs ?? LIVE_SILENCE_MS;
  let failures = 0;
  while (!signal.aborted) {
    const attempt = new AbortController();
    const stopAttempt = () => attempt.abort();
    signal.addEventListener('abort', stopAttempt, { once: true });
    let connected = false;
    try {
      const body = await options.transport.stream(LIVE_PATH, options.credential, { signal: attempt.signal });
      connected = true;
      options.onConnection(true);
      let heard = true;
      void (async () => {
        while (!attempt.signal.aborted) {
          await scheduler.sleep(silenceMs, attempt.signal).catch(() => undefined);
          if (attempt.signal.aborted) return;
          if (!heard) attempt.abort();
          heard = false;
        }
      })();
      const parse = createEventStreamParser((event) => {
        if (event.event !== 'changed') return;
        let checkpoint: number | null = null;
        try {
          const parsed = JSON.parse(event.data) as { checkpoint?: unknown };
          if (typeof parsed.checkpoint === 'number') checkpoint = parsed.checkpoint;
        } catch {
          // A changed event without a readable checkpoint still means: pull.
        }
        options.onChanged(checkpoint);
      });
      for await (const chunk of body) {
        heard = true;
        parse(chunk);
      }
    } catch (error) {
      if (signal.aborted) break;
      const kind = classifyFailure(error);
      if (kind === 'client-too-old' || kind === 'not-enrolled') {
        options.onStop(kind, error);
        break;
      }
    } finally {
      signal.removeEventListener('abort', stopAttempt);
      attempt.abort();
      if (connected) options.onConnection(false);
    }
    if (signal.aborted) break;
    // A stream that was up reconnects after a short wait; one that keeps failing backs off further.
    failures = connected ? 0 : failures + 1;
    const delay = backoffDelay(failures, () => scheduler.random(), options.policy);
    try {
      if (await waitOrNudge(scheduler, delay, signal, options.nudge)) failures = 0;
    } catch {
      break;
    }
  }
}
