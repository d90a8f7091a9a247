/**
 * The Genealogy screen (issue 14; docs/genealogy.md). Another station has built lot L-910-B into
 * SN-1001-01 and repacked the rest of it into a bag that went into SN-1001-02 (pushed as it would
 * be). A supervisor finds where L-910-B went from the station's own records, downloads the recall
 * CSV and reads its rows, asks the server for the same answer, reads where SN-1001-01 came from
 * down to the bought lots with their certificates, and, with the network cut, still gets the answer
 * from the station's views. At 1280x800 and 800x1280.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../integration/harness.ts';
import { enrollStation } from '../integration/sync-fixture.ts';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { GenealogyPage } from './pages/genealogy-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StepPage } from './pages/step-page.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const SN1 = { kind: 'serial', serial: 'SN-1001-01' } as const;
const SN2 = { kind: 'serial', serial: 'SN-1001-02' } as const;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  // A minute between events, as at a bench: genealogy lists an item's relations in the order they were recorded.
  const clock = testClock(new Date(Date.now() - 3_600_000).toISOString());
  const bench = await enrollStation(stack.server, clock, 'Assembly bench');
  const consume = (unit: typeof SN1 | typeof SN2, operationId: string, lotId: string, partNumber: string, quantity: number) => {
    clock.advance(60_000);
    return bench.event('material.consumed', 'B-1004', { workOrderId: 'WO-1001', operationId, unit, material: { kind: 'lot', lotId, partNumber, quantity }, scanned: lotId });
  };
  const repack = () => {
    clock.advance(60_000);
    return bench.event('lot.repacked', 'B-1004', { lot: { kind: 'lot', lotId: 'L-910-B', partNumber: 'P-910' }, into: { kind: 'lot', lotId: 'L-910-B-BAG', quantity: 1 }, reason: 'Last screw into a labelled bag' });
  };
  const receipts = await bench.pushOk([
    consume(SN1, 'OP10', 'L-920-A', 'P-920', 1),
    consume(SN1, 'OP40', 'L-910-B', 'P-910', 2),
    repack(),
    consume(SN2, 'OP40', 'L-910-B-BAG', 'P-910', 1),
  ]);
  expect(receipts.map((r) => r.outcome)).not.toContain('rejected');
  // Lot L-910-A went into every serial of the plant's six work orders but SN-1001-01: a long recall answer.
  const serials = [['1001', 3], ['1002', 2], ['1003', 3], ['1004', 1], ['1005', 2], ['1006', 3]]
    .flatMap(([order, count]) => Array.from({ length: count as number }, (_, i) => ({ workOrderId: `WO-${order}`, unit: { kind: 'serial', serial: `SN-${order}-${String(i + 1).padStart(2, '0')}` } as const })))
    .filter(({ unit }) => unit.serial !== SN1.serial);
  const wide = await bench.pushOk(
    serials.map(({ workOrderId, unit }) =>
      bench.event('material.consumed', 'B-1004', { workOrderId, operationId: 'OP40', unit, material: { kind: 'lot', lotId: 'L-910-A', partNumber: 'P-910', quantity: 1 }, scanned: 'L-910-A' }),
    ),
  );
  expect(wide.map((r) => r.outcome)).not.toContain('rejected');
  // Starting the stack and two signed pushes: on a shared, loaded machine more than the default.
}, 300_000);

/** What a person must read is inside the window, not below the fold. */
async function expectInView(page: Page, locator: Locator): Promise<void> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  expect(box).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(viewport!.height);
}

afterAll(async () => {
  await stack?.close();
});

