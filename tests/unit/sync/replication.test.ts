/**
 * Sync against the real server in-process, with msw in front of it injecting faults only: retries
 * back off with jitter and recover, malformed events are refused and kept, and a server that will
 * not talk to this station stops sync with a reason. Waits run on a virtual clock.
 */
import { HttpResponse, bypass, delay, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../schemas/protocol-version.ts';
import { PROGRAMS_MEANING } from '../../../schemas/stations.ts';
import { readPullCheckpoint, storeReceipts } from '../../../src/db/receipts.ts';
import { routingOf, stepKey } from '../../../src/domain/plant.ts';
import { backoffDelay } from '../../../src/sync/scheduler.ts';
import type { TestServer, TestStation } from './station-harness.ts';
import { enroll, openTestStation, signedIn, startTestServer, until } from './station-harness.ts';

const network = setupServer();
let server: TestServer;
let url = '';
const stations: TestStation[] = [];

beforeAll(async () => {
  server = await startTestServer();
  url = server.server.url;
  network.listen({ onUnhandledRequest: 'bypass' });
});
afterEach(async () => {
  network.resetHandlers();
  for (const station of stations.splice(0)) await station.close();
});
afterAll(async () => {
  network.close();
  await server.close();
});

async function newStation(name: string, random?: () => number): Promise<TestStation> {
  const station = await openTestStation(url, await enroll(url, name), random);
  stations.push(station);
  return station;
}

/** Counts requests to `path` and answers the first ones with `faults`, then lets the server answer. */
function faults(path: string, ...answers: Array<() => Response | Promise<Response>>) {
  const seen: unknown[] = [];
  network.use(
    http.post(`${url}${path}`, async ({ request }) => {
      seen.push(await request.clone().json());
      const fault = answers.shift();
      return fault === undefined ? passthrough() : fault();
    }),
  );
  return seen;
}

const receiptCount = (station: TestStation) => station.db.receipts.count().exec();

describe('backoff', () => {
  it('[S15] waits longer after each failure, with jitter, and never less than half the step', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, () => 0.999999))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(20, () => 0.5)).toBe(45_000);
    const spread = new Set(Array.from({ length: 20 }, (_, i) => backoffDelay(3, () => i / 20)));
    expect(spread.size).toBe(20);
  });
});

