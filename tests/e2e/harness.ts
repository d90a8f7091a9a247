/**
 * Starts what an end-to-end test needs: the real sync server in-process (temp data dir, the built
 * PWA from dist/) and Debian's Chromium through playwright-core. Each test opens its own browser
 * context, so each has a fresh IndexedDB: a new station.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { inject } from 'vitest';
import type { UnitRef } from '../../schemas/common.ts';
import type { RunningServer, StartOptions } from '../../sync-server/main.ts';
import { startServer } from '../../sync-server/main.ts';
import { testClock } from '../integration/harness.ts';
import type { TestStation } from '../integration/sync-fixture.ts';
import { enrollStation, P100_REVISION } from '../integration/sync-fixture.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = resolve(ROOT, 'dist');

/** Flags for headless Chromium on a build machine: no sandbox, no GPU, nothing phoning home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface Stack {
  server: RunningServer;
  browser: Browser;
  /** A new station: a fresh browser context (own IndexedDB) at the server's address. */
  newStation(): Promise<{ context: BrowserContext; page: Page }>;
  /** With E2E_SCREENSHOTS set, saves a full-page screenshot under .tmp/e2e-screenshots (ignored by git). */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** What a test may change about the server it starts. */
export interface StackOptions {
  /** Seconds between the server's timed audit checkpoints (60 unless given). */
  checkpointSeconds?: number;
  /** Give the browser Chromium's fake camera (a moving test pattern), allowed without asking. */
  fakeCamera?: boolean;
  /** The QMS link (MRB_DECIDES and the webhook); MRB decides in Travelog unless given. */
  qms?: StartOptions['qms'];
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('No built app in dist/: run `vite build` first (npm run test:e2e does)');
  const dataDir = await mkdtemp(join(tmpdir(), 'travelog-e2e-'));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    staticDir: DIST,
    logger: false,
    ...(options.checkpointSeconds === undefined ? {} : { checkpointSeconds: options.checkpointSeconds }),
    ...(options.qms === undefined ? {} : { qms: options.qms }),
  });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: inject('chromiumPath'), args: options.fakeCamera === true ? [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] : CHROMIUM_ARGS });
  } catch (error) {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    server,
    browser,
    async newStation() {
      const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return { context, page };
    },
    async screenshot(page, name) {
      if (process.env['E2E_SCREENSHOTS'] === undefined) return;
      await page.screenshot({ path: join(ROOT, '.tmp/e2e-screenshots', `${name}.png`), fullPage: true });
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Another station's work, pushed to the server as that station would: a station enrolled as
 * `stationName` on which `actor` (Ana Ortiz unless given) started and completed each operation on
 * the unit, at the routing's current instruction revisions. Returns the station, to push more.
 */
export async function workDoneElsewhere(
  stack: Stack,
  stationName: string,
  work: { workOrderId: string; unit: UnitRef; operationIds: readonly string[]; actor?: string },
): Promise<TestStation> {
  const other = await enrollStation(stack.server, testClock(new Date().toISOString()), stationName);
  const actor = work.actor ?? 'B-1001';
  await other.pushOk(
    work.operationIds.flatMap((op) => [
      other.step('op.started', actor, work.workOrderId, work.unit, op, P100_REVISION[op] ?? 'A'),
      other.step('op.completed', actor, work.workOrderId, work.unit, op, P100_REVISION[op] ?? 'A'),
    ]),
  );
  return other;
}
