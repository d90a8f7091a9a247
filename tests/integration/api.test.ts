/**
 * The sync server's HTTP API over real HTTP: the server in-process on PGlite in a fresh temp
 * directory, seeded with the demo plant once for the whole file.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrollResponse } from '../../schemas/enroll.ts';
import { OLDEST_SERVED_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import type { PullResponse } from '../../schemas/pull.ts';
import { apiErrorSchema } from '../../schemas/pull.ts';
import { viewDataSchemas, viewDocSchema, type ViewDoc } from '../../schemas/view-doc.ts';
import { plantFromViews } from '../../src/domain/plant.ts';
import { buildServer } from '../../sync-server/app.ts';
import { DEMO_ROSTER } from '../../sync-server/seed/demo-plant.ts';
import { startServer, type RunningServer } from '../../sync-server/main.ts';
import { errorOf, makeTempDir, send, testClock, type Answer } from './harness.ts';
import { testKey } from '../helpers/signing.ts';

const V = PROTOCOL_VERSION;
const clock = testClock('2026-11-20T08:00:00.000Z');
let dataDir: Awaited<ReturnType<typeof makeTempDir>>;
let server: RunningServer;
let credential: string;

function pinOf(badge: string): string {
  const entry = DEMO_ROSTER.find((person) => person.badge === badge);
  if (entry === undefined) throw new Error(`No ${badge} in the demo roster`);
  return entry.pin;
}

function enroll(badge: string, pin: string, stationName = 'Test station'): Promise<Answer<EnrollResponse>> {
  return send<EnrollResponse>(server.url, '/api/stations/enroll', {
    body: { protocolVersion: V, stationName, supervisorBadge: badge, pin, publicKey: testKey().publicKey, keyAlg: 'Ed25519' },
  });
}

function pullPage(checkpoint: number, limit?: number, key = credential): Promise<Answer<PullResponse>> {
  return send<PullResponse>(server.url, '/api/sync/pull', {
    body: { protocolVersion: V, checkpoint, ...(limit === undefined ? {} : { limit }) },
    credential: key,
  });
}

async function pullAll(limit?: number): Promise<{ documents: ViewDoc[]; batches: number; checkpoint: number }> {
  const documents: ViewDoc[] = [];
  let checkpoint = 0;
  let batches = 0;
  for (;;) {
    const page = await pullPage(checkpoint, limit);
    expect(page.status).toBe(200);
    batches++;
    documents.push(...page.body.documents);
    checkpoint = page.body.checkpoint;
    if (!page.body.hasMore) return { documents, batches, checkpoint };
    if (batches > 1000) throw new Error('pull never finished');
  }
}

/** Everything an answer could have changed: stations, views and the enrollment lockouts. */
async function snapshot(): Promise<unknown> {
  const views = await server.store.viewsSince(0, 100_000);
  const lockouts = await Promise.all(DEMO_ROSTER.map((person) => server.store.enrollmentLockout(person.badge)));
  return { stations: await server.store.listStations(), views, lockouts };
}

beforeAll(async () => {
  dataDir = await makeTempDir('api');
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir: dataDir.path, now: clock.now });
  const answer = await enroll('B-3001', pinOf('B-3001'), 'Fixture station');
  credential = answer.body.credential;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await dataDir?.remove();
});

describe('health', () => {
  it('answers without a credential, with the protocol versions', async () => {
    const answer = await send(server.url, '/api/health');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', protocolVersion: PROTOCOL_VERSION, oldestServedProtocolVersion: OLDEST_SERVED_PROTOCOL_VERSION });
  });
});

