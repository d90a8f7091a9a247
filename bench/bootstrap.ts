/**
 * Bootstrap: how long a newly enrolled station takes to pull 50,000 documents (the demo plant plus
 * synthetic work orders and their serials) over HTTP, in pages of 5,000. Printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchStation, benchServer, machine, median } from './ingest.ts';
import { syntheticWorkOrders } from '../sync-server/seed/synthetic-plant.ts';

const DOCUMENTS = Number(process.env['BENCH_BOOTSTRAP_DOCUMENTS'] ?? 50_000);
const PAGE = 5000;
const RUNS = Number(process.env['BENCH_ROUNDS'] ?? 3);

async function bootstrapOn(backend: 'PGlite' | 'PostgreSQL'): Promise<void> {
  const bench = await benchServer(backend);
  if (bench === null) return;
  const { server } = bench;
  try {
    const existing = await server.store.countViews();
    // A work order and its 9 serials make 10 documents.
    const { views } = syntheticWorkOrders({ prefix: 'WO-BOOT', orders: Math.ceil((DOCUMENTS - existing) / 10), unitsPerOrder: 9 });
    await server.plant.putViews(views);
    const total = await server.store.countViews();
    const times: number[] = [];
    let bytes = 0;
    for (let run = 0; run < RUNS; run++) {
      const station = await BenchStation.enroll(server.url, `Bootstrap ${run}`);
      const started = performance.now();
      let checkpoint = 0;
      let received = 0;
      for (;;) {
        const page = await station.pull(checkpoint, PAGE);
        received += page.documents.length;
        if (run === 0) bytes += JSON.stringify(page).length;
        checkpoint = page.checkpoint;
        if (!page.hasMore) break;
      }
      times.push(performance.now() - started);
      if (received !== total) throw new Error(`pulled ${received} of ${total} documents`);
    }
    console.log(
      `  ${backend}: ${total.toLocaleString('en')} documents (${(bytes / 2 ** 20).toFixed(1)} MiB of JSON) in pages of ${PAGE}: median ${(median(times) / 1000).toFixed(2)} s ` +
        `(${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s over ${RUNS} new stations)`,
    );
  } finally {
    await bench.dispose();
  }
}

/** Runs the bootstrap benchmark on both backends and prints the figures. */
export async function run(): Promise<void> {
  console.log(`bootstrap (machine: ${machine()})`);
  const backends = (process.env['BENCH_BACKENDS'] ?? 'PGlite,PostgreSQL').split(',');
  if (backends.includes('PGlite')) await bootstrapOn('PGlite');
  if (backends.includes('PostgreSQL')) await bootstrapOn('PostgreSQL');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
