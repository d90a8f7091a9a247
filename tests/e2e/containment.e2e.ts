/**
 * Containment through genealogy on the NCRs screen (issue 15, docs/ncr.md), in Chromium at 1280×800
 * and 800×1280: quality opens "Contain every unit made from L-920-A" on an NCR that names the lot,
 * sees what will be held before signing (the housing milled from it and what remains of the lot),
 * signs with badge and PIN, and the NCR then holds them, each marked as made from the lot; the
 * signature is in its history. No UUID is shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { StationEvent } from '../../schemas/event.ts';
import { shortNcrId } from '../../src/domain/short-id.ts';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { testClock } from '../integration/harness.ts';
import { enrollStation, P100_REVISION } from '../integration/sync-fixture.ts';
import { NcrPage } from './pages/ncr-page.ts';
import { UUID, bothSizes as atBothSizes, openStation } from './pages/station.ts';

const UNIT = { kind: 'serial', serial: 'SN-1002-01' } as const;

let stack: Stack;
let tag: StationEvent;

beforeAll(async () => {
  stack = await startStack();
  // The mill milled SN-1002-01 from bar stock L-920-A; quality then red-tagged 2 bars of the lot.
  const other = await enrollStation(stack.server, testClock(new Date().toISOString()), 'Mill');
  tag = other.event('ncr.opened', 'B-4001', { workOrderId: 'WO-1002', items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'L-920-A' }, quantity: 2 }], description: 'Bar stock from the wrong heat' });
  await other.pushOk([
    other.step('op.started', 'B-1001', 'WO-1002', UNIT, 'OP10', P100_REVISION['OP10']!),
    other.event('material.consumed', 'B-1001', { workOrderId: 'WO-1002', operationId: 'OP10', unit: UNIT, material: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 1 }, scanned: 'L-920-A' }),
    tag,
  ]);
});

afterAll(async () => {
  await stack?.close();
});

function bothSizes(page: Page, name: string, check: () => Promise<void>): Promise<void> {
  return atBothSizes(stack, page, `containment-${name}`, check);
}

describe('NCR containment through genealogy', () => {
  it('quality sees what will be held, signs, and the NCR holds every unit made from the lot and the rest of it', async () => {
    const ncrId = shortNcrId(`NCR-${tag.id}`, tag.deviceTime);
    const { page, station } = await openStation(stack, 'Quality office', 'WC-INSP');
    const ncrs = new NcrPage(page);

    await station.signInAs('B-4001');
    await station.shell.nav('NCRs').click();
    await ncrs.heading.waitFor();
    const card = ncrs.card(ncrId);
    await card.waitFor();
    const contain = card.getByRole('button', { name: 'Contain every unit made from L-920-A' });
    await bothSizes(page, 'card', async () => {
      await contain.waitFor();
      await card.getByText(/L-920-A went into SN-1002-01/).waitFor();
    });

    await page.setViewportSize({ width: 1280, height: 800 });
    await contain.click();
    const dialog = ncrs.dialog;
    await dialog.waitFor();
    const plan = dialog.getByRole('region', { name: 'What will be held' });
    await plan.getByText('SN-1002-01 (P-100, WO-1002)').waitFor();
    expect(await plan.innerText()).toMatch(/197 of lot L-920-A \(what remains\)/);
    await dialog.getByText('contained: made from suspect material').waitFor();
    await dialog.getByRole('textbox', { name: 'Reason for the containment' }).fill('Mill cert shows heat 4471, not the ordered alloy');
    await dialog.getByRole('textbox', { name: 'Badge', exact: true }).fill('B-4001');
    // A wrong PIN is refused and nothing is recorded.
    await dialog.getByLabel('PIN', { exact: true }).fill('0000');
    await dialog.getByRole('button', { name: 'Sign containment' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await card.getByText('made from lot L-920-A').count()).toBe(0);
    await dialog.getByLabel('PIN', { exact: true }).fill('4321');
    await stack.screenshot(page, 'containment-dialog-1280x800');
    await page.setViewportSize({ width: 800, height: 1280 });
    await stack.screenshot(page, 'containment-dialog-800x1280');
    await dialog.getByRole('button', { name: 'Sign containment' }).click();

    const signed = ncrs.signature;
    await bothSizes(page, 'signed', async () => {
      await signed.filter({ hasText: `${ncrId}: 2 more held, made from L-920-A` }).waitFor();
      // The newest message is in view, not only on the page.
      const box = await signed.boundingBox();
      const viewport = page.viewportSize();
      expect(box !== null && viewport !== null && box.y > -1 && box.y < viewport.height, JSON.stringify({ box, viewport })).toBe(true);
      expect(await signed.innerText()).toMatch(/contained: made from suspect material/);
    });
    const items = card.getByRole('table');
    expect(await items.innerText()).toMatch(/SN-1002-01\s*made from lot L-920-A/);
    expect(await items.innerText()).toMatch(/197 of lot L-920-A\s*made from lot L-920-A/);
    const history = card.getByRole('region', { name: `History of ${ncrId}` });
    expect(await history.innerText()).toMatch(/Containment extended to what was made from lot L-920-A: 2 held/);
    expect(await history.innerText()).toMatch(/Quinn Lee/);
    // Nothing is left to contain: the action is refused with the reason.
    await contain.click();
    await dialog.getByText('Nothing made from L-920-A is left to contain on this station.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
  });
});
