/**
 * What the browser benches share: the built app (built here if dist/ is missing), the real server
 * in-process with Chromium (tests/e2e/faults-stack.ts), and the machine line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startFaultStack, type FaultStack } from '../tests/e2e/faults-stack.ts';
import { machine } from './ingest.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** Builds the app with vite if dist/ has none, then starts the server and Chromium. */
export async function browserStack(name: string): Promise<FaultStack> {
  if (!existsSync(resolve(ROOT, 'dist/index.html'))) {
    console.log('  (no dist/: running vite build first)');
    const built = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('vite build failed');
  }
  const stack = await startFaultStack();
  console.log(`${name} (machine: ${machine()}, Chromium ${stack.browser.version()})`);
  return stack;
}

/** Waits until the service worker has precached the app and controls the page. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller === null) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
}

/**
 * tsx compiles this file with esbuild's keepNames, so a function sent to `page.evaluate` may call
 * `__name`, which the page lacks; this defines it there (run before such an evaluate).
 */
export async function nameShim(page: Page): Promise<void> {
  await page.evaluate('globalThis.__name ??= (f) => f');
}
