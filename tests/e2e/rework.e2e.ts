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
import { startStack, workDoneElsewhere } from './harness.ts';
import { NcrPage } from './pages/ncr-page.ts';
import { UUID, bothSizes as atBothSizes, openStation, recordFailingBore } from './pages/station.ts';

const UNIT = { kind: 'serial', serial: 'SN-1004-01' } as const;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  // The mill and the lathe already did OP10 and OP20 on SN-1004-01.
  await workDoneElsewhere(stack, 'Mill and lathe', { workOrderId: 'WO-1004', unit: UNIT, operationIds: ['OP10', 'OP20'] });
});

afterAll(async () => {
  await stack?.close();
});

function bothSizes(page: Page, name: string, check: () => Promise<void>): Promise<void> {
  return atBothSizes(stack, page, `rework-${name}`, check, { restore: true });
}

describe('NCR rework and re-inspection', () => {
  it('takes an out-of-tolerance unit through rework and re-inspection to completion', async () => {
    const { page, station } = await openStation(stack, 'Inspection lab', 'WC-INSP');
    const { signIn, shell, queue, traveler, step } = station;
    const ncrs = new NcrPage(page);

    // The inspector measures the bore out of tolerance at OP30.
    await station.signInAs('B-2001');
    const ncrId = await recordFailingBore(station, { passOthers: true });
    await shell.signOut();

    // Quality dispositions rework to OP20 (the lathe) under e-signature.
    await station.signInAs('B-4001');
    await shell.nav('NCRs').click();
    const card = ncrs.card(ncrId);
    const dialog = await ncrs.openDisposition(ncrId, 'SN-1004-01');
    await ncrs.fill({ disposition: 'rework', reworkTo: 'OP20', reason: 'Bore 0.05 mm over: re-bore on the lathe to WI-20' });
    await dialog.getByText('dispositioned: rework').waitFor();
    await bothSizes(page, 'dialog', async () => {
      await dialog.getByRole('combobox', { name: 'Rework to operation' }).waitFor();
    });
    await ncrs.sign();
    await card.getByText(`Rework 1 for ${ncrId}`).waitFor();
    expect(await card.innerText()).toMatch(new RegExp(`Re-inspection 1 for ${ncrId} \\(.* · WC-INSP · Bore diameter\\)`));
    await bothSizes(page, 'ncr', async () => {
      await card.getByText('rework not yet done').waitFor();
    });
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
    await shell.signOut();

    // The traveler shows the inserted operations before OP30; OP30 says which NCR and why it waits.
    await station.signInAs('B-2001');
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
    const { page: lathe, station: latheStation } = await openStation(stack, 'Lathe', 'WC-LATHE');
    await latheStation.signInAs('B-1001');
    await latheStation.queue.openWorkOrder('WO-1004');
    const latheTraveler = latheStation.traveler;
    const latheStep = latheStation.step;
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
    await station.signInAs('B-2001');
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
