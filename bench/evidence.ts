/**
 * The evidence package (docs/evidence.md) on a large plant: BENCH_EVIDENCE_ENTRIES audit entries
 * (1,000,000 by default), among them a serial with 500 entries of its own (starts, completions and
 * consumptions of three lots into it) and a lot consumed into 10,000 units, on PGlite and then on
 * PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, else 127.0.0.1:5432/test; skipped when not
 * reachable; BENCH_EVIDENCE_STORES=pglite or =postgres runs one). Printed, never asserted: wall and
 * CPU time of each, the load average, and where the time goes.
 *
 * - build: `buildEvidence` of the serial (what `GET /api/evidence` and `npm run evidence -- --data` run):
 *   the time waiting on its SQL queries and on its inclusion proofs' node rows, the rest in
 *   JavaScript; on PostgreSQL also the CPU of the bench's own database backends (read from /proc by
 *   their application name, as the database runs on this machine);
 * - where-used: the genealogy API's walk of the wide lot (`genealogyFor`, what
 *   `GET /api/genealogy/where-used` runs on the server's plant) and its JSON answer, split into walk,
 *   JSON and program clearance; the same right after a push (a change of the plant, which carries the
 *   genealogy index: src/domain/genealogy.ts), and the index built from nothing for comparison;
 * - verify: `verifyEvidence` (what `npm run evidence:verify` runs) of the serial's package, and what
 *   its Ed25519 station signatures alone cost.
 *
 * The log is written with the audit log's own append (the same entry text, Merkle nodes, subject
 * index and signed checkpoint as the server writes), in batches of BENCH_EVIDENCE_BATCH entries
 * (20,000): the per-append cost (reading the frontier and the heads of the batch's subjects, one
 * checkpoint) is paid 50 times, not 1,000 times. Events about units no package reads carry no station
 * signature (signing 1,000,000 events would be most of the build); every event a package carries is
 * signed and chained. The built store is kept (PGlite: `$TMPDIR/travelog-bench-evidence-<n>`;
 * PostgreSQL: schema `travelog_bench_evidence_<n>`, its key and events in
 * `$TMPDIR/travelog-bench-evidence-pg-<n>`) and reused by the next run; BENCH_EVIDENCE_FRESH=1 builds
 * it again.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StationEvent } from '../schemas/event.ts';
import pg from 'pg';
import { applyEventToDraft, changePlant, emptyPlant, reduceEvents, type PlantState } from '../src/domain/plant.ts';
import { AUDIT_ORIGIN } from '../sync-server/app.ts';
import { createAuditLog, type AuditLog, type EntryDraft } from '../sync-server/audit/audit-log.ts';
import { programIndex } from '../sync-server/audit/clearance.ts';
import { loadOrCreateServerKey } from '../sync-server/audit/server-key.ts';
import { verifyEvidence } from '../sync-server/evidence/evidence-verify.ts';
import { plantGenealogy } from '../sync-server/evidence/genealogy-source.ts';
import { buildEvidence } from '../sync-server/evidence/package.ts';
import { genealogyFor, MAX_GENEALOGY_NODES } from '../sync-server/genealogy/routes.ts';
import { genealogyOf, whereUsed } from '../src/domain/genealogy.ts';
import type { SqlClient } from '../sync-server/store/sql-client.ts';
import { openStore } from '../sync-server/store/store.ts';
import { TestChain, testKey } from '../tests/helpers/signing.ts';
import { BENCH_DATABASE_URL, machine } from './ingest.ts';

const ENTRIES = Number(process.env['BENCH_EVIDENCE_ENTRIES'] ?? 1_000_000);
const BATCH = Number(process.env['BENCH_EVIDENCE_BATCH'] ?? 20_000);
const OWN = 500;
const WIDE = Math.min(10_000, Math.floor(ENTRIES / 4));
const RUNS = 3;
const SERIAL = 'SN-EVIDENCE-1';
const WIDE_LOT = 'L-BENCH-WIDE';
const LOTS = ['L-BENCH-0', 'L-BENCH-1', 'L-BENCH-2'];

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');

/** Writes the log: the serial's own entries and the wide lot's consumptions spread evenly among the rest. */
async function buildLog(store: Awaited<ReturnType<typeof openStore>>, log: AuditLog): Promise<StationEvent[]> {
  const station = { id: randomUUID(), chain: new TestChain(testKey('Ed25519')), seq: 0 };
  const at = new Date().toISOString();
  await store.locked((tx) =>
    log.append(tx.sql, [{ kind: 'station.enrolled', recordedAt: at, actor: 'B-3001', role: 'supervisor', stationId: station.id, subject: { name: 'Bench', publicKey: station.chain.key.publicKey, keyAlg: 'Ed25519', programs: [] } }]),
  );
  const consumptions: StationEvent[] = [];
  const everyOwn = Math.max(1, Math.floor(ENTRIES / OWN));
  const everyWide = Math.max(1, Math.floor(ENTRIES / WIDE));
  let own = 0;
  let wide = 0;
  for (let done = 0; done < ENTRIES; done += BATCH) {
    const drafts: EntryDraft[] = [];
    for (let i = done; i < Math.min(ENTRIES, done + BATCH); i++) {
      const mine = i % everyOwn === 0 && own < OWN;
      const wideOne = !mine && i % everyWide === 1 && wide < WIDE;
      const seq = ++station.seq;
      const time = new Date(Date.now() - 3_600_000 + seq);
      const base = { id: randomUUID(), stationId: station.id, seq, actor: 'B-1001', deviceTime: time.toISOString(), hlc: `${time.getTime().toString().padStart(15, '0')}:000000:${station.id}` };
      let event: StationEvent;
      if (mine) {
        own++;
        const unit = { kind: 'serial', serial: SERIAL } as const;
        event = own % 10 === 0
          ? station.chain.sign({ ...base, type: 'material.consumed', payload: { workOrderId: 'WO-EVIDENCE', operationId: 'OP10', unit, material: { kind: 'lot', lotId: LOTS[own % 3] as string, partNumber: 'P-920', quantity: 1 }, scanned: 'L' } })
          : station.chain.sign({ ...base, type: own % 2 === 1 ? 'op.started' : 'op.completed', payload: { workOrderId: 'WO-EVIDENCE', operationId: 'OP10', unit, instructionRevision: 'D' } });
      } else if (wideOne) {
        wide++;
        event = station.chain.sign({ ...base, type: 'material.consumed', payload: { workOrderId: 'WO-WIDE', operationId: 'OP40', unit: { kind: 'serial', serial: `SN-WIDE-${wide}` }, material: { kind: 'lot', lotId: WIDE_LOT, partNumber: 'P-910', quantity: 1 }, scanned: 'L' } });
      } else {
        // About units no package here reads: unsigned (see above), eight entries per unit.
        event = { ...base, prevHash: '', signature: '', type: seq % 2 === 1 ? 'op.started' : 'op.completed', payload: { workOrderId: 'WO-1001', operationId: 'OP10', unit: { kind: 'serial', serial: `SN-BENCH-${Math.floor(i / 8)}` }, instructionRevision: 'D' } } as unknown as StationEvent;
      }
      if (event.type === 'material.consumed') consumptions.push(event);
      const unit = (event.payload as { unit: { serial: string } }).unit;
      drafts.push({
        kind: 'receipt', recordedAt: new Date().toISOString(), actor: event.actor, role: 'operator', stationId: station.id, eventId: event.id, eventType: event.type,
        serverSeq: seq, outcome: 'accepted', flags: [], deviceTime: event.deviceTime, hlc: event.hlc, unit: `serial:${unit.serial}`, event,
      });
    }
    await store.locked((tx) => log.append(tx.sql, drafts));
    if ((done / BATCH) % 10 === 9) process.stdout.write(`  … ${done + BATCH} entries (load ${load()})\n`);
  }
  return consumptions;
}

