/**
 * Faults a station survives, end to end in Chromium against the real server (issue 5): an answer
 * lost after the server stored the batch, a server restart in the middle of a push, a long outage
 * with thousands of events, reloads and browser restarts while offline, a clock set back, several
 * tabs, and storage near its quota. Bulk events are recorded through the station's own recorder
 * from a driver tab (tests/e2e/driver); everything else through the screens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriverTab, withDriver } from './driver/driver.ts';
import type { FaultStack } from './faults-stack.ts';
import { enrolledStation, startFaultStack } from './faults-stack.ts';
import { QueuePage } from './pages/queue-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StatusBar } from './pages/status-bar.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Records `count` events from a driver tab and closes it; returns their ids. */
async function recordInBackground(context: BrowserContext, count: number): Promise<string[]> {
  const driverTab = await openDriverTab(context);
  const ids = await withDriver(driverTab, (d, n) => d.recordSessions(n, 'B-1001'), count);
  await withDriver(driverTab, (d) => d.close(), null);
  await driverTab.close();
  return ids;
}

async function stationReceipts(page: Page): Promise<Record<string, { outcome: string; flags: string[]; serverSeq: number }>> {
  const driverTab = await openDriverTab(page.context());
  const receipts = await withDriver(driverTab, (d) => d.receipts(), null);
  await driverTab.close();
  return receipts;
}

/** What the server stored of these events: one receipt each, or none. */
function storedOnServer(ids: readonly string[]): Promise<Map<string, unknown>> {
  return stack.server.store.locked((tx) => tx.storedEvents(ids));
}

/** The last sequence number the server holds from this station. */
function serverLastSeq(stationId: string): Promise<number> {
  return stack.server.store.locked((tx) => tx.stationLastSeq(stationId));
}

describe('storage near its quota', () => {
  it('storage near its quota: a supervisor is warned, and a write that fails is told to the operator', async () => {
    const { context, page } = await stack.newStation();
    await context.addInitScript(() => {
      // 85% of a 1 GB quota: past the 80% warning, nothing failing yet.
      navigator.storage.estimate = () => Promise.resolve({ usage: 850_000_000, quota: 1_000_000_000 });
      // A disk that is full: writes fail as IndexedDB fails them, when the test says so.
      const proto = IDBObjectStore.prototype as unknown as Record<'put' | 'add', (this: IDBObjectStore, ...args: unknown[]) => IDBRequest>;
      for (const method of ['put', 'add'] as const) {
        const original = proto[method];
        proto[method] = function (this: IDBObjectStore, ...args: unknown[]) {
          if ((window as { failWrites?: boolean }).failWrites === true) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return original.apply(this, args);
        };
      }
    });
    const status = new StatusBar(page);
    await enrolledStation(page, 'Nearly full', 'WC-MILL', { badge: 'B-3001', pin: '9999', name: 'Sam Reyes' });
    await status.storageWarning.waitFor();
    expect(await status.storageWarning.innerText()).toMatch(/85% full/);
    await status.storagePersistence.waitFor();

    // An operator sees no warning, and is told at once when a write fails.
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await new SignInPage(page).signIn('B-1001', '1111');
    await page.getByRole('banner').getByTestId('signed-in-as').filter({ hasText: 'Ana Ortiz' }).waitFor();
    expect(await status.storageWarning.count()).toBe(0);
    await new QueuePage(page).openWorkOrder('WO-1006');
    await new TravelerPage(page).openStep('OP10', 'SN-1006-01');
    await page.evaluate(() => ((window as { failWrites?: boolean }).failWrites = true));
    const step = new StepPage(page);
    await step.start();
    await page.getByRole('alert').filter({ hasText: /Not recorded/ }).waitFor();
    await step.waitForStatus('Not started');
    await page.evaluate(() => ((window as { failWrites?: boolean }).failWrites = false));
    await step.start();
    await step.waitForStatus('In progress');
  });
});

