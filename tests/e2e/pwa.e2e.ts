/**
 * The offline app shell: the service worker precaches the app so a station opened once online
 * starts cold with the network off, never answers /api with the app, announces a new version with
 * an "Update" button and switches only when it is tapped; the app is installable.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultStack } from './faults-stack.ts';
import { enrolledStation, startFaultStack } from './faults-stack.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StatusBar } from './pages/status-bar.ts';

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Waits until the service worker has precached the app and controls the page. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller === null) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
}

describe('offline app shell', () => {
  it('starts cold with the network off after one online visit, at any client route', async () => {
    const { context, page } = await stack.newStation();
    await enrolledStation(page, 'PWA cold start');
    await waitForServiceWorker(page);
    await context.setOffline(true);

    // A new tab, as after the tablet restarted: nothing in memory, no network.
    await page.close();
    const cold = await context.newPage();
    await cold.goto('/');
    // A new tab starts at sign-in (the session lives in the tab); signing in needs no network.
    await new SignInPage(cold).signIn('B-1001', '1111');
    await new QueuePage(cold).heading.waitFor();
    await new StatusBar(cold).waitForOffline();
    expect(await cold.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    // A deep link is answered by the cached shell too.
    await cold.goto('/work-orders/WO-1002');
    await cold.getByRole('heading', { name: 'Traveler WO-1002' }).waitFor();
  });

  it('reaches sign-in offline in a new tab with the split chunks from the precache, and loads the others when used', async () => {
    const { context, page } = await stack.newStation();
    await enrolledStation(page, 'PWA split chunks');
    await waitForServiceWorker(page);
    await context.setOffline(true);
    await page.close();

    const cold = await context.newPage();
    await cold.goto('/');
    await cold.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The chunks were fetched through the service worker (offline, nothing else could answer); the
    // screens behind sign-in, the labels and the camera's decoder were not fetched. (The validators'
    // chunk may be: the station writes a setting as it starts, and RxDB checks that write.)
    const loaded = await cold.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((r) => r.name.endsWith('.js'))
        .map((r) => ({ name: new URL(r.name).pathname, viaWorker: (r as PerformanceResourceTiming).workerStart > 0 })),
    );
    expect(loaded.length).toBeGreaterThan(1);
    expect(loaded.filter((r) => !r.viaWorker)).toEqual([]);
    expect(loaded.map((r) => r.name).filter((name) => /Queue|StepScreen|AuditTrail|camera|LabelsScreen/.test(name))).toEqual([]);

    // Signed in, the queue's chunk, the validators (a sign-in is an event) and the camera load offline.
    await new SignInPage(cold).signIn('B-1001', '1111');
    await new QueuePage(cold).heading.waitFor();
    await cold.goto('/work-orders/WO-1001');
    await cold.getByRole('heading', { name: 'Traveler WO-1001' }).waitFor();
    const camera = await cold.evaluate(async () => {
      const chunks = await caches.keys().then(async (names) => (await Promise.all(names.map(async (n) => (await caches.open(n)).keys()))).flat());
      return chunks.map((request) => new URL(request.url).pathname).filter((path) => /\/camera-[^/]*\.js/.test(path));
    });
    expect(camera).toHaveLength(1);
    expect(await cold.evaluate(async (path) => (await fetch(path)).ok, camera[0] ?? '')).toBe(true);
  });

  it('never serves /api from the app shell', async () => {
    const { context, page } = await stack.newStation();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Set up this station' }).waitFor();
    await waitForServiceWorker(page);

    // Online, an unknown API route is the server's JSON refusal (401 without the credential, S2), not index.html.
    const online = await page.goto('/api/no-such-route');
    expect(online?.status()).toBe(401);
    expect(online?.headers()['content-type']).toMatch(/json/);

    // Offline, navigating to the API fails as the network does; the shell never pretends to answer.
    await context.setOffline(true);
    await expect(page.goto('/api/health')).rejects.toThrow(/ERR_INTERNET_DISCONNECTED|net::/);
    await context.setOffline(false);
  });

  it('is installable: the manifest names PNG icons of 192 and 512 pixels that load', async () => {
    const { page } = await stack.newStation();
    await page.goto('/');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const manifest = (await (await page.request.get(href ?? '')).json()) as { icons: Array<{ src: string; sizes: string; type: string }>; display: string; start_url: string };
    expect(manifest.display).toBe('standalone');
    expect(manifest.start_url).toBe('/');
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.icons.find((i) => i.sizes === size && i.type === 'image/png');
      expect(icon, size).toBeDefined();
      const response = await page.request.get(icon?.src ?? '');
      expect(response.headers()['content-type']).toBe('image/png');
    }
  });

  it('announces a new version with an Update button and switches only when it is tapped', async () => {
    const { page } = await stack.newStation();
    const status = new StatusBar(page);
    await enrolledStation(page, 'PWA update');
    await waitForServiceWorker(page);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state)).toBe('activated');

    // A new build is deployed: the worker's bytes change.
    const sw = join(stack.staticDir, 'sw.js');
    const original = await readFile(sw, 'utf8');
    await appendFile(sw, `\n// build ${Date.now()}\n`);
    try {
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        await registration?.update();
      });
      await status.updateButton.waitFor();
      // Nothing is forced: the operator stays where they are, signed in, until they tap Update.
      await page.waitForTimeout(1_000);
      await page.getByRole('banner').getByTestId('signed-in-as').waitFor();
      expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);

      const reloaded = page.waitForEvent('load');
      await status.updateButton.click();
      await reloaded;
      await page.getByRole('banner').getByTestId('signed-in-as').waitFor();
      await expect(status.updatePrompt.count()).resolves.toBe(0);
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
    } finally {
      await writeFile(sw, original);
    }
  });
});
