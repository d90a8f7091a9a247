/**
 * Catch-up: a station back from a long time offline pushes 5,000 pending events, in pushes of the
 * station's own batch size (PUSH_BATCH_SIZE) one after another as its pusher does, until every
 * receipt is back. Printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PUSH_BATCH_SIZE } from '../src/sync/replication.ts';
import { addBenchOrders, BenchStation, benchServer, machine, median, unitsOf } from './ingest.ts';

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
    for (let run = 0; run < RUNS; run++) {
      const { workOrders, lotId } = await addBenchOrders(server, `WO-CU${run}`, Math.ceil(EVENTS / 8 / 5), 5);
      const station = await BenchStation.enroll(server.url, `Catch-up ${run}`);
      const pending = station.shift(unitsOf(workOrders), lotId).slice(0, EVENTS);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      let receipts = 0;
      for (let start = 0; start < pending.length; start += BATCH) receipts += (await station.push(pending.slice(start, start + BATCH))).length;
      times.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      if (receipts !== EVENTS) throw new Error(`${receipts} receipts for ${EVENTS} events`);
    }
    console.log(
      `  ${backend}: ${EVENTS.toLocaleString('en')} events in pushes of ${BATCH}, all receipts back: median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')} ms); ` +
        `CPU of this process (all threads) median ${median(cpu).toFixed(0)} ms`,
    );
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
