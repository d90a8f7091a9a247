/**
 * Cold start offline in Chromium: a station visited once online (enrolled, at its work center, the
 * roster and its work pulled, the service worker installed) with the network then off. Timed in the
 * page from navigation start (the page's time origin) until the station screen is interactive:
 *
 * - a new tab at '/' (the tablet restarted: nothing in memory, the session gone with the tab) until
 *   the sign-in screen is painted with the badge field focused for a scan and the roster loaded;
 * - a reload of a signed-in tab (the session kept in the tab) until the work center's queue is
 *   painted.
 *
 * "Interactive" is the first frame showing the screen and then a task run after it, so a main
 * thread still busy with start-up counts. Every navigation must be answered by the service worker
 * (checked). BENCH_COLD_RUNS sets the runs of each (7). Printed, never asserted.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CDPSession, Page } from 'playwright-core';
import { enrolledStation } from '../tests/e2e/faults-stack.ts';
import { QueuePage } from '../tests/e2e/pages/queue-page.ts';
import { StatusBar } from '../tests/e2e/pages/status-bar.ts';
import { browserStack, waitForServiceWorker } from './browser.ts';
import { median } from './ingest.ts';

const RUNS = Number(process.env['BENCH_COLD_RUNS'] ?? 7);
/** Issue 13: a new tab, offline, at sign-in within half a second. */
const TARGET_MS = 500;

/**
 * Added to every page before its own scripts: watches the DOM from the start of the document and
 * notes, in page time, when the screen first shows as ready, the frame after, and a task after that.
 */
const READY_PROBE = `
  (() => {
    const ready = () => {
      const heading = document.querySelector('h1')?.textContent ?? '';
      if (heading === 'Sign in') {
        const badge = document.activeElement;
        const button = document.querySelector('form button[type="submit"]');
        const noRoster = [...document.querySelectorAll('.notice')].some((n) => n.textContent.includes('no roster'));
        return badge instanceof HTMLInputElement && badge.type !== 'password' && button !== null && !button.disabled && !noRoster ? 'sign-in' : null;
      }
      return heading.startsWith('Queue at') ? 'queue' : null;
    };
    const observer = new MutationObserver(() => {
      const screen = ready();
      if (screen === null) return;
      observer.disconnect();
      const shown = performance.now();
      requestAnimationFrame(() => {
        const frame = performance.now();
        setTimeout(() => {
          window.__travelogReady = { screen, shown, frame, interactive: performance.now() };
        }, 0);
      });
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  })();
`;

interface Ready {
  screen: 'sign-in' | 'queue';
  shown: number;
  frame: number;
  interactive: number;
  /** From the navigation entry: the service worker answered, and when the response began. */
  viaServiceWorker: boolean;
  responseStart: number;
  /** Script and styles evaluated, React's first screen ("Opening the station…") painted. */
  firstContentfulPaint: number;
  /** The page's main thread until ready, from DevTools' Performance.getMetrics (ms of CPU). */
  scriptMs: number;
  compileMs: number;
  taskMs: number;
  threadMs: number;
  /** The scripts the page loaded until ready, and their decoded bytes. */
  scripts: string[];
  scriptBytes: number;
}

/** Opens DevTools' performance counters on a page before it navigates; read them with {@link readyIn}. */
async function withMetrics(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return cdp;
}

