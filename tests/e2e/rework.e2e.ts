/**
 * Rework and re-inspection in Chromium at 1280×800 and 800×1280 (issue 15): the inspector records an
 * out-of-tolerance bore at OP30 → an NCR opens and stops the unit → quality dispositions rework to
 * OP20 under e-signature → the traveler shows "Rework 1 for NCR-…" and "Re-inspection 1 for NCR-…"
 * before OP30, and OP30 says which NCR and why it waits → the operator at the lathe does the rework →
 * the inspector re-measures the bore in tolerance → the NCR is closed and the unit completes OP30 and
 * goes on. No UUID is shown.
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
  // The mill and the lathe already did OP10 and OP20 on SN-1004-01.
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
    await stack.screenshot(page, `rework-${name}-${size.width}x${size.height}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('NCR rework and re-inspection', () => {
  it('takes an out-of-tolerance unit through rework and re-inspection to completion', async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);

    // The inspector measures the bore out of tolerance at OP30.
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
    await bore.gauge.fill('G-17');
    await bore.record();
    await bore.message.filter({ hasText: 'SN-1004-01 is now ON HOLD' }).waitFor();
    const ncrId = /NCR-\d{4}-[0-9A-Z]{6}/.exec(await bore.message.innerText())?.[0];
    if (ncrId === undefined) throw new Error('no NCR id shown');
    await shell.signOut();

    // Quality dispositions rework to OP20 (the lathe) under e-signature.
    await signIn.signIn('B-4001', '4321');
    await shell.expectSignedIn('Quinn Lee');
    await shell.nav('NCRs').click();
    const card = page.getByRole('article', { name: ncrId });
    await card.getByRole('button', { name: `Disposition SN-1004-01 on ${ncrId}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'Disposition' }).selectOption('rework');
    await dialog.getByText('dispositioned: rework').waitFor();
    await dialog.getByRole('combobox', { name: 'Rework to operation' }).selectOption('OP20');
    await dialog.getByRole('textbox', { name: 'Reason for the disposition' }).fill('Bore 0.05 mm over: re-bore on the lathe to WI-20');
    await dialog.getByRole('textbox', { name: 'Badge', exact: true }).fill('B-4001');
    await dialog.getByLabel('PIN', { exact: true }).fill('4321');
    await bothSizes(page, 'dialog', async () => {
      await dialog.getByRole('combobox', { name: 'Rework to operation' }).waitFor();
    });
    await dialog.getByRole('button', { name: 'Sign disposition' }).click();
    await page.getByRole('status', { name: 'Signature' }).filter({ hasText: 'Quinn Lee' }).waitFor();
    await card.getByText(`Rework 1 for ${ncrId}`).waitFor();
    expect(await card.innerText()).toMatch(new RegExp(`Re-inspection 1 for ${ncrId} \\(.* · WC-INSP · Bore diameter\\)`));
    await bothSizes(page, 'ncr', async () => {
      await card.getByText('rework not yet done').waitFor();
    });
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
    await shell.signOut();

    // The traveler shows the inserted operations before OP30; OP30 says which NCR and why it waits.
    await signIn.signIn('B-2001', '2468');
    await shell.expectSignedIn('Ines Park');
    await queue.openWorkOrder('WO-1004');
    await bothSizes(page, 'traveler', async () => {
      await traveler.inserted(`Rework 1 for ${ncrId}`, 'SN-1004-01').waitFor();
      await traveler.inserted(`Re-inspection 1 for ${ncrId}`, 'SN-1004-01').waitFor();
    });
    const rows = await page.getByRole('rowheader').allInnerTexts();
    const order = rows.map((r) => r.split('\n')[0] ?? '');
    expect(order.indexOf(`Rework 1 for ${ncrId}`)).toBeLessThan(order.indexOf(`Re-inspection 1 for ${ncrId}`));
    expect(order.indexOf(`Re-inspection 1 for ${ncrId}`)).toBeLessThan(order.findIndex((r) => r.startsWith('OP30')));
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
    await traveler.openStep('OP30', 'SN-1004-01');
    const completeButton = page.getByRole('button', { name: 'Complete operation' });
    await bothSizes(page, 'blocked', async () => {
      expect(await completeButton.isDisabled()).toBe(true);
      await page.getByText(`SN-1004-01 is dispositioned rework under ${ncrId}; Rework 1 for ${ncrId} and Re-inspection 1 for ${ncrId} must be completed before it continues`).first().waitFor();
    });
    await shell.signOut();

    // The operator at the lathe does the rework.
    const lathe = (await stack.newStation()).page;
    await lathe.setViewportSize({ width: 1280, height: 800 });
    await lathe.goto('/');
    await new SetupPage(lathe).enroll('Lathe', 'B-3001', '9999');
    await new SetupPage(lathe).chooseWorkCenter('WC-LATHE');
    await new SignInPage(lathe).signIn('B-1001', '1111');
    await new Shell(lathe).expectSignedIn('Ana Ortiz');
    await new QueuePage(lathe).openWorkOrder('WO-1004');
    const latheTraveler = new TravelerPage(lathe);
    const latheStep = new StepPage(lathe);
    await latheTraveler.openInserted(`Rework 1 for ${ncrId}`, 'SN-1004-01');
    expect(await lathe.getByRole('main').innerText()).toMatch(/WI-100-20 rev B/);
    await latheStep.start();
    await latheStep.waitForStatus('In progress');
    await latheStep.complete();
    await latheStep.waitForStatus('Complete');
    await stack.screenshot(lathe, 'rework-lathe-done-1280x800');
    await lathe.setViewportSize({ width: 800, height: 1280 });
    await stack.screenshot(lathe, 'rework-lathe-done-800x1280');
    expect(await lathe.getByRole('main').innerText()).not.toMatch(UUID);

    // The inspector re-measures the bore in tolerance; the NCR closes.
    await signIn.signIn('B-2001', '2468');
    await shell.expectSignedIn('Ines Park');
    await queue.openWorkOrder('WO-1004');
    await traveler.inserted(`Rework 1 for ${ncrId}`, 'SN-1004-01').filter({ hasText: 'Complete' }).waitFor({ timeout: 45_000 });
    await traveler.openInserted(`Re-inspection 1 for ${ncrId}`, 'SN-1004-01');
    await step.start();
    await step.waitForStatus('In progress');
    const again = step.characteristic('C1 Bore diameter');
    await again.value.pressSequentially('12.70');
    await again.liveVerdict.filter({ hasText: /^PASS$/ }).waitFor();
    await again.gauge.fill('G-17');
    await again.record();
    await again.message.filter({ hasText: 'Recorded C1 Bore diameter' }).waitFor();
    await bothSizes(page, 'reinspected', async () => {
      await page.getByRole('button', { name: 'Complete operation' }).waitFor();
    });
    await step.complete();
    await step.waitForStatus('Complete');

    // The unit completes OP30 and goes on.
    await step.backToTraveler('WO-1004');
    await traveler.openStep('OP30', 'SN-1004-01');
    await bothSizes(page, 'allowed', async () => {
      expect(await completeButton.isDisabled(), await page.getByRole('main').innerText()).toBe(false);
    });
    await completeButton.click();
    await step.waitForStatus('Complete');
    await step.backToTraveler('WO-1004');
    await bothSizes(page, 'done', async () => {
      await traveler.step('OP30', 'SN-1004-01').filter({ hasText: 'Complete' }).waitFor();
      await traveler.step('OP40', 'SN-1004-01').filter({ hasText: 'Not started' }).waitFor();
    });
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
    await shell.signOut();
    await signIn.signIn('B-4001', '4321');
    await shell.nav('NCRs').click();
    await page.getByRole('combobox', { name: 'Show' }).selectOption('all');
    expect(await page.getByRole('article', { name: ncrId }).innerText()).toMatch(/closed/i);
  });
});
