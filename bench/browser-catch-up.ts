/**
 * Catch-up in Chromium: a station records 5,000 events offline through its own recorder (signed,
 * chained, in IndexedDB: the e2e driver), then the network comes back; timed from going online to
 * the status bar's outbox saying nothing is waiting (every receipt back and stored). The same
 * station each run, 5,000 new events each time. Printed, never asserted.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openDriverTab, withDriver } from '../tests/e2e/driver/driver.ts';
import { enrolledStation } from '../tests/e2e/faults-stack.ts';
import { StatusBar } from '../tests/e2e/pages/status-bar.ts';
import { browserStack, nameShim } from './browser.ts';
import { median } from './ingest.ts';

const EVENTS = 5000;
const RUNS = Number(process.env['BENCH_ROUNDS'] ?? 3);

export async function run(): Promise<void> {
  const stack = await browserStack('browser catch-up');
  try {
    const { context, page } = await stack.newStation();
    const status = new StatusBar(page);
    await enrolledStation(page, 'Catch-up bench');
    await status.waitForNothingWaiting(30_000);
    const times: number[] = [];
    const recording: number[] = [];
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
      const online = Date.now();
      await context.setOffline(false);
      times.push((await done) - online);
    }
    console.log(
      `  ${EVENTS.toLocaleString('en')} events recorded offline (signed, in IndexedDB; ${(median(recording) / 1000).toFixed(1)} s to record through the driver), then online → outbox empty, every receipt back: ` +
        `median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')} ms); target ≤ 1,000 ms: ${median(times) <= 1000 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await stack.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
