/**
 * Offline after enrollment: signing in and running an operation touch only IndexedDB, so they work
 * with the network gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
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

describe('station offline', () => {
  it('signs in and completes an operation with the network off', async () => {
    const { context, page } = await stack.newStation();
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);

    await page.goto('/');
    await setup.enroll('Mill 2 tablet', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-MILL');
    await signIn.heading.waitFor();

    // The station was online earlier in the shift: its work center's queue has been pulled. Choosing
    // the work center starts that pull; cutting the network before it lands would leave no queue.
    await signIn.signIn('B-1001', '1111');
    await queue.workOrderLink('WO-1002').waitFor();
    await shell.signOut();

    await context.setOffline(true);
    await shell.statusBar.filter({ hasText: 'Offline' }).waitFor();

    await signIn.signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    await queue.openWorkOrder('WO-1002');
    await traveler.openStep('OP10', 'SN-1002-01');
    await step.start();
    await step.waitForStatus('In progress');
    await step.material.getByRole('textbox', { name: 'Scan serial or lot' }).fill('L-920-A');
    await step.material.getByRole('button', { name: 'Add material' }).click();
    await step.consumed('L-920-A').waitFor();
    await step.complete();
    await step.waitForStatus('Complete');
    expect(await shell.statusBar.innerText()).toMatch(/Offline/);
    await stack.screenshot(page, '07-offline-complete');

    await step.backToTraveler('WO-1002');
    await traveler.step('OP10', 'SN-1002-01').filter({ hasText: 'Complete' }).waitFor();
    await shell.signOut();
  });
});
