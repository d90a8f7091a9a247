/**
 * Audit verification: how fast the offline verifier (`npm run audit:verify -- --data <DATA_DIR>`)
 * gets through a large log. The log is written by the audit log's own append function, in the
 * server's store on PGlite in a temp DATA_DIR: 20 enrolled stations, then receipts of
 * station-signed, chained events (1,000 per append, as a push records a batch). Then timed, on a
 * log read into memory: hashes and Merkle only (every entry's RFC 8785 form, leaf and node hashes,
 * every checkpoint's root and signature; the verifier's skipEntrySignatures and
 * skipStationSignatures options); the default check of format 6 (plus every station chain's run
 * signatures); `--all-signatures` (every event's own signature); each on one thread (verifyLog) and on the worker pool
 * (verifyLogParallel, what `--all-signatures` runs). Then the command itself on the data directory,
 * reading the stored bytes and checking at once (verify-read.ts, verify-scan.ts, verifyRawPages),
 * and where its CPU goes by thread. Entries per second and the time 1,000,000 entries would take at
 * that rate, with the floor the Ed25519 checks alone set on this machine. Printed, never asserted.
 */
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import os from 'node:os';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { AUDIT_ORIGIN } from '../sync-server/app.ts';
import { createAuditLog, type EntryDraft } from '../sync-server/audit/audit-log.ts';
import { loadOrCreateServerKey } from '../sync-server/audit/server-key.ts';
import { bundleFromDataDir, main as verifyCommand, sourceFromDataDir } from '../sync-server/audit/verify-cli.ts';
import type { LogEntry } from '../sync-server/audit/entry-check.ts';
import { createScanPool, type PageScanner } from '../sync-server/audit/verify-pool.ts';
import { rawLogFromDataDir, type RawPage } from '../sync-server/audit/verify-read.ts';
import { createVerifierPool, type SignatureVerifier } from '../sync-server/audit/verifier-pool.ts';
import { verifyLog, verifyLogParallel, verifyRawPages, type EntryChecker, type VerifyOptions } from '../sync-server/audit/verify.ts';
import { openStore } from '../sync-server/store/store.ts';
import { TestChain, testKey } from '../tests/helpers/signing.ts';
import { machine, median } from './ingest.ts';

// 50,000 by default (writing costs one station signature per event); BENCH_AUDIT_ENTRIES=200000 for a longer log.
const ENTRIES = Number(process.env['BENCH_AUDIT_ENTRIES'] ?? 50_000);
const STATIONS = 20;
const PER_APPEND = 1000;
const QUICK_RUNS = 3;
// The signature runs take seconds each: one run unless asked for more.
const SIGNED_RUNS = Number(process.env['BENCH_AUDIT_SIGNED_RUNS'] ?? 1);
const TARGET_SECONDS = 10;

/** Writes a log of about ENTRIES entries into a fresh store under `dataDir`, signing on `pool`. */
export async function writeLog(dataDir: string, _pool: SignatureVerifier): Promise<void> {
  const store = await openStore({ dataDir });
  try {
    const log = createAuditLog({ key: loadOrCreateServerKey({ dataDir, keyName: AUDIT_ORIGIN }), now: () => new Date() });
    await store.locked((tx) => log.open(tx.sql));
    const at = new Date().toISOString();
    const stations = Array.from({ length: STATIONS }, (_, i) => ({ id: randomUUID(), name: `Audit bench ${i}`, chain: new TestChain(testKey('Ed25519')), seq: 0 }));
    await store.locked((tx) =>
      log.append(
        tx.sql,
        stations.flatMap((s): EntryDraft[] => [
          { kind: 'station.enrolled', recordedAt: at, actor: 'B-3001', role: 'supervisor', stationId: s.id, subject: { name: s.name, publicKey: s.chain.key.publicKey, keyAlg: 'Ed25519', programs: [] } },
          {
            kind: 'station.approved', recordedAt: at, actor: 'B-3001', role: 'supervisor', stationId: s.id,
            signature: { signerBadge: 'B-3001', printedName: 'Sam Reyes', meaning: 'approved station enrollment', signedAt: at, reason: `Enrolled ${s.name}` },
          },
        ]),
      ),
    );
    let serverSeq = 0;
    const receipts = ENTRIES - 1 - 2 * STATIONS;
    for (let done = 0; done < receipts; done += PER_APPEND) {
      const station = stations[(done / PER_APPEND) % STATIONS] as (typeof stations)[number];
      const drafts: EntryDraft[] = [];
      for (let i = 0; i < Math.min(PER_APPEND, receipts - done); i++) {
        const seq = ++station.seq;
        const time = new Date(Date.now() - 3_600_000 + seq);
        const unit = { kind: 'serial', serial: `SN-AUDIT-${Math.floor(seq / 8)}` } as const;
        const event = station.chain.sign({
          id: randomUUID(), type: seq % 2 === 1 ? 'op.started' : 'op.completed', stationId: station.id, seq, actor: 'B-1001',
          deviceTime: time.toISOString(), hlc: `${time.getTime().toString().padStart(15, '0')}:000000:${station.id}`,
          payload: { workOrderId: 'WO-1001', operationId: 'OP10', unit, instructionRevision: 'D' },
        });
        drafts.push({
          kind: 'receipt', recordedAt: new Date().toISOString(), actor: event.actor, role: 'operator', stationId: station.id, eventId: event.id, eventType: event.type,
          serverSeq: ++serverSeq, outcome: 'accepted', flags: [], deviceTime: event.deviceTime, hlc: event.hlc, unit: `serial:${unit.serial}`, event,
        });
      }
      await store.locked((tx) => log.append(tx.sql, drafts));
    }
    await store.locked((tx) => log.checkpointIfBehind(tx.sql));
  } finally {
    await store.close();
  }
}