describe('genealogy', () => {
  it('finds where lot L-910-B went (CSV rows, the server agreeing), where SN-1001-01 came from, and answers offline', async () => {
    const { context, page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const genealogy = new GenealogyPage(page);

    await page.goto('/');
    await setup.enroll('Quality bench', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-ASSY');
    await signIn.signIn('B-1004', '4444');
    await shell.expectSignedIn('Dana Flores');
    expect(await shell.nav('Genealogy').count()).toBe(0);
    await shell.signOut();
    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Genealogy').click();
    await genealogy.heading.waitFor();

    // Where did lot L-910-B go? Typed in lower case, answered from the station's own records.
    await genealogy.find('l-910-b');
    await genealogy.summary.filter({ hasText: "From this station's records" }).filter({ hasText: 'lot L-910-B: 2 finished units contain it' }).waitFor();
    const rows = await genealogy.table('Finished units').allInnerTexts();
    expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
      'SN-1001-01 serial P-100 WO-1001 L-910-B › SN-1001-01 Not shipped',
      'SN-1001-02 serial P-100 WO-1001 L-910-B › L-910-B-BAG › SN-1001-02 Not shipped',
    ]);
    const tree = await genealogy.tree.innerText();
    expect(tree).toContain('repacked as this lot: 1');
    expect(tree).toMatch(/\bREPACKED\b/); // the badge, in capitals by its style
    expect(tree).toContain('built 2 in at OP40 of WO-1001 by Dana Flores (B-1004)');
    expect(tree).toContain('Bossard Inc., supplier lot BN4390655, certificate CoC-BN4390655, received 2026-08-27');
    expect(await page.locator('main').innerText()).not.toMatch(UUID);
    await stack.screenshot(page, 'genealogy-01-where-used');

    // The recall answer as CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), genealogy.download.click()]);
    expect(download.suggestedFilename()).toBe('where-used-L-910-B.csv');
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\r\n')).toEqual([
      'unit,kind,part,work_order,level,path,material,truncated,shipped',
      'SN-1001-01,serial,P-100,WO-1001,1,L-910-B > SN-1001-01,L-910-B,no,',
      'SN-1001-02,serial,P-100,WO-1001,2,L-910-B > L-910-B-BAG > SN-1001-02,L-910-B,no,',
      '',
    ]);
    await genealogy.message.filter({ hasText: 'Downloaded where-used-L-910-B.csv.' }).waitFor();

    // The server says the same.
    await genealogy.askServer.click();
    await genealogy.summary.filter({ hasText: 'From the server' }).filter({ hasText: 'lot L-910-B: 2 finished units contain it' }).waitFor();
    expect((await genealogy.table('Finished units').allInnerTexts()).length).toBe(2);

    // A keyboard-wedge scan of the bag's label asks where it went.
    await new StepPage(page).wedgeScan('L-910-B-BAG');
    await genealogy.summary.filter({ hasText: 'lot L-910-B-BAG: 1 finished unit contains it' }).waitFor();
    expect(await genealogy.search.inputValue()).toBe('L-910-B-BAG');

    // Where did SN-1001-01 come from? Down to the bought lots and their certificates.
    await genealogy.find('SN-1001-01', 'Where from');
    await genealogy.summary.filter({ hasText: 'serial SN-1001-01: 2 inputs, 2 bought lots at the bottom.' }).waitFor();
    const bought = (await genealogy.table('Bought material').allInnerTexts()).map((row) => row.replace(/\s+/g, ' ').trim());
    expect(bought).toEqual([
      'L-920-A P-920 Kaiser Aluminum KA-26-118834, heat 7K2291 MTR 7K2291 (EN 10204 3.1) 2026-09-30',
      'L-910-B P-910 Bossard Inc. BN4390655 CoC-BN4390655 2026-08-27',
    ]);
    await stack.screenshot(page, 'genealogy-02-where-from');

    // A lot nobody has: the server says so in words.
    await genealogy.find('L-404');
    await genealogy.message.filter({ hasText: 'Nothing is recorded about lot L-404.' }).waitFor();

    // The network cut: the station's own views still answer.
    await context.setOffline(true);
    await genealogy.find('L-910-B');
    await genealogy.summary.filter({ hasText: "From this station's records" }).filter({ hasText: '2 finished units contain it' }).waitFor();
    await genealogy.find('L-404');
    await genealogy.message.filter({ hasText: 'This station holds nothing about lot L-404; the server may. Try again when the station is online.' }).waitFor();
    await genealogy.find('L-910-B');
    await genealogy.summary.waitFor();

    await page.setViewportSize({ width: 800, height: 1280 });
    await genealogy.summary.waitFor();
    await stack.screenshot(page, 'genealogy-03-portrait-offline');
    await context.setOffline(false);
  });

  it('at 800x1280: the empty screen, a long recall answer, a lot nobody has, and a refused scan, each readable where a person looks', async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 800, height: 1280 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const genealogy = new GenealogyPage(page);
    await page.goto('/');
    await setup.enroll('Quality tablet', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-ASSY');
    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Genealogy').click();
    await genealogy.heading.waitFor();
    // Empty: the look-up says what to type, and why its buttons wait.
    await expectInView(page, genealogy.search);
    await page.getByText('Type or scan a lot or serial').first().waitFor();
    await stack.screenshot(page, 'genealogy-04-portrait-empty');

    // A long answer: the summary and the download are at the top, every unit is listed.
    await genealogy.find('L-910-A');
    await genealogy.summary.filter({ hasText: 'lot L-910-A: 13 finished units contain it' }).waitFor();
    expect(await genealogy.table('Finished units').count()).toBe(13);
    await expectInView(page, genealogy.summary);
    await expectInView(page, genealogy.download);
    // No row is wider than the window: nothing to scroll sideways for.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    await stack.screenshot(page, 'genealogy-05-portrait-long');

    // A lot nobody has: in words, in view, though the answer before was long.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await genealogy.find('L-404');
    await genealogy.message.filter({ hasText: 'Nothing is recorded about lot L-404.' }).waitFor();
    await expectInView(page, genealogy.message);
    await stack.screenshot(page, 'genealogy-06-portrait-nothing');

    // A label that cannot be read: refused in words, nothing asked.
    await new StepPage(page).wedgeScan('[)>\u001e06\u001d1TL-910-A');
    await genealogy.message.filter({ hasText: 'Not a readable label' }).waitFor();
    await expectInView(page, genealogy.message);
  });
});