describe('enrollment', () => {
  it('enrolls a station on a supervisor badge and PIN, keeping only the hash of the credential', async () => {
    const before = (await server.store.listStations()).length;
    const answer = await enroll('B-3001', pinOf('B-3001'), 'Mill 1 tablet');
    expect(answer.status).toBe(201);
    expect(answer.body.stationId).toEqual(expect.any(String));
    expect(answer.body.credential).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(answer.body.credential, 'base64url')).toHaveLength(32);

    const stations = await server.store.listStations();
    expect(stations).toHaveLength(before + 1);
    const hash = createHash('sha256').update(answer.body.credential).digest('hex');
    expect(await server.store.stationByCredentialHash(hash)).toMatchObject({
      id: answer.body.stationId,
      name: 'Mill 1 tablet',
      enrolledBy: 'B-3001',
      enrolledAt: clock.now().toISOString(),
      revokedAt: null,
    });
  });

  it('enrolls on a quality engineer badge', async () => {
    const answer = await enroll('B-4001', pinOf('B-4001'));
    expect(answer.status).toBe(201);
  });

  it('gives every station its own credential', async () => {
    const [a, b] = await Promise.all([enroll('B-4001', pinOf('B-4001')), enroll('B-4001', pinOf('B-4001'))]);
    expect(a.body.credential).not.toBe(b.body.credential);
    expect(a.body.stationId).not.toBe(b.body.stationId);
  });

  it('refuses a wrong PIN without enrolling anything', async () => {
    const before = await server.store.listStations();
    const answer = await enroll('B-3001', '0000');
    expect(answer.status).toBe(401);
    expect(errorOf(answer).code).toBe('invalid-credentials');
    expect(await server.store.listStations()).toEqual(before);
    // The failure is remembered; a right PIN then clears it.
    expect((await server.store.enrollmentLockout('B-3001')).failures).toBe(1);
    expect((await enroll('B-3001', pinOf('B-3001'))).status).toBe(201);
    expect((await server.store.enrollmentLockout('B-3001')).failures).toBe(0);
  });

  it('takes a supervisor badge typed in lower case, and counts its wrong PINs under the roster spelling', async () => {
    expect((await enroll('b-3001', '0000')).status).toBe(401);
    expect((await server.store.enrollmentLockout('B-3001')).failures).toBe(1);
    const answer = await enroll(' b-3001 ', pinOf('B-3001'));
    expect(answer.status).toBe(201);
    expect((await server.store.enrollmentLockout('B-3001')).failures).toBe(0);
    expect((await server.store.listStations()).find((s) => s.id === answer.body.stationId)?.enrolledBy).toBe('B-3001');
  });

  it('answers an unknown badge exactly as a wrong PIN', async () => {
    const answer = await enroll('B-0000', '1234');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual((await enroll('B-3001', '0000')).body);
    await enroll('B-3001', pinOf('B-3001'));
  });

  it.each(['B-1001', 'B-2001'])('refuses %s, whose role may not enroll, even with the right PIN', async (badge) => {
    const before = await server.store.listStations();
    const answer = await enroll(badge, pinOf(badge));
    expect(answer.status).toBe(403);
    expect(errorOf(answer)).toMatchObject({ code: 'forbidden', message: expect.stringContaining(badge) });
    expect(await server.store.listStations()).toEqual(before);
  });

  it('locks a badge for five minutes after five wrong PINs', async () => {
    const badge = 'B-3002';
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await enroll(badge, '0000')).status).toBe(401);
    }
    const fifth = await enroll(badge, '0000');
    expect(fifth.status).toBe(429);
    expect(errorOf(fifth).code).toBe('locked-out');
    expect(fifth.headers.get('retry-after')).toBe('300');

    const before = await server.store.listStations();
    const rightPin = await enroll(badge, pinOf(badge));
    expect(rightPin.status).toBe(429);
    expect(errorOf(rightPin).message).toContain(badge);
    expect(await server.store.listStations()).toEqual(before);

    // Another badge is not affected.
    expect((await enroll('B-4001', pinOf('B-4001'))).status).toBe(201);

    clock.advance(4 * 60 * 1000);
    expect((await enroll(badge, pinOf(badge))).status).toBe(429);
    clock.advance(60 * 1000);
    expect((await enroll(badge, pinOf(badge))).status).toBe(201);
  });

  it('counts wrong PINs sent in parallel one by one, so they buy no extra guesses', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => enroll('B-1004', '0000')));
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 429, 429, 429, 429]);
    expect((await server.store.enrollmentLockout('B-1004')).lockedUntil).toBe(clock.now().getTime() + 5 * 60 * 1000);
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['an unknown credential', { authorization: `Bearer ${'A'.repeat(43)}` }],
    ['a malformed header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('refuses a pull with %s', async (_, headers) => {
    const answer = await send(server.url, '/api/sync/pull', { body: { protocolVersion: V, checkpoint: 0 }, headers });
    expect(answer.status).toBe(401);
    expect(errorOf(answer).code).toBe('unauthenticated');
  });

  it('refuses a revoked station', async () => {
    const enrolled = await enroll('B-3001', pinOf('B-3001'), 'Soon revoked');
    expect((await pullPage(0, 1, enrolled.body.credential)).status).toBe(200);
    expect(await server.store.revokeStation(enrolled.body.stationId, clock.now())).toBe(true);
    const answer = await pullPage(0, 1, enrolled.body.credential);
    expect(answer.status).toBe(401);
    expect(errorOf(answer)).toMatchObject({ code: 'unauthenticated', message: expect.stringContaining('revoked') });
  });
});

