/**
 * A sync server for push and pull tests, on PGlite or on PostgreSQL (own schema per run), with
 * stations that record events the way a station does: gapless sequence, own clock, fresh ids.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { HoldSubject, Signature, UnitRef } from '../../schemas/common.ts';
import type { EnrollResponse } from '../../schemas/enroll.ts';
import type { EventPayload, EventType, StationEvent } from '../../schemas/event.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import type { PullResponse } from '../../schemas/pull.ts';
import type { PushResponse } from '../../schemas/push.ts';
import type { Receipt } from '../../schemas/receipt.ts';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import { hashPin } from '../../src/auth/pin.ts';
import { DEMO_ROSTER } from '../../sync-server/seed/demo-plant.ts';
import { startServer, type RunningServer, type StartOptions } from '../../sync-server/main.ts';
import { viewOf } from '../../sync-server/store/view-keys.ts';
import { makeTempDir, send, type Answer, type TestClock } from './harness.ts';
import { TestChain, testKey, type TestKey } from '../helpers/signing.ts';
import { testDatabaseUrl } from '../helpers/test-database.ts';

export const V = PROTOCOL_VERSION;
/** The run's PostgreSQL (TEST_DATABASE_URL or the one the run started; tests/helpers/test-database.ts). */
export { testDatabaseUrl };

/** A running server and how to remove what it left behind. */
export interface SyncFixture {
  server: RunningServer;
  /** The PostgreSQL schema the server works in (PostgreSQL only). */
  schema: string;
  dispose(): Promise<void>;
}

/** Which database a suite runs on. */
export type Backend = 'PGlite' | 'PostgreSQL';

/** Starts the real server over HTTP on a fresh database of the given backend. */
export async function startSyncServer(backend: Backend, options: Partial<StartOptions> = {}): Promise<SyncFixture> {
  const dataDir = await makeTempDir('sync');
  const schema = `travelog_test_${randomBytes(6).toString('hex')}`;
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: dataDir.path,
    // The fewest PBKDF2 iterations the schema allows: seeding stays fast, PINs still verify.
    hashPin: (pin) => hashPin(pin, 10_000),
    ...(backend === 'PostgreSQL' ? { databaseUrl: testDatabaseUrl(), databaseSchema: schema } : {}),
    ...options,
  });
  return {
    server,
    schema,
    async dispose() {
      await server.close();
      await dataDir.remove();
      if (backend === 'PostgreSQL') await dropSchema(schema);
    },
  };
}

/** Drops a test schema on the test PostgreSQL. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export function pinOf(badge: string): string {
  const entry = DEMO_ROSTER.find((person) => person.badge === badge);
  if (entry === undefined) throw new Error(`No ${badge} in the demo roster`);
  return entry.pin;
}

const NAMES: Record<string, string> = Object.fromEntries(DEMO_ROSTER.map((person) => [person.badge, person.name]));

/** An e-signature as a station records it. */
export function signature(badge: string, meaning: Signature['meaning'], at: Date, reason = 'Checked on the floor'): Signature {
  return { signerBadge: badge, printedName: NAMES[badge] ?? badge, meaning, reason, signedAt: at.toISOString(), components: 'badge+pin' };
}

/** An enrolled station: records events in its own sequence, signed and chained, and pushes and pulls them. */
export class TestStation {
  seq = 0;
  checkpoint = 0;
  /** The restart of the server's log this station last heard of (docs/sync-spec.md S21); sent with each push. */
  epoch: string | undefined;
  /** Headers sent with every push and pull, such as a station report (docs/sync-spec.md S24). */
  headers: Record<string, string> = {};
  readonly chain: TestChain;
  constructor(
    readonly url: string,
    readonly id: string,
    readonly credential: string,
    private readonly clock: TestClock,
    readonly key: TestKey = testKey(),
  ) {
    this.chain = new TestChain(key);
  }

  /** Signs an event changed by a test as this station (the next link of its chain unless it names a prevHash). */
  resign(event: Omit<StationEvent, 'signature' | 'prevHash'> & { prevHash?: string }): StationEvent {
    return this.chain.sign(event);
  }

  /** The next event of this station; `at` is its device time (the clock's now unless given). */
  event<T extends EventType>(type: T, actor: string, payload: EventPayload<T>, at = this.clock.now(), seq = ++this.seq): StationEvent {
    return this.chain.sign({
      id: randomUUID(),
      type,
      stationId: this.id,
      seq,
      actor,
      deviceTime: at.toISOString(),
      hlc: `${at.getTime().toString().padStart(15, '0')}:000000:${this.id}`,
      payload,
    });
  }

  /** op.started / op.completed at the current instruction revision given. */
  step(type: 'op.started' | 'op.completed', actor: string, workOrderId: string, unit: UnitRef, operationId: string, instructionRevision: string): StationEvent {
    return this.event(type, actor, { workOrderId, operationId, unit, instructionRevision });
  }

