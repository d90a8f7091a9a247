/**
 * Catch-up in Chromium: a station records 5,000 events offline through its own recorder (signed,
 * chained, in IndexedDB: the e2e driver), then the network comes back; timed from going online to
 * the status bar's outbox saying nothing is waiting (every receipt back and stored). The same
 * station each run, 5,000 new events each time. Also printed: how much of it the pushes were out
 * (the page's resource timing), and with BENCH_TIMELINE=1 every request of each run. Chromium's CPU
 * is split by process kind (browser, renderer, …: IndexedDB's backend runs outside the page).
 * BENCH_PROFILE=<file> records a CPU profile of the page over each measured catch-up (CDP Profiler),
 * writes them as a JSON array and prints where the page's time went, mapped through the build's source
 * maps to packages and source files. Printed, never asserted.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openDriverTab, withDriver } from '../tests/e2e/driver/driver.ts';
import { enrolledStation } from '../tests/e2e/faults-stack.ts';
import { StatusBar } from '../tests/e2e/pages/status-bar.ts';
import { browserStack, nameShim, waitForServiceWorker } from './browser.ts';
import { median } from './ingest.ts';

const EVENTS = 5000;
const RUNS = Number(process.env['BENCH_ROUNDS'] ?? 3);

/**
 * CPU time (user + system, ms) used so far by the Chromium processes on this machine, by kind (the
 * `--type=` of the command line: renderer, gpu-process, utility; `browser` for the main one), from
 * /proc (Linux; null elsewhere). Processes that end between two readings take their time with them,
 * so a difference of two readings is a lower bound.
 */
function chromiumCpuMs(): Map<string, number> | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const byKind = new Map<string, number>();
  for (const pid of pids) {
    try {
      // Chromium's child processes rewrite their command line as one string (setproctitle).
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!/chrom/.test(cmdline.split(/[\0 ]/)[0] ?? '')) continue;
      const type = /--type=(\S+?)(?:[\0 ]|$)/.exec(cmdline)?.[1] ?? 'browser';
      const service = /--utility-sub-type=(\S+?)(?:[\0 ]|$)/.exec(cmdline)?.[1];
      const kind = service === undefined ? type : `${type} ${service.split('.').at(-2) ?? service}`;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byKind.set(kind, (byKind.get(kind) ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100); // USER_HZ is 100 on Linux.
    } catch {
      // Gone meanwhile.
    }
  }
  return byKind;
}

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Where the page's time went, by self time: each sample's frame mapped through the build's source
 * map to its source (a package or a file of src/) and function. Prints the top of both lists.
 */
async function printProfile(profiles: readonly CpuProfile[]): Promise<void> {
  const { TraceMap, originalPositionFor } = await import('@jridgewell/trace-mapping');
  const maps = new Map<string, InstanceType<typeof TraceMap> | null>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      let map = null;
      try {
        const path = new URL(url).pathname;
        map = new TraceMap(readFileSync(resolve('dist', `.${path}.map`), 'utf8'));
      } catch {
        // No map: a script of Chromium's own, or none at all.
      }
      maps.set(url, map);
    }
    return maps.get(url) ?? null;
  };
  const bySource = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const node = nodes.get(samples[i] ?? -1);
      const ms = (deltas[i + 1] ?? 0) / 1000;
      if (node === undefined) continue;
      total += ms;
      const { url, functionName, lineNumber, columnNumber } = node.callFrame;
      let source = functionName === '' ? '(anonymous)' : functionName;
      let fn = source;
      if (url === '') {
        source = functionName; // (idle), (program), (garbage collector)
      } else {
        const map = mapOf(url);
        const position = map === null ? null : originalPositionFor(map, { line: lineNumber + 1, column: columnNumber });
        const file = position?.source ?? url;
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
        source = pkg ?? file.replace(/^.*?\/src\//, 'src/');
        fn = `${position?.name ?? functionName} (${pkg ?? source}${pkg === undefined ? `:${position?.line ?? '?'}` : ''})`;
      }
      bySource.set(source, (bySource.get(source) ?? 0) + ms);
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    }
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => `      ${(ms / profiles.length).toFixed(0).padStart(6)} ms  ${name}`)
      .join('\n');
  console.log(`  page profile, self time per run (${(total / profiles.length).toFixed(0)} ms sampled a run), by source:\n${top(bySource, 18)}`);
  console.log(`  by function:\n${top(byFunction, 30)}`);
}