async function readyIn(page: Page, screen: Ready['screen'], cdp: CDPSession): Promise<Ready> {
  await page.waitForFunction(() => (window as unknown as { __travelogReady?: unknown }).__travelogReady !== undefined, null, { timeout: 30_000, polling: 50 });
  const ready = await page.evaluate(() => {
    const mark = (window as unknown as { __travelogReady: { screen: 'sign-in' | 'queue'; shown: number; frame: number; interactive: number } }).__travelogReady;
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      ...mark,
      viaServiceWorker: navigation !== undefined && navigation.workerStart > 0 && navigator.serviceWorker.controller !== null,
      responseStart: navigation?.responseStart ?? NaN,
      firstContentfulPaint: fcp?.startTime ?? NaN,
      scripts: performance
        .getEntriesByType('resource')
        .filter((r) => r.name.endsWith('.js'))
        .map((r) => new URL(r.name).pathname.replace(/^.*\//, '')),
      scriptBytes: performance
        .getEntriesByType('resource')
        .filter((r) => r.name.endsWith('.js'))
        .reduce((sum, r) => sum + (r as PerformanceResourceTiming).decodedBodySize, 0),
    };
  });
  // Counted from the document's start (a reload starts them again), in seconds.
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
  if (ready.screen !== screen) throw new Error(`Expected the ${screen} screen, got ${ready.screen}`);
  if (!ready.viaServiceWorker) throw new Error('The navigation was not answered by the service worker');
  return { ...ready, scriptMs: metric('ScriptDuration'), compileMs: metric('V8CompileDuration'), taskMs: metric('TaskDuration'), threadMs: metric('ThreadTime') };
}

function summary(label: string, runs: readonly Ready[]): void {
  const f = (pick: (r: Ready) => number) => median(runs.map(pick)).toFixed(0);
  const interactive = median(runs.map((r) => r.interactive));
  console.log(
    `  ${label}: interactive median ${interactive.toFixed(0)} ms (${runs.map((r) => r.interactive.toFixed(0)).join(', ')} ms; ${runs.length} runs); target ≤ ${TARGET_MS} ms: ${interactive <= TARGET_MS ? 'met' : 'NOT met'}`,
  );
  console.log(`    medians: shell from the service worker ${f((r) => r.responseStart)} ms, first paint ${f((r) => r.firstContentfulPaint)} ms, screen in the DOM ${f((r) => r.shown)} ms, its frame ${f((r) => r.frame)} ms`);
  console.log(
    `    main thread until ready (medians, DevTools Performance.getMetrics): CPU ${f((r) => r.threadMs)} ms, tasks ${f((r) => r.taskMs)} ms, of which script ${f((r) => r.scriptMs)} ms and V8 compile ${f((r) => r.compileMs)} ms; scripts loaded: ${f((r) => r.scriptBytes / 1024)} kB decoded, ${runs[0]?.scripts.join(' ') ?? ''}`,
  );
}

export async function run(): Promise<void> {
  const stack = await browserStack('cold start offline');
  try {
    const { context, page } = await stack.newStation();
    await context.addInitScript(READY_PROBE);
    await enrolledStation(page, 'Cold start bench');
    await waitForServiceWorker(page);
    await new StatusBar(page).waitForNothingWaiting(30_000);
    await context.setOffline(true);
    await page.close();

    // A new tab each time, as after a restart of the tablet; the tab before it is closed first.
    const newTab: Ready[] = [];
    for (let run = 0; run < RUNS; run++) {
      const cold = await context.newPage();
      const cdp = await withMetrics(cold);
      await cold.goto('/');
      newTab.push(await readyIn(cold, 'sign-in', cdp));
      await cold.close();
    }
    summary("new tab at '/', offline → sign-in screen", newTab);

    // One tab, signed in, reloaded: the session survives in the tab, so the station screen comes back.
    const tab = await context.newPage();
    const tabMetrics = await withMetrics(tab);
    await tab.goto('/');
    await readyIn(tab, 'sign-in', tabMetrics);
    await tab.getByRole('textbox', { name: 'Badge' }).fill('B-1001');
    await tab.getByLabel('PIN').fill('1111');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await new QueuePage(tab).heading.waitFor();
    const reloaded: Ready[] = [];
    for (let run = 0; run < RUNS; run++) {
      await tab.reload();
      reloaded.push(await readyIn(tab, 'queue', tabMetrics));
    }
    summary('reload of a signed-in tab, offline → queue', reloaded);
  } finally {
    await stack.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
