/**
 * The server's log: Fastify's own logger (pino), one JSON object a line, every line about a request
 * carrying its `reqId` (also sent back as `x-request-id`, for a station's report of a failure).
 * Request bodies and headers are never logged; these paths are redacted besides, should a log call
 * ever pass an object holding them: a PIN, a credential, a key or an Authorization header must not
 * reach a log line (docs/operations.md).
 */
import type { FastifyServerOptions } from 'fastify';
import type { Writable } from 'node:stream';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'pin',
  'credential',
  'privateKey',
  'token',
  '*.pin',
  '*.credential',
  '*.privateKey',
  '*.token',
  '*.authorization',
  'body',
  '*.body',
];

/** The logger options of the server at `level`, writing to `stream` (stdout unless given). */
export function serverLogger(level: string, stream?: Writable): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(stream === undefined ? {} : { stream }),
  };
}
