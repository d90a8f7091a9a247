/**
 * What plant IT watches (docs/operations.md): `GET /api/ready` (the store answers, its migrations
 * are current, the audit key is the log's current key) and `GET /metrics` in the Prometheus text
 * format behind its own token (METRICS_TOKEN, never a station credential).
 *
 * `/api/health` (alive) and `/api/ready` need no credential, as load balancers and orchestrators
 * call them; they say which check failed, never why (no error text, no key id, no database name).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Receipt } from '../../schemas/receipt.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { ApiFailure } from '../api-error.ts';
import { MIGRATIONS } from '../store/migrations.ts';
import { isSilentWithPending, readFleet } from './fleet.ts';
import type { Store } from '../store/store.ts';

/** A station silent longer than this while it reported pending events is flagged; 15 minutes unless configured. */
export const DEFAULT_STATION_SILENT_AFTER_MS = 15 * 60 * 1000;

/** The last-seen buckets of `travelog_stations`, newest first: each station counts in the first it fits. */
const LAST_SEEN_BUCKETS: ReadonlyArray<{ label: string; withinMs: number }> = [
  { label: '5m', withinMs: 5 * 60_000 },
  { label: '1h', withinMs: 3_600_000 },
  { label: '24h', withinMs: 86_400_000 },
  { label: 'older', withinMs: Number.POSITIVE_INFINITY },
];

/** The checks of `/api/ready`, in the order they are made. */
export type ReadinessCheck = 'store' | 'migrations' | 'audit-key';

export interface Readiness {
  ready: boolean;
  /** The checks that failed (none when ready). */
  failing: ReadinessCheck[];
}

/** Checks that the server can do its work: the store answers, is migrated, and the key signing is the log's current key. */
export async function checkReadiness(store: Store, audit: AuditLog): Promise<Readiness> {
  const failing: ReadinessCheck[] = [];
  try {
    await store.sql.query('SELECT 1');
  } catch {
    return { ready: false, failing: ['store', 'migrations', 'audit-key'] };
  }
  try {
    const rows = await store.sql.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => Number(row.version)));
    if (MIGRATIONS.some((migration) => !applied.has(migration.version))) failing.push('migrations');
  } catch {
    failing.push('migrations');
  }
  try {
    const current = (await audit.keys(store.sql)).at(-1);
    if (current?.keyId !== audit.key().keyId) failing.push('audit-key');
  } catch {
    failing.push('audit-key');
  }
  return { ready: failing.length === 0, failing };
}

/** The server's metrics; one registry per server, so that several in one process (tests) keep theirs apart. */
export interface Metrics {
  readonly registry: Registry;
  /**
   * Runs a push of `events` events and counts it: its receipts by outcome and flag, or its refusal
   * whole (schema, another station's name, a revoked station) by error code; and its latency.
   */
  timePush(events: number, run: () => Promise<{ receipts: readonly Receipt[] }>): Promise<{ receipts: Receipt[] }>;
  /** Counts a failure of the database. */
  observeDatabaseError(): void;
  /** Counts a station report not taken (sync-server/ops/fleet.ts), by error code. */
  observeRefusedReport(code: string): void;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  store: Store;
  audit: AuditLog;
  now: () => Date;
  stationSilentAfterMs: number;
}

function countOf(rows: ReadonlyArray<{ n: string | number }>): number {
  return Number(rows[0]?.n ?? 0);
}

