/**
 * `npm run bench`: figures printed, never asserted. `npm run bench -- ingest` runs only the benches
 * whose name contains "ingest".
 *
 * - domain (here): folding N events over the demo plant (what a station does when it opens), one
 *   more event on a plant that already holds N events (the domain's share of scan-to-screen), and
 *   the checks an operator's tap runs first.
 * - the sync server, each in its own process so one's heap does not slow the next: ingest
 *   (bench/ingest.ts, signed events and the Merkle append, with the audit work measured apart),
 *   bootstrap (bench/bootstrap.ts), catch-up (bench/server-catch-up.ts), audit verification
 *   (bench/audit-verify.ts), the evidence package (bench/evidence.ts).
 * - in Chromium against the real server: catch-up of 5,000 events recorded offline
 *   (bench/browser-catch-up.ts), scan to screen with 100,000 events in the station's store
 *   (bench/scan-to-screen.ts), cold start offline from the service worker (bench/cold-start.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { StationEvent } from '../schemas/event.ts';
import { demoPlantViews } from '../sync-server/seed/demo-plant.ts';
import { applyEvent, plantFromViews, reduceEvents } from '../src/domain/plant.ts';
import { checkStart } from '../src/domain/traveler.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** A station's worth of events: starts and completions over many synthetic serials of WO-1001. */
function syntheticEvents(count: number): StationEvent[] {
  const events: StationEvent[] = [];
  const at = Date.parse('2026-11-21T06:00:00Z');
  for (let i = 0; events.length < count; i++) {
    const unit = { kind: 'serial', serial: `SN-BENCH-${i}` } as const;
    for (const type of ['op.started', 'op.completed'] as const) {
      const seq = events.length + 1;
      events.push({
        id: `00000000-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`,
        type,
        stationId: 'ST-BENCH',
        seq,
        actor: 'B-1001',
        deviceTime: new Date(at + seq).toISOString(),
        hlc: `${(at + seq).toString().padStart(15, '0')}:000000:ST-BENCH`,
        payload: { workOrderId: 'WO-1001', operationId: 'OP10', unit, instructionRevision: 'D' },
        // The reducers never look at signatures; the ingest benches sign for real.
        prevHash: '0'.repeat(64),
        signature: 'unsigned-domain-bench',
      });
    }
  }
  return events.slice(0, count);
}

async function domainFigures(): Promise<void> {
  const views = (await demoPlantViews()).map((v, i) => ({ ...v, id: `${v.kind}:${v.key}`, serverSeq: i + 1 }));
  const base = plantFromViews(views);
  const events = syntheticEvents(EVENTS);

  const reduceRuns: number[] = [];
  let full = base;
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    full = reduceEvents(base, events);
    reduceRuns.push(performance.now() - started);
  }

  const one = syntheticEvents(EVENTS + 1).at(-1);
  if (one === undefined) throw new Error('no event');
  const applyRuns: number[] = [];
  const checkRuns: number[] = [];
  for (let run = 0; run < 200; run++) {
    let started = performance.now();
    checkStart(full, { workOrderId: 'WO-1001', unit: { kind: 'serial', serial: 'SN-1001-01' }, operationId: 'OP10', actor: 'B-1001', at: new Date() });
    checkRuns.push(performance.now() - started);
    started = performance.now();
    applyEvent(full, one);
    applyRuns.push(performance.now() - started);
  }

  // One event after another, each on the plant the one before made, as a station does scan after scan.
  const chainRuns: number[] = [];
  let chained = full;
  for (const event of syntheticEvents(EVENTS + 1000).slice(EVENTS)) {
    const started = performance.now();
    chained = applyEvent(chained, event);
    chainRuns.push(performance.now() - started);
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${os.cpus().length} × ${cpu}, Node ${process.version}`);
  console.log(`reduce ${EVENTS.toLocaleString('en')} events over the demo plant: median ${median(reduceRuns).toFixed(0)} ms (${Math.round(EVENTS / (median(reduceRuns) / 1000)).toLocaleString('en')} events/s), 5 runs`);
  console.log(`apply one event to a plant holding ${EVENTS.toLocaleString('en')}: median ${median(applyRuns).toFixed(2)} ms, p95 ${percentile(applyRuns, 0.95).toFixed(2)} ms, 200 runs`);
  console.log(`apply 1,000 events one after another to that plant: median ${median(chainRuns).toFixed(3)} ms, p95 ${percentile(chainRuns, 0.95).toFixed(3)} ms, max ${Math.max(...chainRuns).toFixed(2)} ms`);
  console.log(`checkStart on that plant: median ${median(checkRuns).toFixed(3)} ms, p95 ${percentile(checkRuns, 0.95).toFixed(3)} ms, 200 runs`);
}

/** The server benches, run one after another as child processes. */
const SERVER_BENCHES = ['bench/ingest.ts', 'bench/bootstrap.ts', 'bench/server-catch-up.ts', 'bench/audit-verify.ts', 'bench/evidence.ts', 'bench/browser-catch-up.ts', 'bench/scan-to-screen.ts', 'bench/cold-start.ts'];

const only = process.argv.slice(2);
const wanted = (name: string): boolean => only.length === 0 || only.some((word) => name.includes(word));

if (wanted('domain')) await domainFigures();
for (const file of SERVER_BENCHES.filter(wanted)) {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) {
    console.error(`${file} failed (exit ${code})`);
    process.exitCode = 1;
  }
}