export async function run(): Promise<void> {
  const stack = await browserStack('browser catch-up');
  try {
    const { context, page } = await stack.newStation();
    const status = new StatusBar(page);
    await enrolledStation(page, 'Catch-up bench');
    await status.waitForNothingWaiting(30_000);
    // The driver's tab opens offline: the service worker must have precached the app first.
    await waitForServiceWorker(page);
    const times: number[] = [];
    const recording: number[] = [];
    /** Per run: the time the pushes were out (request sent to answer read), and how many there were. */
    const pushMs: number[] = [];
    const pushCount: number[] = [];
    /** Per run: CPU time of the server (this process, all threads) and of Chromium (all its processes). */
    const serverCpu: number[] = [];
    const browserCpu: number[] = [];
    /** Per run: Chromium's CPU by process kind. */
    const browserKinds: Map<string, number>[] = [];
    const session = process.env['BENCH_PROFILE'] === undefined ? null : await context.newCDPSession(page);
    const profiles: CpuProfile[] = [];
    if (session !== null) await session.send('Profiler.enable');
    for (let run = 0; run < RUNS; run++) {
      await context.setOffline(true);
      await status.waitForOffline();
      const started = performance.now();
      const driver = await openDriverTab(context);
      await withDriver(driver, async (d, n) => void (await d.recordSessions(n, 'B-1001')), EVENTS);
      await withDriver(driver, (d) => d.close(), null);
      await driver.close();
      recording.push(performance.now() - started);
      await status.waitForWaiting(EVENTS, 60_000);
      // Watched in the page, so the figure is not Playwright's polling interval.
      await nameShim(page);
      const done = page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const outbox = () => document.querySelector('[data-testid="outbox"]')?.textContent ?? '';
            const check = (): boolean => {
              if (!/nothing waiting to send/.test(outbox())) return false;
              resolve(Date.now());
              return true;
            };
            if (check()) return;
            const observer = new MutationObserver(() => {
              if (check()) observer.disconnect();
            });
            observer.observe(document.body, { childList: true, subtree: true, characterData: true });
          }),
      );
      await page.evaluate(() => {
        performance.setResourceTimingBufferSize(100_000);
        performance.clearResourceTimings();
      });
      const onlineAt = await page.evaluate(() => performance.now());
      const cpuBefore = process.cpuUsage();
      const browserBefore = chromiumCpuMs();
      if (session !== null) await session.send('Profiler.start');
      const online = Date.now();
      await context.setOffline(false);
      times.push((await done) - online);
      const used = process.cpuUsage(cpuBefore);
      const browserAfter = chromiumCpuMs();
      if (session !== null) profiles.push((await session.send('Profiler.stop')).profile);
      serverCpu.push((used.user + used.system) / 1000);
      if (browserBefore !== null && browserAfter !== null) {
        const kinds = new Map([...browserAfter].map(([kind, ms]) => [kind, ms - (browserBefore.get(kind) ?? 0)]));
        browserKinds.push(kinds);
        browserCpu.push(sum(kinds.values()));
      }
      const requests = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/api/'))
          .map((e) => e as PerformanceResourceTiming)
          .map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, sent: e.requestStart, end: e.responseEnd })),
      );
      const pushes = requests.filter((r) => r.path === '/api/sync/push');
      pushMs.push(pushes.reduce((sum, r) => sum + (r.end - r.sent), 0));
      pushCount.push(pushes.length);
      if (process.env['BENCH_TIMELINE'] === '1') {
        for (const r of requests) console.log(`    ${r.path.padEnd(16)} +${(r.start - onlineAt).toFixed(0)} ms → sent +${(r.sent - onlineAt).toFixed(0)} → answered +${(r.end - onlineAt).toFixed(0)}`);
      }
    }
    console.log(
      `  ${EVENTS.toLocaleString('en')} events recorded offline (signed, in IndexedDB; ${(median(recording) / 1000).toFixed(1)} s to record through the driver), then online → outbox empty, every receipt back: ` +
        `median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')} ms); target ≤ 1,000 ms: ${median(times) <= 1000 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  of which pushes out (sent → answer read, ${median(pushCount)} a run): median ${median(pushMs).toFixed(0)} ms (${pushMs.map((t) => t.toFixed(0)).join(', ')} ms); the rest is the station between them`,
    );
    console.log(
      `  CPU used meanwhile on the machine's ${availableParallelism()} cores: server (in this process, all threads) median ${median(serverCpu).toFixed(0)} ms` +
        (browserCpu.length === 0 ? '' : `, Chromium (all its processes) median ${median(browserCpu).toFixed(0)} ms`) +
        `; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
    const kinds = [...new Set(browserKinds.flatMap((k) => [...k.keys()]))];
    if (kinds.length > 0) {
      console.log(`  Chromium by process, median: ${kinds.map((kind) => `${kind} ${median(browserKinds.map((k) => k.get(kind) ?? 0)).toFixed(0)} ms`).join(', ')}`);
    }
    if (session !== null) {
      const file = process.env['BENCH_PROFILE'] ?? 'catch-up.cpuprofile';
      writeFileSync(file, JSON.stringify(profiles));
      console.log(`  CPU profiles of the page (a JSON array, one per run): ${file}`);
      await printProfile(profiles);
    }
  } finally {
    await stack.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
