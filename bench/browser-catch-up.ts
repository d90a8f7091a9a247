/**
 * Catch-up in Chromium: a station records 5,000 events offline through its own recorder (signed,
 * chained, in IndexedDB: the e2e driver), then the network comes back; timed from going online to
 * the status bar's outbox saying nothing is waiting (every receipt back and stored). The same
 * station each run, 5,000 new events each time. Also printed: how much of it the pushes were out
 * (the page's resource timing), and with BENCH_TIMELINE=1 every request of each run. Printed, never
 * asserted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openDriverTab, withDriver } from '../tests/e2e/driver/driver.ts';
import { enrolledStation } from '../tests/e2e/faults-stack.ts';
import { StatusBar } from '../tests/e2e/pages/status-bar.ts';
import { browserStack, nameShim } from './browser.ts';
import { median } from './ingest.ts';

const EVENTS = 5000;
const RUNS = Number(process.env['BENCH_ROUNDS'] ?? 3);

/**
 * CPU time (user + system, ms) used so far by every Chromium process on this machine, from /proc
 * (Linux; null elsewhere). Processes that end between two readings take their time with them, so
 * a difference of two readings is a lower bound.
 */
function chromiumCpuMs(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      if (!/chrom/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] ?? '')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux.
}

export async function run(): Promise<void> {
  const stack = await browserStack('browser catch-up');
  try {
    const { context, page } = await stack.newStation();
    const status = new StatusBar(page);
    await enrolledStation(page, 'Catch-up bench');
    await status.waitForNothingWaiting(30_000);
    const times: number[] = [];
    const recording: number[] = [];
    /** Per run: the time the pushes were out (request sent to answer read), and how many there were. */
    const pushMs: number[] = [];
    const pushCount: number[] = [];
    /** Per run: CPU time of the server (this process, all threads) and of Chromium (all its processes). */
    const serverCpu: number[] = [];
    const browserCpu: number[] = [];
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
      const online = Date.now();
      await context.setOffline(false);
      times.push((await done) - online);
      const used = process.cpuUsage(cpuBefore);
      const browserAfter = chromiumCpuMs();
      serverCpu.push((used.user + used.system) / 1000);
      if (browserBefore !== null && browserAfter !== null) browserCpu.push(browserAfter - browserBefore);
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
        (browserCpu.length === 0 ? '' : `, Chromium (all its processes) median ${median(browserCpu).toFixed(0)} ms`),
    );
  } finally {
    await stack.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
