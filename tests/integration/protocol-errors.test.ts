/**
 * Refusals the framework produces, over raw sockets (node:net) against the real server: each is an
 * ApiError `{ code, message }` like every other refusal (S4); unknown and wrong-method API routes
 * are told only to an authenticated caller (S2); a clean stop signs a checkpoint first.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorSchema, type ApiError } from '../../schemas/pull.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { startServer, type RunningServer } from '../../sync-server/main.ts';
import { openStore, type Store } from '../../sync-server/store/store.ts';
import { hashPin } from '../../src/auth/pin.ts';
import { Ajv } from 'ajv';
import { testDatabaseUrl } from '../helpers/test-database.ts';
import { testKey } from '../helpers/signing.ts';
import { makeTempDir, send } from './harness.ts';
import { appendFormat5 } from '../helpers/legacy-audit.ts';
import { toBase64 } from '../../src/audit/canonical.ts';
import { loadOrCreateServerKey } from '../../sync-server/audit/server-key.ts';
import { AUDIT_ORIGIN } from '../../sync-server/app.ts';

const V = PROTOCOL_VERSION;
const isApiError = new Ajv({ strict: false }).compile(apiErrorSchema);

/** An HTTP answer read off the wire. */
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `request` on a new connection (then half-closes it when asked: the client has no more to
 * send) and reads the answer until the server closes the connection.
 */
function exchange(port: number, request: string | Buffer, options: { halfClose?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    });
    socket.on('connect', () => {
      socket.write(request);
      if (options.halfClose === true) socket.end();
    });
  });
}

function apiError(answer: RawAnswer): ApiError {
  const body: unknown = JSON.parse(answer.body);
  expect(isApiError(body), `${answer.body} is an ApiError`).toBe(true);
  return body as ApiError;
}

const enrollBody = () => ({ protocolVersion: V, stationName: 'Protocol test', supervisorBadge: 'B-3001', pin: '9999', publicKey: testKey().publicKey, keyAlg: 'Ed25519' });

