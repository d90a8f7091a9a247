/**
 * The sync server's HTTP face. Routes parse and validate (schemas/, ajv), authenticate, call the
 * plain functions that decide (stations/, sync/), and answer; every refusal is an `ApiError` body.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { existsSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import { basename, join } from 'node:path';
import { enrollRequestSchema, type EnrollRequest } from '../schemas/enroll.ts';
import type { PinHash } from '../schemas/operator.ts';
import { OLDEST_SERVED_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../schemas/protocol-version.ts';
import { pullRequestSchema, type PullRequest } from '../schemas/pull.ts';
import { MAX_PUSH_EVENTS, pushRequestSchema, type PushRequest } from '../schemas/push.ts';
import { hashPin } from '../src/auth/pin.ts';
import { ApiFailure } from './api-error.ts';
import { checkProtocolVersion } from './protocol.ts';
import { authenticateStation } from './stations/credentials.ts';
import { forbidIntegrations } from './qms/integrations.ts';
import { createStationKeyCheck } from './audit/station-key-check.ts';
import { enrollStation } from './stations/enroll.ts';
import { registerStationRoutes } from './stations/routes.ts';
import { oneAtATimePerBadge } from './stations/signer.ts';
import type { Station, Store } from './store/store.ts';
import { createLiveHub, HEARTBEAT_MS, type LiveHub } from './sync/live.ts';
import { createPlantService, type PlantService } from './sync/plant-service.ts';
import { pull } from './sync/pull.ts';
import { push } from './sync/push.ts';
import { createAjv, formatValidationErrors } from './validation.ts';
import { createAuditLog, DEFAULT_CHECKPOINT_SECONDS, type AuditLog } from './audit/audit-log.ts';
import { registerAuditRoutes } from './audit/routes.ts';
import { registerEvidenceRoutes } from './evidence/routes.ts';
import { registerGenealogyRoutes } from './genealogy/routes.ts';
import { registerAttachmentRoutes } from './attachments/routes.ts';
import { newServerKey, type ServerKey } from './audit/server-key.ts';
import { createVerifierPool, inlineVerifier, type SignatureVerifier } from './audit/verifier-pool.ts';
import { registerFleetHooks } from './ops/fleet.ts';
import { createRestarts } from './ops/restart.ts';
import { createQmsLink, type QmsLinkOptions, type QmsLink } from './qms/link.ts';
import { createMetrics, DEFAULT_STATION_SILENT_AFTER_MS, isDatabaseError, registerMonitoringRoutes, type Metrics } from './ops/monitoring.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated station on routes behind the credential; null elsewhere. */
    station: Station | null;
  }
  interface FastifyInstance {
    /** The authority over the plant: its state, and master-data changes such as a new revision. */
    plant: PlantService;
    /** The live stream's connected stations. */
    live: LiveHub;
    /** What `/metrics` shows (sync-server/ops/monitoring.ts). */
    metrics: Metrics;
    /** The QMS link (sync-server/qms/): its outbox, when a webhook is configured. */
    qms: QmsLink;
  }
}

