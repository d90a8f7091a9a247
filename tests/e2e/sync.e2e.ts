/**
 * Two stations against the real server: the same operation completed on both while one is offline.
 * The second completion reaches the server later, is flagged (C1), a supervisor resolves it under a
 * signature, and both stations end up showing the same traveler (S13).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { ConflictsPage } from './pages/conflicts-page.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Enrolls a station at WC-MILL and signs `badge` in. */
async function stationAtMill(page: Page, name: string, badge: string, pin: string, person: string): Promise<void> {
  await page.goto('/');
  await new SetupPage(page).enroll(name, 'B-3001', '9999');
  await new SetupPage(page).chooseWorkCenter('WC-MILL');
  await new SignInPage(page).signIn(badge, pin);
  await new Shell(page).expectSignedIn(person);
  // The station has pulled its work center's work before the test cuts its network (choosing a work
  // center re-pulls the work-center views from 0, docs/sync-spec.md S12).
  await new QueuePage(page).workOrderLink('WO-1002').waitFor();
}

/** Starts OP10 on SN-1002-01, builds in lot L-920-A and completes it. */
async function completeOp10(page: Page): Promise<void> {
  const queue = new QueuePage(page);
  const traveler = new TravelerPage(page);
  const step = new StepPage(page);
  await queue.openWorkOrder('WO-1002');
  await traveler.openStep('OP10', 'SN-1002-01');
  await step.start();
  await step.waitForStatus('In progress');
  await step.material.getByRole('textbox', { name: 'Scan serial or lot' }).fill('L-920-A');
  await step.material.getByRole('button', { name: 'Add material' }).click();
  await step.consumed('L-920-A').waitFor();
  await step.complete();
  await step.waitForStatus('Complete');
  await step.backToTraveler('WO-1002');
}

describe('two stations', () => {
  it('[C1][S13] a completion made offline elsewhere is flagged, resolved under signature, and both stations converge', async () => {
    const a = await stack.newStation();
    const b = await stack.newStation();
    const shellA = new Shell(a.page);
    const shellB = new Shell(b.page);

    await stationAtMill(a.page, 'Mill A', 'B-1001', '1111', 'Ana Ortiz');
    await stationAtMill(b.page, 'Mill B', 'B-1005', '5555', 'Eli Novak');

    await b.context.setOffline(true);
    await shellB.statusBar.filter({ hasText: 'Offline' }).waitFor();

    await completeOp10(a.page);
    await shellA.statusBar.filter({ hasText: 'nothing waiting to send' }).waitFor();

    await completeOp10(b.page);
    const cellB = new TravelerPage(b.page).step('OP10', 'SN-1002-01');
    await cellB.filter({ hasText: 'Eli Novak' }).waitFor();
    await shellB.statusBar.filter({ hasText: /\d+ events waiting to send, oldest/ }).waitFor();
    await stack.screenshot(b.page, '20-offline-duplicate');

    // Back online: B's events go up; the server keeps Ana's completion and flags Eli's.
    await b.context.setOffline(false);
    await shellB.statusBar.filter({ hasText: 'nothing waiting to send' }).waitFor();
    await cellB.filter({ hasText: 'Ana Ortiz' }).waitFor();

    // The supervisor at station A sees the conflict and resolves it under signature.
    await shellA.signOut();
    await new SignInPage(a.page).signIn('B-3001', '9999');
    await shellA.expectSignedIn('Sam Reyes');
    // Eli's completion (C1) and the second bar of L-920-A he built in (C17).
    await shellA.statusBar.getByRole('link', { name: '2 open conflicts' }).waitFor();
    await shellA.nav('Conflicts').click();
    const conflicts = new ConflictsPage(a.page);
    await conflicts.heading.waitFor();
    const card = conflicts.open('Completed twice');
    await card.waitFor();
    expect(await card.innerText()).toMatch(/Eli Novak/);
    // The server's description, with badges by name and its UTC time in the station's local time.
    expect(await card.innerText()).toMatch(/already completed by Ana Ortiz at \d{4}-\d{2}-\d{2} \d{2}:\d{2}; this second completion by Eli Novak/);
    expect(await card.innerText()).not.toMatch(/T\d{2}:\d{2}:\d{2}/);
    // The card names the station that recorded it as it was enrolled, not by its id alone.
    await card.filter({ hasText: /Station\s*Mill B/ }).waitFor();
    await stack.screenshot(a.page, '21-conflict-queue');
    await conflicts.resolve('Completed twice', 'Accept as recorded', 'Eli completed it again while offline; first completion stands', 'B-3001', '9999');
    await conflicts.manifestation.filter({ hasText: 'Sam Reyes' }).waitFor();
    expect(await conflicts.manifestation.innerText()).toMatch(/reviewed: accepted as recorded/);
    // Accepting the completion leaves the material beyond the bill to its own decision (docs/sync-spec.md R2).
    await conflicts.resolve('Material beyond the bill', 'Void', 'One bar was used; the second goes back to its lot', 'B-3001', '9999');
    await a.page.getByText('No open conflicts.').waitFor();
    await shellA.statusBar.filter({ hasText: 'nothing waiting to send' }).waitFor();
    await stack.screenshot(a.page, '22-conflict-resolved');

    // Both stations show the same traveler.
    await new QueuePage(a.page).page.goto('/work-orders/WO-1002');
    const cellA = new TravelerPage(a.page).step('OP10', 'SN-1002-01');
    await cellA.filter({ hasText: 'Ana Ortiz' }).waitFor();
    expect(await cellB.innerText()).toBe(await cellA.innerText());
    expect(await cellA.innerText()).toMatch(/Complete/);
  });
});