describe('refusals of the framework, over raw sockets [S4]', () => {
  let dataDir: Awaited<ReturnType<typeof makeTempDir>>;
  let server: RunningServer;
  let port: number;
  let credential: string;

  beforeAll(async () => {
    dataDir = await makeTempDir('protocol');
    server = await startServer({ port: 0, host: '127.0.0.1', dataDir: dataDir.path, hashPin: (pin) => hashPin(pin, 10_000), requestTimeoutMs: 1500 });
    port = Number(new URL(server.url).port);
    const enrolled = await send<{ credential: string }>(server.url, '/api/stations/enroll', { body: enrollBody() });
    expect(enrolled.status).toBe(201);
    credential = enrolled.body.credential;
  });

  afterAll(async () => {
    await server?.close();
    await dataDir?.remove();
  });

  const pullBody = JSON.stringify({ protocolVersion: V, checkpoint: 0 });

  it('answers a body shorter than its Content-Length, the client half-closed, with 400 malformed-request and records nothing', async () => {
    const sequence = await server.store.sequence();
    const answer = await exchange(
      port,
      `POST /api/sync/pull HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${credential}\r\nContent-Type: application/json\r\nContent-Length: ${pullBody.length + 40}\r\n\r\n${pullBody}`,
      { halfClose: true },
    );
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(apiError(answer)).toMatchObject({ code: 'malformed-request', message: expect.stringMatching(/ended before/) });
    expect(await server.store.sequence()).toBe(sequence);
  });

  it('answers an enrollment cut short the same way, and enrolls no station', async () => {
    const before = (await server.store.listStations()).length;
    const body = JSON.stringify(enrollBody());
    const answer = await exchange(port, `POST /api/stations/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 30)}`, { halfClose: true });
    expect(answer.status).toBe(400);
    expect(apiError(answer).code).toBe('malformed-request');
    expect((await server.store.listStations()).length).toBe(before);
  });

  it('answers a request line that is not HTTP with 400 malformed-request', async () => {
    const answer = await exchange(port, 'GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(apiError(answer).code).toBe('malformed-request');
  });

  it('answers headers over the limit with 431 headers-too-large', async () => {
    const answer = await exchange(port, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(apiError(answer)).toMatchObject({ code: 'headers-too-large' });
  });

  it('answers a request that never arrives whole with 408 request-timeout', async () => {
    // The headers promise a body that never comes; the connection stays open.
    const answer = await exchange(port, `POST /api/sync/pull HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${credential}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
    expect(answer.status).toBe(408);
    expect(apiError(answer)).toMatchObject({ code: 'request-timeout' });
  });

  it('answers a bad percent-encoding in the path with 400 malformed-request, and keeps serving', async () => {
    const answer = await exchange(port, `GET /api/audit/%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${credential}\r\nConnection: close\r\n\r\n`);
    expect(answer.status).toBe(400);
    expect(apiError(answer)).toEqual({ code: 'malformed-request', message: 'The URL is not well-formed' });
    expect((await send(server.url, '/api/health')).status).toBe(200);
  });

  it('answers an over-long URL parameter with 414 malformed-request', async () => {
    const answer = await exchange(port, `POST /api/stations/${'a'.repeat(150)}/revoke HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${credential}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    expect(answer.status).toBe(414);
    expect(apiError(answer).code).toBe('malformed-request');
  });

  describe('unknown routes and wrong methods [S2]', () => {
    const request = (method: string, path: string, headers = ''): string => `${method} ${path} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`;

    it.each([
      ['an unknown API route', 'GET', '/api/admin/export'],
      ['a wrong method on a station route', 'GET', '/api/sync/push'],
      ['a wrong method on a route with a parameter', 'GET', '/api/stations/some-id/revoke'],
      ['the bare API root', 'GET', '/api'],
    ])('answers %s without a credential with 401 unauthenticated, as for a route that exists', async (_name, method, path) => {
      const answer = await exchange(port, request(method, path));
      expect(answer.status).toBe(401);
      expect(apiError(answer).code).toBe('unauthenticated');
      expect(answer.headers['allow']).toBeUndefined();
    });

    it('answers an unknown credential the same way', async () => {
      const answer = await exchange(port, request('GET', '/api/admin/export', `Authorization: Bearer ${randomBytes(32).toString('base64url')}\r\n`));
      expect(answer.status).toBe(401);
      expect(apiError(answer).code).toBe('unauthenticated');
    });

    it('answers an unknown API route with a credential with 404 not-found', async () => {
      const answer = await exchange(port, request('GET', '/api/admin/export', `Authorization: Bearer ${credential}\r\n`));
      expect(answer.status).toBe(404);
      expect(apiError(answer)).toEqual({ code: 'not-found', message: 'No route GET /api/admin/export' });
    });

    it('answers a wrong method with a credential with 405 method-not-allowed and Allow', async () => {
      const answer = await exchange(port, request('GET', '/api/sync/push', `Authorization: Bearer ${credential}\r\n`));
      expect(answer.status).toBe(405);
      expect(answer.headers['allow']).toBe('POST');
      expect(apiError(answer)).toEqual({ code: 'method-not-allowed', message: '/api/sync/push takes POST, not GET' });
    });

    it('answers a wrong method on a route with a parameter with its methods', async () => {
      const answer = await exchange(port, request('DELETE', '/api/stations/some-id/programs', `Authorization: Bearer ${credential}\r\n`));
      expect(answer.status).toBe(405);
      expect(answer.headers['allow']).toBe('POST');
    });

    it('tells anyone the methods of a public route (enrollment, health)', async () => {
      const enroll = await exchange(port, request('GET', '/api/stations/enroll'));
      expect(enroll.status).toBe(405);
      expect(enroll.headers['allow']).toBe('POST');
      expect(apiError(enroll).code).toBe('method-not-allowed');
      const health = await exchange(port, request('POST', '/api/health'));
      expect(health.status).toBe(405);
      expect(health.headers['allow']).toBe('GET, HEAD');
    });
  });
});

describe.each(['PGlite', 'PostgreSQL'] as const)('a clean stop on %s', (backend) => {
  let dataDir: Awaited<ReturnType<typeof makeTempDir>>;
  const schema = `travelog_test_${randomBytes(6).toString('hex')}`;
  const storeOptions = () => (backend === 'PGlite' ? { dataDir: dataDir.path } : { databaseUrl: testDatabaseUrl(), schema });

  beforeAll(async () => {
    dataDir = await makeTempDir('stop');
  });

  afterAll(async () => {
    await dataDir?.remove();
    if (backend === 'PostgreSQL') {
      const client = new pg.Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
    }
  });

  async function logHead(store: Store): Promise<{ entries: number; checkpointed: number }> {
    const [entries] = await store.sql.query<{ n: string | number }>('SELECT count(*) AS n FROM audit_entries');
    const [checkpoint] = await store.sql.query<{ size: string | number | null }>('SELECT max(size) AS size FROM audit_checkpoints');
    return { entries: Number(entries?.n ?? 0), checkpointed: Number(checkpoint?.size ?? 0) };
  }

  it('signs a checkpoint over the entries an older version left after its last one', async () => {
    // Format 6 checkpoints every append before answering it (docs/audit.md), so only a log written
    // by version 5 or older can have entries after its last checkpoint: such a log, signed with the
    // key the server will load from its data directory, and no checkpoint over it at all.
    const store = await openStore(storeOptions());
    try {
      const key = loadOrCreateServerKey({ dataDir: dataDir.path, keyName: AUDIT_ORIGIN });
      const at = new Date('2026-11-20T08:00:00.000Z');
      const station = testKey('Ed25519');
      await store.locked((tx) =>
        appendFormat5(tx.sql, key, [
          { kind: 'log.created', recordedAt: at.toISOString(), actor: 'system', subject: { publicKey: toBase64(key.publicKey), keyId: key.keyId, keyName: key.keyName } },
          { kind: 'station.enrolled', recordedAt: at.toISOString(), actor: 'B-3001', role: 'supervisor', stationId: 'ST-OLD', subject: { name: 'Old mill', publicKey: station.publicKey, keyAlg: station.alg, programs: [] } },
        ], 10_000, at),
      );
      expect(await logHead(store)).toEqual({ entries: 2, checkpointed: 0 });
    } finally {
      await store.close();
    }
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: dataDir.path,
      ...(backend === 'PostgreSQL' ? { databaseUrl: testDatabaseUrl(), databaseSchema: schema } : {}),
      hashPin: (pin) => hashPin(pin, 10_000),
      // The timer would sign these entries too; only the stop may.
      checkpointSeconds: 0,
    });
    let before: { entries: number; checkpointed: number };
    try {
      before = await logHead(server.store);
      expect(before.checkpointed).toBeLessThan(before.entries);
    } finally {
      await server.close();
    }
    const reopened = await openStore(storeOptions());
    try {
      expect(await logHead(reopened)).toEqual({ entries: before.entries, checkpointed: before.entries });
    } finally {
      await reopened.close();
    }
  });
});