describe('push', () => {
  it('[S5][S6] pushes recorded events in sequence order and stores one receipt per event', async () => {
    const station = await newStation('push-plain');
    for (let i = 0; i < 3; i++) await station.recorder.record(signedIn());
    const pushed = faults('/api/sync/push');
    await station.start();
    await until(async () => (await receiptCount(station)) === 3, 'three receipts');
    const receipts = (await station.db.receipts.find().exec()).map((d) => d.toJSON());
    expect(receipts.every((r) => r.origin === 'receipt' && r.outcome !== 'rejected')).toBe(true);
    expect((pushed[0] as { events: Array<{ seq: number }> }).events.map((e) => e.seq)).toEqual([1, 2, 3]);
    await until(() => station.plant.outbox().waiting === 0, 'empty outbox');
    expect(station.engine?.status()).toMatchObject({ phase: 'running', reachable: true, lastError: null });
  });

  it('[S5] pushes on when its cursor cannot be stored (storage full), and says nothing is wrong', async () => {
    const station = await newStation('push-cursor-full');
    const upsert = station.db.settings.upsert.bind(station.db.settings);
    station.db.settings.upsert = (doc: Parameters<typeof upsert>[0]) =>
      doc.id === 'push-cursor' ? Promise.reject(new DOMException('quota', 'QuotaExceededError')) : upsert(doc);
    for (let i = 0; i < 2; i++) await station.recorder.record(signedIn());
    await station.start();
    await until(async () => (await receiptCount(station)) === 2, 'two receipts');
    await station.recorder.record(signedIn());
    await until(async () => (await receiptCount(station)) === 3, 'a third receipt after the failed cursor write');
    expect(station.engine?.status()).toMatchObject({ phase: 'running', reachable: true, lastError: null });
  });

  it('[S5][S15] pushes a backlog one batch at a time in sequence order, and pulls once after the last', async () => {
    const station = await newStation('push-backlog');
    for (let i = 0; i < 12; i++) await station.recorder.record(signedIn());
    const requests: Array<{ path: 'push' | 'pull'; seqs: number[] }> = [];
    let inFlight = 0;
    let overlapped = false;
    network.use(
      http.post(`${url}/api/sync/:kind`, async ({ request, params }) => {
        const body = (await request.clone().json()) as { events?: Array<{ seq: number }> };
        const path = params['kind'] === 'push' ? 'push' : 'pull';
        requests.push({ path, seqs: (body.events ?? []).map((e) => e.seq) });
        if (path !== 'push') return passthrough();
        inFlight += 1;
        overlapped ||= inFlight > 1;
        try {
          const answer = await fetch(bypass(request));
          return new HttpResponse(await answer.text(), { status: answer.status, headers: answer.headers });
        } finally {
          inFlight -= 1;
        }
      }),
    );
    await station.start({ pushBatchSize: 5 });
    await until(async () => (await receiptCount(station)) === 12 && station.plant.outbox().pending === 0, 'every event answered and in the pulled views');
    const pushes = requests.flatMap((r, i) => (r.path === 'push' ? [i] : []));
    expect(pushes.map((i) => requests[i]?.seqs)).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]);
    expect(overlapped).toBe(false);
    // The first pull may be the station's start-up pull; none follows a batch until the last.
    expect(requests.slice(pushes[1], pushes.at(-1)).some((r) => r.path === 'pull')).toBe(false);
    expect(requests.slice((pushes.at(-1) ?? 0) + 1).some((r) => r.path === 'pull')).toBe(true);
  });

  it('[S5][S7] skips the events a pull already brought receipts for, and pushes the rest', async () => {
    const station = await newStation('push-skip-answered');
    const events = [];
    for (let i = 0; i < 6; i++) events.push(await station.recorder.record(signedIn()));
    // Receipts for the first three, as a pull brings them after an answer was lost; their views not
    // pulled yet (visibleAt far ahead), so they are not settled and the pusher has to look.
    const receivedAt = new Date().toISOString();
    await storeReceipts(
      station.db,
      events.slice(0, 3).map((event, i) => ({ eventId: event.id, outcome: 'accepted' as const, flags: [], serverSeq: 900 + i, visibleAt: 1e9, receivedAt })),
    );
    const pushed = faults('/api/sync/push');
    await station.start();
    await until(async () => (await receiptCount(station)) === 6, 'six receipts');
    expect(pushed.map((body) => (body as { events: Array<{ seq: number }> }).events.map((e) => e.seq))).toEqual([[4, 5, 6]]);
  });

  it('[S15] a retried push takes along the events recorded while it waited', async () => {
    const station = await newStation('push-retry-refresh');
    await station.recorder.record(signedIn());
    const pushed = faults('/api/sync/push', () => HttpResponse.json({ code: 'unavailable', message: 'Database restarting' }, { status: 503 }));
    await station.start();
    await until(() => pushed.length === 1 && station.scheduler.pending().includes(750), 'retry wait');
    for (let i = 0; i < 3; i++) await station.recorder.record(signedIn());
    await station.scheduler.advance(750);
    await until(async () => (await receiptCount(station)) === 4, 'four receipts');
    expect(pushed.map((body) => (body as { events: Array<{ seq: number }> }).events.map((e) => e.seq))).toEqual([[1], [1, 2, 3, 4]]);
  });

  it('[S15] backs off with jitter on 503, 500 and a dropped connection, then recovers', async () => {
    const station = await newStation('push-faults');
    await station.recorder.record(signedIn());
    const pushed = faults(
      '/api/sync/push',
      () => HttpResponse.json({ code: 'unavailable', message: 'Database restarting' }, { status: 503 }),
      () => HttpResponse.json({ code: 'internal', message: 'Boom' }, { status: 500 }),
      () => HttpResponse.error(),
    );
    const engine = await station.start();
    const { scheduler } = station;
    // Pulls go on meanwhile and succeed, which clears the error shown: collect every one shown.
    const shown: string[] = [];
    engine.subscribe(() => {
      const { lastError } = engine.status();
      if (lastError !== null && shown.at(-1) !== lastError) shown.push(lastError);
    });

    await until(() => pushed.length === 1 && scheduler.pending().includes(750), 'first retry wait');
    expect(shown).toContain('Database restarting');
    await scheduler.advance(749);
    expect(pushed).toHaveLength(1);
    await scheduler.advance(1);
    await until(() => pushed.length === 2 && scheduler.pending().includes(1500), 'second retry wait');
    expect(shown).toContain('Boom');
    await scheduler.advance(1500);
    await until(() => pushed.length === 3 && scheduler.pending().includes(3000), 'third retry wait');
    expect(shown.some((error) => /could not be reached/.test(error))).toBe(true);
    await scheduler.advance(3000);
    await until(async () => (await receiptCount(station)) === 1, 'receipt after recovery');
    expect(pushed).toHaveLength(4);
    expect(engine.status()).toMatchObject({ reachable: true, lastError: null, retryAt: null });
  });

  it('[S15] starts the backoff afresh when the station comes back online', async () => {
    const station = await newStation('push-online-again');
    await station.recorder.record(signedIn());
    const down = () => HttpResponse.error();
    const pushed = faults('/api/sync/push', down, down, down, down);
    const engine = await station.start();
    const { scheduler } = station;
    await until(() => pushed.length === 1 && scheduler.pending().includes(750), 'first retry wait');
    await scheduler.advance(750);
    await until(() => pushed.length === 2 && scheduler.pending().includes(1500), 'second retry wait');
    await scheduler.advance(1500);
    await until(() => pushed.length === 3 && scheduler.pending().includes(3000), 'third retry wait');
    // The browser says it is online again (use-sync.ts calls syncNow): the wait is cut short, and
    // the push that still fails (the network is not quite back) waits the first step again.
    engine.syncNow();
    await until(() => pushed.length === 4 && scheduler.pending().includes(750), 'a fresh first wait');
    expect(scheduler.pending()).not.toContain(6000);
    await scheduler.advance(750);
    await until(async () => (await receiptCount(station)) === 1, 'receipt after recovery');
    expect(pushed).toHaveLength(5);
  });

  it('[S15] gives up on a request the server does not answer in time, and tries again', async () => {
    const station = await newStation('push-timeout');
    await station.recorder.record(signedIn());
    const pushed = faults('/api/sync/push', async () => {
      await delay(5_000);
      return HttpResponse.json({ receipts: [] });
    });
    const engine = await station.start();
    await until(() => pushed.length === 1 && station.scheduler.pending().includes(750), 'retry after timeout');
    expect(engine.status().lastError).toMatch(/did not answer in time/);
    await station.scheduler.advance(750);
    await until(async () => (await receiptCount(station)) === 1, 'receipt');
  });

  it('[S9] keeps events the server refuses as malformed, notes why, and pushes the rest', async () => {
    const station = await newStation('push-invalid');
    const events = [];
    for (let i = 0; i < 3; i++) events.push(await station.recorder.record(signedIn()));
    const bad = events[1]?.id ?? '';
    const pushed = faults('/api/sync/push', () =>
      HttpResponse.json({ code: 'invalid-event', message: 'events/1/payload/workCenterId is required', eventIds: [bad] }, { status: 400 }),
    );
    await station.start();
    await until(async () => (await receiptCount(station)) === 3, 'three receipts');
    const refusal = (await station.db.receipts.findOne(bad).exec())?.toJSON();
    expect(refusal).toMatchObject({ outcome: 'rejected', origin: 'invalid-event', flags: ['schema'], reason: 'events/1/payload/workCenterId is required' });
    expect((pushed[1] as { events: Array<{ id: string }> }).events.map((e) => e.id)).toEqual([events[0]?.id, events[2]?.id]);
    expect(await station.db.events.count().exec()).toBe(3);
    await until(() => station.plant.outbox().waiting === 0, 'empty outbox');
  });

  it('[S9] the real server refuses an event that fails its schema; the station keeps it', async () => {
    const station = await newStation('push-invalid-real');
    const good = await station.recorder.record(signedIn());
    // Past the station's own validation, as an older or damaged app might have written it.
    await station.db.events.insert({ ...good, id: '01900000-0000-7000-8000-0000000000bb', seq: 2, payload: {} });
    await station.start();
    await until(async () => (await receiptCount(station)) === 2, 'two receipts');
    expect((await station.db.receipts.findOne('01900000-0000-7000-8000-0000000000bb').exec())?.toJSON()).toMatchObject({ outcome: 'rejected', origin: 'invalid-event' });
    expect((await station.db.receipts.findOne(good.id).exec())?.toJSON()).toMatchObject({ origin: 'receipt' });
  });
});