/** Options of {@link buildServer}. */
export interface ServerOptions {
  store: Store;
  /** The built PWA (`dist/`) to serve, with index.html for every other non-API path. */
  staticDir?: string;
  /** The server's clock; pass one in tests. */
  now?: () => Date;
  /** Largest request body in bytes; 1 MiB unless given. */
  bodyLimit?: number;
  /** Largest push body in bytes; 4 MiB unless given (a push carries up to 1,000 events). */
  pushBodyLimit?: number;
  /**
   * Programs a newly enrolled station is cleared for; every program of the plant's work orders at
   * enrollment unless given (main.ts reads TRAVELOG_DEFAULT_PROGRAMS).
   */
  defaultPrograms?: readonly string[];
  /** Interval of the live stream's heartbeat comment; 15 s unless given. */
  heartbeatMs?: number;
  /** The authority over the plant; one is made (and loaded) over `store` unless given. */
  plant?: PlantService;
  /** Fastify's logger; off unless given. */
  logger?: FastifyServerOptions['logger'];
  /**
   * The key that signs the audit log (main.ts loads or makes it in DATA_DIR). Unless given, a key
   * made for this process only: fine for a test, useless for an audit.
   */
  auditKey?: ServerKey;
  /** The audit log; one is made over `auditKey` (and opened) unless given. */
  audit?: AuditLog;
  /** A checkpoint after this many entries; 256 unless given. */
  checkpointEvery?: number;
  /** A checkpoint this often when entries are waiting; 60 s unless given, 0 for none. */
  checkpointSeconds?: number;
  /** Checks station signatures; a worker pool over every core unless given. */
  verifier?: SignatureVerifier;
  /** The token `GET /metrics` asks for (METRICS_TOKEN); unset, metrics are off (503). */
  metricsToken?: string;
  /** A station silent longer than this while it has pending events is flagged; 15 minutes unless given. */
  stationSilentAfterMs?: number;
  /**
   * How long a request may take to arrive whole (headers and body), in ms; 120 s unless given. A
   * slower one is answered `408 request-timeout`. Node checks every `min(this, 30 s)`.
   */
  requestTimeoutMs?: number;
  /** The QMS link (MRB_DECIDES, QMS_WEBHOOK_URL, QMS_WEBHOOK_SECRET); MRB decides in Travelog and no webhooks unless given. */
  qms?: QmsLinkOptions;
}

/** The audit log's key name (its C2SP origin) unless configured. */
export const AUDIT_ORIGIN = 'travelog/audit';

const DEFAULT_BODY_LIMIT = 1024 * 1024;
// About 4 KiB per event at the most events a push may carry.
const DEFAULT_PUSH_BODY_LIMIT = MAX_PUSH_EVENTS * 4 * 1024;

const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

const ERRORS_BY_FASTIFY_CODE: Readonly<Record<string, { status: number; code: ApiFailure['code']; message?: string }>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed-json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed-json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body-too-large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported-media-type', message: 'Send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'malformed-request', message: 'The body is not as long as its Content-Length says' },
  FST_ERR_BAD_URL: { status: 400, code: 'malformed-request', message: 'The URL is not well-formed' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'malformed-request', message: 'A part of the URL is longer than 100 characters' },
  // The connection ended while the body was arriving (Node's 'aborted').
  ECONNRESET: { status: 400, code: 'malformed-request', message: 'The connection ended before the body was complete' },
};

function apiFailureOf(error: FastifyError): ApiFailure | undefined {
  if (error instanceof ApiFailure) return error;
  if (error.validation !== undefined) return new ApiFailure(400, 'invalid-request', error.message);
  const known = error.code === undefined ? undefined : ERRORS_BY_FASTIFY_CODE[error.code];
  if (known !== undefined) return new ApiFailure(known.status, known.code, known.message ?? error.message);
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiFailure(error.statusCode, 'invalid-request', error.message);
  }
  return undefined;
}

function sendFailure(reply: FastifyReply, failure: ApiFailure): FastifyReply {
  return reply.code(failure.statusCode).headers(failure.headers).send(failure.toBody());
}

/** What a request Node could not parse, or that did not arrive in time, is answered (S4). */
export function clientFailureOf(error: Error & { code?: string }, requestTimeoutMs: number): ApiFailure {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ApiFailure(408, 'request-timeout', `The request did not arrive whole within ${Math.round(requestTimeoutMs / 1000)} s`);
  if (error.code === 'HPE_HEADER_OVERFLOW') return new ApiFailure(431, 'headers-too-large', 'The request headers are larger than the server accepts');
  if (error.code === 'HPE_INVALID_EOF_STATE') return new ApiFailure(400, 'malformed-request', 'The connection ended before the request was complete');
  return new ApiFailure(400, 'malformed-request', 'The request is not well-formed HTTP/1.1');
}

/**
 * Fastify's clientErrorHandler: answers what Node's HTTP parser refused (or timed out) with an
 * ApiError body instead of Fastify's `{ error, message, statusCode }`, then closes the connection.
 */