/** The plant the server would hold: the lots (bought, with provenance) and every consumption. */
function plantOf(consumptions: readonly StationEvent[]): PlantState {
  const { state } = changePlant(emptyPlant(), (draft) => {
    for (const lotId of [...LOTS, WIDE_LOT]) {
      draft.lots.set(lotId, {
        lotId, partNumber: lotId === WIDE_LOT ? 'P-910' : 'P-920', quantity: 20_000, remaining: 20_000,
        provenance: { supplier: 'Bossard AG', supplierLot: `S-${lotId}`, certificate: `CoC-${lotId}`, receivedDate: '2026-10-01' },
      });
    }
  });
  return reduceEvents(state, consumptions);
}

/**
 * Wall time during which at least one call is pending (calls overlap: the builder runs its proofs'
 * queries together), and how many calls.
 */
class Busy {
  ms = 0;
  calls = 0;
  private active = 0;
  private since = 0;
  async time<T>(run: () => Promise<T>): Promise<T> {
    if (this.active++ === 0) this.since = performance.now();
    this.calls += 1;
    try {
      return await run();
    } finally {
      if (--this.active === 0) this.ms += performance.now() - this.since;
    }
  }
}

/** An SqlClient whose queries count in `busy`. */
function timedSql(sql: SqlClient, busy: Busy): SqlClient {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'query' || typeof value !== 'function') return value;
      return (...args: unknown[]) => busy.time(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

type Backend = 'PGlite' | 'PostgreSQL';

/** Where a run keeps its store, its server key and the consumptions it wrote, so the next run reuses them. */
function place(backend: Backend): { dataDir: string; schema: string } {
  return { dataDir: join(tmpdir(), backend === 'PGlite' ? `travelog-bench-evidence-${ENTRIES}` : `travelog-bench-evidence-pg-${ENTRIES}`), schema: `travelog_bench_evidence_${ENTRIES}` };
}

/** The connection string with an application name, so the bench finds its own PostgreSQL backends. */
const PG_APP = 'travelog-bench-evidence';
const pgUrl = (): string => `${BENCH_DATABASE_URL}${BENCH_DATABASE_URL.includes('?') ? '&' : '?'}application_name=${PG_APP}`;

/** CPU time (ms) the PostgreSQL backends of this bench have used so far, read from /proc (the server runs on this machine). */
async function backendCpuMs(): Promise<number | null> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [PG_APP]);
    let ticks = 0;
    for (const { pid } of rows) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
      if (stat === null) return null;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    // Linux reports process times in clock ticks of 1/100 s.
    return ticks * 10;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function openBenchStore(backend: Backend, fresh: boolean): Promise<Awaited<ReturnType<typeof openStore>> | null> {
  const { dataDir, schema } = place(backend);
  if (backend === 'PGlite') return openStore({ dataDir });
  try {
    if (fresh) {
      const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
    return await openStore({ databaseUrl: pgUrl(), schema });
  } catch (error) {
    process.stdout.write(`PostgreSQL not reachable at ${BENCH_DATABASE_URL.replace(/\/\/[^@/]*@/, '//')}: skipped (${(error as Error).message})\n`);
    return null;
  }
}

const ms = (x: number): string => `${x.toFixed(0)} ms`;

async function runOn(backend: Backend): Promise<void> {
  const { dataDir } = place(backend);
  const built = join(dataDir, 'bench-consumptions.json');
  const fresh = process.env['BENCH_EVIDENCE_FRESH'] === '1' || !existsSync(built);
  if (fresh) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const store = await openBenchStore(backend, fresh);
  if (store === null) return;
  const serverCpu = backend === 'PostgreSQL' ? backendCpuMs : () => Promise.resolve(null);
  try {
    const key = loadOrCreateServerKey({ dataDir, keyName: AUDIT_ORIGIN });
    const log = createAuditLog({ key, now: () => new Date() });
    process.stdout.write(`evidence bench on ${backend} (${backend === 'PGlite' ? dataDir : place(backend).schema}), ${machine()}; load ${load()} at start\n`);
    let consumptions: StationEvent[];
    if (!fresh) {
      consumptions = JSON.parse(await readFile(built, 'utf8')) as StationEvent[];
      process.stdout.write(`reused the log of ${await log.size(store.sql)} entries\n`);
    } else {
      await store.locked((tx) => log.open(tx.sql));
      const cpu = process.cpuUsage();
      const written = performance.now();
      consumptions = await buildLog(store, log);
      await writeFile(built, JSON.stringify(consumptions));
      process.stdout.write(`wrote ${await log.size(store.sql)} entries (${OWN} about ${SERIAL}, ${WIDE} consuming ${WIDE_LOT}) in ${((performance.now() - written) / 1000).toFixed(0)} s wall, ${(cpuMs(cpu) / 1000).toFixed(0)} s CPU of this process, batches of ${BATCH}, load ${load()}\n`);
    }
    const plant = plantOf(consumptions);

    // The package of the serial, with where its time goes.
    const build = { wall: [] as number[], cpu: [] as number[], server: [] as number[], sql: [] as number[], queries: 0, proofs: [] as number[] };
    const check = { wall: [] as number[], cpu: [] as number[] };
    let summary: string[] = [];
    let size = 0;
    let pkgText = '';
    for (let run = 0; run < RUNS; run++) {
      const spent = new Busy();
      const sql = timedSql(store.sql, spent);
      const proofs = new Busy();
      const audit: AuditLog = { ...log, inclusions: (s, indexes, treeSize) => proofs.time(() => log.inclusions(s, indexes, treeSize)) };
      const server0 = await serverCpu();
      const cpu = process.cpuUsage();
      const started = performance.now();
      const pkg = await buildEvidence(
        { kind: 'serial', id: SERIAL },
        { sql, audit, plant, programs: programIndex(plant), cleared: null, genealogy: plantGenealogy(() => plant), key, now: () => new Date() },
      );
      build.wall.push(performance.now() - started);
      build.cpu.push(cpuMs(cpu));
      const server1 = await serverCpu();
      if (server0 !== null && server1 !== null) build.server.push(server1 - server0);
      build.sql.push(spent.ms);
      build.queries = spent.calls;
      build.proofs.push(proofs.ms);
      if (pkg === null) throw new Error('no package');
      pkgText = JSON.stringify(pkg);
      size = pkgText.length;
      const cpu2 = process.cpuUsage();
      const started2 = performance.now();
      summary = verifyEvidence(JSON.parse(pkgText));
      check.wall.push(performance.now() - started2);
      check.cpu.push(cpuMs(cpu2));
    }
    // What the station signatures alone cost in the check: the same number of Ed25519 verifications.
    const { createPublicKey, verify } = await import('node:crypto');
    const probe = new TestChain(testKey('Ed25519'));
    const sample = probe.sign({ id: randomUUID(), stationId: randomUUID(), seq: 1, actor: 'B-1001', deviceTime: new Date().toISOString(), hlc: '0', type: 'op.started', payload: { workOrderId: 'W', operationId: 'OP10', unit: { kind: 'serial', serial: 'S' }, instructionRevision: 'D' } } as never);
    const spki = createPublicKey({ key: Buffer.from(probe.key.publicKey, 'base64url'), format: 'der', type: 'spki' });
    const signatures = Number(/(\d+) station signatures verified/.exec(summary[1] ?? '')?.[1] ?? 0);
    const sigStart = performance.now();
    for (let i = 0; i < signatures; i++) verify(null, Buffer.from(JSON.stringify(sample)), spki, Buffer.from(sample.signature, 'base64url'));
    const sigMs = performance.now() - sigStart;

    // Where-used of the wide lot, as the genealogy API answers it (its bound: MAX_GENEALOGY_NODES).
    const L = { kind: 'lot', lotId: WIDE_LOT } as const;
    const timed = <T>(run: () => T): { value: T; wall: number; cpu: number } => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const value = run();
      return { value, wall: performance.now() - started, cpu: cpuMs(cpu) };
    };
    // The index of the whole plant, built from nothing (a plant loaded from views: at server start, after master data).
    const rebuilt = timed(() => genealogyOf({ ...plant }));
    genealogyFor(plant, [], 'where-used', L, MAX_GENEALOGY_NODES);
    const wide = { wall: [] as number[], cpu: [] as number[], walk: [] as number[], json: [] as number[], walkCpu: [] as number[], jsonCpu: [] as number[], bytes: 0, units: 0, truncated: false };
    const after = { wall: [] as number[], cpu: [] as number[], push: [] as number[], pushCpu: [] as number[] };
    let current = plant;
    for (let run = 0; run < 5; run++) {
      const answer = timed(() => genealogyFor(plant, [], 'where-used', L, MAX_GENEALOGY_NODES));
      const walk = timed(() => whereUsed(plant, L, { maxNodes: MAX_GENEALOGY_NODES }));
      const text = timed(() => JSON.stringify(answer.value));
      wide.wall.push(answer.wall + text.wall);
      wide.cpu.push(answer.cpu + text.cpu);
      wide.walk.push(walk.wall);
      wide.json.push(text.wall);
      wide.walkCpu.push(walk.cpu);
      wide.jsonCpu.push(text.cpu);
      wide.bytes = text.value.length;
      wide.units = answer.value?.root.children.length ?? 0;
      wide.truncated = answer.value?.truncated ?? false;
      // A push: one more unit built from the wide lot, decided as the server changes its plant (the
      // index is carried inside changePlant), then the where-used right after it.
      const seq = 10_000_000 + run;
      const time = new Date();
      const event = {
        id: randomUUID(), stationId: 'ST-BENCH', seq, actor: 'B-1001', deviceTime: time.toISOString(), hlc: `${time.getTime().toString().padStart(15, '0')}:000000:ST-BENCH`, prevHash: '', signature: '',
        type: 'material.consumed', payload: { workOrderId: 'WO-WIDE', operationId: 'OP40', unit: { kind: 'serial', serial: `SN-WIDE-PUSH-${run}` }, material: { kind: 'lot', lotId: WIDE_LOT, partNumber: 'P-910', quantity: 1 }, scanned: 'L' },
      } as unknown as StationEvent;
      const pushed = timed(() => changePlant(current, (draft) => applyEventToDraft(draft, event)).state);
      const next = timed(() => JSON.stringify(genealogyFor(pushed.value, [], 'where-used', L, MAX_GENEALOGY_NODES)));
      after.push.push(pushed.wall);
      after.pushCpu.push(pushed.cpu);
      after.wall.push(next.wall);
      after.cpu.push(next.cpu);
      current = pushed.value;
    }
    const wholeStart = performance.now();
    const whole = whereUsed(plant, L, { maxNodes: WIDE + 10 });
    const wholeMs = performance.now() - wholeStart;
    const server = build.server.length === 0 ? '' : `; the PostgreSQL backends used ${ms(median(build.server))} CPU besides`;

    process.stdout.write(
      [
        `package of ${SERIAL}: ${(size / 1024).toFixed(0)} KiB; ${summary[1] ?? ''}`,
        `build (buildEvidence on ${backend}): median ${ms(median(build.wall))} wall, ${ms(median(build.cpu))} CPU of this process${server} (${RUNS} runs: ${build.wall.map(ms).join(', ')} wall); ` +
          `of the wall time ${ms(median(build.sql))} waiting on ${build.queries} SQL queries (${ms(median(build.proofs))} of it reading the inclusion proofs' node rows), the rest (${ms(median(build.wall) - median(build.sql))}) the facts, subjects and proofs in JavaScript`,
        `verify (evidence:verify's check, parse included): median ${ms(median(check.wall))} wall, ${ms(median(check.cpu))} CPU (${RUNS} runs); ${signatures} Ed25519 station signatures alone ${ms(sigMs)}`,
        `where-used of ${WIDE_LOT} (${WIDE} units; the API's walk and JSON, limit ${MAX_GENEALOGY_NODES}): median ${ms(median(wide.wall))} wall, ${ms(median(wide.cpu))} CPU (5 runs), ${wide.units} units listed${wide.truncated ? ', truncated at the limit' : ''}, ${(wide.bytes / 1024).toFixed(0)} KiB; ` +
          `of the CPU the walk ${ms(median(wide.walkCpu))}, the JSON ${ms(median(wide.jsonCpu))}, the rest (program clearance: who may see each item, and withholding other programs' ids) ${ms(median(wide.cpu) - median(wide.walkCpu) - median(wide.jsonCpu))} (wall: walk ${ms(median(wide.walk))}, JSON ${ms(median(wide.json))})`,
        `where-used right after a push (one more unit from ${WIDE_LOT}; the index carried by the change): median ${ms(median(after.wall))} wall, ${ms(median(after.cpu))} CPU (5 pushes); the change itself, index included, ${median(after.push).toFixed(1)} ms wall, ${median(after.pushCpu).toFixed(1)} ms CPU`,
        `the genealogy index of the whole plant built from nothing (a plant loaded from views): ${ms(rebuilt.wall)} wall, ${ms(rebuilt.cpu)} CPU`,
        `where-used of ${WIDE_LOT}, every unit (${whole.visited - 1} visited, no JSON): ${ms(wholeMs)}`,
        `load at end ${load()}`,
        '',
      ].join('\n'),
    );
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const wanted = (process.env['BENCH_EVIDENCE_STORES'] ?? 'pglite,postgres').toLowerCase().split(',');
  if (wanted.includes('pglite')) await runOn('PGlite');
  if (wanted.includes('postgres') || wanted.includes('postgresql')) await runOn('PostgreSQL');
}

await main();