describe('a server that will not talk to this station', () => {
  it('[S3] stops syncing on client-too-old and says an update is available', async () => {
    const station = await newStation('too-old');
    await station.recorder.record(signedIn());
    let requests = 0;
    network.use(
      http.post(`${url}/api/sync/*`, () => {
        requests += 1;
        return HttpResponse.json({ code: 'client-too-old', message: 'Protocol 2 is no longer served; reload the app' }, { status: 426 });
      }),
    );
    const engine = await station.start();
    await until(() => engine.status().phase === 'client-too-old', 'client-too-old');
    const seen = requests;
    await station.scheduler.advance(10 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requests).toBe(seen);
    expect(station.plant.outbox().waiting).toBe(1);
  });

  it('[S2] stops syncing when the server does not know the credential', async () => {
    const station = await openTestStation(url, { stationId: 'ST-GONE', credential: 'x'.repeat(43) });
    stations.push(station);
    await station.recorder.record(signedIn());
    const engine = await station.start();
    await until(() => engine.status().phase === 'not-enrolled', 'not-enrolled');
    expect(await station.db.events.count().exec()).toBe(1);
  });
});

describe('pull', () => {
  it('[S11][S15] keeps what it stored when the network fails half way, and finishes after backoff', async () => {
    const station = await newStation('pull-halfway');
    const pulled = faults('/api/sync/pull', () => passthrough(), () => HttpResponse.error());
    await station.start({ pullBatchSize: 20 });
    await until(() => pulled.length === 2 && station.scheduler.pending().includes(750), 'retry wait');
    // RxDB stores a page after its handler returns; on a busy machine that can trail the next request.
    await until(async () => (await station.db.views.count().exec()) === 20, 'the first page stored');
    expect(pulled).toHaveLength(2);
    await station.scheduler.advance(750);
    const sequence = await server.server.store.sequence();
    await until(async () => (await readPullCheckpoint(station.db)).serverSeq === sequence, 'checkpoint at the server sequence');
    expect(station.plant.get().workOrders.size).toBeGreaterThan(0);
  });

  it('[S11] refuses a page with a document that fails its schema, writes nothing of it, and recovers', async () => {
    const station = await newStation('pull-broken');
    const broken = { id: 'workCenter:WC-X', kind: 'workCenter', key: 'WC-X', serverSeq: 1, data: { id: 'WC-X' } };
    faults('/api/sync/pull', () => HttpResponse.json({ documents: [broken], receipts: [], checkpoint: 1, hasMore: false }));
    const engine = await station.start();
    await until(() => engine.status().lastError?.includes('data/name is required') === true, 'schema error');
    expect(await station.db.views.count().exec()).toBe(0);
    await station.scheduler.advance(750);
    await until(async () => (await station.db.views.count().exec()) > 0, 'views after recovery');
    expect(await station.db.views.findOne('workCenter:WC-X').exec()).toBeNull();
  });

  it('[S22] drops the views of a program taken off the station at its next pull, and receives them again once granted', async () => {
    const station = await newStation('clearance');
    await station.start();
    const programs = () => new Set([...station.plant.get().workOrders.values()].map((wo) => wo.program));
    const sequence = await server.server.store.sequence();
    await until(async () => (await readPullCheckpoint(station.db)).serverSeq >= sequence, 'first pull');
    await until(() => programs().has('F-35-ACT'), 'F-35-ACT work orders');
    // Asked from a supervisor's station cleared for every program (a station cannot grant back what it lost).
    const office = await enroll(url, 'clearance-office');
    const change = async (list: string[]) => {
      const answer = await fetch(`${url}/api/stations/${station.stationId}/programs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${office.credential}` },
        body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, signerBadge: 'B-3001', pin: '9999', meaning: PROGRAMS_MEANING, reason: 'Clearance review', programs: list }),
      });
      expect(answer.status, await answer.text()).toBe(200);
    };

    await change(['COMMERCIAL']);
    await station.scheduler.advance(30_000);
    await until(() => !programs().has('F-35-ACT'), 'F-35-ACT views dropped');
    expect(await station.db.views.findOne('workOrder:WO-1001').exec()).toBeNull();
    expect(programs().has('COMMERCIAL')).toBe(true);

    await change(['COMMERCIAL', 'F-35-ACT']);
    await station.scheduler.advance(30_000);
    await until(() => programs().has('F-35-ACT'), 'F-35-ACT views back');
    expect(await station.db.views.findOne('workOrder:WO-1001').exec()).not.toBeNull();
  });

  it('[S14] pulls every 30 s while the live stream is down', async () => {
    const a = await newStation('poll-a');
    const b = await newStation('poll-b');
    await a.start();
    await until(async () => (await readPullCheckpoint(a.db)).serverSeq > 0, 'first pull');
    const before = (await readPullCheckpoint(a.db)).serverSeq;
    await b.recorder.record(signedIn());
    await b.start();
    await until(async () => (await receiptCount(b)) === 1, 'b pushed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readPullCheckpoint(a.db)).serverSeq).toBe(before);
    await a.scheduler.advance(30_000);
    await until(async () => (await readPullCheckpoint(a.db)).serverSeq > before, 'a pulled after 30 s');
  });

  it('[S14] pulls at once when the live stream says the server changed, reconnecting after a failure', async () => {
    const a = await newStation('live-a');
    let streams = 0;
    network.use(
      http.get(`${url}/api/sync/live`, () => {
        streams += 1;
        return streams === 1 ? HttpResponse.json({ code: 'unavailable', message: 'later' }, { status: 503 }) : passthrough();
      }),
    );
    const engine = await a.start({ live: true });
    await until(() => streams === 1 && a.scheduler.pending().includes(1500), 'stream retry wait');
    await a.scheduler.advance(1500);
    await until(() => engine.status().live, 'live stream up');
    const b = await newStation('live-b');
    await b.recorder.record(signedIn());
    await b.start();
    await until(async () => (await receiptCount(b)) === 1, 'b pushed');
    const sequence = await server.server.store.sequence();
    await until(async () => (await readPullCheckpoint(a.db)).serverSeq >= sequence, 'a pulled without a timer');
  });
});

