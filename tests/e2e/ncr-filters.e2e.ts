/**
 * The NCRs screen with a long list (issue 15), in Chromium at 800×1280 and 1280×800: oldest first,
 * filtered by part and by work center (an NCR opened from work under a hold, C2, gets the work center
 * of the step too, where it used to show "Work center —" and was missed by the filter); and a
 * partial rework of a lot: quality sends 3 of the 5 tagged to rework, adds a characteristic to the
 * re-inspection, and the card and the traveler say "3 of lot LOT-2004".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { UnitRef } from '../../schemas/common.ts';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { testClock } from '../integration/harness.ts';
import { enrollStation, P100_REVISION } from '../integration/sync-fixture.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { QueuePage } from './pages/queue-page.ts';

const DAY = 86_400_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Where the red tags go: part, work order and unit, and the work center of each operation tagged. */
const TARGETS: ReadonlyArray<{ part: string; workOrderId: string; unit: UnitRef; centers: Record<string, string> }> = [
  { part: 'P-100 rev C', workOrderId: 'WO-1006', unit: { kind: 'serial', serial: 'SN-1006-01' }, centers: { OP10: 'WC-MILL', OP20: 'WC-LATHE', OP30: 'WC-INSP', OP40: 'WC-ASSY' } },
  { part: 'P-200 rev B', workOrderId: 'WO-2001', unit: { kind: 'lot', lotId: 'LOT-2001' }, centers: { OP10: 'WC-MILL', OP20: 'WC-MILL', OP30: 'WC-INSP', OP40: 'WC-ASSY' } },
  { part: 'P-100 rev C', workOrderId: 'WO-1004', unit: { kind: 'serial', serial: 'SN-1004-01' }, centers: { OP10: 'WC-MILL', OP20: 'WC-LATHE', OP30: 'WC-INSP', OP40: 'WC-ASSY' } },
];
const OPS = ['OP10', 'OP20', 'OP30', 'OP40'] as const;

interface Tag {
  description: string;
  part: string;
  workCenter: string;
  openedAt: number;
}

let stack: Stack;
const tags: Tag[] = [];

beforeAll(async () => {
  stack = await startStack();
  const now = Date.now();
  const other = await enrollStation(stack.server, testClock(new Date(now).toISOString()), 'Floor tablets');
  const events = [];
  // 24 red tags over 24 days, pushed newest first so the screen's order is its own, not the push's.
  for (let i = 0; i < 24; i++) {
    const target = TARGETS[i % TARGETS.length]!;
    const op = OPS[i % OPS.length]!;
    const openedAt = now - (i + 2) * DAY - i * 60_000;
    const description = `Tag ${String(i + 1).padStart(2, '0')}: ${target.unit.kind === 'lot' ? 'bent bracket' : 'scratched housing'} at ${op}`;
    tags.push({ description, part: target.part, workCenter: target.centers[op]!, openedAt });
    events.push(other.event('ncr.opened', 'B-1001', { workOrderId: target.workOrderId, operationId: op, items: [{ itemId: '1', unit: target.unit, quantity: 1 }], description }, new Date(openedAt)));
  }
  // Five of LOT-2004 tagged at its inspection, the oldest of all.
  const lotAt = now - 40 * DAY;
  events.push(other.event('ncr.opened', 'B-2001', { workOrderId: 'WO-2004', operationId: 'OP30', items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'LOT-2004' }, quantity: 5 }], description: 'Five brackets with the profile out' }, new Date(lotAt)));
  tags.push({ description: 'Five brackets with the profile out', part: 'P-200 rev B', workCenter: 'WC-INSP', openedAt: lotAt });
  const receipts = await other.pushOk(events);
  expect(receipts.every((r) => r.outcome === 'accepted'), JSON.stringify(receipts.filter((r) => r.outcome !== 'accepted'))).toBe(true);
  // SN-1003-02 is on hold (seeded); the lathe turns it anyway, offline: C2 opens an NCR naming no operation.
  const underHold = other.step('op.started', 'B-1001', 'WO-1003', { kind: 'serial', serial: 'SN-1003-02' }, 'OP20', P100_REVISION['OP20']!);
  const [flagged] = await other.pushOk([underHold]);
  expect(flagged?.flags).toContain('executed-under-hold');
  // A slow start on a busy machine: the server, Chromium and the seeded events.
}, 300_000);

afterAll(async () => {
  await stack?.close();
});

/** The descriptions of the cards on screen, top to bottom. */
async function cardsShown(page: Page): Promise<string[]> {
  return page.locator('.ncr-cards .ncr-description').allInnerTexts();
}