/** The metrics of one server (see docs/operations.md for what to alert on). */
export function createMetrics(options: MetricsOptions): Metrics {
  const { store, now } = options;
  const registry = new Registry();
  const registers = [registry];
  const events = new Counter({ name: 'travelog_events_total', help: 'Events decided, by receipt outcome (accepted, flagged, rejected) or refused for a refused push', labelNames: ['outcome'], registers });
  const flags = new Counter({ name: 'travelog_event_flags_total', help: 'Flags given to decided or refused events, by flag', labelNames: ['flag'], registers });
  const refusedPushes = new Counter({ name: 'travelog_pushes_refused_total', help: 'Pushes refused whole, by error code', labelNames: ['code'], registers });
  const latency = new Histogram({
    name: 'travelog_push_batch_seconds',
    help: 'Time to decide one push batch, from its arrival to its receipts',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const refusedReports = new Counter({
    name: 'travelog_station_reports_refused_total',
    help: 'Station reports (Travelog-Station-Report header) not taken, by error code; the push or pull went on without them',
    labelNames: ['code'],
    registers,
  });
  const databaseErrors = new Counter({ name: 'travelog_database_errors_total', help: 'Requests and timed tasks that failed in the database', registers });

  // Read from the store at each scrape: what they show survives a restart of the server.
  const gauge = (name: string, help: string, read: () => Promise<number>): Gauge =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        this.set(await read());
      },
    });
  gauge('travelog_open_conflicts', 'Conflicts waiting for a supervisor', async () =>
    countOf(await store.sql.query<{ n: string }>("SELECT count(*) AS n FROM views WHERE kind = 'conflict' AND data->>'status' = 'open'")),
  );
  gauge('travelog_quarantine_size', 'Refused inputs held in quarantine', async () => countOf(await store.sql.query<{ n: string }>("SELECT count(*) AS n FROM views WHERE kind = 'quarantine'")));
  gauge('travelog_server_sequence', 'The server sequence: the highest number given to an event or view', () => store.sequence());
  gauge('travelog_audit_log_size', 'Entries in the audit log', () => options.audit.size(store.sql));
  gauge('travelog_audit_entries_since_checkpoint', 'Audit entries not yet covered by a signed checkpoint', async () => {
    const [row] = await store.sql.query<{ size: string | number; checkpointed: string | number }>(
      'SELECT (SELECT coalesce(max(idx) + 1, 0) FROM audit_entries) AS size, (SELECT coalesce(max(size), 0) FROM audit_checkpoints) AS checkpointed',
    );
    return Number(row?.size ?? 0) - Number(row?.checkpointed ?? 0);
  });
  gauge('travelog_audit_checkpoint_age_seconds', 'Seconds since the latest signed checkpoint', async () => {
    const [row] = await store.sql.query<{ at: Date | string | null }>('SELECT max(created_at) AS at FROM audit_checkpoints');
    return row?.at === null || row?.at === undefined ? 0 : Math.max(0, (now().getTime() - new Date(row.at).getTime()) / 1000);
  });

  const fleet = async () => (await readFleet(store.sql)).filter((row) => row.revokedAt === null);
  new Gauge({
    name: 'travelog_stations',
    help: 'Unrevoked stations by when they were last seen (within 5m, 1h, 24h, older, never)',
    labelNames: ['last_seen'],
    registers,
    async collect() {
      const counts = new Map<string, number>([...LAST_SEEN_BUCKETS.map((bucket) => [bucket.label, 0] as const), ['never', 0]]);
      const at = now().getTime();
      for (const row of await fleet()) {
        const seenAt = row.lastSeenAt;
        const label = seenAt === null ? 'never' : (LAST_SEEN_BUCKETS.find((bucket) => at - new Date(seenAt).getTime() <= bucket.withinMs)?.label ?? 'older');
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
      for (const [label, count] of counts) this.set({ last_seen: label }, count);
    },
  });
  new Gauge({
    name: 'travelog_station_pending_events',
    help: 'Events a station reported it has not had answered yet, at its last push or pull',
    labelNames: ['station'],
    registers,
    async collect() {
      this.reset();
      for (const row of await fleet()) if (row.report !== null) this.set({ station: row.name }, row.report.pending);
    },
  });
  new Gauge({
    name: 'travelog_stations_silent_with_pending',
    help: 'Unrevoked stations silent longer than STATION_SILENT_AFTER that reported pending events',
    registers,
    async collect() {
      const at = now();
      const silent = (await fleet()).filter((row) => isSilentWithPending(row.lastSeenAt, row.report, at, options.stationSilentAfterMs));
      this.set(silent.length);
    },
  });

  return {
    registry,
    async timePush(count, run) {
      const stop = latency.startTimer();
      try {
        const answer = await run();
        // Counted per push, not per receipt: a label look-up per increment costs a push of 500 that many.
        const outcomes = new Map<string, number>();
        const flagged = new Map<string, number>();
        for (const receipt of answer.receipts) {
          outcomes.set(receipt.outcome, (outcomes.get(receipt.outcome) ?? 0) + 1);
          for (const flag of receipt.flags) flagged.set(flag, (flagged.get(flag) ?? 0) + 1);
        }
        for (const [outcome, n] of outcomes) events.inc({ outcome }, n);
        for (const [flag, n] of flagged) flags.inc({ flag }, n);
        return answer as { receipts: Receipt[] };
      } catch (error) {
        if (error instanceof ApiFailure) {
          refusedPushes.inc({ code: error.code });
          if (count > 0) events.inc({ outcome: 'refused' }, count);
        }
        throw error;
      } finally {
        stop();
      }
    },
    observeDatabaseError() {
      databaseErrors.inc();
    },
    observeRefusedReport(code) {
      refusedReports.inc({ code });
    },
  };
}

/** True for an error the database raised (pg and PGlite both carry the SQLSTATE as `code`). */
export function isDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || error instanceof ApiFailure) return false;
  const code = (error as { code?: unknown }).code;
  const name = (error as { name?: unknown }).name;
  return (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) || name === 'DatabaseError';
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Options of {@link registerMonitoringRoutes}. */
export interface MonitoringRoutesOptions {
  store: Store;
  audit: AuditLog;
  metrics: Metrics;
  /** The token `/metrics` asks for; unset, `/metrics` answers 503 (metrics are off). */
  metricsToken?: string | undefined;
}

/** Registers `/api/ready` and `/metrics`. */
export function registerMonitoringRoutes(app: FastifyInstance, options: MonitoringRoutesOptions): void {
  const wanted = options.metricsToken === undefined || options.metricsToken === '' ? null : sha256(options.metricsToken);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  app.get('/api/ready', async (_request, reply) => {
    const readiness = await checkReadiness(options.store, options.audit);
    if (!readiness.ready) {
      if (readiness.failing.includes('store')) options.metrics.observeDatabaseError();
      return reply.code(503).send({ status: 'not-ready', failing: readiness.failing });
    }
    return { status: 'ready' };
  });

  app.get('/metrics', async (request: FastifyRequest, reply: FastifyReply) => {
    if (wanted === null) throw new ApiFailure(503, 'internal', 'Metrics are off: set METRICS_TOKEN on the server to turn them on');
    const match = /^Bearer (.+)$/.exec(request.headers.authorization?.trim() ?? '');
    // Compared as hashes: equal lengths, and no timing that tells how much of the token was right.
    if (match?.[1] === undefined || !timingSafeEqual(sha256(match[1]), wanted)) {
      throw new ApiFailure(401, 'unauthenticated', 'Metrics need the metrics token: Authorization: Bearer <METRICS_TOKEN>');
    }
    const text = await options.metrics.registry.metrics();
    return reply.header('content-type', options.metrics.registry.contentType).send(text);
  });
}
