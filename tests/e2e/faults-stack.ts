/**
 * What the fault and PWA tests need beyond tests/e2e/harness.ts: a server they can stop and start
 * again on the same data directory and port (a restart in the middle of a push), the app served
 * from a copy of dist/ they may change (a new version), and browsers with a user data directory
 * that outlives them (a browser restart).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { inject } from 'vitest';
import { ensureChromium } from './chromium.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { startServer } from '../../sync-server/main.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** As in harness.ts: headless Chromium on a build machine, nothing phoning home. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface FaultStack {
  /** The running server; replaced by {@link FaultStack.restart}. */
  server: RunningServer;
  url: string;
  /** The server's data directory (PGlite and its audit key), kept across restarts. */
  dataDir: string;
  /** The app as served: a copy of dist/ this run may change. */
  staticDir: string;
  browser: Browser;
  newStation(): Promise<{ context: BrowserContext; page: Page }>;
  /** A browser of its own on `userDataDir`, closed and opened again to restart the browser. */
  persistentStation(userDataDir: string): Promise<{ context: BrowserContext; page: Page }>;
  /** Stops the server (requests in flight finish first) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stopServer(): Promise<void>;
  startServerAgain(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Chromium the e2e run's global setup found; the benches (bench/*.ts under tsx) import this
 * stack outside Vitest, where `inject` throws, and find it themselves.
 */
function chromiumPath(): string {
  try {
    return inject('chromiumPath');
  } catch {
    return ensureChromium();
  }
}

export async function startFaultStack(): Promise<FaultStack> {
  const work = await mkdtemp(join(tmpdir(), 'travelog-faults-'));
  const dataDir = join(work, 'data');
  const staticDir = join(work, 'dist');
  await cp(resolve(ROOT, 'dist'), staticDir, { recursive: true });
  let server = await startServer({ port: 0, host: '127.0.0.1', dataDir, staticDir, logger: false });
  const port = Number(new URL(server.url).port);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  let running = true;
  const stack: FaultStack = {
    server,
    url: server.url,
    dataDir,
    staticDir,
    browser,
    async newStation() {
      const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return { context, page };
    },
    async persistentStation(userDataDir) {
      const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: chromiumPath(),
        args: CHROMIUM_ARGS,
        baseURL: server.url,
        viewport: { width: 1280, height: 900 },
      });
      contexts.push(context);
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(20_000);
      return { context, page };
    },
    async stopServer() {
      if (!running) return;
      running = false;
      await server.close();
    },
    async startServerAgain() {
      server = await startServer({ port, host: '127.0.0.1', dataDir, staticDir, logger: false });
      stack.server = server;
      running = true;
    },
    async restart() {
      await stack.stopServer();
      await stack.startServerAgain();
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      if (running) await server.close();
      await rm(work, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Enrolls a new station with the demo supervisor, puts it at `workCenterId` and signs `badge` in. */
export async function enrolledStation(page: Page, name: string, workCenterId = 'WC-MILL', person = { badge: 'B-1001', pin: '1111', name: 'Ana Ortiz' }): Promise<void> {
  await page.goto('/');
  const setup = new SetupPage(page);
  await setup.enroll(name, 'B-3001', '9999');
  await setup.chooseWorkCenter(workCenterId);
  await new SignInPage(page).signIn(person.badge, person.pin);
  await new Shell(page).expectSignedIn(person.name);
  // The station has pulled its work center's work (choosing one pulls the views from 0, S12) before
  // a test cuts its network: on a loaded server the pull can still be running after sign-in.
  await page.getByRole('link', { name: /^WO-\d{4}$/ }).first().waitFor({ timeout: 60_000 });
}