describe('overlay against the real server', () => {
  it('[S13] a pull never makes a recorded event vanish from the screen or count twice', async () => {
    const station = await newStation('overlay-real');
    await station.start();
    await until(() => station.plant.get().workOrders.has('WO-1002'), 'plant pulled');
    const plant = station.plant.get();
    const workOrder = plant.workOrders.get('WO-1002');
    const operation = workOrder === undefined ? undefined : routingOf(plant, workOrder)?.operations.find((op) => op.id === 'OP10');
    const unit = workOrder?.units[0];
    const bill = operation?.bill[0];
    if (operation === undefined || unit === undefined || bill === undefined) throw new Error('the demo plant has no OP10 with a bill on WO-1002');
    const key = stepKey('WO-1002', unit, 'OP10');
    const lot = [...plant.lots.values()].find((l) => l.partNumber === bill.partNumber && l.remaining >= bill.quantityPer);
    if (lot === undefined) throw new Error(`no lot of ${bill.partNumber}`);

    const seen: Array<{ started: boolean; consumed: number; remaining: number | undefined }> = [];
    station.plant.subscribe(() => {
      const now = station.plant.get();
      seen.push({ started: now.steps.get(key)?.started !== undefined, consumed: now.consumptions.get(key)?.length ?? 0, remaining: now.lots.get(lot.lotId)?.remaining });
    });
    const payload = { workOrderId: 'WO-1002', operationId: 'OP10', unit, instructionRevision: operation.instruction.revision };
    await station.recorder.record({ type: 'op.started', actor: 'B-1001', payload });
    await station.recorder.record({
      type: 'material.consumed',
      actor: 'B-1001',
      payload: { workOrderId: 'WO-1002', operationId: 'OP10', unit, material: { kind: 'lot', lotId: lot.lotId, partNumber: lot.partNumber, quantity: bill.quantityPer }, scanned: lot.lotId },
    });
    await until(async () => (await receiptCount(station)) === 2 && station.plant.outbox().pending === 0, 'both events in the pulled views');
    const receipts = (await station.db.receipts.find().exec()).map((d) => d.outcome);
    expect(receipts).not.toContain('rejected');
    const afterBoth = seen.slice(seen.findIndex((s) => s.consumed === 1));
    expect(afterBoth.length).toBeGreaterThan(0);
    expect(afterBoth.every((s) => s.started && s.consumed === 1 && s.remaining === lot.remaining - bill.quantityPer)).toBe(true);
  });
});