  hold(actor: string, holdId: string, subject: HoldSubject, reason = 'Suspect part'): StationEvent {
    return this.event('hold.placed', actor, { holdId, subject, reason });
  }

  release(actor: string, holdId: string, meaning: Signature['meaning'] = 'released for further processing'): StationEvent {
    return this.event('hold.released', actor, { holdId, signature: signature(actor, meaning, this.clock.now()) });
  }

  /** Sends a push of these events (or of a raw body), as the station's clock sees it. */
  push(events: readonly unknown[], overrides: Record<string, unknown> = {}): Promise<Answer<PushResponse>> {
    return send<PushResponse>(this.url, '/api/sync/push', {
      body: { protocolVersion: V, stationId: this.id, sentAt: this.clock.now().toISOString(), events, ...(this.epoch === undefined ? {} : { epoch: this.epoch }), ...overrides },
      credential: this.credential,
      headers: this.headers,
    });
  }

  /** Pushes and expects 200; the receipts. */
  async pushOk(events: readonly StationEvent[], overrides: Record<string, unknown> = {}): Promise<Receipt[]> {
    const answer = await this.push(events, overrides);
    if (answer.status !== 200) throw new Error(`push answered ${answer.status}: ${answer.text}`);
    return answer.body.receipts;
  }

  pullPage(checkpoint: number, extra: Record<string, unknown> = {}): Promise<Answer<PullResponse>> {
    return send<PullResponse>(this.url, '/api/sync/pull', { body: { protocolVersion: V, checkpoint, ...extra }, credential: this.credential, headers: this.headers });
  }

  /** Pulls every page from `from` (this station's checkpoint unless given) and moves the checkpoint. */
  async pullAll(from = this.checkpoint, extra: Record<string, unknown> = {}): Promise<{ documents: ViewDoc[]; receipts: Receipt[]; checkpoint: number }> {
    const documents: ViewDoc[] = [];
    const receipts: Receipt[] = [];
    let checkpoint = from;
    for (let pages = 0; pages < 10_000; pages++) {
      const page = await this.pullPage(checkpoint, extra);
      if (page.status !== 200) throw new Error(`pull answered ${page.status}: ${page.text}`);
      documents.push(...page.body.documents);
      receipts.push(...page.body.receipts);
      checkpoint = page.body.checkpoint;
      if (!page.body.hasMore) {
        this.checkpoint = checkpoint;
        return { documents, receipts, checkpoint };
      }
    }
    throw new Error('pull never finished');
  }
}

/** Enrolls a station on Sam Reyes's badge (supervisor), with a fresh key (Ed25519 unless asked). */
export async function enrollStation(server: RunningServer, clock: TestClock, name = 'Test station', key: TestKey = testKey()): Promise<TestStation> {
  const answer = await send<EnrollResponse>(server.url, '/api/stations/enroll', {
    body: { protocolVersion: V, stationName: name, supervisorBadge: 'B-3001', pin: pinOf('B-3001'), publicKey: key.publicKey, keyAlg: key.alg },
  });
  if (answer.status !== 201) throw new Error(`enroll answered ${answer.status}: ${answer.text}`);
  return new TestStation(server.url, answer.body.stationId, answer.body.credential, clock, key);
}

/**
 * Adds a work order of P-100 rev C (serialized, the demo routing) with its serials, through the
 * plant, so a test has units no other test touches.
 */
export async function addWorkOrder(server: RunningServer, id: string, options: { program?: string; units?: number; part?: 'P-100' | 'P-200' } = {}): Promise<{ workOrderId: string; units: UnitRef[] }> {
  const count = options.units ?? 2;
  if (options.part === 'P-200') {
    const lotId = `LOT-${id}`;
    const workOrder: WorkOrder = { id, partNumber: 'P-200', partRevision: 'B', quantity: 10, tracking: 'lot', units: [{ kind: 'lot', lotId }], program: options.program ?? 'COMMERCIAL', dueDate: '2026-12-31' };
    await server.plant.putViews([viewOf('workOrder', workOrder), viewOf('lot', { lotId, partNumber: 'P-200', quantity: 10, remaining: 10 })]);
    return { workOrderId: id, units: workOrder.units };
  }
  const serials = Array.from({ length: count }, (_, i) => `SN-${id}-${i + 1}`);
  const workOrder: WorkOrder = {
    id, partNumber: 'P-100', partRevision: 'C', quantity: count, tracking: 'serial',
    units: serials.map((serial) => ({ kind: 'serial', serial })), program: options.program ?? 'COMMERCIAL', dueDate: '2026-12-31',
  };
  await server.plant.putViews([viewOf('workOrder', workOrder), ...serials.map((serial) => viewOf('serial', { serial, partNumber: 'P-100', workOrderId: id }))]);
  return { workOrderId: id, units: workOrder.units };
}

/** The current instruction revision of each operation of P-100 rev C in the demo plant. */
export const P100_REVISION: Record<string, string> = { OP10: 'D', OP20: 'B', OP30: 'C', OP40: 'A', OP50: 'A' };
