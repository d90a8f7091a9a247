/**
 * Defects found using the station as operators and supervisors do (issue 12, items 1, 2, 3, 5, 6):
 * a work-center round trip, material built in twice by two stations, the station whose work the
 * server flagged, and a status bar that says whether the server answers.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { ConflictsPage } from './pages/conflicts-page.ts';
import { HoldsPage } from './pages/holds-page.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StatusBar } from './pages/status-bar.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Enrolls a station with B-3001/9999 at `workCenterId` and signs `badge` in. */
async function enrolledStation(page: Page, name: string, workCenterId: string, badge: string, pin: string, person: string): Promise<void> {
  await page.goto('/');
  await new SetupPage(page).enroll(name, 'B-3001', '9999');
  await new SetupPage(page).chooseWorkCenter(workCenterId);
  await new SignInPage(page).signIn(badge, pin);
  await new Shell(page).expectSignedIn(person);
}

/** The work orders the queue lists. */
async function queueRows(page: Page): Promise<number> {
  return page.getByRole('link', { name: /^WO-\d{4}$/ }).count();
}

async function changeWorkCenter(page: Page, workCenterId: string): Promise<void> {
  await new Shell(page).nav('Change work center').click();
  await page.getByRole('heading', { name: 'Change work center' }).waitFor();
  await new SetupPage(page).chooseWorkCenter(workCenterId);
  await new QueuePage(page).heading.filter({ hasText: workCenterId }).waitFor();
}