/** Wall times of runs, and the CPU (ms, every thread of the process) each took: on a shared machine the second says more. */
interface Timed {
  wall: number[];
  cpu: number[];
}

function timeVerify(bundle: Awaited<ReturnType<typeof bundleFromDataDir>>, options: VerifyOptions, runs: number): Timed {
  const times: Timed = { wall: [], cpu: [] };
  for (let run = 0; run < runs; run++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const verdict = verifyLog(bundle.entries, bundle.checkpoints, options);
    times.wall.push(performance.now() - started);
    times.cpu.push(cpuMs(cpu));
    if (!verdict.ok) throw new Error(`the bench log does not verify: ${JSON.stringify(verdict)}`);
  }
  return times;
}

/** The same on the worker pool, the entries handed over in pages as the command reads them. */
async function timeParallel(bundle: Awaited<ReturnType<typeof bundleFromDataDir>>, pool: EntryChecker, options: VerifyOptions, runs: number): Promise<Timed> {
  const pages = Array.from({ length: Math.ceil(bundle.entries.length / 5000) }, (_, i) => bundle.entries.slice(i * 5000, (i + 1) * 5000));
  const times: Timed = { wall: [], cpu: [] };
  for (let run = 0; run < runs; run++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const verdict = await verifyLogParallel(pages, bundle.checkpoints, pool, options);
    times.wall.push(performance.now() - started);
    times.cpu.push(cpuMs(cpu));
    if (!verdict.ok) throw new Error(`the bench log does not verify: ${JSON.stringify(verdict)}`);
  }
  return times;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** CPU of the calling thread (ms) since `since`. */
function threadMs(since: NodeJS.CpuUsage): number {
  const used = process.threadCpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * What the command does with a data directory (open it read only, read it page by page as stored
 * bytes while the workers check the pages), timed by thread: the main thread's CPU reading pages
 * from PGlite (WebAssembly on this thread) and cutting them into rows, the rest of the main thread
 * (rebuilding the workers' compact checks, the ordered checks and the Merkle tree) and the
 * workers' CPU (process CPU less the main thread's: the RFC 8785 scan, leaf and chain hashes, subjects).
 */
async function commandBreakdown(dataDir: string, scanner: PageScanner): Promise<{ wall: number; cpu: number; main: number; read: number; open: number; entries: number }> {
  const cpu = process.cpuUsage();
  const main = process.threadCpuUsage();
  const started = performance.now();
  const log = await rawLogFromDataDir(dataDir);
  const open = threadMs(main);
  let read = 0;
  let entries = 0;
  async function* timed(): AsyncGenerator<RawPage> {
    for (;;) {
      const before = process.threadCpuUsage();
      const next = await log.pages.next();
      read += threadMs(before);
      if (next.done === true) return;
      entries += next.value.indexes.length;
      yield next.value;
    }
  }
  const verdict = await verifyRawPages(timed(), log.checkpoints, scanner, {});
  if (!verdict.ok) throw new Error(`the bench log does not verify: ${JSON.stringify(verdict)}`);
  return { wall: performance.now() - started, cpu: cpuMs(cpu), main: threadMs(main), read, open, entries };
}

/**
 * The same with the data directory read as entries (rows of strings) and checked in chunks on the
 * crypto pool (verifyLogParallel): what `--all-signatures` and `--out` read, and what the command
 * did for every run before it read stored bytes. For comparison on the same log.
 */
async function entriesBreakdown(dataDir: string, pool: EntryChecker): Promise<Awaited<ReturnType<typeof commandBreakdown>>> {
  const cpu = process.cpuUsage();
  const main = process.threadCpuUsage();
  const started = performance.now();
  const source = await sourceFromDataDir(dataDir);
  const open = threadMs(main);
  let read = 0;
  let entries = 0;
  const pages = source.pages as AsyncIterable<LogEntry[]>;
  async function* timed(): AsyncGenerator<LogEntry[]> {
    const iterator = pages[Symbol.asyncIterator]();
    for (;;) {
      const before = process.threadCpuUsage();
      const next = await iterator.next();
      read += threadMs(before);
      if (next.done === true) return;
      entries += next.value.length;
      yield next.value;
    }
  }
  const verdict = await verifyLogParallel(timed(), source.checkpoints, pool, {});
  if (!verdict.ok) throw new Error(`the bench log does not verify: ${JSON.stringify(verdict)}`);
  return { wall: performance.now() - started, cpu: cpuMs(cpu), main: threadMs(main), read, open, entries };
}

/** Ed25519 signs and verifies per second on one core of this machine with node:crypto: the floor of a full run. */
function ed25519Rates(): { verify: number; sign: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const data = Buffer.alloc(1200, 1);
  const signature = sign(null, data, privateKey);
  let started = performance.now();
  for (let i = 0; i < 2000; i++) verify(null, data, publicKey, signature);
  const verifyRate = 2000 / ((performance.now() - started) / 1000);
  started = performance.now();
  for (let i = 0; i < 2000; i++) sign(null, data, privateKey);
  return { verify: verifyRate, sign: 2000 / ((performance.now() - started) / 1000) };
}

function printBreakdown(b: Awaited<ReturnType<typeof commandBreakdown>>): void {
  const per = (ms: number): string => `${((ms * 1000) / b.entries).toFixed(1)} µs`;
  console.log(
    `    where the CPU goes (${b.entries.toLocaleString('en')} entries, per entry): all threads ${per(b.cpu)}, wall ${(b.wall / 1000).toFixed(2)} s; ` +
      `main thread ${per(b.main)}: opening the data directory ${(b.open / 1000).toFixed(2)} s, reading pages from PGlite ${per(b.read)}, ` +
      `the rest (rebuilding the workers' checks, the ordered checks, the Merkle tree) ${per(b.main - b.read - b.open)}; ` +
      `the workers (the RFC 8785 scan, leaf and chain hashes, subjects) ${per(b.cpu - b.main)}`,
  );
}

/** Runs the verification benchmark and prints the figures. */
export async function run(): Promise<void> {
  console.log(`audit verify (machine: ${machine()}); target: 1,000,000 entries verified in ≤ ${TARGET_SECONDS} s`);
  // BENCH_AUDIT_DIR keeps the log there, and reuses it when it is already written.
  const kept = process.env['BENCH_AUDIT_DIR'];
  const dataDir = kept ?? (await mkdtemp(join(tmpdir(), 'travelog-bench-audit-')));
  const pool = createVerifierPool();
  try {
    let started = performance.now();
    if (kept === undefined || !existsSync(join(kept, 'pglite'))) await writeLog(dataDir, pool);
    const writeMs = performance.now() - started;
    // BENCH_AUDIT_ONLY=command: only the command's path and where its CPU goes (a quick look at a long log).
    if (process.env['BENCH_AUDIT_ONLY'] === 'command') {
      // Alternately, on the same log: stored bytes (what the command runs) and entries (as before).
      const scanner = createScanPool();
      try {
        for (let round = 0; round < Number(process.env['BENCH_AUDIT_ROUNDS'] ?? 1); round++) {
          console.log(`  round ${round + 1}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}:`);
          console.log('   stored bytes (verifyRawPages):');
          printBreakdown(await commandBreakdown(dataDir, scanner));
          console.log('   entries (verifyLogParallel, as before):');
          printBreakdown(await entriesBreakdown(dataDir, pool));
        }
      } finally {
        await scanner.close();
      }
      return;
    }
    started = performance.now();
    const bundle = await bundleFromDataDir(dataDir);
    const readMs = performance.now() - started;
    const n = bundle.entries.length;
    console.log(`  log: ${n.toLocaleString('en')} entries, ${bundle.checkpoints.length.toLocaleString('en')} checkpoints (written through the log's append in ${(writeMs / 1000).toFixed(1)} s); read from the PGlite data directory in ${(readMs / 1000).toFixed(2)} s`);
    const cores = os.availableParallelism();
    const row = (label: string, times: Timed): number => {
      const ms = median(times.wall);
      const rate = n / (ms / 1000);
      const cpuPerEntry = (median(times.cpu) * 1000) / n;
      console.log(
        `  ${label}: median ${(ms / 1000).toFixed(2)} s, ${Math.round(rate).toLocaleString('en')} entries/s (${times.wall.length} run${times.wall.length === 1 ? '' : 's'}: ${times.wall.map((t) => (t / 1000).toFixed(2)).join(', ')} s) → 1,000,000 entries ≈ ${(1e6 / rate).toFixed(1)} s; ` +
          `CPU ${cpuPerEntry.toFixed(0)} µs per entry (all threads; on ${cores} free cores at most ${Math.round((cores * 1e6) / cpuPerEntry).toLocaleString('en')} entries/s)`,
      );
      return rate;
    };
    console.log(`  one thread (verifyLog):`);
    row('  hashes and Merkle only (RFC 8785 form, leaf and node hashes, checkpoint roots and their signatures)', timeVerify(bundle, { skipEntrySignatures: true, skipStationSignatures: true }, QUICK_RUNS));
    row('  default (plus each station run\'s last signature: format 6)', timeVerify(bundle, {}, QUICK_RUNS));
    row('  --all-signatures (plus every event\'s own station signature)', timeVerify(bundle, { allSignatures: true }, SIGNED_RUNS));
    console.log(`  worker pool of ${cores} (verifyLogParallel, as npm run audit:verify runs):`);
    row('  hashes and Merkle only', await timeParallel(bundle, pool, { skipEntrySignatures: true, skipStationSignatures: true }, QUICK_RUNS));
    const full = row('  default (format 6)', await timeParallel(bundle, pool, {}, QUICK_RUNS));
    row('  --all-signatures', await timeParallel(bundle, pool, { allSignatures: true }, SIGNED_RUNS));
    const commandTimes: Timed = { wall: [], cpu: [] };
    for (let run = 0; run < SIGNED_RUNS; run++) {
      const cpu = process.cpuUsage();
      started = performance.now();
      const log = console.log;
      console.log = () => undefined;
      let code: number;
      try {
        code = await verifyCommand(['--data', dataDir]);
      } finally {
        console.log = log;
      }
      commandTimes.wall.push(performance.now() - started);
      commandTimes.cpu.push(cpuMs(cpu));
      if (code !== 0) throw new Error(`npm run audit:verify -- --data exited ${code}`);
    }
    const command = row('npm run audit:verify -- --data <dir> (reading the data directory page by page while the pool checks)', commandTimes);
    const scanner = createScanPool();
    try {
      printBreakdown(await commandBreakdown(dataDir, scanner));
    } finally {
      await scanner.close();
    }
    const rates = ed25519Rates();
    const floor = 1e6 * (2 / rates.verify) / cores;
    console.log(
      `  1,000,000 entries verified (default, format 6): ≈ ${(1e6 / full).toFixed(1)} s in memory, ≈ ${(1e6 / command).toFixed(1)} s by the command from the data directory; target ≤ ${TARGET_SECONDS} s: ${1e6 / command <= TARGET_SECONDS ? 'met' : 'NOT met'}. ` +
        `--all-signatures verifies 1 Ed25519 signature per receipt entry (format 6 entries have none of their own); node:crypto verifies ${Math.round(rates.verify).toLocaleString('en')}/s per core ` +
        `(signs ${Math.round(rates.sign).toLocaleString('en')}/s), so ${cores} cores need ≥ ${(floor / 2).toFixed(0)} s per million for those signatures alone`,
    );
  } finally {
    await pool.close();
    if (kept === undefined) await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
