/**
 * The station learns where MRB decides (docs/ncr.md, The QMS link), in Chromium at 1280×800 and
 * 800×1280. With MRB_DECIDES=qms, quality's Disposition button says that MRB decides in the QMS and
 * does not open the form (the server would refuse it, C35); the station knows it from its pull. The
 * Travelog mode, where the button opens the signature form, is driven end to end by ncr.e2e.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { testClock } from '../integration/harness.ts';
import { enrollStation } from '../integration/sync-fixture.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ qms: { mrbDecides: 'qms', pollMs: 0 } });
  const other = await enrollStation(stack.server, testClock(new Date().toISOString()), 'Mill');
  await other.pushOk([other.event('ncr.opened', 'B-1001', { workOrderId: 'WO-1003', items: [{ itemId: '1', unit: { kind: 'serial', serial: 'SN-1003-03' }, quantity: 1 }], description: 'Chatter marks on the face' })]);
});

afterAll(async () => {
  await stack?.close();
});

describe('MRB mode at the station', () => {
  it('with MRB_DECIDES=qms the Disposition button says MRB decides in the QMS and offers no form', async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/');
    await new SetupPage(page).enroll('Quality lab', 'B-3001', '9999');
    await new SetupPage(page).chooseWorkCenter('WC-INSP');
    await new SignInPage(page).signIn('B-4001', '4321');
    const shell = new Shell(page);
    await shell.nav('NCRs').click();
    const button = page.getByRole('button', { name: 'Disposition SN-1003-03 on NCR-', exact: false });
    for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 1280 }]) {
      await page.setViewportSize(size);
      await page.getByTestId('mrb-in-qms').waitFor();
      await button.first().waitFor();
      expect(await button.first().isDisabled()).toBe(true);
      await page.getByText('MRB decides in the QMS', { exact: true }).first().waitFor();
      await stack.screenshot(page, `mrb-qms-${size.width}x${size.height}`);
    }
    await button.first().click({ force: true });
    expect(await page.getByRole('dialog').count()).toBe(0);
  });
});
