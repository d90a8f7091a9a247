/**
 * Scan to screen in Chromium: an operator has started an operation and scans a bar-stock lot's
 * ISO/IEC 15434 label with a keyboard wedge; timed in the page from the Enter of the burst to the
 * first frame that paints the lot in the step's "Material built in" table. The station holds
 * 100,000 events (seeded through the e2e driver as a history of work: starts, lots built in,
 * completions) and was reloaded so it starts over them. It stays offline: those events are not
 * signed and must never reach the server, and the scan path never waits on the network anyway.
 *
 * Each scan is checked against IndexedDB: the write transaction that stored the event must have
 * completed (strict durability) before that frame, as the recorder writes first and the screen
 * updates after (src/station/runtime.ts). Printed, never asserted.
 *
 * BENCH_PROFILE=<file> records a CPU profile of the page over each measured scan (CDP Profiler), all
 * in one JSON array, and BENCH_PROFILE_START=<file> one of the reload; BENCH_TIMINGS=<file> writes each scan's times and spans; BENCH_EVENTS and
 * BENCH_SAMPLES change the history and the number of scans.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { unitParam } from '../src/app/format.ts';
import { openDriverTab, withDriver } from '../tests/e2e/driver/driver.ts';
import { enrolledStation } from '../tests/e2e/faults-stack.ts';
import { Shell } from '../tests/e2e/pages/shell.ts';
import { StatusBar } from '../tests/e2e/pages/status-bar.ts';
import { StepPage } from '../tests/e2e/pages/step-page.ts';
import { browserStack, nameShim, percentile, waitForServiceWorker } from './browser.ts';
import { addBenchOrders, median } from './ingest.ts';

const HISTORY = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 100);
/** Scans before the measured ones: the first renders of the step screen compile and warm up. */
const WARM_UP = 5;
const TARGET_MS = 16;

/**
 * Added to every page before its own scripts: notes when each IndexedDB transaction on the events
 * collection starts and completes, and how long each WebCrypto digest and signature and each wait
 * for the recorder's Web Lock take, so a scan's figure can be checked against the commit of its
 * event and split into its parts. The wrappers only note times.
 */
const PROBE = `
  const trace = (window.__travelogTrace = []);
  const note = (what, start) => (end) => trace.push({ what, start, end });
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = transaction.call(this, stores, mode, options);
    if (this.name.endsWith('--events')) {
      const done = note(mode === 'readwrite' ? 'write' : 'read', performance.now());
      tx.addEventListener('complete', () => done(performance.now()));
    }
    return tx;
  };
  for (const name of ['digest', 'sign']) {
    const original = SubtleCrypto.prototype[name];
    SubtleCrypto.prototype[name] = function (...args) {
      const done = note(name, performance.now());
      return original.apply(this, args).then((result) => (done(performance.now()), result));
    };
  }
  if (typeof LockManager !== 'undefined') {
    const request = LockManager.prototype.request;
    LockManager.prototype.request = function (name, ...rest) {
      const done = note('lock', performance.now());
      const work = rest.at(-1);
      return request.call(this, name, ...rest.slice(0, -1), (lock) => (done(performance.now()), work(lock)));
    };
  }
`;

/** What the probe noted: a span of page time. */
interface Span {
  what: 'write' | 'read' | 'digest' | 'sign' | 'lock';
  start: number;
  end: number;
}

/** One scan, in page time (ms since navigation). */
interface ScanTiming {
  enter: number;
  /** The write of the event to IndexedDB completed. */
  committed: number | null;
  /** What the probe noted from Enter to the row in the DOM. */
  spans: Span[];
  /** React put the row in the DOM. */
  inDom: number;
  /** The next frame began (requestAnimationFrame): the row is painted in it. */
  frame: number;
  /** A task after that frame: painted and presented. */
  afterPaint: number;
}

type Stroke = { key: string; code?: string; ctrlKey?: boolean };

/** An ISO/IEC 15434 format 06 label naming a lot (1T), as a wedge types it: RS and EOT as Ctrl chords, GS as Ctrl+]. */
function lotLabelStrokes(lotId: string): Stroke[] {
  const rs: Stroke = { key: '6', code: 'Digit6', ctrlKey: true };
  const gs: Stroke = { key: ']', code: 'BracketRight', ctrlKey: true };
  const eot: Stroke = { key: 'd', code: 'KeyD', ctrlKey: true };
  const text = (s: string): Stroke[] => [...s].map((key) => ({ key }));
  return [...text('[)>'), rs, ...text('06'), gs, ...text(`1T${lotId}`), rs, eot];
}

