/**
 * Shipping at the station (docs/shipping.md), in Chromium at 1280×800 and 800×1280: an operator ships
 * a finished unit offline (it syncs when the station is back) and is refused, with the NCR's id and
 * reason, a unit an NCR opened elsewhere holds; the traveler then says where the shipped unit went.
 * Words and short ids only, never a UUID.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { testClock } from '../integration/harness.ts';
import { enrollStation } from '../integration/sync-fixture.ts';
import { viewOf } from '../../sync-server/store/view-keys.ts';
import { shortNcrId } from '../../src/domain/short-id.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { ShippingPage } from './pages/shipping-page.ts';
import { expectUncovered } from './pages/station.ts';
import { SignInPage } from './pages/sign-in-page.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const SN1 = { kind: 'serial', serial: 'SN-1003-01' } as const;
const SN2 = { kind: 'serial', serial: 'SN-1003-02' } as const;

let stack: Stack;
let ncrLabel: string;

beforeAll(async () => {
  stack = await startStack();
  // WO-1003's first two housings are finished: every operation signed off (the views the server keeps).
  const routing = (await stack.server.store.getView('routing', 'P-100@C'))!.data;
  const done = { eventId: randomUUID(), actor: 'B-1001', at: new Date().toISOString() };
  await stack.server.plant.putViews([SN1, SN2].flatMap((unit) => routing.operations.map((op) => viewOf('step', { workOrderId: 'WO-1003', unit, operationId: op.id, started: done, completed: done, consumptions: [], measurements: [] }))));
  // The final inspector red-tags the second one at another station.
  const other = await enrollStation(stack.server, testClock(new Date().toISOString()), 'Final inspection');
  const tag = other.event('ncr.opened', 'B-2001', { workOrderId: 'WO-1003', items: [{ itemId: '1', unit: SN2, quantity: 1 }], description: 'Dent on the mounting face' });
  await other.pushOk([tag]);
  ncrLabel = shortNcrId(`NCR-${tag.id}`, (await stack.server.store.getView('nonconformance', `NCR-${tag.id}`))!.data.openedAt);
});

afterAll(async () => {
  await stack?.close();
});

async function bothSizes(page: Page, name: string, check: () => Promise<void>): Promise<void> {
  for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 1280 }]) {
    await page.setViewportSize(size);
    await check();
    await stack.screenshot(page, `shipping-${name}-${size.width}x${size.height}`);
  }
}

describe('Shipping', () => {
  it('a finished unit ships offline and syncs; a unit under an open NCR is refused with the NCR and why; the traveler says where it went', async () => {
    const { context, page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const shell = new Shell(page);
    const shipping = new ShippingPage(page);

    await page.goto('/');
    await new SetupPage(page).enroll('Shipping dock', 'B-3001', '9999');
    await new SetupPage(page).chooseWorkCenter('WC-ASSY');
    await new SignInPage(page).signIn('B-1004', '4444');
    await shell.expectSignedIn('Dana Flores');
    await shell.nav('Ship').click();
    await shipping.heading.waitFor();
    await shipping.ready.getByRole('button', { name: 'SN-1003-01' }).waitFor();
    // The red-tagged one is not offered.
    expect(await shipping.ready.getByRole('button', { name: 'SN-1003-02' }).count()).toBe(0);

    // The red-tagged housing: refused, naming the NCR and why.
    await shipping.ship('SN-1003-02', 'Acme Aero', 'PS-4471');
    await shipping.unit.filter({ hasText: `Held by ${ncrLabel}` }).waitFor();
    await bothSizes(page, 'refused', async () => {
      const message = shipping.message.filter({ hasText: `SN-1003-02 cannot ship: SN-1003-02 is held by ${ncrLabel} (Dent on the mounting face); quality must disposition it first` });
      await message.waitFor();
      expect(await message.isVisible()).toBe(true);
      // The refusal and the Ship button both in view, the status bar over neither.
      await expectUncovered(message);
      await expectUncovered(page.getByRole('button', { name: 'Ship', exact: true }));
      expect(await page.locator('main').innerText()).not.toMatch(UUID);
    });

    // The finished one ships with the station offline.
    await page.setViewportSize({ width: 1280, height: 800 });
    await context.setOffline(true);
    await shipping.unitField.fill('');
    await shipping.ready.getByRole('button', { name: 'SN-1003-01' }).click();
    await shipping.unit.filter({ hasText: 'Ready to ship' }).waitFor();
    await page.getByRole('textbox', { name: 'Packing slip or shipment' }).fill('PS-4472');
    await page.getByRole('button', { name: 'Ship', exact: true }).click();
    await bothSizes(page, 'shipped', async () => {
      await shipping.message.filter({ hasText: 'Shipped SN-1003-01 to Acme Aero under PS-4472.' }).waitFor();
      await shipping.recent.filter({ hasText: 'SN-1003-01 shipped to Acme Aero on' }).waitFor();
      expect(await shipping.message.isVisible()).toBe(true);
      expect(await page.locator('main').innerText()).not.toMatch(UUID);
    });

    // Back online, the shipment reaches the server and is accepted.
    await context.setOffline(false);
    let shipped;
    for (let i = 0; i < 100 && shipped === undefined; i++) {
      shipped = (await stack.server.store.getView('serial', 'SN-1003-01'))?.data.shipped;
      if (shipped === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(shipped).toMatchObject({ customer: 'Acme Aero', shipmentRef: 'PS-4472', workOrderId: 'WO-1003' });

    // The traveler's last row says where each unit went.
    await page.goto('/work-orders/WO-1003');
    await page.getByRole('heading', { name: 'Traveler WO-1003' }).waitFor();
    await bothSizes(page, 'traveler', async () => {
      await page.getByTestId('shipped-SN-1003-01').filter({ hasText: 'shipped to Acme Aero on' }).waitFor();
      await page.getByTestId('shipped-SN-1003-02').filter({ hasText: 'Not shipped' }).waitFor();
    });
  });
});