describe('the NCRs screen', () => {
  it('lists a long list oldest first, filters by part and by work center (work under a hold included), and tells a partial rework of a lot apart', async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.goto('/');
    await new SetupPage(page).enroll('Quality office', 'B-3001', '9999');
    await new SetupPage(page).chooseWorkCenter('WC-INSP');
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    await signIn.signIn('B-4001', '4321');
    await shell.expectSignedIn('Quinn Lee');
    await shell.nav('NCRs').click();
    await page.getByRole('heading', { name: 'Nonconformances' }).waitFor();
    await page.locator('.ncr-description', { hasText: 'Tag 24' }).waitFor();

    // Oldest first: the lot tag (40 days), then Tag 24 … Tag 01; the seeded NCR and the C2 one are newer.
    const byAge = [...tags].sort((a, b) => a.openedAt - b.openedAt).map((t) => t.description);
    const shown = await cardsShown(page);
    expect(shown.filter((d) => byAge.includes(d))).toEqual(byAge);
    expect(shown.length).toBeGreaterThanOrEqual(26);
    const filters = page.locator('.ncr-filters');
    expect((await filters.boundingBox())!.y).toBeLessThan(1280);
    await stack.screenshot(page, 'ncr-filters-long-800x1280');
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);

    // By part.
    await page.getByRole('combobox', { name: 'Part' }).selectOption('P-200 rev B');
    const lots = tags.filter((t) => t.part === 'P-200 rev B').sort((a, b) => a.openedAt - b.openedAt).map((t) => t.description);
    expect(await cardsShown(page)).toEqual(lots);

    // By part and work center.
    await page.getByRole('combobox', { name: 'Part' }).selectOption('P-100 rev C');
    await page.getByRole('combobox', { name: 'Work center' }).selectOption('WC-INSP');
    const inspected = tags.filter((t) => t.part === 'P-100 rev C' && t.workCenter === 'WC-INSP').sort((a, b) => a.openedAt - b.openedAt).map((t) => t.description);
    expect(inspected.length).toBeGreaterThan(0);
    expect(await cardsShown(page)).toEqual(inspected);

    // By work center alone: the lathe's red tags and the work done on SN-1003-02 under its hold (C2).
    await page.getByRole('combobox', { name: 'Part' }).selectOption('');
    await page.getByRole('combobox', { name: 'Work center' }).selectOption('WC-LATHE');
    const lathe = await cardsShown(page);
    expect(lathe.filter((d) => d.startsWith('Tag'))).toEqual(tags.filter((t) => t.workCenter === 'WC-LATHE').sort((a, b) => a.openedAt - b.openedAt).map((t) => t.description));
    const underHold = page.getByRole('article').filter({ hasText: 'SN-1003-02' });
    await underHold.first().waitFor();
    expect(await underHold.first().innerText()).toMatch(/Work center\s+WC-LATHE \(OP20\)/i);
    await stack.screenshot(page, 'ncr-filters-lathe-800x1280');
    await page.setViewportSize({ width: 1280, height: 800 });
    await stack.screenshot(page, 'ncr-filters-lathe-1280x800');
    await page.getByRole('combobox', { name: 'Work center' }).selectOption('');
    // No card of a red tag or of work under a hold lacks its work center any more.
    for (const card of await page.getByRole('article').filter({ hasText: /Tag \d\d|SN-1003-02/ }).all()) {
      expect(await card.innerText()).not.toMatch(/Work center\s+—/i);
    }

    // A partial rework of the lot: 3 of the 5 to rework, re-inspecting the deburring too.
    await page.setViewportSize({ width: 800, height: 1280 });
    const lotCard = page.getByRole('article').filter({ hasText: 'Five brackets with the profile out' });
    const ncrId = (await lotCard.getByRole('heading', { level: 2 }).innerText()).trim();
    await lotCard.getByRole('button', { name: `Disposition 5 of lot LOT-2004 on ${ncrId}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'Disposition' }).selectOption('rework');
    await dialog.getByRole('textbox', { name: 'Quantity' }).fill('3');
    const reinspect = dialog.getByRole('group', { name: /Re-inspect after the rework \(OP30 Inspect profile, WC-INSP\)/ });
    await reinspect.waitFor();
    await reinspect.getByRole('checkbox', { name: 'C2 Deburred' }).check();
    await dialog.getByRole('textbox', { name: 'Reason for the disposition' }).fill('Three re-machined to the drawing; two to be reviewed');
    await dialog.getByRole('textbox', { name: 'Badge', exact: true }).fill('B-4001');
    await dialog.getByLabel('PIN', { exact: true }).fill('4321');
    await stack.screenshot(page, 'ncr-filters-reinspect-800x1280');
    await dialog.getByRole('button', { name: 'Sign disposition' }).click();
    await page.getByRole('status', { name: 'Signature' }).filter({ hasText: 'Quinn Lee' }).waitFor();
    const text = await lotCard.innerText();
    expect(text).toMatch(/rework × 3/i);
    expect(text).toContain(`Rework 1 for ${ncrId} (3 of lot LOT-2004)`);
    expect(text).toMatch(new RegExp(`Re-inspection 1 for ${ncrId} \\(3 of lot LOT-2004\\) \\(WI-200-30 rev A · WC-INSP · Deburred\\)`));
    // Two still to decide.
    await lotCard.getByRole('button', { name: `Disposition 5 of lot LOT-2004 on ${ncrId}` }).waitFor();
    await stack.screenshot(page, 'ncr-filters-partial-800x1280');

    // The traveler says it too, on the lot.
    await shell.nav('Queue').click();
    await new QueuePage(page).lookUp('LOT-2004');
    await page.getByText(`Rework 1 for ${ncrId} (3 of lot LOT-2004)`).first().waitFor();
    await stack.screenshot(page, 'ncr-filters-traveler-800x1280');
  });
});