describe('station defects (issue 12)', () => {
  it('[S12] after WC-MILL → WC-LATHE → WC-MILL and a reload the station shows all its work and every hold', async () => {
    const { page } = await stack.newStation();
    const queue = new QueuePage(page);
    await enrolledStation(page, 'Round trip', 'WC-MILL', 'B-3001', '9999', 'Sam Reyes');
    await queue.workOrderLink('WO-2005').waitFor();
    expect(await queueRows(page)).toBe(11);

    await changeWorkCenter(page, 'WC-LATHE');
    await queue.workOrderLink('WO-1001').waitFor();
    await expect.poll(() => queueRows(page), { timeout: 20_000 }).toBe(6);
    await changeWorkCenter(page, 'WC-MILL');
    await page.reload();
    await new Shell(page).expectSignedIn('Sam Reyes');
    await new Shell(page).nav('Sync').click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await new Shell(page).nav('Queue').click();
    await queue.workOrderLink('WO-2005').waitFor();
    expect(await queueRows(page)).toBe(11);
    await stack.screenshot(page, '40-round-trip-queue');

    await new Shell(page).nav('Holds').click();
    const holds = new HoldsPage(page);
    await holds.heading.waitFor();
    await holds.row('SN-1003-02').waitFor();
    await holds.row('L-920-Q').waitFor();
    expect(await page.getByText(/No active holds/).count()).toBe(0);

    await new Shell(page).nav('Queue').click();
    await queue.lookUp('WO-1001');
    await page.getByRole('heading', { name: 'Traveler WO-1001' }).waitFor();
  });

  it('[C17][C1][R2] two stations build L-920-A into OP10 of SN-1001-03; the flagged station is told on the step until it acknowledges; a void gives the bar back', async () => {
    const a = await stack.newStation();
    const b = await stack.newStation();
    const shellA = new Shell(a.page);
    const shellB = new Shell(b.page);
    const barB = new StatusBar(b.page);
    await enrolledStation(a.page, 'Mill A', 'WC-MILL', 'B-1001', '1111', 'Ana Ortiz');
    await enrolledStation(b.page, 'Mill B', 'WC-MILL', 'B-1005', '5555', 'Eli Novak');
    await new QueuePage(b.page).workOrderLink('WO-1001').waitFor();

    await b.context.setOffline(true);
    await barB.waitForOffline();

    const op10 = async (page: Page) => {
      const step = new StepPage(page);
      await new QueuePage(page).openWorkOrder('WO-1001');
      await new TravelerPage(page).openStep('OP10', 'SN-1001-03');
      await step.start();
      await step.waitForStatus('In progress');
      await step.material.getByRole('textbox', { name: 'Scan serial or lot' }).fill('L-920-A');
      await step.material.getByRole('button', { name: 'Add material' }).click();
      await step.consumed('L-920-A').waitFor();
      await step.complete();
      await step.waitForStatus('Complete');
      return step;
    };
    await op10(a.page);
    await new StatusBar(a.page).waitForNothingWaiting();

    // Offline, B's work is saved on the station and marked as not yet confirmed by the server.
    await op10(b.page);
    const unconfirmed = b.page.getByTestId('not-confirmed');
    await unconfirmed.filter({ hasText: /^Not yet confirmed by the server · saved on this station: start by Eli Novak/ }).waitFor();
    expect(await unconfirmed.innerText()).toMatch(/completion by Eli Novak/);
    await stack.screenshot(b.page, '41-offline-not-confirmed');

    // Back online: the server keeps Ana's completion and flags Eli's completion and material.
    await b.context.setOffline(false);
    await barB.waitForNothingWaiting();
    const flagged = b.page.getByRole('alert').filter({ hasText: 'The server did not take this station' });
    await flagged.filter({ hasText: 'Completed twice' }).waitFor();
    await flagged.filter({ hasText: 'Material beyond the bill' }).waitFor();
    expect(await flagged.innerText()).toMatch(/Completion by Eli Novak at \d{4}-\d{2}-\d{2} \d{2}:\d{2} — flagged Completed twice: .*already completed by Ana Ortiz/);
    await expect.poll(() => unconfirmed.count()).toBe(0);
    const verdicts = barB.bar.getByTestId('server-verdicts');
    await verdicts.filter({ hasText: '2 records of this station not taken as recorded' }).waitFor();
    await b.page.setViewportSize({ width: 800, height: 1280 });
    await stack.screenshot(b.page, '42-flagged-on-step-portrait');
    await b.page.setViewportSize({ width: 1280, height: 800 });
    await stack.screenshot(b.page, '43-flagged-on-step');

    // The supervisor voids the duplicate completion: the beyond-bill item closes with it.
    await shellA.signOut();
    await new SignInPage(a.page).signIn('B-3001', '9999');
    await shellA.expectSignedIn('Sam Reyes');
    await shellA.statusBar.getByRole('link', { name: '2 open conflicts' }).waitFor();
    await shellA.nav('Conflicts').click();
    const conflicts = new ConflictsPage(a.page);
    await conflicts.open('Material beyond the bill').filter({ hasText: /calls for 1 × P-920; 1 already built in/ }).waitFor();
    await conflicts.resolve('Completed twice', 'Void', 'Eli completed OP10 again offline; his bar goes back to the lot', 'B-3001', '9999');
    await conflicts.manifestation.filter({ hasText: 'Sam Reyes' }).waitFor();
    await a.page.getByText('No open conflicts.').waitFor();

    await a.page.goto('/work-orders/WO-1001');
    await new TravelerPage(a.page).openStep('OP10', 'SN-1001-03');
    // Bill: P-920 required 1, built in 1 (it said 2 before the void).
    const billRow = a.page.getByRole('table').filter({ hasText: 'Outstanding' }).getByRole('row').filter({ hasText: 'P-920' });
    await expect.poll(() => billRow.getByRole('cell').allInnerTexts()).toEqual(['1', '1', 'none ✓']);
    expect(await new StepPage(a.page).material.getByRole('table', { name: 'Material built in' }).getByRole('row').filter({ hasText: 'L-920-A' }).count()).toBe(1);

    // Eli acknowledges on the step; the word stays gone after a reload.
    await flagged.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => flagged.count()).toBe(0);
    await expect.poll(() => verdicts.count()).toBe(0);
    await b.page.reload();
    await shellB.expectSignedIn('Eli Novak');
    await new StepPage(b.page).waitForStatus('Complete');
    expect(await b.page.getByRole('alert').filter({ hasText: 'The server did not take this station' }).count()).toBe(0);
    expect(await barB.bar.getByTestId('server-verdicts').count()).toBe(0);
  });

  it('the status bar says whether the server answers, not only whether the browser has a network', async () => {
    const { context, page } = await stack.newStation();
    const bar = new StatusBar(page);
    await enrolledStation(page, 'Contact', 'WC-MILL', 'B-1001', '1111', 'Ana Ortiz');
    await bar.waitForOnline();
    await stack.screenshot(page, '44-server-reached');

    // The browser has a network but the server does not answer.
    await context.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.reload();
    await new Shell(page).expectSignedIn('Ana Ortiz');
    await bar.serverContact.filter({ hasText: /^Server not reached since \d\d:\d\d:\d\d$/ }).waitFor();
    expect(await bar.bar.innerText()).not.toMatch(/Online|Server reached/);
    await stack.screenshot(page, '45-server-not-reached');

    // The network cut: offline, and since when the server was last reached.
    await context.setOffline(true);
    await bar.serverContact.filter({ hasText: /^Offline · Server not reached since \d\d:\d\d:\d\d$/ }).waitFor();

    await context.setOffline(false);
    await context.unroute('**/api/**');
    await new Shell(page).nav('Sync').click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await bar.waitForOnline(30_000);
  });
});