describe('pull', () => {
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  const validateEnvelope = ajv.compile(viewDocSchema);
  const validateData = Object.fromEntries(Object.entries(viewDataSchemas).map(([kind, schema]) => [kind, ajv.compile(schema)]));

  it('delivers the whole demo plant in batches, each view once, in server order, each valid', async () => {
    const total = await server.store.countViews();
    const { documents, batches, checkpoint } = await pullAll(7);
    expect(batches).toBe(Math.ceil(total / 7));
    expect(documents).toHaveLength(total);
    expect(new Set(documents.map((doc) => doc.id)).size).toBe(total);
    const seqs = documents.map((doc) => doc.serverSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(checkpoint).toBe(seqs.at(-1));
    for (const doc of documents) {
      expect(doc.id).toBe(`${doc.kind}:${doc.key}`);
      expect(validateEnvelope(doc), `${doc.id}: ${ajv.errorsText(validateEnvelope.errors)}`).toBe(true);
      const validate = validateData[doc.kind];
      expect(validate?.(doc.data), `${doc.id}: ${ajv.errorsText(validate?.errors)}`).toBe(true);
    }
  });

  it('answers one batch of everything at the default limit, then nothing past the checkpoint', async () => {
    const first = await pullPage(0);
    expect(first.status).toBe(200);
    expect(first.body.hasMore).toBe(false);
    expect(first.body.documents).toHaveLength(await server.store.countViews());
    const again = await pullPage(first.body.checkpoint);
    expect(again.body).toEqual({ documents: [], receipts: [], checkpoint: first.body.checkpoint, hasMore: false, mrbDecides: 'travelog' });
  });

  it('gives the reducer the plant the seed describes', async () => {
    const { documents } = await pullAll();
    const plant = plantFromViews(documents);
    expect([...plant.workCenters.keys()].sort()).toEqual(['WC-ASSY', 'WC-INSP', 'WC-LATHE', 'WC-MILL']);
    expect(plant.routings.get('P-100@C')?.operations.map((op) => op.id)).toEqual(['OP10', 'OP20', 'OP30', 'OP40', 'OP50']);
    expect(plant.routings.get('P-200@B')?.operations).toHaveLength(4);
    expect(plant.workOrders.size).toBeGreaterThanOrEqual(10);
    for (const workOrder of plant.workOrders.values()) {
      expect(workOrder.units).toHaveLength(workOrder.tracking === 'serial' ? workOrder.quantity : 1);
      for (const unit of workOrder.units) {
        if (unit.kind === 'serial') expect(plant.serials.get(unit.serial)?.workOrderId).toBe(workOrder.id);
        else expect(plant.lots.get(unit.lotId)).toMatchObject({ partNumber: 'P-200', quantity: workOrder.quantity, remaining: workOrder.quantity });
      }
    }
    expect(plant.operators.size).toBe(DEMO_ROSTER.length);
    expect(plant.holds.get('H-SEED-1')).toMatchObject({ subject: { kind: 'serial', serial: 'SN-1003-02' }, status: 'active', placedBy: 'B-4001' });
    expect(plant.holds.get('H-SEED-2')).toMatchObject({ subject: { kind: 'lot', lotId: 'L-920-Q' }, status: 'active' });
    expect(plant.nonconformances.get('NCR-SEED-1')).toMatchObject({ status: 'open', holdId: 'H-SEED-2', subject: { kind: 'lot', lotId: 'L-920-Q' } });
    expect(plant.lots.get('L-910-B')?.remaining).toBe(3);
    expect([...plant.serials.values()].filter((unit) => unit.partNumber === 'P-900' && unit.workOrderId === undefined)).toHaveLength(12);
  });

  it('never sends a PIN in clear', async () => {
    const answer = await pullPage(0);
    for (const doc of answer.body.documents) {
      if (doc.kind !== 'operator') continue;
      expect(doc.data.pin).toMatchObject({ algorithm: 'PBKDF2-SHA256', iterations: 100_000 });
      expect(JSON.stringify(doc.data)).not.toContain(`"${pinOf(doc.data.badge)}"`);
    }
  });

  it('sends a view again, under a new server sequence, when it changes', async () => {
    const start = (await pullPage(0)).body.checkpoint;
    const lot = await server.store.getView('lot', 'L-910-A');
    if (lot === undefined) throw new Error('L-910-A missing');
    await server.store.putViews([{ kind: 'lot', key: lot.key, data: { ...lot.data, remaining: 496 } }]);
    const changed = await pullPage(start);
    expect(changed.body.documents).toEqual([{ id: 'lot:L-910-A', kind: 'lot', key: 'L-910-A', serverSeq: start + 1, data: { ...lot.data, remaining: 496 } }]);
    expect(changed.body).toMatchObject({ checkpoint: start + 1, hasMore: false });
  });
});

describe('bad input is refused with the right 4xx and changes nothing', () => {
  const pullBody = { protocolVersion: V, checkpoint: 0 };
  const enrollBody = { protocolVersion: V, stationName: 'X', supervisorBadge: 'B-3001', pin: '9999', publicKey: testKey().publicKey, keyAlg: 'Ed25519' };
  const cases: { name: string; path: string; send: () => Parameters<typeof send>[2]; status: number; code: string; message?: string }[] = [
    { name: 'malformed JSON (pull)', path: '/api/sync/pull', send: () => ({ raw: '{"protocolVersion": 1,', credential }), status: 400, code: 'malformed-json' },
    { name: 'malformed JSON (enroll)', path: '/api/stations/enroll', send: () => ({ raw: '{pin: 9999}' }), status: 400, code: 'malformed-json' },
    { name: 'an empty JSON body', path: '/api/sync/pull', send: () => ({ raw: '', credential }), status: 400, code: 'malformed-json' },
    { name: 'prototype poisoning', path: '/api/stations/enroll', send: () => ({ raw: '{"__proto__": {"admin": true}}' }), status: 400, code: 'malformed-json' },
    { name: 'a body over the limit', path: '/api/sync/pull', send: () => ({ body: { ...pullBody, padding: 'x'.repeat(1_100_000) }, credential }), status: 413, code: 'body-too-large' },
    { name: 'a wrong content type', path: '/api/sync/pull', send: () => ({ raw: JSON.stringify(pullBody), contentType: 'text/plain', credential }), status: 415, code: 'unsupported-media-type' },
    { name: 'a form post to enroll', path: '/api/stations/enroll', send: () => ({ raw: 'pin=9999', contentType: 'application/x-www-form-urlencoded' }), status: 415, code: 'unsupported-media-type' },
    { name: 'no body at all', path: '/api/sync/pull', send: () => ({ method: 'POST', credential }), status: 400, code: 'invalid-request', message: 'body must be object' },
    { name: 'a JSON array', path: '/api/sync/pull', send: () => ({ body: [pullBody], credential }), status: 400, code: 'invalid-request', message: 'body must be object' },
    { name: 'a checkpoint of the wrong type', path: '/api/sync/pull', send: () => ({ body: { ...pullBody, checkpoint: '0' }, credential }), status: 400, code: 'invalid-request', message: 'body/checkpoint must be integer' },
    { name: 'a fractional checkpoint', path: '/api/sync/pull', send: () => ({ body: { ...pullBody, checkpoint: 1.5 }, credential }), status: 400, code: 'invalid-request', message: 'body/checkpoint must be integer' },
    { name: 'a negative checkpoint', path: '/api/sync/pull', send: () => ({ body: { ...pullBody, checkpoint: -1 }, credential }), status: 400, code: 'invalid-request', message: 'body/checkpoint must be >= 0' },
    { name: 'a missing checkpoint', path: '/api/sync/pull', send: () => ({ body: { protocolVersion: V }, credential }), status: 400, code: 'invalid-request', message: "body must have required property 'checkpoint'" },
    { name: 'a limit above the maximum', path: '/api/sync/pull', send: () => ({ body: { ...pullBody, limit: 5001 }, credential }), status: 400, code: 'invalid-request', message: 'body/limit must be <= 5000' },
    { name: 'an unknown property', path: '/api/sync/pull', send: () => ({ body: { ...pullBody, since: 3 }, credential }), status: 400, code: 'invalid-request', message: "body must NOT have additional property 'since'" },
    { name: 'a missing PIN', path: '/api/stations/enroll', send: () => ({ body: { ...enrollBody, pin: undefined } }), status: 400, code: 'invalid-request', message: "body must have required property 'pin'" },
    { name: 'an empty station name', path: '/api/stations/enroll', send: () => ({ body: { ...enrollBody, stationName: '' } }), status: 400, code: 'invalid-request', message: 'body/stationName must NOT have fewer than 1 characters' },
    { name: 'a numeric PIN', path: '/api/stations/enroll', send: () => ({ body: { ...enrollBody, pin: 9999 } }), status: 400, code: 'invalid-request', message: 'body/pin must be string' },
    { name: 'a too-old protocol (pull)', path: '/api/sync/pull', send: () => ({ body: { ...pullBody, protocolVersion: OLDEST_SERVED_PROTOCOL_VERSION - 1 }, credential }), status: 426, code: 'client-too-old' },
    { name: 'a too-old protocol with an old message shape', path: '/api/sync/pull', send: () => ({ body: { protocolVersion: OLDEST_SERVED_PROTOCOL_VERSION - 1, since: 'x' }, credential }), status: 426, code: 'client-too-old' },
    { name: 'a too-old protocol (enroll)', path: '/api/stations/enroll', send: () => ({ body: { ...enrollBody, protocolVersion: OLDEST_SERVED_PROTOCOL_VERSION - 1 } }), status: 426, code: 'client-too-old' },
    { name: 'a protocol newer than the server', path: '/api/sync/pull', send: () => ({ body: { ...pullBody, protocolVersion: PROTOCOL_VERSION + 1 }, credential }), status: 400, code: 'unsupported-protocol' },
    { name: 'an unknown API route', path: '/api/sync/push-everything', send: () => ({ body: pullBody, credential }), status: 404, code: 'not-found' },
    { name: 'GET on a POST route', path: '/api/sync/pull', send: () => ({ method: 'GET', credential }), status: 405, code: 'method-not-allowed' },
    { name: 'an unknown API route without a credential', path: '/api/sync/push-everything', send: () => ({ body: pullBody }), status: 401, code: 'unauthenticated' },
  ];

  const validateError = new Ajv().compile(apiErrorSchema);

  it.each(cases)('$name → $status $code', async (testCase) => {
    const before = await snapshot();
    const answer = await send(server.url, testCase.path, testCase.send());
    expect(answer.status).toBe(testCase.status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(validateError(answer.body)).toBe(true);
    expect(errorOf(answer).code).toBe(testCase.code);
    if (testCase.message !== undefined) expect(errorOf(answer).message).toBe(testCase.message);
    expect(await snapshot()).toEqual(before);
  });

  it('still serves after all of them', async () => {
    expect((await send(server.url, '/api/health')).status).toBe(200);
    expect((await pullPage(0, 1)).status).toBe(200);
  });
});

describe('serving the app', () => {
  const INDEX = '<!doctype html><title>Travelog</title><div id="root"></div>';
  let staticDir: Awaited<ReturnType<typeof makeTempDir>>;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    staticDir = await makeTempDir('dist');
    await mkdir(join(staticDir.path, 'assets'));
    await writeFile(join(staticDir.path, 'index.html'), INDEX);
    await writeFile(join(staticDir.path, 'assets', 'app-1a2b.js'), 'console.log("travelog")');
    app = await buildServer({ store: server.store, staticDir: staticDir.path, now: clock.now, auditKey: server.auditKey });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    await staticDir?.remove();
  });

  it('serves the shell at / and its files', async () => {
    const root = await send(url, '/');
    expect(root.status).toBe(200);
    expect(root.text).toBe(INDEX);
    expect(root.headers.get('cache-control')).toBe('no-cache');
    const script = await send(url, '/assets/app-1a2b.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.text).toBe('console.log("travelog")');
  });

  it.each(['/traveler/WO-1001', '/holds', '/station/enroll?next=%2Fholds', '/api-docs'])('answers %s, a screen of the app, with index.html', async (path) => {
    const answer = await send(url, path);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toBe(INDEX);
  });

  it.each(['/api', '/api/', '/api/nothing-here', '/api/sync/pull', '/api/nothing?x=1'])('never answers GET %s with index.html', async (path) => {
    // Without a credential an API path is refused before anyone learns whether it exists (S2).
    const answer = await send(url, path);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(errorOf(answer).code).toBe('unauthenticated');
  });

  it('answers a POST to a page path with a JSON 404, not the shell', async () => {
    const answer = await send(url, '/holds', { body: {} });
    expect(answer.status).toBe(404);
    expect(errorOf(answer).code).toBe('not-found');
  });

  it('answers a failure inside the server with a JSON 500 that leaks nothing, and keeps serving', async () => {
    const failing = await buildServer({ store: { ...server.store, viewsSince: () => Promise.reject(new Error('disk on fire')) }, now: clock.now, auditKey: server.auditKey });
    const failingUrl = await failing.listen({ port: 0, host: '127.0.0.1' });
    try {
      const answer = await send(failingUrl, '/api/sync/pull', { body: { protocolVersion: V, checkpoint: 0 }, credential });
      expect(answer.status).toBe(500);
      expect(errorOf(answer).code).toBe('internal');
      expect(answer.text).not.toContain('disk on fire');
      expect((await send(failingUrl, '/api/health')).status).toBe(200);
    } finally {
      await failing.close();
    }
  });

  it('still serves the API beside the app', async () => {
    expect((await send(url, '/api/health')).body).toMatchObject({ status: 'ok' });
    expect((await send(url, '/api/sync/pull', { body: { protocolVersion: V, checkpoint: 0, limit: 1 }, credential })).status).toBe(200);
  });
});
