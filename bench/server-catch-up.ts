/**
 * Catch-up: a station back from a long time offline pushes 5,000 pending events, in pushes of the
 * station's own batch size (PUSH_BATCH_SIZE) one after another as its pusher does, until every
 * receipt is back. The pending events are signed and each push's body encoded before the clock
 * (the station's work). Beside the wall time: the CPU of this process (all threads), of the
 * PostgreSQL backends serving it, and where the main thread's goes in the last run (profiled;
 * bench/cpu-breakdown.ts). Printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PUSH_BATCH_SIZE } from '../src/sync/replication.ts';
import os from 'node:os';
import { addBenchOrders, BenchStation, benchServer, machine, median, postgresBackendCpu, unitsOf } from './ingest.ts';
import { formatBreakdown, startProfile, type CpuProfile } from './cpu-breakdown.ts';

const EVENTS = 5000;
const BATCH = PUSH_BATCH_SIZE;
const RUNS = Number(process.env['BENCH_ROUNDS'] ?? 3);

async function catchUpOn(backend: 'PGlite' | 'PostgreSQL'): Promise<void> {
  const bench = await benchServer(backend);
  if (bench === null) return;
  const { server } = bench;
  try {
    const times: number[] = [];
    const cpu: number[] = [];
    const postgres: number[] = [];
    let profiled: { profile: CpuProfile; mainUs: number } | null = null;
    for (let run = 0; run < RUNS; run++) {
      const { workOrders, lotId } = await addBenchOrders(server, `WO-CU${run}`, Math.ceil(EVENTS / 8 / 5), 5);
      const station = await BenchStation.enroll(server.url, `Catch-up ${run}`);
      const pending = station.shift(unitsOf(workOrders), lotId).slice(0, EVENTS);
      const bodies: string[] = [];
      for (let start = 0; start < pending.length; start += BATCH) bodies.push(station.encodePush(pending.slice(start, start + BATCH)));
      const profiler = run === RUNS - 1 ? await startProfile() : null;
      const pgBefore = bench.pgApplication === undefined ? null : await postgresBackendCpu(bench.pgApplication);
      const mainBefore = process.threadCpuUsage();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      let receipts = 0;
      for (const body of bodies) receipts += (await station.pushEncoded(body)).length;
      times.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      const main = process.threadCpuUsage(mainBefore);
      cpu.push((used.user + used.system) / 1000);
      if (pgBefore !== null && bench.pgApplication !== undefined) {
        const pgAfter = await postgresBackendCpu(bench.pgApplication);
        let seconds = 0;
        for (const [pid, s] of pgAfter) seconds += s - (pgBefore.get(pid) ?? 0);
        if (pgAfter.size > 0) postgres.push(seconds * 1000);
      }
      if (profiler !== null) profiled = { profile: await profiler.stop(), mainUs: main.user + main.system };
      if (receipts !== EVENTS) throw new Error(`${receipts} receipts for ${EVENTS} events`);
    }
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(
      `  ${backend}: ${EVENTS.toLocaleString('en')} events in pushes of ${BATCH}, all receipts back: median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')} ms); ` +
        `CPU of this process (all threads) median ${median(cpu).toFixed(0)} ms` +
        (postgres.length === 0 ? '' : `, of PostgreSQL's backends ${median(postgres).toFixed(0)} ms`) +
        `; load average ${load}`,
    );
    if (profiled !== null) console.log(`    where it goes (last run, profiled): ${formatBreakdown(profiled.profile, EVENTS, profiled.mainUs)}`);
  } finally {
    await bench.dispose();
  }
}

/** Runs the catch-up benchmark on both backends and prints the figures. */
export async function run(): Promise<void> {
  console.log(`catch-up (machine: ${machine()})`);
  const backends = (process.env['BENCH_BACKENDS'] ?? 'PGlite,PostgreSQL').split(',');
  if (backends.includes('PGlite')) await catchUpOn('PGlite');
  if (backends.includes('PostgreSQL')) await catchUpOn('PostgreSQL');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
