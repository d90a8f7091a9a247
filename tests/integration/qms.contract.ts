/**
 * The QMS link over HTTP against the real server, on every store (qms.pglite.test.ts, qms.pg.test.ts):
 * NCR webhooks to a real node:http receiver with faults (500s, timeouts, a receiver down for an
 * hour, the server restarted with deliveries pending), HMAC-signed and idempotent by id; the outbox
 * in /metrics; dispositions posted by the QMS with an integration credential, its scope, bad input,
 * replays and program clearance (S10); the CSV listing; MRB_DECIDES.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRef } from '../../schemas/common.ts';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import type { TrailResponse } from '../../schemas/audit-api.ts';
import { hashPin } from '../../src/auth/pin.ts';
import { startServer, type RunningServer, type StartOptions } from '../../sync-server/main.ts';
import { createIntegration } from '../../sync-server/qms/integrations.ts';
import type { WebhookBody } from '../../sync-server/qms/outbox.ts';
import { main as integrationCli } from '../../sync-server/qms/integration-cli.ts';
import { errorOf, makeTempDir, send, testClock, type TestClock } from './harness.ts';
import { addWorkOrder, dropSchema, enrollStation, signature, testDatabaseUrl, type Backend, type TestStation } from './sync-fixture.ts';
import { DISPOSITION_MEANINGS } from '../../src/domain/ncr.ts';

const OPERATOR = 'B-1001';
const SECRET = 'test-only-secret-0123456789abcdef';
const METRICS = 'qms-metrics-token-0123456789';
const HOUR = 60 * 60 * 1000;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A QMS's webhook receiver: answers 204, 500, never (a timeout), or is down (its port closed). */
class Receiver {
  mode: 'ok' | 'error' | 'hang' = 'ok';
  readonly received: Received[] = [];
  private server: Server | null = null;
  private hanging: ServerResponse[] = [];
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.mode === 'hang') {
          this.hanging.push(response);
          return;
        }
        if (this.mode === 'error') {
          response.writeHead(500).end('QMS is having a bad day');
          return;
        }
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.hanging = [];
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/travelog-ncr`;
  }

  /** The bodies received about one NCR, de-duplicated by delivery id as a QMS would. */
  about(ncrId: string): WebhookBody[] {
    const seen = new Map<string, WebhookBody>();
    for (const r of this.received) {
      const body = JSON.parse(r.body) as WebhookBody;
      if (body.ncr.ncrId === ncrId) seen.set(body.deliveryId, body);
    }
    return [...seen.values()].sort((a, b) => a.serverSeq - b.serverSeq);
  }
}

async function metricValue(server: RunningServer, name: string): Promise<number> {
  const answer = await send(server.url, '/metrics', { headers: { authorization: `Bearer ${METRICS}` } });
  const line = answer.text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`/metrics has no ${name}`);
  return Number(line.split(' ')[1]);
}

/** Registers the QMS link suite on one backend. */
export function runQmsSuite(backend: Backend): void {
  describe(`QMS link on ${backend}`, () => {
    const clock: TestClock = testClock('2026-11-20T08:00:00.000Z');
    const receiver = new Receiver();
    const schema = `travelog_test_${randomBytes(6).toString('hex')}`;
    let dataDir: Awaited<ReturnType<typeof makeTempDir>>;
    let server: RunningServer;
    let station: TestStation;
    let qmsCredential: string;
    let commercialQms: string;
    let orders = 0;

    const start = (extra: Partial<StartOptions> = {}): Promise<RunningServer> =>
      startServer({
        port: 0, host: '127.0.0.1', dataDir: dataDir.path, now: clock.now, metricsToken: METRICS,
        hashPin: (pin) => hashPin(pin, 10_000),
        ...(backend === 'PostgreSQL' ? { databaseUrl: testDatabaseUrl(), databaseSchema: schema } : {}),
        qms: { mrbDecides: 'qms', webhook: { url: receiver.url, secret: SECRET, timeoutMs: 300 }, pollMs: 0 },
        ...extra,
      });

    const freshOrder = (program = 'COMMERCIAL') => addWorkOrder(server, `WO-Q${backend === 'PGlite' ? 'L' : 'P'}${++orders}`, { program });

    async function redTag(workOrderId: string, unit: UnitRef): Promise<string> {
      const tag = station.event('ncr.opened', OPERATOR, { workOrderId, operationId: 'OP10', items: [{ itemId: '1', unit, quantity: 1 }], description: 'Chatter marks on the face' });
      expect((await station.pushOk([tag]))[0]).toMatchObject({ outcome: 'accepted' });
      return `NCR-${tag.id}`;
    }

    const ncrView = async (ncrId: string): Promise<Nonconformance | undefined> => (await server.store.getView('nonconformance', ncrId))?.data;

    beforeAll(async () => {
      dataDir = await makeTempDir('qms');
      await receiver.start();
      server = await start();
      station = await enrollStation(server, clock, 'Mill tablet');
      qmsCredential = (await createIntegration(server.store.sql, { name: 'QMS', programs: ['F-35-ACT', 'COMMERCIAL'] }, clock.now())).credential;
      commercialQms = (await createIntegration(server.store.sql, { name: 'QMS-C', programs: ['COMMERCIAL'] }, clock.now())).credential;
      // The demo plant's own NCRs go out first; the tests look at their own.
      await server.qms?.runOnce();
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      await receiver.stop();
      await dataDir?.remove();
      if (backend === 'PostgreSQL') await dropSchema(schema);
    });

    it('an NCR and each change to it go out as HMAC-signed webhooks, each with an id the receiver de-duplicates on', async () => {
      const { workOrderId, units } = await freshOrder();
      const ncrId = await redTag(workOrderId, units[0]!);
      expect(await server.qms?.runOnce()).toMatchObject({ failed: 0 });
      const [opened] = receiver.about(ncrId);
      expect(opened).toMatchObject({ type: 'ncr.opened', ncr: { ncrId, status: 'open', workOrderId } });
      const request = receiver.received.find((r) => (JSON.parse(r.body) as WebhookBody).deliveryId === opened?.deliveryId)!;
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-travelog-delivery']).toBe(opened?.deliveryId);
      const timestamp = request.headers['x-travelog-timestamp'] as string;
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex')}`;
      expect(request.headers['x-travelog-signature']).toBe(expected);
      expect(request.body).not.toContain(SECRET);

      // The QMS disposes of it; the change goes out too, under a new id.
      const posted = await send(server.url, '/api/qms/dispositions', {
        credential: qmsCredential,
        body: { ncrId, itemId: '1', disposition: 'scrap', quantity: 1, qmsReference: `MRB-${ncrId.slice(-6)}`, approver: 'Quinn Lee', reason: 'Beyond repair' },
      });
      expect(posted.status).toBe(201);
      await server.qms?.runOnce();
      const bodies = receiver.about(ncrId);
      expect(bodies.map((b) => b.type)).toEqual(['ncr.opened', 'ncr.changed']);
      expect(bodies[1]?.ncr.status).toBe('closed');
      expect(new Set(bodies.map((b) => b.deliveryId)).size).toBe(2);
      // Nothing left to send: a second round sends nothing again.
      const before = receiver.received.length;
      expect(await server.qms?.runOnce()).toEqual({ delivered: 0, failed: 0 });
      expect(receiver.received.length).toBe(before);
    });

    it('500s and timeouts are retried with backoff; a receiver down for an hour gets everything when it is back; /metrics shows the depth and age', async () => {
      const { workOrderId, units } = await freshOrder();
      receiver.mode = 'error';
      const first = await redTag(workOrderId, units[0]!);
      expect(await server.qms?.runOnce()).toEqual({ delivered: 0, failed: 1 });
      expect(await metricValue(server, 'travelog_qms_outbox_depth')).toBe(1);
      // Not due yet: no attempt before the backoff (30 s) has passed.
      expect(await server.qms?.runOnce()).toEqual({ delivered: 0, failed: 0 });
      clock.advance(31_000);
      receiver.mode = 'hang';
      expect(await server.qms?.runOnce()).toEqual({ delivered: 0, failed: 1 });
      // Down for an hour: its port closed, while the clock moves on and the server keeps trying.
      await receiver.stop();
      const second = await redTag(workOrderId, units[1]!);
      for (let minute = 0; minute < 60; minute += 5) {
        clock.advance(5 * 60 * 1000);
        const round = await server.qms?.runOnce();
        expect(round?.delivered).toBe(0);
      }
      expect(await metricValue(server, 'travelog_qms_outbox_depth')).toBe(2);
      expect(await metricValue(server, 'travelog_qms_outbox_oldest_seconds')).toBeGreaterThanOrEqual(3600);
      receiver.mode = 'ok';
      await receiver.start();
      clock.advance(HOUR);
      await server.qms?.runOnce();
      expect(receiver.about(first).map((b) => b.type)).toEqual(['ncr.opened']);
      expect(receiver.about(second).map((b) => b.type)).toEqual(['ncr.opened']);
      expect(await metricValue(server, 'travelog_qms_outbox_depth')).toBe(0);
      expect(await metricValue(server, 'travelog_qms_outbox_oldest_seconds')).toBe(0);
    });

    it('a disposition posted by the QMS is applied as a signed one would be, recorded in the signed log, pulled by the stations; a replay answers the same', async () => {
      const { workOrderId, units } = await freshOrder();
      const unit = units[0]!;
      const ncrId = await redTag(workOrderId, unit);
      const body = { ncrId, itemId: '1', disposition: 'rework', quantity: 1, qmsReference: `QN-${orders}-1`, approver: 'Quinn Lee', reason: 'Re-mill the face to WI-10' };
      const posted = await send<{ status: string; replay: boolean; ncrShortId: string }>(server.url, '/api/qms/dispositions', { credential: qmsCredential, body });
      expect(posted.status).toBe(201);
      expect(posted.body).toMatchObject({ ncrId, status: 'dispositioned', replay: false, ncrShortId: expect.stringMatching(/^NCR-2026-/) });
      const ncr = await ncrView(ncrId);
      expect(ncr?.items?.[0]?.dispositions).toEqual([
        expect.objectContaining({ disposition: 'rework', quantity: 1, qms: { reference: body.qmsReference, integration: 'QMS', approver: 'Quinn Lee' }, signature: expect.objectContaining({ printedName: 'Quinn Lee', meaning: 'dispositioned: rework' }) }),
      ]);
      // The floor's enforcement follows: the unit waits for its rework to be recorded.
      const [started] = await station.pushOk([station.step('op.started', OPERATOR, workOrderId, unit, 'OP10', 'D')]);
      expect(started).toMatchObject({ outcome: 'flagged', flags: ['worked-under-ncr'] });
      // The station pulls the disposition.
      const pulled = await station.pullAll(0);
      const doc = pulled.documents.find((d) => d.kind === 'nonconformance' && d.data.ncrId === ncrId);
      expect((doc?.data as Nonconformance | undefined)?.items?.[0]?.dispositions[0]?.qms?.reference).toBe(body.qmsReference);
      // In the unit's audit trail, as an entry of the signed log.
      const serial = (unit as { serial: string }).serial;
      const trail = await send<TrailResponse>(server.url, `/api/audit/trail?serial=${serial}`, { credential: station.credential });
      const entries = trail.body.entries.map((e) => JSON.parse(e.entry) as AuditEntry);
      expect(entries.find((e) => e.kind === 'ncr.qms-dispositioned')).toMatchObject({
        actor: 'QMS', role: 'integration', signature: { printedName: 'Quinn Lee', meaning: 'dispositioned: rework' },
        subject: { ncrId, qmsReference: body.qmsReference, disposition: 'rework', approver: 'Quinn Lee' },
      });

      // The same again: the same answer, nothing changed.
      const sequence = await server.store.sequence();
      const again = await send<{ replay: boolean; status: string }>(server.url, '/api/qms/dispositions', { credential: qmsCredential, body });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ ncrId, replay: true });
      expect(await server.store.sequence()).toBe(sequence);
      // The same reference with other content: refused, nothing changed.
      const other = await send(server.url, '/api/qms/dispositions', { credential: qmsCredential, body: { ...body, disposition: 'scrap' } });
      expect(other.status).toBe(409);
      expect(errorOf(other)).toMatchObject({ code: 'qms-reference-reused', message: expect.stringContaining(body.qmsReference) });
      expect(await server.store.sequence()).toBe(sequence);
    });

    it('bad input is refused with a clear error and changes nothing', async () => {
      const { workOrderId, units } = await freshOrder('F-35-ACT');
      const ncrId = await redTag(workOrderId, units[0]!);
      const base = { ncrId, itemId: '1', disposition: 'scrap', quantity: 1, approver: 'Quinn Lee', reason: 'MRB' };
      const sequence = await server.store.sequence();
      const cases: Array<{ body: Record<string, unknown>; status: number; code: string; says: string }> = [
        { body: { ...base, ncrId: 'NCR-2026-ZZZZZZ', qmsReference: 'B1' }, status: 404, code: 'unknown-ncr', says: 'no NCR' },
        { body: { ...base, itemId: '7', qmsReference: 'B2' }, status: 422, code: 'unknown-item', says: 'no item 7' },
        { body: { ...base, quantity: 2, qmsReference: 'B3' }, status: 422, code: 'insufficient-quantity', says: 'has 1 to disposition' },
        { body: { ...base, disposition: 'burn-it', qmsReference: 'B4' }, status: 400, code: 'invalid-request', says: 'disposition' },
        { body: { ...base, disposition: 'return-to-supplier', qmsReference: 'B5' }, status: 422, code: 'disposition-not-allowed', says: 'built here' },
        { body: { ...base, qmsReference: 'B6', approver: '' }, status: 400, code: 'invalid-request', says: 'approver' },
        { body: { ...base }, status: 400, code: 'invalid-request', says: 'qmsReference' },
      ];
      for (const c of cases) {
        const answer = await send(server.url, '/api/qms/dispositions', { credential: qmsCredential, body: c.body });
        expect({ status: answer.status, code: errorOf(answer).code }).toEqual({ status: c.status, code: c.code });
        expect(errorOf(answer).message).toContain(c.says);
      }
      expect(await server.store.sequence()).toBe(sequence);
      expect((await ncrView(ncrId))?.status).toBe('open');
    });

    it('an integration credential may post dispositions and read NCRs only: every other route answers 403; a station may not post a QMS disposition', async () => {
      for (const [method, path] of [['POST', '/api/sync/pull'], ['POST', '/api/sync/push'], ['GET', '/api/audit/trail?serial=SN-1001-01'], ['GET', '/api/stations'], ['GET', '/api/sync/live'], ['GET', '/api/no-such-route']] as const) {
        const answer = await send(server.url, path, { method, credential: qmsCredential, ...(method === 'POST' ? { body: {} } : {}) });
        expect({ path, status: answer.status, code: errorOf(answer).code }).toEqual({ path, status: 403, code: 'forbidden' });
      }
      const list = await send<{ ncrs: unknown[] }>(server.url, '/api/ncrs', { credential: qmsCredential });
      expect(list.status).toBe(200);
      const byStation = await send(server.url, '/api/qms/dispositions', { credential: station.credential, body: {} });
      expect({ status: byStation.status, code: errorOf(byStation).code }).toEqual({ status: 403, code: 'forbidden' });
      const stranger = await send(server.url, '/api/qms/dispositions', { credential: 'x'.repeat(43), body: {} });
      expect(stranger.status).toBe(401);
      const none = await send(server.url, '/api/ncrs');
      expect(none.status).toBe(401);
    });

    it('[S10] another program\'s NCR reads exactly as an unknown one, in the list, the CSV, a read and a disposition', async () => {
      const { workOrderId, units } = await freshOrder('F-35-ACT');
      const foreign = await redTag(workOrderId, units[0]!);
      const commercial = await freshOrder('COMMERCIAL');
      const own = await redTag(commercial.workOrderId, commercial.units[0]!);
      const list = await send<{ ncrs: Array<{ ncrId: string }> }>(server.url, '/api/ncrs', { credential: commercialQms });
      expect(list.body.ncrs.map((n) => n.ncrId)).toContain(own);
      expect(list.body.ncrs.map((n) => n.ncrId)).not.toContain(foreign);
      const csv = await send(server.url, '/api/ncrs?format=csv', { credential: commercialQms });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect(csv.text.split('\r\n')[0]).toBe('ncr,ncr_id,status,opened_at,opened_by,work_order,operation,description,item,unit,quantity,dispositioned,dispositions');
      expect(csv.text).toContain(own);
      expect(csv.text).not.toContain(foreign);
      expect(csv.text).not.toContain(workOrderId);
      // The other integration, cleared for both, sees it.
      expect((await send(server.url, '/api/ncrs?format=csv', { credential: qmsCredential })).text).toContain(foreign);

      const unknown = 'NCR-00000000-0000-4000-8000-000000000000';
      const [readForeign, readUnknown] = await Promise.all([foreign, unknown].map((id) => send(server.url, `/api/ncrs/${id}`, { credential: commercialQms })));
      expect(readForeign?.status).toBe(404);
      expect(errorOf(readForeign!).message.replace(foreign, 'X')).toBe(errorOf(readUnknown!).message.replace(unknown, 'X'));
      const post = (id: string, ref: string) =>
        send(server.url, '/api/qms/dispositions', { credential: commercialQms, body: { ncrId: id, itemId: '1', disposition: 'scrap', quantity: 1, qmsReference: ref, approver: 'A', reason: 'R' } });
      const [postForeign, postUnknown] = [await post(foreign, 'S10-1'), await post(unknown, 'S10-2')];
      expect(postForeign.status).toBe(404);
      expect({ ...errorOf(postForeign), message: errorOf(postForeign).message.replace(foreign, 'X') }).toEqual({ ...errorOf(postUnknown), message: errorOf(postUnknown).message.replace(unknown, 'X') });
      expect((await ncrView(foreign))?.status).toBe('open');
    });

    it('use as is and repair posted by the QMS carry engineering\'s concurrence (approver, reference): without it refused and nothing changes; with it recorded as the concurrence; the unit goes on', async () => {
      const { workOrderId, units } = await freshOrder();
      const unit = units[0]!;
      const ncrId = await redTag(workOrderId, unit);
      const body = { ncrId, itemId: '1', disposition: 'use-as-is', quantity: 1, qmsReference: `QE-${orders}-1`, approver: 'Quinn Lee', reason: 'Cosmetic; fit and function unaffected' };
      const post = (extra: Record<string, unknown>) => send<{ status: string; replay: boolean; code?: string; message?: string }>(server.url, '/api/qms/dispositions', { credential: qmsCredential, body: { ...body, ...extra } });
      const bare = await post({});
      expect({ status: bare.status, code: errorOf(bare).code }).toEqual({ status: 422, code: 'disposition-not-allowed' });
      expect(errorOf(bare).message).toContain("needs engineering's concurrence");
      expect((await ncrView(ncrId))?.items?.[0]?.dispositions).toEqual([]);
      const scrapWith = await post({ disposition: 'scrap', qmsReference: `QE-${orders}-0`, concurrence: { approver: 'Rosa Lindqvist', reference: 'ENG-77' } });
      expect(scrapWith.status).toBe(422);
      const concurrence = { approver: 'Rosa Lindqvist', reference: 'ENG-77' };
      const posted = await post({ concurrence });
      expect(posted.status).toBe(201);
      expect((await ncrView(ncrId))?.items?.[0]?.dispositions).toEqual([
        expect.objectContaining({
          disposition: 'use-as-is',
          qms: { reference: body.qmsReference, integration: 'QMS', approver: 'Quinn Lee', concurrence },
          concurrence: expect.objectContaining({ printedName: 'Rosa Lindqvist', meaning: 'engineering concurrence: use as is', reason: 'Concurred in the QMS: ENG-77' }),
        }),
      ]);
      expect((await post({ concurrence })).body).toMatchObject({ replay: true });
      expect((await post({ concurrence: { ...concurrence, reference: 'ENG-78' } })).status).toBe(409);
      // The unit continues under the concession.
      const [started] = await station.pushOk([station.step('op.started', OPERATOR, workOrderId, unit, 'OP10', 'D')]);
      expect(started?.flags).not.toContain('worked-under-ncr');
    });

    it('[C35] with MRB_DECIDES=qms a disposition signed at a station is refused with the reason and changes nothing', async () => {
      const { workOrderId, units } = await freshOrder();
      const unit = units[0]!;
      const ncrId = await redTag(workOrderId, unit);
      const signed = station.event('ncr.dispositioned', 'B-4001', {
        ncrId, itemId: '1', workOrderId, unit, disposition: 'scrap', quantity: 1, signature: signature('B-4001', DISPOSITION_MEANINGS.scrap, clock.now(), 'MRB at the bench'),
      });
      const [receipt] = await station.pushOk([signed]);
      expect(receipt).toMatchObject({ outcome: 'rejected', flags: ['disposition-in-qms'], reason: expect.stringContaining("MRB decides in the QMS") });
      expect((await ncrView(ncrId))?.status).toBe('open');
      expect((await ncrView(ncrId))?.items?.[0]?.dispositions).toEqual([]);
      // Every pull tells the station where MRB decides, so it does not offer the form (protocol 8).
      expect((await station.pullPage(0, { limit: 1 })).body.mrbDecides).toBe('qms');
    });

    it('deliveries pending when the server stops are sent after it restarts (the outbox is durable); MRB_DECIDES=travelog refuses QMS dispositions; the CLI makes a credential', async () => {
      const { workOrderId, units } = await freshOrder();
      await receiver.stop();
      const ncrId = await redTag(workOrderId, units[0]!);
      expect(await server.qms?.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
      await server.close();

      server = await start({ qms: { mrbDecides: 'travelog', webhook: { url: receiver.url, secret: SECRET, timeoutMs: 300 }, pollMs: 0 } });
      await receiver.start();
      // The station hears the mode with its next pull (it reaches the restarted server on its new port).
      const pulled = await send<{ mrbDecides?: string }>(server.url, '/api/sync/pull', { credential: station.credential, body: { protocolVersion: PROTOCOL_VERSION, checkpoint: 0, limit: 1 } });
      expect(pulled.body.mrbDecides).toBe('travelog');
      clock.advance(HOUR);
      await server.qms?.runOnce();
      expect(receiver.about(ncrId).map((b) => b.type)).toEqual(['ncr.opened']);

      const refused = await send(server.url, '/api/qms/dispositions', {
        credential: qmsCredential, body: { ncrId, itemId: '1', disposition: 'scrap', quantity: 1, qmsReference: 'T-1', approver: 'A', reason: 'R' },
      });
      expect({ status: refused.status, code: errorOf(refused).code }).toEqual({ status: 409, code: 'mrb-decides-in-travelog' });
      expect((await ncrView(ncrId))?.status).toBe('open');

      if (backend === 'PGlite') {
        // While the server runs on its PGlite DATA_DIR (one process holds it), the CLI asks the server
        // through a request file; each change is an audit entry: who, when, which programs.
        const env = { DATA_DIR: dataDir.path };
        const audit = server.plant.audit!;
        const before = await audit.size(server.store.sql);
        expect(await integrationCli(['create', '--name', 'QMS-R', '--programs', 'COMMERCIAL', '--by', 'Pat Kim'], env)).toBe(0);
        expect(await integrationCli(['create', '--name', 'QMS-R', '--programs', 'COMMERCIAL', '--by', 'Pat Kim'], env)).toBe(1);
        expect(await integrationCli(['create', '--name', 'QMS-X', '--programs', 'COMMERCIAL'], env)).toBe(2);
        expect(await integrationCli(['revoke', '--name', 'QMS-R', '--by', 'Pat Kim'], env)).toBe(0);
        expect(await integrationCli(['revoke', '--name', 'QMS-R', '--by', 'Pat Kim'], env)).toBe(1);
        const changes = (await audit.entries(server.store.sql, before, await audit.size(server.store.sql)))
          .map((stored) => JSON.parse(stored.entry) as AuditEntry)
          .filter((entry) => entry.kind.startsWith('integration.'));
        expect(changes).toEqual([
          expect.objectContaining({ kind: 'integration.created', actor: 'Pat Kim', role: 'plant IT', subject: expect.objectContaining({ name: 'QMS-R', programs: ['COMMERCIAL'] }) }),
          expect.objectContaining({ kind: 'integration.revoked', actor: 'Pat Kim', role: 'plant IT', subject: expect.objectContaining({ name: 'QMS-R', programs: ['COMMERCIAL'] }) }),
        ]);
        expect(JSON.stringify(changes)).not.toMatch(/credential/i);

        // With the server stopped, the CLI opens the store and signs the entry with DATA_DIR's key.
        await server.close();
        expect(await integrationCli(['create', '--name', 'QMS', '--programs', 'COMMERCIAL', '--by', 'Pat Kim'], env)).toBe(1);
        expect(await integrationCli(['create', '--name', 'QMS-2', '--programs', 'COMMERCIAL,F-35-ACT', '--by', 'Pat Kim'], env)).toBe(0);
        server = await start();
        const size = await server.plant.audit!.size(server.store.sql);
        const [last] = (await server.plant.audit!.entries(server.store.sql, size - 1, size)).map((stored) => JSON.parse(stored.entry) as AuditEntry);
        expect(last).toMatchObject({ kind: 'integration.created', actor: 'Pat Kim', subject: { name: 'QMS-2', programs: ['COMMERCIAL', 'F-35-ACT'] } });
      }
    }, 60_000);
  });
}
