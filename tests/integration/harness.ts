/** Helpers for integration tests: temp directories, a controllable clock and a small HTTP client for the real server. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiError } from '../../schemas/pull.ts';

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
export async function makeTempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `travelog-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A clock a test moves by hand; pass `clock.now` to the server. */
export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
}

export function testClock(start: string): TestClock {
  let time = new Date(start).getTime();
  return {
    now: () => new Date(time),
    advance: (ms) => {
      time += ms;
    },
  };
}

/** An answer: status, headers and the parsed JSON body (or the text when it is not JSON). */
export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** How to send a request; `body` is sent as JSON unless `raw` is given. */
export interface Send {
  method?: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  credential?: string;
  headers?: Record<string, string>;
}

/** Sends one request to the server at `baseUrl` with the global `fetch`, as a station would. */
export async function send<T = unknown>(baseUrl: string, path: string, options: Send = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (options.credential !== undefined) headers['authorization'] = `Bearer ${options.credential}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a static file): keep the text.
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** Narrows an answer's body to the API error shape for assertions. */
export function errorOf(answer: Answer): ApiError {
  return answer.body as ApiError;
}

/** Reads a text/event-stream (the live stream) until `until` accepts what arrived so far. */
export async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  while (!until(text)) {
    if (Date.now() > deadline) throw new Error(`stream did not deliver in time; got ${JSON.stringify(text)}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended; got ${JSON.stringify(text)}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}