/** Client-side navigation, as a link does: no reload, the station stays in memory. */
async function navigate(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    history.pushState(null, '', to);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

/** Types the label and Enter in one go, as a scanner does, and times Enter → the row on screen. */
function scanInPage(page: Page, strokes: Stroke[], lotId: string): Promise<ScanTiming> {
  return page.evaluate(
    ({ strokes, lotId }) =>
      new Promise<ScanTiming>((resolve, reject) => {
        const trace = (window as unknown as { __travelogTrace: Span[] }).__travelogTrace;
        const before = trace.length;
        let enter = 0;
        let done = false;
        const shown = () =>
          [...document.querySelectorAll('table[aria-label="Material built in"] tbody tr')].some((row) => row.textContent?.includes(lotId) === true);
        const observer = new MutationObserver(() => {
          if (done) return;
          const refusal = document.querySelector('[role="alert"]');
          if (refusal !== null) {
            done = true;
            observer.disconnect();
            reject(new Error(`Scan refused: ${refusal.textContent ?? ''}`));
            return;
          }
          if (!shown()) return;
          done = true;
          const inDom = performance.now();
          observer.disconnect();
          const spans = trace.slice(before);
          const committed = spans.find((span) => span.what === 'write')?.end ?? null;
          requestAnimationFrame(() => {
            const frame = performance.now();
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              const afterPaint = performance.now();
              resolve({ enter, committed, spans, inDom, frame, afterPaint });
            };
            channel.port2.postMessage(null);
          });
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
        setTimeout(() => {
          if (!done) reject(new Error('The scanned lot did not appear within 10 s'));
        }, 10_000);
        const target = document.activeElement ?? document.body;
        for (const stroke of strokes) target.dispatchEvent(new KeyboardEvent('keydown', { ...stroke, bubbles: true, cancelable: true }));
        enter = performance.now();
        target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      }),
    { strokes, lotId },
  );
}

/** Lets the station finish what the last action started (change streams, re-renders) before the next. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 150))));
}

export async function run(): Promise<void> {
  const stack = await browserStack('scan to screen');
  try {
    const { workOrders, lotId } = await addBenchOrders(stack.server, 'WO-SCAN', 1, SAMPLES + WARM_UP);
    const workOrder = workOrders[0];
    if (workOrder === undefined) throw new Error('no work order');
    const { context, page } = await stack.newStation();
    await context.addInitScript(PROBE);
    await enrolledStation(page, 'Scan bench');
    await waitForServiceWorker(page);
    await navigate(page, `/work-orders/${workOrder.id}`);
    await page.getByRole('heading', { name: `Traveler ${workOrder.id}` }).waitFor({ timeout: 60_000 });
    await context.setOffline(true);
    await new StatusBar(page).waitForOffline();

    // The history, then a reload so the station folds it in from IndexedDB as it does at start.
    let seeded = performance.now();
    const driver = await openDriverTab(context);
    const existing = await withDriver(driver, async (d) => (await d.events()).length, null);
    await withDriver(
      driver,
      (d, count) => d.seedWork(count, { workOrderId: 'WO-1001', operationId: 'OP10', lotId: 'L-SEED', partNumber: 'P-920' }),
      HISTORY - existing,
    );
    await withDriver(driver, (d) => d.close(), null);
    await driver.close();
    seeded = performance.now() - seeded;
    const startProfile = process.env['BENCH_PROFILE_START'] === undefined ? null : await context.newCDPSession(page);
    if (startProfile !== null) {
      await startProfile.send('Profiler.enable');
      await startProfile.send('Profiler.start');
    }
    const reloaded = performance.now();
    await page.reload();
    await new Shell(page).expectSignedIn('Ana Ortiz');
    const startup = performance.now() - reloaded;
    if (startProfile !== null) {
      await writeFile(process.env['BENCH_PROFILE_START'] ?? 'start.cpuprofile', JSON.stringify((await startProfile.send('Profiler.stop')).profile));
      await startProfile.detach();
    }
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN);
    console.log(
      `  ${HISTORY.toLocaleString('en')} events in the store (seeded in ${(seeded / 1000).toFixed(1)} s); reload to signed in: ${(startup / 1000).toFixed(1)} s; JS heap ${(heap / 2 ** 20).toFixed(0)} MiB`,
    );

    const step = new StepPage(page);
    const strokes = lotLabelStrokes(lotId);
    const timings: ScanTiming[] = [];
    const session = process.env['BENCH_PROFILE'] === undefined ? null : await context.newCDPSession(page);
    const profiles: unknown[] = [];
    if (session !== null) {
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 100 });
    }
    await nameShim(page);
    for (let i = 0; i < WARM_UP + SAMPLES; i++) {
      const unit = workOrder.units[i];
      if (unit === undefined) throw new Error('not enough units');
      await navigate(page, `/work-orders/${workOrder.id}/units/${encodeURIComponent(unitParam(unit))}/operations/OP10`);
      await step.waitForStatus('Not started');
      await step.start();
      await step.waitForStatus('In progress');
      await page.getByRole('heading', { level: 1 }).click();
      await settle(page);
      const profiling = session !== null && i >= WARM_UP;
      if (profiling) await session.send('Profiler.start');
      const timing = await scanInPage(page, strokes, lotId);
      if (profiling) profiles.push((await session.send('Profiler.stop')).profile);
      if (i >= WARM_UP) timings.push(timing);
      await settle(page);
    }
    if (session !== null) {
      const file = process.env['BENCH_PROFILE'] ?? 'scan.cpuprofile';
      await writeFile(file, JSON.stringify(profiles));
      console.log(`  CPU profiles of the measured scans (a JSON array, one per scan): ${file}`);
    }

    const timingsFile = process.env['BENCH_TIMINGS'];
    if (timingsFile !== undefined) await writeFile(timingsFile, JSON.stringify(timings));
    const toFrame = timings.map((t) => t.frame - t.enter);
    const toDom = timings.map((t) => t.inDom - t.enter);
    const toPaint = timings.map((t) => t.afterPaint - t.enter);
    const toCommit = timings.map((t) => (t.committed ?? NaN) - t.enter);
    const unordered = timings.filter((t) => t.committed === null || t.committed > t.frame).length;
    const p95 = percentile(toFrame, 0.95);
    const f = (n: number) => n.toFixed(1);
    console.log(
      `  Enter → lot row in the frame: p50 ${f(percentile(toFrame, 0.5))} ms, p95 ${f(p95)} ms, max ${f(Math.max(...toFrame))} ms (${SAMPLES} scans); target p95 ≤ ${TARGET_MS} ms: ${p95 <= TARGET_MS ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  where the time goes (medians): event committed in IndexedDB ${f(median(toCommit))} ms, row in the DOM ${f(median(toDom))} ms, frame ${f(median(toFrame))} ms, after paint ${f(median(toPaint))} ms (p95 ${f(percentile(toPaint, 0.95))} ms)`,
    );
    console.log(`  event committed before its frame: ${SAMPLES - unordered} of ${SAMPLES} scans`);
    const phase = (pick: (t: ScanTiming) => number) => f(median(timings.map(pick)));
    const write = (t: ScanTiming) => t.spans.find((span) => span.what === 'write');
    const spent = (t: ScanTiming, what: Span['what']) =>
      t.spans.filter((span) => span.what === what && span.end <= (write(t)?.start ?? Infinity)).reduce((sum, span) => sum + span.end - span.start, 0);
    console.log(
      `  the commit's parts (medians): Enter → recorder holds its lock ${phase((t) => (t.spans.find((span) => span.what === 'lock')?.end ?? NaN) - t.enter)} ms; ` +
        `last event read ${phase((t) => spent(t, 'read'))} ms; hash ${phase((t) => spent(t, 'digest'))} ms; signature ${phase((t) => spent(t, 'sign'))} ms; ` +
        `write transaction to commit ${phase((t) => (write(t)?.end ?? NaN) - (write(t)?.start ?? NaN))} ms; commit → row in the DOM ${phase((t) => t.inDom - (t.committed ?? NaN))} ms`,
    );

    // The same store once the server has answered it all: a busy station after a long time online.
    // The first start after the receipts reads every event and notes them settled; later starts
    // read only the events after that (src/db/plant-store.ts).
    const settler = await openDriverTab(context);
    const settled = await withDriver(settler, (d) => d.settleAll(), null);
    await withDriver(settler, (d) => d.close(), null);
    await settler.close();
    const starts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const at = performance.now();
      await page.reload();
      await new Shell(page).expectSignedIn('Ana Ortiz');
      starts.push(performance.now() - at);
    }
    const [first, ...later] = starts;
    console.log(
      `  the same store with every event answered (${settled.toLocaleString('en')} receipts stored): first reload to signed in ${((first ?? NaN) / 1000).toFixed(1)} s, ` +
        `later reloads median ${(median(later) / 1000).toFixed(2)} s (${later.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s)`,
    );
  } finally {
    await stack.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
