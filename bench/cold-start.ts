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
 *
 * Where the time goes, from the page's own timeline: each script and style sheet fetched before the
 * screen was ready (when asked for, when in hand, decoded size), the start's steps the app marks
 * (`travelog:` marks, src/db/start-marks.ts: main chunk run, database created and its collections
 * added, first query of the views, plant ready, runtime open; the validators' chunk asked for, and
 * by which write or check), the long tasks (≥ 50 ms), and main-thread CPU from DevTools. With
 * BENCH_COLD_PROFILE=1 one more new tab runs under DevTools' CPU profiler and its self time is
 * printed by script and by function (not in the medians: the profiler slows the page). With
 * BENCH_COLD_TRACE=1 one more runs under a Chromium trace, and the page's main-thread CPU (each
 * task's thread time, so a loaded machine's waits do not count) is printed between the start's
 * marks and by kind of work (script run per file, compile, style and layout, paint, IndexedDB).
 */
import os from 'node:os';
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
    window.__travelogLongTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__travelogLongTasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {}
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
  /** Scripts and style sheets fetched before ready: asked for and in hand (page ms), decoded bytes. */
  resources: Array<{ name: string; start: number; end: number; bytes: number }>;
  /** The app's start marks (src/db/start-marks.ts) before ready, in page ms, with their detail. */
  marks: Array<{ name: string; at: number; detail: string }>;
  /** Long tasks (≥ 50 ms) before ready. */
  longTasks: Array<{ start: number; duration: number }>;
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
      resources: performance
        .getEntriesByType('resource')
        .filter((r) => /\.(js|css)$/.test(r.name) && r.startTime <= mark.interactive)
        .map((r) => ({ name: new URL(r.name).pathname.replace(/^.*\//, ''), start: r.startTime, end: (r as PerformanceResourceTiming).responseEnd, bytes: (r as PerformanceResourceTiming).decodedBodySize })),
      marks: performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('travelog:') && m.startTime <= mark.interactive)
        .map((m) => ({ name: m.name.slice('travelog:'.length), at: m.startTime, detail: (m as PerformanceMark).detail === null ? '' : JSON.stringify((m as PerformanceMark).detail) })),
      longTasks: ((window as unknown as { __travelogLongTasks?: Array<{ start: number; duration: number }> }).__travelogLongTasks ?? []).filter((t) => t.start <= mark.interactive),
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
  const longTasks = (r: Ready) => r.longTasks.reduce((sum, t) => sum + t.duration, 0);
  console.log(`    long tasks (≥ 50 ms) until ready: median ${f((r) => r.longTasks.length)} of them, ${f(longTasks)} ms in all`);
  // The start's steps, median page time of each over the runs that marked it.
  const names = [...new Set(runs.flatMap((r) => r.marks.map((m) => m.name)))];
  const steps = names
    .map((name) => {
      const times = runs.flatMap((r) => r.marks.filter((m) => m.name === name).map((m) => m.at));
      return { name, at: median(times), runs: times.length };
    })
    .sort((a, b) => a.at - b.at);
  console.log(`    start steps (median page ms; runs that marked it): ${steps.map((s) => `${s.name} ${s.at.toFixed(0)}${s.runs < runs.length ? ` (${s.runs}/${runs.length})` : ''}`).join(', ')}`);
  const between = (from: string, to: string) => {
    const spans = runs.flatMap((r) => {
      const a = r.marks.find((m) => m.name === from);
      const b = r.marks.find((m) => m.name === to);
      return a === undefined || b === undefined ? [] : [b.at - a.at];
    });
    return spans.length === 0 ? 'n/a' : `${median(spans).toFixed(0)} ms`;
  };
  console.log(
    `    spans (medians): main chunk run → database created ${between('main', 'db-created')}, collections added ${between('db-created', 'db-collections-added')}, first query of the views ${between('db-collections-added', 'views-read')}, plant ready ${between('views-read', 'plant-ready')}, runtime open → ready ${spanToReady(runs, 'runtime-open')}`,
  );
  const validators = runs.flatMap((r) => r.marks.filter((m) => m.name === 'validators-requested'));
  console.log(`    validators' chunk asked for before ready in ${validators.length} of ${runs.length} runs${validators.length > 0 ? `, by ${[...new Set(validators.map((m) => m.detail))].join('; ')}` : ''}`);
  // One run in full: the one at the median.
  const typical = [...runs].sort((a, b) => a.interactive - b.interactive)[Math.floor(runs.length / 2)];
  if (typical === undefined) return;
  const timeline = [
    ...typical.resources.map((r) => ({ at: r.start, text: `${r.name} asked (${(r.bytes / 1024).toFixed(0)} kB, in hand at ${r.end.toFixed(0)})` })),
    ...typical.marks.map((m) => ({ at: m.at, text: `${m.name}${m.detail === '' ? '' : ` ${m.detail}`}` })),
    ...typical.longTasks.map((t) => ({ at: t.start, text: `long task ${t.duration.toFixed(0)} ms` })),
    { at: typical.firstContentfulPaint, text: 'first paint' },
    { at: typical.shown, text: `${typical.screen} in the DOM` },
    { at: typical.interactive, text: 'interactive' },
  ].sort((a, b) => a.at - b.at);
  console.log(`    the median run, page ms: ${timeline.map((e) => `${e.at.toFixed(0)} ${e.text}`).join(' · ')}`);
}

function spanToReady(runs: readonly Ready[], from: string): string {
  const spans = runs.flatMap((r) => {
    const a = r.marks.find((m) => m.name === from);
    return a === undefined ? [] : [r.interactive - a.at];
  });
  return spans.length === 0 ? 'n/a' : `${median(spans).toFixed(0)} ms`;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  cat?: string;
  args?: { name?: string; data?: { url?: string; frame?: string } };
}

/**
 * The renderer main thread's CPU in a trace: thread time of its top-level tasks between the page's
 * navigation and its `interactive`, split at the app's marks, and the thread time of the work inside
 * them by kind (script by file, compile, style and layout, paint, IndexedDB callbacks).
 */
function traceSummary(events: readonly TraceEvent[], until: number): string {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  // The page's main thread: the renderer main thread that saw the app's marks.
  const marks = events.filter((e) => e.cat?.includes('blink.user_timing') === true && e.name.startsWith('travelog:'));
  const main = mains.find((m) => marks.some((e) => e.pid === m.pid && e.tid === m.tid)) ?? mains[0];
  if (main === undefined) return '    (no renderer main thread in the trace)';
  const on = events.filter((e) => e.pid === main.pid && e.tid === main.tid);
  const navigation = on.find((e) => e.name === 'navigationStart')?.ts ?? Math.min(...on.filter((e) => e.ts > 0).map((e) => e.ts));
  const pageMs = (ts: number) => (ts - navigation) / 1000;
  const markAt = new Map<string, number>();
  for (const e of marks.filter((m) => m.pid === main.pid)) if (!markAt.has(e.name)) markAt.set(e.name.slice('travelog:'.length), pageMs(e.ts));
  const tasks = on.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.ts >= navigation);
  const cuts = [...markAt].sort((a, b) => a[1] - b[1]);
  const spans: Array<{ label: string; cpu: number }> = [];
  let from = 'navigation';
  let fromAt = 0;
  for (const [name, at] of [...cuts.filter(([, at]) => at < until), ['interactive', until] as const]) {
    const cpu = tasks.filter((t) => pageMs(t.ts) >= fromAt && pageMs(t.ts) < at).reduce((sum, t) => sum + (t.tdur ?? 0) / 1000, 0);
    spans.push({ label: `${from} → ${name}`, cpu });
    from = name;
    fromAt = at;
  }
  const kinds = new Map<string, number>();
  const add = (kind: string, us: number | undefined) => kinds.set(kind, (kinds.get(kind) ?? 0) + (us ?? 0) / 1000);
  const complete = on.filter((e) => e.ph === 'X' && e.ts >= navigation && pageMs(e.ts) < until);
  for (const e of complete) {
    const file = (e.args?.data?.url ?? '').replace(/^.*\//, '');
    if (e.name === 'EvaluateScript' || e.name === 'v8.evaluateModule') add(`run ${file || 'module'}`, e.tdur);
    else if (e.name === 'FunctionCall' || e.name === 'TimerFire' || e.name === 'EventDispatch' || e.name === 'FireAnimationFrame' || e.name === 'RunMicrotasks') add(e.name, e.tdur);
    else if (e.name === 'v8.compile' || e.name === 'v8.compileModule' || e.name === 'V8.CompileCode' || e.name === 'v8.parseOnBackground') add('compile', e.tdur);
    else if (e.name === 'ParseHTML') add('parse HTML', e.tdur);
    else if (e.name === 'UpdateLayoutTree' || e.name === 'Layout' || e.name === 'RecalculateStyles') add('style and layout', e.tdur);
    else if (e.name === 'Paint' || e.name === 'PrePaint' || e.name === 'Layerize' || e.name === 'Commit') add('paint', e.tdur);
    else if (e.name.startsWith('IndexedDB')) add(e.name, e.tdur);
    else if (e.name === 'MajorGC' || e.name === 'MinorGC' || e.name === 'V8.GCScavenger' || e.name === 'V8.GCFinalizeMC') add('GC', e.tdur);
  }
  const total = tasks.filter((t) => pageMs(t.ts) < until).reduce((sum, t) => sum + (t.tdur ?? 0) / 1000, 0);
  return [
    `    main-thread CPU from the trace: ${total.toFixed(0)} ms in ${tasks.length} tasks; between marks: ${spans.map((s) => `${s.label} ${s.cpu.toFixed(0)}`).join(', ')}`,
    `    by kind (thread ms; nested kinds overlap): ${[...kinds].sort((a, b) => b[1] - a[1]).slice(0, 16).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ')}`,
  ].join('\n');
}

/** Self time of a DevTools CPU profile by script and by function, the largest first. */
function profileSummary(profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples?: number[]; timeDeltas?: number[] }): string {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((node, i) => byNode.set(node, (byNode.get(node) ?? 0) + (deltas[i] ?? 0) / 1000));
  const byScript = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id) ?? 0;
    if (ms === 0) continue;
    const script = node.callFrame.url === '' ? `(${node.callFrame.functionName || 'native'})` : node.callFrame.url.replace(/^.*\//, '');
    byScript.set(script, (byScript.get(script) ?? 0) + ms);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${script}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
      .join(', ');
  return `    self time by script (ms): ${top(byScript, 10)}\n    by function (ms): ${top(byFunction, 15)}`;
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

export async function run(): Promise<void> {
  const stack = await browserStack('cold start offline');
  console.log(`  load average at start: ${load()}`);
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

    if (process.env['BENCH_COLD_TRACE'] === '1') {
      const cold = await context.newPage();
      const cdp = await withMetrics(cold);
      await stack.browser.startTracing(cold, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink.user_timing', 'toplevel', 'IndexedDB'] });
      await cold.goto('/');
      const traced = await readyIn(cold, 'sign-in', cdp);
      const trace = JSON.parse((await stack.browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
      console.log(`  one more new tab under a Chromium trace (not in the medians): interactive ${traced.interactive.toFixed(0)} ms, DevTools CPU ${traced.threadMs.toFixed(0)} ms`);
      console.log(traceSummary(trace.traceEvents, traced.interactive));
      await cold.close();
    }

    if (process.env['BENCH_COLD_PROFILE'] === '1') {
      const cold = await context.newPage();
      const cdp = await withMetrics(cold);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      await cold.goto('/');
      const profiled = await readyIn(cold, 'sign-in', cdp);
      const { profile } = await cdp.send('Profiler.stop');
      console.log(`  one more new tab under the CPU profiler (slower: not in the medians): interactive ${profiled.interactive.toFixed(0)} ms`);
      console.log(profileSummary(profile));
      await cold.close();
    }

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
    console.log(`  load average at the end: ${load()}`);
  } finally {
    await stack.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
