/**
 * Nonconformance on the floor (issue 15), in Chromium at 1280×800 and 800×1280: an out-of-tolerance
 * bore opens an NCR that stops the unit (the inspector is told which NCR and why); quality signs a
 * use-as-is disposition with engineering's concurrence on the NCRs screen; the unit may then be
 * completed, and the step shows the concession. No UUID is shown.
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
  // The mill and the lathe already did OP10 and OP20 on SN-1004-01 (another station's work, pushed as it would be).
  await workDoneElsewhere(stack, 'Mill and lathe', { workOrderId: 'WO-1004', unit: UNIT, operationIds: ['OP10', 'OP20'] });
});

afterAll(async () => {
  await stack?.close();
});

function bothSizes(page: Page, name: string, check: () => Promise<void>): Promise<void> {
  return atBothSizes(stack, page, `ncr-${name}`, check);
}

describe('NCR and MRB disposition', () => {
  it('an out-of-tolerance bore opens an NCR that blocks completion until quality dispositions it', async () => {
    const { page, station } = await openStation(stack, 'Inspection lab', 'WC-INSP');
    const { shell, queue, traveler, step } = station;
    const ncrs = new NcrPage(page);

    await station.signInAs('B-2001');
    const ncrId = await recordFailingBore(station, { passOthers: true });

    // Blocked before: the button says which NCR and why.
    const completeButton = page.getByRole('button', { name: 'Complete operation' });
    await bothSizes(page, 'blocked', async () => {
      expect(await completeButton.isDisabled()).toBe(true);
      await page.getByText(new RegExp(`SN-1004-01 is held by ${ncrId} .*quality must disposition it first`)).first().waitFor();
      await page.getByRole('region', { name: 'Nonconformances' }).getByText(ncrId).first().waitFor();
    });
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
    await shell.signOut();

    // Quality dispositions it: use as is, with engineering's concurrence, under signature.
    await page.setViewportSize({ width: 1280, height: 800 });
    await station.signInAs('B-4001');
    await shell.nav('NCRs').click();
    await ncrs.heading.waitFor();
    const card = ncrs.card(ncrId);
    await card.waitFor();
    expect(await card.innerText()).toMatch(/Bore diameter on SN-1004-01 at OP30 measured 12\.75 mm: outside tolerance/);
    expect(await card.innerText()).toMatch(/WC-INSP/);
    await bothSizes(page, 'list', async () => {
      await card.getByRole('button', { name: `Disposition SN-1004-01 on ${ncrId}` }).waitFor();
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    const dialog = await ncrs.openDisposition(ncrId, 'SN-1004-01');
    await ncrs.fill({ disposition: 'use-as-is', reason: '0.05 mm over on a non-functional bore; stress margin confirmed' });
    await dialog.getByText('dispositioned: use as is').waitFor();
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
    await station.signInAs('B-2001');
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
