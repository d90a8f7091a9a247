/**
 * Monitoring against the real server over HTTP, on every store (monitoring.pglite.test.ts,
 * monitoring.pg.test.ts): `/api/health` and `/api/ready` without a credential, readiness failing on
 * the check that fails, `/metrics` behind its own token with what a push did, and JSON log lines
 * with a request id that never carry a PIN, a credential or the metrics token.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../sync-server/app.ts';
import { createAuditLog } from '../../sync-server/audit/audit-log.ts';
import { newServerKey } from '../../sync-server/audit/server-key.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { serverLogger } from '../../sync-server/ops/logging.ts';
import { MIGRATIONS } from '../../sync-server/store/migrations.ts';
import { openStore } from '../../sync-server/store/store.ts';
import { inlineVerifier } from '../../sync-server/audit/verifier-pool.ts';
import { makeTempDir, send, testClock } from './harness.ts';
import { addWorkOrder, dropSchema, enrollStation, pinOf, startSyncServer, testDatabaseUrl, V, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789abcdef';

/** A metric's value in Prometheus text: the sample line `name{labels} value`. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export function runMonitoringSuite(backend: Backend): void {
  describe(`monitoring on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
        done();
      },
    });
    let fixture: SyncFixture;
    let server: RunningServer;
    let mill: TestStation;
    let lathe: TestStation;

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now, metricsToken: METRICS_TOKEN, logger: serverLogger('info', logStream) });
      server = fixture.server;
      mill = await enrollStation(server, clock, 'Mill tablet');
      lathe = await enrollStation(server, clock, 'Lathe tablet');
    }, 60_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    const metrics = async (): Promise<string> => {
      const answer = await send(server.url, '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('text/plain');
      return answer.text;
    };

    it('answers health and readiness without a credential, and says nothing more than ready', async () => {
      const health = await send(server.url, '/api/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok' });
      const ready = await send(server.url, '/api/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
    });

    it('is not ready while a migration is missing, and ready again once it is back', async () => {
      const last = MIGRATIONS.at(-1)!;
      await server.store.sql.query('DELETE FROM schema_migrations WHERE version = $1', [last.version]);
      try {
        const answer = await send(server.url, '/api/ready');
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual({ status: 'not-ready', failing: ['migrations'] });
      } finally {
        await server.store.sql.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [last.version, last.name]);
      }
      expect((await send(server.url, '/api/ready')).status).toBe(200);
    });

    it('is not ready when its key is not the audit log’s key, or when the store does not answer', async () => {
      const dir = await makeTempDir('ready');
      const schema = `travelog_ready_${Date.now().toString(36)}`;
      const store = backend === 'PGlite' ? await openStore({ dataDir: dir.path }) : await openStore({ databaseUrl: testDatabaseUrl(), schema });
      const other = await buildServer({ store, audit: createAuditLog({ key: newServerKey('travelog/audit'), now: clock.now }), verifier: inlineVerifier(), checkpointSeconds: 0 });
      await store.locked((tx) => createAuditLog({ key: newServerKey('travelog/audit'), now: clock.now }).open(tx.sql));
      try {
        const url = await other.listen({ port: 0, host: '127.0.0.1' });
        const wrongKey = await send(url, '/api/ready');
        expect(wrongKey.status).toBe(503);
        expect(wrongKey.body).toEqual({ status: 'not-ready', failing: ['audit-key'] });
        await store.close();
        const down = await send(url, '/api/ready');
        expect(down.status).toBe(503);
        expect(down.body).toMatchObject({ status: 'not-ready', failing: expect.arrayContaining(['store']) as unknown });
      } finally {
        await other.close();
        await store.close();
        await dir.remove();
        if (backend === 'PostgreSQL') await dropSchema(schema);
      }
    });

    it('keeps /metrics behind its own token: not without it, not with a station credential', async () => {
      expect((await send(server.url, '/metrics')).status).toBe(401);
      expect((await send(server.url, '/metrics', { credential: mill.credential })).status).toBe(401);
      expect((await send(server.url, '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
      expect((await send(server.url, '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    });

    it('counts what pushes did: outcomes, flags, refusals, latency, open conflicts, log size and stations seen', async () => {
      const before = await metrics();
      const accepted0 = sample(before, 'travelog_events_total', '{outcome="accepted"}') ?? 0;
      const flagged0 = sample(before, 'travelog_events_total', '{outcome="flagged"}') ?? 0;
      const batches0 = sample(before, 'travelog_push_batch_seconds_count') ?? 0;
      const { workOrderId, units } = await addWorkOrder(server, 'WO-MON-1');
      await mill.pushOk([mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D'), mill.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
      await lathe.pushOk([lathe.step('op.completed', 'B-1005', workOrderId, units[0]!, 'OP10', 'D')]);
      // A push naming another station is refused whole.
      expect((await lathe.push([lathe.step('op.started', 'B-1005', workOrderId, units[1]!, 'OP10', 'D')], { stationId: mill.id })).status).toBe(403);
      await mill.pullAll();

      const after = await metrics();
      expect(sample(after, 'travelog_events_total', '{outcome="accepted"}')).toBe(accepted0 + 2);
      expect(sample(after, 'travelog_events_total', '{outcome="flagged"}')).toBe(flagged0 + 1);
      expect(sample(after, 'travelog_events_total', '{outcome="refused"}')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'travelog_event_flags_total', '{flag="duplicate-completion"}')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'travelog_pushes_refused_total', '{code="station-mismatch"}')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'travelog_push_batch_seconds_count')).toBe(batches0 + 3);
      expect(sample(after, 'travelog_open_conflicts')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'travelog_quarantine_size')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'travelog_audit_log_size')).toBe(await server.plant.audit!.size(server.store.sql));
      expect(sample(after, 'travelog_server_sequence')).toBe(await server.store.sequence());
      // Both stations pushed or pulled just now (the server's clock has not moved).
      expect(sample(after, 'travelog_stations', '{last_seen="5m"}')).toBe(2);
      expect(sample(after, 'travelog_stations', '{last_seen="never"}')).toBe(0);
      expect(sample(after, 'travelog_database_errors_total')).toBe(0);
    });

    it('logs JSON lines, each about a request naming its id, and never a PIN, a credential or the metrics token', async () => {
      // An enrollment with a wrong PIN, a revocation attempt with a PIN, and bad input, for the log to see.
      await send(server.url, '/api/stations/enroll', { body: { protocolVersion: V, stationName: 'Spare', supervisorBadge: 'B-3001', pin: '918273' } });
      await send(server.url, `/api/stations/${lathe.id}/revoke`, {
        credential: mill.credential,
        body: { protocolVersion: V, signerBadge: 'B-3001', pin: pinOf('B-3001'), meaning: 'wrong', reason: 'test' },
      });
      await send(server.url, '/api/sync/pull', { credential: mill.credential, raw: '{"protocolVersion":' });
      const answer = await send(server.url, '/api/sync/pull', { credential: mill.credential, body: { protocolVersion: V, checkpoint: 0 } });
      const requestId = answer.headers.get('x-request-id');
      expect(requestId).toBeTruthy();

      // The completion line is written once the answer has gone out.
      await expect.poll(() => lines.filter((line) => line.includes(`"reqId":"${requestId}"`)).length).toBe(2);
      const parsed = lines.map((line) => JSON.parse(line) as { reqId?: string; msg?: string; req?: { url?: string } });
      const aboutRequests = parsed.filter((line) => line.req !== undefined || line.msg === 'request completed');
      expect(aboutRequests.length).toBeGreaterThan(10);
      for (const line of aboutRequests) expect(line.reqId).toBeTruthy();
      expect(parsed.filter((line) => line.reqId === requestId).map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
      const text = lines.join('\n');
      // PINs are short digits, which a time may hold: look for them as JSON strings.
      for (const secret of [mill.credential, lathe.credential, METRICS_TOKEN, `"${pinOf('B-3001')}"`, '"918273"', 'PRIVATE KEY']) expect(text).not.toContain(secret);
    });
  });
}