function clientErrorHandler(requestTimeoutMs: number) {
  return function onClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
    // A reset connection has no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const failure = clientFailureOf(error, requestTimeoutMs);
    this.log.debug({ err: error }, 'client error');
    if (socket.writable) {
      const body = JSON.stringify(failure.toBody());
      socket.write(
        `HTTP/1.1 ${failure.statusCode} ${STATUS_CODES[failure.statusCode] ?? ''}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/** `/api/stations/:stationId/revoke` as a pattern that matches `/api/stations/<id>/revoke`. */
function routePattern(url: string): RegExp {
  const escaped = url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${escaped.join('/')}$`);
}

/**
 * Checks the protocol version before the schema, so a station too old to know today's message
 * shapes is told to update rather than that its message is invalid.
 */
function protocolFirst(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  const body = request.body;
  try {
    if (typeof body === 'object' && body !== null && 'protocolVersion' in body) {
      const version = body.protocolVersion;
      if (typeof version === 'number' && Number.isInteger(version)) checkProtocolVersion(version);
    }
  } catch (error) {
    done(error as Error);
    return;
  }
  done();
}

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

/** The sync server as a Fastify instance, routes registered, not yet listening. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const ajv = createAjv();
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestTimeout: requestTimeoutMs,
    // Given to Node's server at construction too: set afterwards only (as Fastify does), Node 24
    // never times a request out. Node checks every 30 s; a shorter limit needs a shorter check.
    http: { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(requestTimeoutMs / 2))) },
    clientErrorHandler: clientErrorHandler(requestTimeoutMs),
    // A URL the router cannot take (bad percent-encoding, an over-long parameter); Fastify would
    // answer its own shape without this.
    frameworkErrors: (error, _request, reply) => {
      void sendFailure(reply, apiFailureOf(error) ?? new ApiFailure(400, 'malformed-request', 'The URL is not well-formed'));
    },
    schemaErrorFormatter: (errors, dataVar) => new Error(formatValidationErrors(errors, dataVar)),
  });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  // Every API body is JSON; Fastify's built-in text/plain parser would let a string reach the schema.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('station', null);
  // Every API route by method, and which of them need the station credential: the 404 handler
  // tells a wrong method from an unknown route, and says neither to an unauthenticated caller (S2).
  const apiRoutes: Array<{ method: string; pattern: RegExp; url: string }> = [];
  const credentialRoutes = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (!isApiPath(route.url)) return;
    for (const method of [route.method].flat()) apiRoutes.push({ method, pattern: routePattern(route.url), url: route.url });
  });

  let decoy: Promise<PinHash> | undefined;
  const decoyPinHash = (): Promise<PinHash> => (decoy ??= hashPin(crypto.randomUUID()));
  const oneAtATime = oneAtATimePerBadge();
  const defaultPrograms = async (): Promise<string[]> => (options.defaultPrograms === undefined ? store.programsInPlant() : [...options.defaultPrograms]);
  const live = createLiveHub(options.heartbeatMs ?? HEARTBEAT_MS);
  const audit =
    options.plant?.audit ??
    options.audit ??
    createAuditLog({ key: options.auditKey ?? newServerKey(AUDIT_ORIGIN), now, ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery }) });
  if (options.plant === undefined && options.audit === undefined) await store.locked((tx) => audit.open(tx.sql));
  // Stations on this process hear of every commit at once; other processes sharing a PostgreSQL
  // hear of it through the database (store.announce) and wake their own stations' streams.
  const onCommit = (sequence: number): void => {
    live.publish(sequence);
    store.announce(sequence).catch((error: unknown) => app.log.warn({ err: error }, 'could not announce a commit to other server processes'));
  };
  const plant = options.plant ?? createPlantService({ store, now, audit, onCommit, ...(options.qms?.mrbDecides === undefined ? {} : { mrbDecides: options.qms.mrbDecides }) });
  if (options.plant === undefined) await plant.load();
  const verifier = options.verifier ?? (os.availableParallelism() > 1 ? createVerifierPool() : inlineVerifier());
  const checkpointMs = (options.checkpointSeconds ?? DEFAULT_CHECKPOINT_SECONDS) * 1000;
  const checkpointTimer =
    checkpointMs > 0
      ? setInterval(() => {
          store.locked((tx) => audit.checkpointIfBehind(tx.sql)).catch((error: unknown) => app.log.error({ err: error }, 'timed checkpoint failed'));
        }, checkpointMs)
      : null;
  checkpointTimer?.unref();
  const stopWatching = await store.watchCommits((sequence) => {
    // Announcements may have been missed while the database connection was down: say where the plant is now.
    if (sequence !== null) live.publish(sequence);
    else store.sequence().then((current) => live.publish(current), (error: unknown) => app.log.warn({ err: error }, 'could not read the server sequence'));
  });
  app.addHook('onClose', async () => {
    // Requests have finished (Fastify closes the listener first): sign what was appended since the
    // last checkpoint, so a clean stop leaves no entry protected by its own signature only.
    try {
      await store.locked((tx) => audit.checkpointIfBehind(tx.sql));
    } catch (error) {
      app.log.error({ err: error }, 'could not sign a checkpoint while stopping');
    }
    await stopWatching();
    if (checkpointTimer !== null) clearInterval(checkpointTimer);
    if (options.verifier === undefined) await verifier.close();
  });
  const checkStationKey = createStationKeyCheck({ sql: store.sql, audit, report: (details, message) => app.log.error(details, message) });
  app.decorate('plant', plant);
  app.decorate('live', live);
  const stationSilentAfterMs = options.stationSilentAfterMs ?? DEFAULT_STATION_SILENT_AFTER_MS;
  const metrics = createMetrics({ store, audit, now, stationSilentAfterMs });
  app.decorate('metrics', metrics);
  app.addHook('onError', (_request, _reply, error, done) => {
    if (isDatabaseError(error)) metrics.observeDatabaseError();
    done();
  });
  registerFleetHooks(app, { store, now, isWorkCenter: (id) => plant.state().workCenters.has(id), onRefused: (error) => metrics.observeRefusedReport(error.code) });
  const restarts = createRestarts(store);
  // Open streams would keep close() waiting for ever.
  app.addHook('preClose', (done) => {
    live.close();
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const failure = apiFailureOf(error);
    if (failure !== undefined) return sendFailure(reply, failure);
    request.log.error({ err: error }, 'request failed');
    return sendFailure(reply, new ApiFailure(500, 'internal', 'The server failed to handle this request; it has been logged'));
  });

  app.get('/api/health', () => ({
    status: 'ok',
    protocolVersion: PROTOCOL_VERSION,
    oldestServedProtocolVersion: OLDEST_SERVED_PROTOCOL_VERSION,
  }));
  registerMonitoringRoutes(app, { store, audit, metrics, metricsToken: options.metricsToken });

  // Enrollment carries its own authentication: the supervisor's badge and PIN.
  app.post<{ Body: EnrollRequest }>(
    '/api/stations/enroll',
    { schema: { body: enrollRequestSchema }, preValidation: protocolFirst },
    async (request, reply) => {
      const answer = await enrollStation(
        { store, now, decoyPinHash, oneAtATime, defaultPrograms, addStation: (station, approver) => plant.enrollStation(station, approver), auditKeys: () => audit.keys(store.sql) },
        request.body,
      );
      return reply.code(201).send(answer);
    },
  );

  // The QMS link: NCRs for stations and integrations, dispositions from the QMS (sync-server/qms/).
  const qms = createQmsLink({ store, plant, now, metrics, log: app.log, ...options.qms });
  app.decorate('qms', qms);
  app.addHook('onClose', (_instance, done) => {
    qms.stop();
    done();
  });
  await app.register((qmsRoutes, _options, done) => {
    qmsRoutes.addHook('onRoute', (route) => {
      credentialRoutes.add(route.url);
    });
    qms.registerRoutes(qmsRoutes);
    done();
  });

  await app.register((stationRoutes, _options, done) => {
    stationRoutes.addHook('onRoute', (route) => {
      credentialRoutes.add(route.url);
    });
    stationRoutes.addHook('onRequest', async (request) => {
      // A revoked station's push is refused into quarantine with a security flag (S17), not just 401.
      const allowRevoked = request.method === 'POST' && request.url.split('?')[0] === '/api/sync/push';
      request.station = await forbidIntegrations(store, request.headers.authorization, () => authenticateStation(store, request.headers.authorization, { allowRevoked }));
      // The table's key must be the one the signed log recorded for the station (docs/audit.md).
      await checkStationKey(request.station);
    });

    const stationOf = (request: FastifyRequest): Station => {
      if (request.station === null) throw new ApiFailure(401, 'unauthenticated', 'This request needs the station credential');
      return request.station;
    };

    stationRoutes.post<{ Body: PullRequest }>(
      '/api/sync/pull',
      { schema: { body: pullRequestSchema }, preValidation: protocolFirst },
      (request) => restarts.pull(stationOf(request), request.body, () => pull({ store, station: stationOf(request), plant, mrbDecides: options.qms?.mrbDecides ?? 'travelog' }, request.body)),
    );

    stationRoutes.post<{ Body: PushRequest }>(
      '/api/sync/push',
      { schema: { body: pushRequestSchema }, preValidation: protocolFirst, bodyLimit: options.pushBodyLimit ?? DEFAULT_PUSH_BODY_LIMIT },
      (request) =>
        restarts.push(stationOf(request), request.body, () => metrics.timePush(request.body.events.length, () => push({ plant, station: stationOf(request), now, verifier }, request.body))),
    );

    registerAuditRoutes(stationRoutes, { store, audit, plant, authenticated: stationOf });
    registerEvidenceRoutes(stationRoutes, { store, audit, plant, now, authenticated: stationOf });
    registerGenealogyRoutes(stationRoutes, { store, plant, authenticated: stationOf });
    registerAttachmentRoutes(stationRoutes, { store, plant, now, authenticated: stationOf });
    registerStationRoutes(stationRoutes, {
      store, now, decoyPinHash, oneAtATime, audit, authenticated: stationOf, protocolFirst,
      onViewsRenumbered: onCommit,
      plant, stationSilentAfterMs,
    });

    // Stations read this with a streaming fetch (the credential goes in a header, which EventSource cannot send).
    stationRoutes.get('/api/sync/live', async (request, reply) => {
      stationOf(request);
      const checkpoint = await store.sequence();
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      live.connect(reply.raw, checkpoint);
    });
    done();
  });

  if (options.staticDir !== undefined) {
    // The SPA fallback answers with index.html; without one it would have nothing to send.
    if (!existsSync(join(options.staticDir, 'index.html'))) throw new Error(`${options.staticDir} has no index.html; build the app first`);
    await app.register(fastifyStatic, {
      root: options.staticDir,
      setHeaders: (reply, path) => {
        // The shell and the service worker must be revalidated, or a station never sees a new release.
        const name = basename(path);
        if (name === 'index.html' || name === 'sw.js' || name.endsWith('.webmanifest')) reply.header('cache-control', 'no-cache');
      },
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    const path = request.url.split('?')[0] ?? '';
    if (!isApiPath(request.url)) {
      if (options.staticDir !== undefined && isRead) return reply.sendFile('index.html');
      return sendFailure(reply, new ApiFailure(404, 'not-found', `No route ${request.method} ${path}`));
    }
    const matching = apiRoutes.filter((route) => route.pattern.test(path));
    // Which API routes exist is for stations to know: anything but a public route's other method
    // needs the credential first, so an unknown route reads like a known one to a stranger (S2).
    const isPublic = matching.length > 0 && matching.every((route) => !credentialRoutes.has(route.url));
    try {
      if (!isPublic) await forbidIntegrations(store, request.headers.authorization, () => authenticateStation(store, request.headers.authorization));
    } catch (error) {
      if (error instanceof ApiFailure) return sendFailure(reply, error);
      throw error;
    }
    if (matching.length === 0) return sendFailure(reply, new ApiFailure(404, 'not-found', `No route ${request.method} ${path}`));
    const allowed = [...new Set(matching.map((route) => route.method))].sort();
    return sendFailure(reply, new ApiFailure(405, 'method-not-allowed', `${path} takes ${allowed.join(', ')}, not ${request.method}`, { allow: allowed.join(', ') }));
  });

  return app;
}
