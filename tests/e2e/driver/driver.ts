/**
 * Bundles tests/e2e/driver/station-driver.ts for the browser (once per run) and adds it to a page,
 * so a test can record thousands of events through the station's own recorder.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import type { StationDriver } from './station-driver.ts';
import { VALIDATORS_MODULE, validatorModuleCode } from '../../../src/db/validator-code.ts';

let bundle: Promise<string> | null = null;

function driverBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [fileURLToPath(new URL('./station-driver.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // The station's validators are code written at build time (vite.config.ts does the same for the app).
    plugins: [
      {
        name: 'travelog-validators',
        setup(b) {
          b.onResolve({ filter: /^virtual:travelog-validators$/ }, () => ({ path: VALIDATORS_MODULE, namespace: 'travelog-validators' }));
          b.onLoad({ filter: /.*/, namespace: 'travelog-validators' }, () => ({ contents: validatorModuleCode(), loader: 'js', resolveDir: process.cwd() }));
        },
      },
    ],
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return bundle;
}

/**
 * Opens a driver tab beside the station's app tabs: a page of the same origin that is not the app
 * (the precached manifest), because RxDB closes a second database of the same name in one page.
 */
export async function openDriverTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/manifest.webmanifest');
  await page.addScriptTag({ content: await driverBundle() });
  await page.evaluate(async () => {
    await window.travelogDriver;
  });
  return page;
}

/** Runs `work` with the page's driver. */
export function withDriver<T, A>(page: Page, work: (driver: StationDriver, arg: A) => Promise<T>, arg: A): Promise<T> {
  return page.evaluate(
    async ({ source, arg }) => {
      const driver = await window.travelogDriver;
      if (driver === undefined) throw new Error('No driver in this page: call attachDriver first');
      // The function travels as text: page.evaluate cannot carry a closure.
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- test code evaluating the test's own function in the page
      const run = (new Function(`return (${source})`) as () => (d: StationDriver, a: unknown) => Promise<unknown>)();
      return run(driver, arg);
    },
    { source: work.toString(), arg },
  ) as Promise<T>;
}
