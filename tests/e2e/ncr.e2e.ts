/**
 * Nonconformance on the floor (issue 15), in Chromium at 1280×800 and 800×1280: an out-of-tolerance
 * bore opens an NCR that stops the unit (the inspector is told which NCR and why); quality signs a
 * use-as-is disposition with engineering's concurrence on the NCRs screen; the unit may then be
 * completed, and the step shows the concession. No UUID is shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { testClock } from '../integration/harness.ts';
import { enrollStation, P100_REVISION } from '../integration/sync-fixture.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const UNIT = { kind: 'serial', serial: 'SN-1004-01' } as const;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  // The mill and the lathe already did OP10 and OP20 on SN-1004-01 (another station's work, pushed as it would be).
  const other = await enrollStation(stack.server, testClock(new Date().toISOString()), 'Mill and lathe');
  await other.pushOk(
    (['OP10', 'OP20'] as const).flatMap((op) => [
      other.step('op.started', 'B-1001', 'WO-1004', UNIT, op, P100_REVISION[op]!),
      other.step('op.completed', 'B-1001', 'WO-1004', UNIT, op, P100_REVISION[op]!),
    ]),
  );
});

afterAll(async () => {
  await stack?.close();
});

async function bothSizes(page: Page, name: string, check: () => Promise<void>): Promise<void> {
  for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 1280 }]) {
    await page.setViewportSize(size);
    await check();
    await stack.screenshot(page, `ncr-${name}-${size.width}x${size.height}`);
  }
}

describe('NCR and MRB disposition', () => {
  it('an out-of-tolerance bore opens an NCR that blocks completion until quality dispositions it', async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);

    await page.goto('/');
    await setup.enroll('Inspection lab', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-INSP');

    await signIn.signIn('B-2001', '2468');
    await shell.expectSignedIn('Ines Park');
    await queue.openWorkOrder('WO-1004');
    await traveler.openStep('OP30', 'SN-1004-01');
    await step.start();
    await step.waitForStatus('In progress');

    const finish = step.characteristic('C2 Surface finish Ra');
    await finish.value.pressSequentially('0.8');
    await finish.liveVerdict.filter({ hasText: /^PASS$/ }).waitFor();
    await finish.gauge.fill('G-17').catch(() => undefined);
    await finish.record();
    await finish.message.filter({ hasText: 'Recorded C2 Surface finish Ra' }).waitFor();

    const burrs = step.characteristic('C3 Visual: no burrs');
    await burrs.region.getByRole('button', { name: 'Pass' }).click();
    await burrs.record();
    await burrs.message.filter({ hasText: 'Recorded C3 Visual: no burrs' }).waitFor();

    const bore = step.characteristic('C1 Bore diameter');
    await bore.value.pressSequentially('12.75');
    await bore.liveVerdict.filter({ hasText: /^FAIL$/ }).waitFor();
    await bore.gauge.fill('G-17');
    await bore.record();
    await bore.message.filter({ hasText: 'SN-1004-01 is now ON HOLD' }).waitFor();
    const ncrId = /NCR-\d{4}-[0-9A-Z]{6}/.exec(await bore.message.innerText())?.[0];
    expect(ncrId).toBeDefined();

    // Blocked before: the button says which NCR and why.
    const completeButton = page.getByRole('button', { name: 'Complete operation' });
    await bothSizes(page, 'blocked', async () => {
      expect(await completeButton.isDisabled()).toBe(true);
      await page.getByText(new RegExp(`SN-1004-01 is held by ${ncrId!} .*quality must disposition it first`)).first().waitFor();
      await page.getByRole('region', { name: 'Nonconformances' }).getByText(ncrId!).first().waitFor();
    });
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
    await shell.signOut();

    // Quality dispositions it: use as is, with engineering's concurrence, under signature.
    await page.setViewportSize({ width: 1280, height: 800 });
    await signIn.signIn('B-4001', '4321');
    await shell.expectSignedIn('Quinn Lee');
    await shell.nav('NCRs').click();
    await page.getByRole('heading', { name: 'Nonconformances' }).waitFor();
    const card = page.getByRole('article', { name: ncrId! });
    await card.waitFor();
    expect(await card.innerText()).toMatch(/Bore diameter on SN-1004-01 at OP30 measured 12\.75 mm: outside tolerance/);
    expect(await card.innerText()).toMatch(/WC-INSP/);
    await bothSizes(page, 'list', async () => {
      await card.getByRole('button', { name: `Disposition SN-1004-01 on ${ncrId!}` }).waitFor();
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    await card.getByRole('button', { name: `Disposition SN-1004-01 on ${ncrId!}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('combobox', { name: 'Disposition' }).selectOption('use-as-is');
    await dialog.getByText('dispositioned: use as is').waitFor();
    await dialog.getByRole('textbox', { name: 'Reason for the disposition' }).fill('0.05 mm over on a non-functional bore; stress margin confirmed');
    await dialog.getByRole('textbox', { name: 'Badge', exact: true }).fill('B-4001');
    await dialog.getByLabel('PIN', { exact: true }).fill('4321');
    // Without engineering it is refused, and nothing is recorded.
    await dialog.getByRole('button', { name: 'Sign disposition' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Use as is needs engineering to sign too' }).waitFor();
    await dialog.getByRole('textbox', { name: 'Engineering badge' }).fill('B-5001');
    await dialog.getByLabel('Engineering PIN').fill('5050');
    await dialog.getByLabel('PIN', { exact: true }).fill('4321');
    await stack.screenshot(page, 'ncr-dialog-1280x800');
    await page.setViewportSize({ width: 800, height: 1280 });
    await stack.screenshot(page, 'ncr-dialog-800x1280');
    await dialog.getByRole('button', { name: 'Sign disposition' }).click();
    const signed = page.getByRole('status', { name: 'Signature' });
    await signed.filter({ hasText: 'Quinn Lee' }).waitFor();
    expect(await signed.innerText()).toMatch(/dispositioned: use as is/);
    await page.getByRole('combobox', { name: 'Show' }).selectOption('all');
    expect(await card.innerText()).toMatch(/closed/i);
    expect(await card.innerText()).toMatch(/Rosa Lindqvist.*engineering concurrence: use as is/);
    await stack.screenshot(page, 'ncr-closed-800x1280');
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
    await shell.signOut();

    // Allowed after: the inspector completes OP30; the step shows the concession.
    await page.setViewportSize({ width: 1280, height: 800 });
    await signIn.signIn('B-2001', '2468');
    await shell.expectSignedIn('Ines Park');
    await queue.lookUp('SN-1004-01');
    await traveler.openStep('OP30', 'SN-1004-01');
    await bothSizes(page, 'allowed', async () => {
      await page.getByRole('region', { name: 'Nonconformances' }).getByText(/Concession: use as is, signed by Quinn Lee and Rosa Lindqvist \(engineering\)/).waitFor();
      expect(await completeButton.isDisabled(), await page.getByRole('main').innerText()).toBe(false);
    });
    await completeButton.click();
    await step.waitForStatus('Complete');
  });
});
