/**
 * The one place the station talks HTTP. Everything in src/sync goes through a `Transport`, so tests
 * can inject faults (msw) or point it at the real server in-process.
 */
import type { ApiError } from '../../schemas/pull.ts';

/** A request the server refused or never answered. `status` 0 means no answer (network, timeout). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The parsed error body, for fields beyond `code` and `message` (such as `eventIds`). */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export interface RequestOptions {
  /** Aborts the request (the station is closing, or the stream is being replaced). */
  signal?: AbortSignal;
  /** Headers sent besides the credential and content type (the station report, docs/sync-spec.md S24). */
  headers?: Record<string, string>;
}

export interface Transport {
  /** POSTs JSON and returns the parsed answer, or throws {@link ApiFailure}. */
  post<T>(path: string, body: unknown, credential?: string, options?: RequestOptions): Promise<T>;
  /** GETs JSON (the audit trail) and returns the parsed answer, or throws {@link ApiFailure}. */
  get<T>(path: string, credential?: string, options?: RequestOptions): Promise<T>;
  /**
   * GETs a long-lived text stream (server-sent events). Resolves once the server has answered with
   * success, to the body's text as it arrives; throws {@link ApiFailure} otherwise. The stream ends
   * when the server closes it and throws when the connection breaks or `signal` aborts.
   */
  stream(path: string, credential: string, options?: RequestOptions): Promise<AsyncIterable<string>>;
  /** PUTs bytes of `mediaType` (a photo, docs/ncr.md) and returns the parsed answer, or throws {@link ApiFailure}. */
  putBytes?<T>(path: string, bytes: Uint8Array, mediaType: string, credential: string, options?: RequestOptions): Promise<T>;
  /** GETs bytes (a photo) with their media type, or throws {@link ApiFailure}. */
  getBytes?(path: string, credential: string, options?: RequestOptions): Promise<{ bytes: Uint8Array; mediaType: string }>;
}

export interface FetchTransportOptions {
  /** How long a POST may take before it counts as failed. */
  timeoutMs?: number;
}

/** A POST the server has not answered in this long is given up and retried later. */
export const DEFAULT_TIMEOUT_MS = 30_000;

function failureOf(response: Response, text: string): ApiFailure {
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    return new ApiFailure(response.status, 'bad-response', `The server answered ${response.status} with something that is not JSON`);
  }
  const error = parsed as Partial<ApiError> | null;
  return new ApiFailure(response.status, error?.code ?? 'http-error', error?.message ?? `The server answered ${response.status}`, parsed);
}

/** A fetch that failed without an answer, as an {@link ApiFailure} the retry logic understands. */
function unanswered(error: unknown, timedOut: boolean): unknown {
  if (timedOut) return new ApiFailure(0, 'timeout', 'The server did not answer in time');
  if (error instanceof DOMException && error.name === 'AbortError') return error;
  return new ApiFailure(0, 'network', `The server could not be reached (${error instanceof Error ? error.message : String(error)})`);
}

async function* textOf(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}

export function createFetchTransport(
  baseUrl: string,
  fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  options: FetchTransportOptions = {},
): Transport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headersFor = (credential: string | undefined, extra: Record<string, string>) => {
    const headers: Record<string, string> = { ...extra };
    if (credential !== undefined) headers['authorization'] = `Bearer ${credential}`;
    return headers;
  };

  async function requestJson<T>(method: 'GET' | 'POST', path: string, body: unknown, credential: string | undefined, requestOptions: RequestOptions): Promise<T> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = requestOptions.signal === undefined ? timeout.signal : AbortSignal.any([timeout.signal, requestOptions.signal]);
    try {
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(new URL(path, baseUrl), {
          method,
          headers: headersFor(credential, { ...requestOptions.headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : { accept: 'application/json' }) }),
          ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
          signal,
        });
        text = await response.text();
      } catch (error) {
        throw unanswered(error, timeout.signal.aborted);
      }
      if (!response.ok) throw failureOf(response, text);
      try {
        return (text === '' ? null : JSON.parse(text)) as T;
      } catch {
        throw new ApiFailure(response.status, 'bad-response', `The server answered ${response.status} with something that is not JSON`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** One request with the timeout of a POST; the answer as it came, or an {@link ApiFailure}. */
  async function requestRaw(path: string, init: RequestInit, credential: string, requestOptions: RequestOptions, accept: string): Promise<Response> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = requestOptions.signal === undefined ? timeout.signal : AbortSignal.any([timeout.signal, requestOptions.signal]);
    try {
      let response: Response;
      try {
        response = await fetchImpl(new URL(path, baseUrl), { ...init, headers: headersFor(credential, { ...requestOptions.headers, ...(init.headers as Record<string, string>), accept }), signal });
        if (!response.ok) throw failureOf(response, await response.text());
        // The body is read before the timer stops, so a stalled transfer times out too.
        return new Response(await response.arrayBuffer(), { status: response.status, headers: response.headers });
      } catch (error) {
        if (error instanceof ApiFailure) throw error;
        throw unanswered(error, timeout.signal.aborted);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async putBytes<T>(path: string, bytes: Uint8Array, mediaType: string, credential: string, requestOptions: RequestOptions = {}): Promise<T> {
      const response = await requestRaw(path, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': mediaType } }, credential, requestOptions, 'application/json');
      const text = await response.text();
      try {
        return (text === '' ? null : JSON.parse(text)) as T;
      } catch {
        throw new ApiFailure(response.status, 'bad-response', `The server answered ${response.status} with something that is not JSON`);
      }
    },

    async getBytes(path: string, credential: string, requestOptions: RequestOptions = {}) {
      const response = await requestRaw(path, { method: 'GET' }, credential, requestOptions, 'image/*');
      return { bytes: new Uint8Array(await response.arrayBuffer()), mediaType: response.headers.get('content-type') ?? '' };
    },

    post<T>(path: string, body: unknown, credential?: string, requestOptions: RequestOptions = {}): Promise<T> {
      return requestJson<T>('POST', path, body, credential, requestOptions);
    },

    get<T>(path: string, credential?: string, requestOptions: RequestOptions = {}): Promise<T> {
      return requestJson<T>('GET', path, undefined, credential, requestOptions);
    },

    async stream(path: string, credential: string, requestOptions: RequestOptions = {}): Promise<AsyncIterable<string>> {
      let response: Response;
      try {
        response = await fetchImpl(new URL(path, baseUrl), {
          method: 'GET',
          headers: headersFor(credential, { accept: 'text/event-stream' }),
          ...(requestOptions.signal === undefined ? {} : { signal: requestOptions.signal }),
        });
      } catch (error) {
        throw unanswered(error, false);
      }
      if (!response.ok) throw failureOf(response, await response.text().catch(() => ''));
      if (response.body === null) throw new ApiFailure(response.status, 'bad-response', 'The server answered the stream with no body');
      return textOf(response.body);
    },
  };
}