describe('faults survived with sync', () => {
  it('[S7][S8] an answer lost after the server stored the batch: the retry gets the same receipts, nothing is stored twice', async () => {
    const { context, page } = await stack.newStation();
    const status = new StatusBar(page);
    await enrolledStation(page, 'Lost answer');
    await status.waitForNothingWaiting();
    await context.setOffline(true);
    const ids = await recordInBackground(context, 20);
    await status.waitForWaiting(20);

    const answers: Array<{ eventIds: string[]; receipts: unknown[] }> = [];
    let dropped = 0;
    await page.route('**/api/sync/push', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { receipts: Array<{ eventId: string }> };
      answers.push({ eventIds: body.receipts.map((r) => r.eventId), receipts: body.receipts });
      // The server has committed the batch; the station never reads the answer.
      if (dropped++ === 0) return route.abort('connectionreset');
      return route.fulfill({ response });
    });
    await context.setOffline(false);
    await status.waitForNothingWaiting(60_000);
    // The receipts may arrive first with the pull that the failed push lets go (S15); the batch
    // whose answer was lost is sent again all the same, once the retry's backoff is over.
    await expect.poll(() => dropped, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(2);
    const [lost, retried] = answers;
    // The retry carried the same events and got the very receipts the lost answer held.
    const again = new Map((retried?.receipts as Array<{ eventId: string }>).map((r) => [r.eventId, r]));
    for (const receipt of lost?.receipts as Array<{ eventId: string }>) expect(again.get(receipt.eventId)).toEqual(receipt);
    const stored = await storedOnServer(ids);
    expect(stored.size).toBe(20);
    expect(await serverLastSeq(await stationIdOf(page))).toBe(await lastSeqOf(page));
    await page.unroute('**/api/sync/push');
  });

  it('[S8][S15] the server restarted in the middle of a push: nothing lost, sync resumes by itself', async () => {
    const { context, page } = await stack.newStation();
    const status = new StatusBar(page);
    await enrolledStation(page, 'Server restart');
    await status.waitForNothingWaiting();
    await context.setOffline(true);
    const ids = await recordInBackground(context, 300);
    await status.waitForWaiting(300);

    let restarted = false;
    await page.route('**/api/sync/push', async (route) => {
      if (restarted) return route.continue();
      restarted = true;
      // The request reaches the server, which is stopped while it works on it and started again.
      const inFlight = route.fetch().catch(() => null);
      await stack.stopServer();
      await inFlight;
      await route.abort('connectionreset');
      await stack.startServerAgain();
    });
    await context.setOffline(false);
    await status.waitForNothingWaiting(90_000);
    expect(restarted).toBe(true);
    const stored = await storedOnServer(ids);
    expect(stored.size).toBe(300);
    expect(await serverLastSeq(await stationIdOf(page))).toBe(await lastSeqOf(page));
    await page.unroute('**/api/sync/push');
  });

  it('[S15] an 8-hour outage with 5,000 events recorded offline: all accepted with receipts, views converge', async () => {
    const { context, page } = await stack.newStation();
    const status = new StatusBar(page);
    await enrolledStation(page, 'Long outage');
    await status.waitForNothingWaiting();
    await context.setOffline(true);
    await status.waitForOffline();

    // Work on the screens during the outage, then the rest of the shift's events in bulk.
    await completeOp10(page, 'WO-1003', 'SN-1003-01');
    const ids = await recordInBackground(context, 5000);
    await status.waitForWaiting(5000 + OP10_EVENTS, 60_000);

    const started = Date.now();
    await context.setOffline(false);
    await status.waitForNothingWaiting(120_000);
    console.log(`outage catch-up: 5,003 events to receipts and views in ${Date.now() - started} ms`);

    const receipts = await stationReceipts(page);
    const outcomes = ids.map((id) => receipts[id]?.outcome);
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(0);
    expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(0);
    expect((await storedOnServer(ids)).size).toBe(5000);

    // Another station sees the completion made offline: the views converged.
    const other = await stack.newStation();
    await enrolledStation(other.page, 'Long outage witness');
    await new QueuePage(other.page).openWorkOrder('WO-1003');
    await new TravelerPage(other.page).step('OP10', 'SN-1003-01').filter({ hasText: 'Complete' }).waitFor();
  });

  it('[S13] a reload and a browser restart while offline keep every pending event, which then syncs', async () => {
    const userDataDir = await mkdtemp(join(tmpdir(), 'travelog-profile-'));
    try {
      let { context, page } = await stack.persistentStation(userDataDir);
      await enrolledStation(page, 'Restarted browser');
      await new StatusBar(page).waitForNothingWaiting();
      await context.setOffline(true);
      await completeOp10(page, 'WO-1004', 'SN-1004-01');
      const ids = await recordInBackground(context, 50);
      await new StatusBar(page).waitForWaiting(50 + OP10_EVENTS);

      await page.reload();
      await new SignInPage(page).heading.or(page.getByRole('banner')).first().waitFor();
      await new StatusBar(page).waitForWaiting(50 + OP10_EVENTS);

      // Close the whole browser and start it again on the same profile, still offline.
      await context.close();
      ({ context, page } = await stack.persistentStation(userDataDir));
      await context.setOffline(true);
      await page.goto('/');
      await new SignInPage(page).signIn('B-1001', '1111');
      // The sign-in after the restart is one more event waiting.
      await new StatusBar(page).waitForWaiting(50 + OP10_EVENTS + 1);
      // OP10 was its last step at this work center, so WO-1004 has left the queue: look it up.
      await new QueuePage(page).lookUp('WO-1004');
      await new TravelerPage(page).step('OP10', 'SN-1004-01').filter({ hasText: 'Complete' }).waitFor();

      await context.setOffline(false);
      await new StatusBar(page).waitForNothingWaiting(60_000);
      expect((await storedOnServer(ids)).size).toBe(50);
      await context.close();
    } finally {
      await rm(userDataDir, { recursive: true, force: true });
    }
  });

  it('[C11] the station clock set back an hour: events stay in order, the skew is flagged, nothing is refused', async () => {
    const { context, page } = await stack.newStation();
    // Every page of this station reads the clock through this offset.
    await context.addInitScript(() => {
      const RealDate = Date;
      const offset = () => Number(localStorage.getItem('test-clock-offset-ms') ?? '0');
      class ShiftedDate extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) super(RealDate.now() + offset());
          else super(...(args as [string]));
        }
        static override now(): number {
          return RealDate.now() + offset();
        }
      }
      globalThis.Date = ShiftedDate as DateConstructor;
    });
    const status = new StatusBar(page);
    await enrolledStation(page, 'Clock back');
    const before = await recordInBackground(context, 3);
    await status.waitForNothingWaiting();

    await page.evaluate(() => localStorage.setItem('test-clock-offset-ms', String(-60 * 60_000)));
    await page.reload();
    // A reload keeps the operator signed in; she signs out and in again on the shifted clock.
    const shell = new Shell(page);
    await shell.expectSignedIn('Ana Ortiz');
    await shell.signOut();
    await new SignInPage(page).signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    const after = await recordInBackground(context, 3);
    await status.waitForNothingWaiting(60_000);

    const driverTab = await openDriverTab(context);
    const events = await withDriver(driverTab, (d) => d.events(), null);
    const receipts = await withDriver(driverTab, (d) => d.receipts(), null);
    await driverTab.close();
    const hlcs = events.map((e) => e.hlc);
    expect([...hlcs].sort()).toEqual(hlcs);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const id of before) expect(receipts[id]?.flags).not.toContain('clock-skew');
    for (const id of after) {
      expect(receipts[id]?.outcome).toBe('flagged');
      expect(receipts[id]?.flags).toContain('clock-skew');
    }
    // The device time went back; the server order still follows the station's sequence.
    const seqs = after.map((id) => receipts[id]?.serverSeq ?? 0);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('a frozen leader tab hands sync to another tab, and waits its turn when it resumes', async () => {
    const { context, page: first } = await stack.newStation();
    await enrolledStation(first, 'Frozen tab');
    await new StatusBar(first).waitForNothingWaiting();
    const second = await context.newPage();
    await second.goto('/');
    await new SignInPage(second).signIn('B-1005', '5555');
    await new Shell(second).expectSignedIn('Eli Novak');
    await new StatusBar(second).lastSync.filter({ hasText: 'another tab of this station syncs' }).waitFor();
    const pushes = new Map<Page, number>([[first, 0], [second, 0]]);
    for (const tab of [first, second]) tab.on('request', (request) => request.url().endsWith('/api/sync/push') && pushes.set(tab, (pushes.get(tab) ?? 0) + 1));

    // The browser freezes the leading tab (Page Lifecycle), as it does to a background tab. Headless
    // Chromium ignores DevTools' Page.setWebLifecycleState, so the test sends the events the browser
    // would; tests/unit/sync/leadership.test.ts shows the lock is let go without waiting for
    // anything a frozen page could not run.
    await first.evaluate(() => document.dispatchEvent(new Event('freeze')));
    await new StatusBar(second).lastSync.filter({ hasText: /^last sync / }).waitFor();
    await completeOp10(second, 'WO-1001', 'SN-1001-01');
    await new StatusBar(second).waitForNothingWaiting(30_000);
    expect(pushes.get(second)).toBeGreaterThan(0);
    expect(pushes.get(first)).toBe(0);

    // Resumed, the first tab waits behind the second, and leads again once the second closes.
    await first.evaluate(() => document.dispatchEvent(new Event('resume')));
    await new StatusBar(first).lastSync.filter({ hasText: 'another tab of this station syncs' }).waitFor();
    await second.close();
    await new StatusBar(first).lastSync.filter({ hasText: /^last sync / }).waitFor();
    await completeOp10(first, 'WO-1001', 'SN-1001-02');
    await new StatusBar(first).waitForNothingWaiting(30_000);
    expect(pushes.get(first)).toBeGreaterThan(0);
  });

  it('two tabs both recording: one replicates, none lost', async () => {
    const { context, page: first } = await stack.newStation();
    await enrolledStation(first, 'Two tabs');
    const second = await context.newPage();
    await second.goto('/');
    await new SignInPage(second).signIn('B-1005', '5555');
    await second.getByRole('banner').getByTestId('signed-in-as').filter({ hasText: 'Eli Novak' }).waitFor();

    const pushesFrom = new Map<Page, number>([[first, 0], [second, 0]]);
    for (const tab of [first, second]) tab.on('request', (request) => request.url().endsWith('/api/sync/push') && pushesFrom.set(tab, (pushesFrom.get(tab) ?? 0) + 1));

    await completeOp10(first, 'WO-1005', 'SN-1005-01');
    await completeOp10(second, 'WO-1005', 'SN-1005-02');
    await new StatusBar(first).waitForNothingWaiting(30_000);
    await new StatusBar(second).waitForNothingWaiting(30_000);
    const pushing = [...pushesFrom.values()].filter((n) => n > 0);
    expect(pushing).toHaveLength(1);

    const driverTab = await openDriverTab(context);
    const events = await withDriver(driverTab, (d) => d.events(), null);
    const receipts = await withDriver(driverTab, (d) => d.receipts(), null);
    await driverTab.close();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => receipts[e.id] !== undefined && receipts[e.id]?.outcome !== 'rejected')).toBe(true);
  });

});

