/**
 * Ingest: events per second accepted end to end over HTTP (validate, attest each station's run by
 * the signature of its last event on the worker pool, check every chain link, decide, append every
 * receipt to the Merkle audit log with a signed checkpoint in the batch's transaction, receipts
 * back), batches of 500 from 20 stations pushing at once, on PGlite and on PostgreSQL. Work is
 * realistic: starts, material, measurements and completions over many work orders, every event
 * signed (Ed25519) and chained by its station, and every push body encoded, before the clock starts
 * (a station's own work, not the server's). Besides events per second: the CPU per event of this
 * process (all threads), of PostgreSQL's backends serving it, and where the main thread's CPU goes
 * (a profile of one more round, bench/cpu-breakdown.ts). Printed, never asserted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { UnitRef } from '../schemas/common.ts';
import type { EnrollResponse } from '../schemas/enroll.ts';
import type { StationEvent } from '../schemas/event.ts';
import { PROTOCOL_VERSION } from '../schemas/protocol-version.ts';
import type { PullResponse } from '../schemas/pull.ts';
import type { PushResponse } from '../schemas/push.ts';
import type { Receipt } from '../schemas/receipt.ts';
import type { WorkOrder } from '../schemas/work-order.ts';
import { hashPin } from '../src/auth/pin.ts';
import { AUDIT_ORIGIN, buildServer } from '../sync-server/app.ts';
import { loadOrCreateServerKey } from '../sync-server/audit/server-key.ts';
import { createVerifierPool, type SignatureVerifier } from '../sync-server/audit/verifier-pool.ts';
import { startServer, type RunningServer } from '../sync-server/main.ts';
import { seedDemoPlant } from '../sync-server/seed/demo-plant.ts';
import { syntheticWorkOrders } from '../sync-server/seed/synthetic-plant.ts';
import { openStore } from '../sync-server/store/store.ts';
import { TestChain, testKey, type TestKey } from '../tests/helpers/signing.ts';
import { formatBreakdown, startProfile } from './cpu-breakdown.ts';

export const BENCH_DATABASE_URL = process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** A server on a fresh PGlite directory or PostgreSQL schema, and how to remove it. */
export async function benchServer(
  backend: 'PGlite' | 'PostgreSQL',
  options: { verifier?: SignatureVerifier } = {},
): Promise<{ server: RunningServer; dispose: () => Promise<void>; pgApplication?: string } | null> {
  const dataDir = await mkdtemp(join(tmpdir(), 'travelog-bench-'));
  const schema = `travelog_bench_${randomBytes(6).toString('hex')}`;
  let server: RunningServer;
  try {
    // The server's connections carry the schema's name, so the bench can find its backends' CPU.
    const url = new URL(BENCH_DATABASE_URL);
    url.searchParams.set('application_name', schema);
    const database = backend === 'PostgreSQL' ? { databaseUrl: url.toString(), databaseSchema: schema } : {};
    server = options.verifier === undefined
      ? await startServer({ port: 0, host: '127.0.0.1', dataDir, hashPin: (pin) => hashPin(pin, 10_000), ...database })
      : await serverWithVerifier(dataDir, database, options.verifier);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    if (backend === 'PostgreSQL') {
      console.log(`  PostgreSQL not reachable at ${BENCH_DATABASE_URL.replace(/\/\/[^@/]*@/, '//')}: skipped (${(error as Error).message})`);
      return null;
    }
    throw error;
  }
  return {
    server,
    ...(backend === 'PostgreSQL' ? { pgApplication: schema } : {}),
    async dispose() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
      if (backend === 'PostgreSQL') {
        const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
  };
}

/** As startServer does, but with the signature verifier given, which it closes (startServer always makes the worker pool). */
async function serverWithVerifier(dataDir: string, database: { databaseUrl?: string; databaseSchema?: string }, verifier: SignatureVerifier): Promise<RunningServer> {
  const store = database.databaseUrl === undefined
    ? await openStore({ dataDir })
    : await openStore({ databaseUrl: database.databaseUrl, ...(database.databaseSchema === undefined ? {} : { schema: database.databaseSchema }) });
  try {
    await seedDemoPlant(store, { hashPin: (pin) => hashPin(pin, 10_000) });
    const auditKey = loadOrCreateServerKey({ dataDir, keyName: AUDIT_ORIGIN });
    const app = await buildServer({ store, auditKey, verifier });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return {
      url: `http://127.0.0.1:${port}`,
      store,
      plant: app.plant,
      auditKey,
      liveStreams: () => app.live.size(),
      close: async () => {
        try {
          await app.close();
        } finally {
          await store.close();
          await verifier.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    await verifier.close();
    throw error;
  }
}

/**
 * A verifier that checks nothing and calls every signature valid (the comparison run without
 * verification); it still signs the audit entries on `pool`, which it closes.
 */
export function trustingVerifier(pool: SignatureVerifier = createVerifierPool()): SignatureVerifier {
  return {
    verify: (_spki, _alg, events) => Promise.resolve(events.map(() => true)),
    signEntries: (key, texts) => pool.signEntries(key, texts),
    close: () => pool.close(),
  };
}

/** A bench station: enrolls, records events in sequence, pushes and pulls over HTTP. */
export class BenchStation {
  seq = 0;
  private readonly chain: TestChain;
  private constructor(readonly url: string, readonly id: string, readonly credential: string, key: TestKey) {
    this.chain = new TestChain(key);
  }

  /** Enrolls with a fresh Ed25519 key; {@link shift} signs and chains every event with it. */
  static async enroll(url: string, name: string): Promise<BenchStation> {
    const key = testKey('Ed25519');
    const response = await fetch(`${url}/api/stations/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, stationName: name, supervisorBadge: 'B-3001', pin: '9999', publicKey: key.publicKey, keyAlg: key.alg }),
    });
    if (response.status !== 201) throw new Error(`enroll: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as EnrollResponse;
    return new BenchStation(url, body.stationId, body.credential, key);
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.postText<T>(path, JSON.stringify(body));
  }

  private postText<T>(path: string, body: string): Promise<T> {
    return fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.credential}` },
      body,
    }).then(async (response) => {
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    });
  }

  async push(events: readonly StationEvent[]): Promise<Receipt[]> {
    return this.pushEncoded(this.encodePush(events));
  }

  /** A push body, encoded as the station's pusher sends it (sentAt now). */
  encodePush(events: readonly StationEvent[]): string {
    return JSON.stringify({ protocolVersion: PROTOCOL_VERSION, stationId: this.id, sentAt: new Date().toISOString(), events });
  }

  /** Pushes a body made by {@link encodePush}. */
  async pushEncoded(body: string): Promise<Receipt[]> {
    return (await this.postText<PushResponse>('/api/sync/push', body)).receipts;
  }

  pull(checkpoint: number, limit: number): Promise<PullResponse> {
    return this.post<PullResponse>('/api/sync/pull', { protocolVersion: PROTOCOL_VERSION, checkpoint, limit });
  }

  /**
   * A shift's work on these units: per unit, rough mill (start, bar stock, complete) and bore
   * inspection (start, three results, complete): 8 events, every one accepted. Signed and chained
   * here, before any clock starts.
   */
  shift(units: ReadonlyArray<{ workOrderId: string; unit: UnitRef }>, lotId: string): StationEvent[] {
    const events: StationEvent[] = [];
    const at = Date.now();
    const make = (type: StationEvent['type'], actor: string, payload: unknown): void => {
      const seq = ++this.seq;
      const time = new Date(at - 60_000 + seq);
      const unsigned = { id: randomUUID(), type, stationId: this.id, seq, actor, deviceTime: time.toISOString(), hlc: `${time.getTime().toString().padStart(15, '0')}:000000:${this.id}`, payload };
      events.push(this.chain.sign(unsigned as Omit<StationEvent, 'signature' | 'prevHash'>));
    };
    for (const { workOrderId, unit } of units) {
      const step = (operationId: string, instructionRevision: string) => ({ workOrderId, operationId, unit, instructionRevision });
      make('op.started', 'B-1001', step('OP10', 'D'));
      make('material.consumed', 'B-1001', { workOrderId, operationId: 'OP10', unit, material: { kind: 'lot', lotId, partNumber: 'P-920', quantity: 1 }, scanned: lotId });
      make('op.completed', 'B-1001', step('OP10', 'D'));
      make('op.started', 'B-2001', step('OP30', 'C'));
      const measurement = (characteristicId: string, measured: unknown) =>
        make('measurement.recorded', 'B-2001', { ...step('OP30', 'C'), characteristicId, characteristicRevision: 'A', measured, result: 'pass', ...(characteristicId === 'C1' ? { gaugeId: 'G-12' } : {}) });
      measurement('C1', { kind: 'variable', entered: { value: 12.705, unit: 'mm', text: '12.705' }, value: 12.705, unit: 'mm' });
      measurement('C2', { kind: 'variable', entered: { value: 0.0008, unit: 'mm', text: '0.0008' }, value: 0.0008, unit: 'mm' });
      measurement('C3', { kind: 'attribute', verdict: 'pass' });
      make('op.completed', 'B-2001', step('OP30', 'C'));
    }
    return events;
  }
}

/** Units of these work orders, in order. */
export function unitsOf(workOrders: readonly WorkOrder[]): Array<{ workOrderId: string; unit: UnitRef }> {
  return workOrders.flatMap((wo) => wo.units.map((unit) => ({ workOrderId: wo.id, unit })));
}

/** Adds synthetic work orders and a large bar-stock lot, through the plant. */
export async function addBenchOrders(server: RunningServer, prefix: string, orders: number, unitsPerOrder: number): Promise<{ workOrders: WorkOrder[]; lotId: string }> {
  const { views, workOrders } = syntheticWorkOrders({ prefix, orders, unitsPerOrder });
  const lotId = `L-${prefix}`;
  await server.plant.putViews([...views, { kind: 'lot', key: lotId, data: { lotId, partNumber: 'P-920', quantity: 1e9, remaining: 1e9 } }]);
  return { workOrders, lotId };
}

const STATIONS = 20;
const BATCH = 500;
const BATCHES_PER_STATION = Number(process.env['BENCH_INGEST_BATCHES'] ?? 2);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/**
 * `BENCH_INGEST_VARIANTS=full,no-verify` adds the comparison run with the station-signature check
 * stubbed out (since format 6 one signature per station's run, not per event: no longer the default).
 */
const VARIANTS = (process.env['BENCH_INGEST_VARIANTS'] ?? 'full').split(',') as Variant[];
/** A directory to write the CPU profile of the breakdown round's main thread into. */
const PROFILE_DIR = process.env['BENCH_PROFILE'];
/** `BENCH_BREAKDOWN=0` skips the extra, profiled round that says where the main thread's CPU goes. */
const BREAKDOWN = process.env['BENCH_BREAKDOWN'] !== '0';

type Variant = 'full' | 'no-verify';

/**
 * Wraps the server's audit log so the time a batch spends in its append can be read: numbering,
 * chaining and encoding the entries, then (after the batch's own rows are written) the leaf and
 * node hashes, the entries, nodes and subjects written and the signed checkpoint.
 */
function timeAuditAppends(server: RunningServer): { ms: () => number; entries: () => number } {
  const log = server.plant.audit;
  if (log === null) throw new Error('The bench server has no audit log');
  const start = log.startAppend.bind(log);
  let ms = 0;
  let entries = 0;
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      ms += performance.now() - started;
    }
  };
  log.startAppend = async (sql, drafts, options) => {
    entries += drafts.length;
    const started = await timed(() => start(sql, drafts, options));
    return { finish: () => timed(() => started.finish()) };
  };
  return { ms: () => ms, entries: () => entries };
}

/** CPU seconds (user + system) of the PostgreSQL backends serving connections named `application`, by pid (Linux /proc; empty elsewhere). */
export async function postgresBackendCpu(application: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [application]);
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which may hold spaces): utime and stime are the 14th and 15th, in clock ticks (100 a second on Linux).
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        // Not on this machine's /proc (a remote server): nothing to add.
      }
    }
    return cpu;
  } finally {
    await client.end();
  }
}

/** CPU seconds the backends used between two readings (a backend that appeared counts whole). */
function backendCpuUsed(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

interface RoundResult {
  rate: number;
  batchMs: number[];
  auditShare: number;
  auditPerEntryUs: number;
  cpuPerEventUs: number;
  mainCpuPerEventUs: number;
  /** CPU of the PostgreSQL backends per event, or null (PGlite, or /proc unreadable). */
  postgresPerEventUs: number | null;
  breakdown: string | null;
}

/** The calling thread's CPU time in µs (Node 23.9+), or null. */
function threadCpuUs(): number | null {
  const usage = (process as unknown as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage?.();
  return usage === undefined ? null : usage.user + usage.system;
}

/** One round on a fresh server: every station pushes its batches one after another, all stations at once. */
async function ingestRound(backend: 'PGlite' | 'PostgreSQL', variant: Variant, profile = false): Promise<RoundResult | null> {
  const bench = await benchServer(backend, variant === 'no-verify' ? { verifier: trustingVerifier() } : {});
  if (bench === null) return null;
  const { server } = bench;
  try {
    // 8 events per unit: enough units for every station's batches.
    const unitsPerStation = Math.ceil((BATCH * BATCHES_PER_STATION) / 8);
    const { workOrders, lotId } = await addBenchOrders(server, 'WO-B', Math.ceil((STATIONS * unitsPerStation) / 5), 5);
    const units = unitsOf(workOrders);
    const stations = await Promise.all(Array.from({ length: STATIONS }, (_, i) => BenchStation.enroll(server.url, `Bench ${i}`)));
    const work = stations.map((station, i) => {
      const events = station.shift(units.slice(i * unitsPerStation, (i + 1) * unitsPerStation), lotId).slice(0, BATCH * BATCHES_PER_STATION);
      // Encoded here, as each station's pusher would on its own machine: not the server's CPU.
      return { station, bodies: Array.from({ length: BATCHES_PER_STATION }, (_, b) => station.encodePush(events.slice(b * BATCH, (b + 1) * BATCH))) };
    });
    const audit = timeAuditAppends(server);
    const batchMs: number[] = [];
    let accepted = 0;
    const profiler = profile ? await startProfile() : null;
    const pgBefore = bench.pgApplication === undefined ? null : await postgresBackendCpu(bench.pgApplication);
    const mainBefore = threadCpuUs();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      work.map(async ({ station, bodies }) => {
        for (const body of bodies) {
          const t = performance.now();
          const receipts = await station.pushEncoded(body);
          batchMs.push(performance.now() - t);
          const odd = receipts.find((r) => r.outcome !== 'accepted');
          if (odd !== undefined) throw new Error(`bench event not accepted: ${JSON.stringify(odd)}`);
          accepted += receipts.length;
          if (receipts.length !== BATCH) throw new Error(`a batch of ${receipts.length}, not ${BATCH}`);
        }
      }),
    );
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const mainAfter = threadCpuUs();
    const pgAfter = bench.pgApplication === undefined || pgBefore === null ? null : await postgresBackendCpu(bench.pgApplication);
    const profiled = profiler === null ? null : await profiler.stop(PROFILE_DIR === undefined ? undefined : join(PROFILE_DIR, `ingest-${backend}-${variant}-${Date.now()}.cpuprofile`));
    const pgSeconds = pgBefore === null || pgAfter === null || pgAfter.size === 0 ? null : backendCpuUsed(pgBefore, pgAfter);
    return {
      rate: accepted / (wall / 1000),
      batchMs,
      auditShare: audit.ms() / wall,
      auditPerEntryUs: (audit.ms() * 1000) / Math.max(1, audit.entries()),
      cpuPerEventUs: (cpu.user + cpu.system) / accepted,
      mainCpuPerEventUs: mainBefore === null || mainAfter === null ? NaN : (mainAfter - mainBefore) / accepted,
      postgresPerEventUs: pgSeconds === null ? null : (pgSeconds * 1e6) / accepted,
      breakdown: profiled === null ? null : formatBreakdown(profiled, accepted, mainBefore === null || mainAfter === null ? undefined : mainAfter - mainBefore),
    };
  } finally {
    await bench.dispose();
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en');

async function ingestOn(backend: 'PGlite' | 'PostgreSQL'): Promise<void> {
  const figures = new Map<Variant, { rates: number[]; batchMs: number[]; share: number[]; perEntry: number[]; cpu: number[]; main: number[]; postgres: number[] }>();
  // Alternated so that a warmer process or disk does not favour one variant.
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) {
      const result = await ingestRound(backend, variant);
      if (result === null) return;
      const f = figures.get(variant) ?? { rates: [], batchMs: [], share: [], perEntry: [], cpu: [], main: [], postgres: [] };
      f.cpu.push(result.cpuPerEventUs);
      f.main.push(result.mainCpuPerEventUs);
      if (result.postgresPerEventUs !== null) f.postgres.push(result.postgresPerEventUs);
      f.rates.push(result.rate);
      f.batchMs.push(...result.batchMs);
      f.share.push(result.auditShare);
      f.perEntry.push(result.auditPerEntryUs);
      figures.set(variant, f);
    }
  }
  const full = figures.get('full');
  const stub = figures.get('no-verify');
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  if (full !== undefined) {
    console.log(
      `  ${backend}: median ${fmt(median(full.rates))} events/s accepted over HTTP, chains and run signatures checked and every receipt appended to the Merkle log with a signed checkpoint per batch ` +
        `(${ROUNDS} rounds, each a fresh plant and ${STATIONS} stations × ${BATCHES_PER_STATION} batches of ${BATCH}: ${full.rates.map(fmt).join(', ')}); ` +
        `batch round trip median ${median(full.batchMs).toFixed(0)} ms with ${STATIONS} stations waiting their turn; load average ${load}`,
    );
    console.log(
      `    of which the audit log's append on the batch's path (chaining, encoding, hashes, inserts, checkpoint; inside the batch's transaction): median ${(median(full.share) * 100).toFixed(0)}% of the wall time, ` +
        `${median(full.perEntry).toFixed(0)} µs per entry`,
    );
    const pgCpu = full.postgres.length === 0 ? null : median(full.postgres);
    const ours = median(full.cpu);
    console.log(
      `    CPU per event: this process (server, worker pool, and the bench's stations sending and reading) median ${ours.toFixed(0)} µs (${full.cpu.map((c) => c.toFixed(0)).join(', ')}), ` +
        `its main thread ${median(full.main).toFixed(0)} µs` +
        (pgCpu === null ? '' : `; PostgreSQL's backends ${pgCpu.toFixed(0)} µs`) +
        `; on ${os.availableParallelism()} cores that allows at most ${fmt((os.availableParallelism() * 1e6) / (ours + (pgCpu ?? 0)))} events/s`,
    );
  }
  if (stub !== undefined) {
    console.log(
      `    same workload, station signature check stubbed out ("valid" without verifying): median ${fmt(median(stub.rates))} events/s ` +
        `(${stub.rates.map(fmt).join(', ')})` +
        (full === undefined ? '' : `; signature verification costs ${((1 - median(full.rates) / median(stub.rates)) * 100).toFixed(0)}% of throughput`),
    );
  }
  if (BREAKDOWN) {
    const profiled = await ingestRound(backend, VARIANTS[0] ?? 'full', true);
    if (profiled?.breakdown != null) console.log(`    where it goes (one more round, profiled; ${fmt(profiled.rate)} events/s): ${profiled.breakdown}`);
  }
}

/** Runs the ingest benchmark on both backends and prints the figures. */
export async function run(): Promise<void> {
  console.log(`ingest (machine: ${machine()}); targets ≥ 8,000 events/s on PGlite, ≥ 10,000 on PostgreSQL`);
  const backends = (process.env['BENCH_BACKENDS'] ?? 'PGlite,PostgreSQL').split(',');
  if (backends.includes('PGlite')) await ingestOn('PGlite');
  if (backends.includes('PostgreSQL')) await ingestOn('PostgreSQL');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