/** The id this page's station was enrolled as. */
async function stationIdOf(page: Page): Promise<string> {
  const driverTab = await openDriverTab(page.context());
  const id = await withDriver(driverTab, (d) => Promise.resolve(d.stationId()), null);
  await driverTab.close();
  return id;
}

async function lastSeqOf(page: Page): Promise<number> {
  const driverTab = await openDriverTab(page.context());
  const events = await withDriver(driverTab, (d) => d.events(), null);
  await driverTab.close();
  return events.at(-1)?.seq ?? 0;
}

/** Starts and completes OP10 on `unit` from the queue, building in lot L-920-A, back to the traveler. */
/** Events {@link completeOp10} records: the start, the lot consumed, the completion. */
const OP10_EVENTS = 3;

async function completeOp10(page: Page, workOrderId: string, unit: string): Promise<void> {
  const step = new StepPage(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click();
  await new QueuePage(page).openWorkOrder(workOrderId);
  await new TravelerPage(page).openStep('OP10', unit);
  await step.start();
  await step.waitForStatus('In progress');
  await step.material.getByRole('textbox', { name: 'Scan serial or lot' }).fill('L-920-A');
  await step.material.getByRole('button', { name: 'Add material' }).click();
  await step.consumed('L-920-A').waitFor();
  await step.complete();
  await step.waitForStatus('Complete');
  await step.backToTraveler(workOrderId);
}
