/**
 * The Material screen (issue 14; docs/genealogy.md), in Chromium at 1280×800 and 800×1280. Another
 * station built 4 screws of L-910-A and bearing BRG-0001 into SN-1001-02, and quality opened an NCR
 * on SN-1004-01. With the network cut, an operator at the assembly bench splits L-910-A into two new
 * lots, merges them back into one, repacks part of it, scraps 2 of the bag and bearing BRG-0003,
 * and takes back a screw and the bearing from SN-1001-02, each checked as typed (a quantity larger
 * than what is left, a lot id that exists, a serial given as a lot quantity: errors in words, nothing
 * recorded) and confirmed before it is recorded; the scrap of SN-1004-01 under its NCR is refused
 * with the NCR's words. Each move is saved on the station and waits to sync; a supervisor reads
 * them on the Genealogy screen; back online, the server has them (its genealogy API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WalkResult, GenealogyNode } from '../../src/domain/genealogy.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { shortNcrId } from '../../src/domain/short-id.ts';
import { send, testClock } from '../integration/harness.ts';
import type { TestStation } from '../integration/sync-fixture.ts';
import { enrollStation } from '../integration/sync-fixture.ts';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { GenealogyPage } from './pages/genealogy-page.ts';
import { MaterialPage } from './pages/material-page.ts';
import { UUID, bothSizes, expectUncovered, openStation } from './pages/station.ts';

const SN2 = { kind: 'serial', serial: 'SN-1001-02' } as const;

let stack: Stack;
let bench: TestStation;
let tag: StationEvent;

beforeAll(async () => {
  stack = await startStack();
  bench = await enrollStation(stack.server, testClock(new Date().toISOString()), 'Assembly bench');
  tag = bench.event('ncr.opened', 'B-4001', { workOrderId: 'WO-1004', items: [{ itemId: '1', unit: { kind: 'serial', serial: 'SN-1004-01' }, quantity: 1 }], description: 'Bore 12.75 mm, outside tolerance' });
  const receipts = await bench.pushOk([
    bench.event('material.consumed', 'B-1004', { workOrderId: 'WO-1001', operationId: 'OP40', unit: SN2, material: { kind: 'lot', lotId: 'L-910-A', partNumber: 'P-910', quantity: 4 }, scanned: 'L-910-A' }),
    bench.event('material.consumed', 'B-1004', { workOrderId: 'WO-1001', operationId: 'OP40', unit: SN2, material: { kind: 'serial', serial: 'BRG-0001', partNumber: 'P-900' }, scanned: 'BRG-0001' }),
    tag,
  ]);
  expect(receipts.map((r) => r.outcome)).not.toContain('rejected');
});

afterAll(async () => {
  await stack?.close();
});

/** Every lot and serial a walk reached, by its label. */
function labels(node: GenealogyNode): string[] {
  return [node.item.label, ...node.children.flatMap(labels)];
}

describe('material moves at the station', () => {
  it('splits, merges, repacks, scraps and returns offline, each checked as typed; genealogy shows them; the server has them once online', async () => {
    const { context, page, station } = await openStation(stack, 'Stores bench', 'WC-ASSY');
    const material = new MaterialPage(page);
    await station.signInAs('B-1004');
    await station.shell.nav('Material').click();
    await material.heading.waitFor();
    // The station has heard from the server (the plant pulled) before the network goes.
    await station.status.waitForOnline();
    await context.setOffline(true);
    await station.status.waitForOffline();

    // What the station knows of L-910-A, typed in lower case.
    await material.lookUp('l-910-a', 'Lot L-910-A');
    const facts = material.facts('Lot L-910-A');
    expect(await facts.innerText()).toMatch(/P-910 Screw, M4x10/);
    await facts.getByTestId('lot-left').filter({ hasText: '496 of 500' }).waitFor();
    expect(await facts.getByTestId('provenance').innerText()).toBe('From Bossard Inc., supplier lot BN4471207, certificate CoC-BN4471207, received 2026-10-14');
    expect(await facts.innerText()).toContain('4 in SN-1001-02 at OP40 of WO-1001');

    // Split: an id that exists and more than is left are refused as typed; the button says why.
    await material.choose('Split');
    await material.field('New lot 1').fill('L-910-B');
    await material.field('Quantity for new lot 1').fill('600');
    expect(await material.fieldError('New lot 1')).toBe('Lot L-910-B already exists; give the new lot an id of its own');
    expect(await material.fieldError('Quantity for new lot 1')).toBe('Only 496 left of L-910-A; the new lots take 600');
    const recordSplit = material.recordButton('Record split');
    expect(await recordSplit.isDisabled()).toBe(true);
    await material.form('Split lot L-910-A').getByText('Correct the fields marked in red first').waitFor();
    await bothSizes(stack, page, 'material-split-errors', async () => {
      await expectUncovered(recordSplit);
    }, { restore: true });
    await material.field('New lot 1').fill('L-910-A1');
    await material.field('Quantity for new lot 1').fill('100');
    await page.getByRole('button', { name: 'Add another new lot' }).click();
    await material.field('New lot 2').fill('L-910-A2');
    await material.field('Quantity for new lot 2').fill('50');
    await page.getByTestId('split-keeps').filter({ hasText: 'L-910-A keeps 346' }).waitFor();
    await recordSplit.click();
    await material.dialog.getByTestId('move-summary').filter({ hasText: 'Split lot L-910-A: 100 into L-910-A1, 50 into L-910-A2.' }).waitFor();
    await bothSizes(stack, page, 'material-split-confirm', async () => {
      await expectUncovered(material.dialog.getByRole('button', { name: 'Record split' }));
    }, { restore: true });
    await material.confirm('Record split');
    await material.message.filter({ hasText: 'Split lot L-910-A: 100 into L-910-A1, 50 into L-910-A2. Saved on this station; it goes to the server with the next sync.' }).waitFor();
    await facts.getByTestId('lot-left').filter({ hasText: '346 of 500' }).waitFor();
    await material.recorded.filter({ hasText: 'Waiting to sync' }).filter({ hasText: 'Split lot L-910-A' }).waitFor();
    await bothSizes(stack, page, 'material-split-done', async () => {
      await expectUncovered(material.message);
    }, { restore: true });

    // Merge the two new lots back into one: a serial of a serialized part is not a lot quantity; a wedge scan adds a lot.
    await material.lookUp('L-910-A1', 'Lot L-910-A1');
    expect(await material.facts('Lot L-910-A1').getByTestId('origin').innerText()).toMatch(/^Split from 100 of L-910-A by Dana Flores on /);
    await material.choose('Merge');
    await material.field('Other lot 1').fill('BRG-0002');
    expect(await material.fieldError('Other lot 1')).toBe('BRG-0002 is a serial of part P-900 Bearing, 12 mm, which is serialized: it is never merged by quantity');
    await material.field('Other lot 1').fill('');
    await station.step.wedgeScan('L-910-A2');
    expect(await material.field('Other lot 1').inputValue()).toBe('L-910-A2');
    await material.field('New lot').fill('L-910-M');
    await bothSizes(stack, page, 'material-merge', async () => {
      await expectUncovered(material.recordButton('Record merge'));
    }, { restore: true });
    await material.recordButton('Record merge').click();
    await material.dialog.getByTestId('move-summary').filter({ hasText: 'Merged 100 of L-910-A1 and 50 of L-910-A2 into lot L-910-M.' }).waitFor();
    await material.confirm('Record merge');
    await material.message.filter({ hasText: 'Merged 100 of L-910-A1 and 50 of L-910-A2 into lot L-910-M.' }).waitFor();

    // Repack 20 of the merged lot into a bag.
    await material.lookUp('L-910-M', 'Lot L-910-M');
    await material.choose('Repack');
    await material.field('New lot').fill('L-910-M-BAG');
    await material.field('Quantity repacked').fill('20');
    await material.recordButton('Record repack').click();
    await material.confirm('Record repack');
    await material.message.filter({ hasText: 'Repacked 20 of lot L-910-M as lot L-910-M-BAG.' }).waitFor();

    // Scrap 2 of the bag (more than is in it is refused as typed), then bearing BRG-0003 whole.
    await material.lookUp('L-910-M-BAG', 'Lot L-910-M-BAG');
    await material.choose('Scrap');
    await material.field('Quantity scrapped').fill('25');
    expect(await material.fieldError('Quantity scrapped')).toBe('Only 20 left of L-910-M-BAG');
    await material.field('Quantity scrapped').fill('2');
    await material.form('Scrap L-910-M-BAG').getByText('Say why it is scrapped').waitFor();
    await material.field('Reason').fill('Stripped threads');
    await material.recordButton('Record scrap').click();
    await material.dialog.getByText('A scrap is final').waitFor();
    await bothSizes(stack, page, 'material-scrap-confirm', async () => {
      await expectUncovered(material.dialog.getByRole('button', { name: 'Record scrap' }));
    }, { restore: true });
    await material.confirm('Record scrap');
    await material.message.filter({ hasText: 'Scrapped 2 of lot L-910-M-BAG: Stripped threads.' }).waitFor();

    await material.lookUp('brg-0003', 'Serial BRG-0003');
    expect(await page.getByRole('group', { name: 'What to record' }).getByRole('button').allInnerTexts()).toEqual(['Scrap', 'Return']);
    await material.choose('Scrap');
    await material.form('Scrap BRG-0003').getByText('The whole serial BRG-0003 is scrapped').waitFor();
    await material.field('Reason').fill('Dropped on the floor');
    await material.recordButton('Record scrap').click();
    await material.confirm('Record scrap');
    await material.message.filter({ hasText: 'Scrapped serial BRG-0003: Dropped on the floor.' }).waitFor();

    // SN-1004-01 is held by an open NCR: its scrap is quality's disposition, refused here in the NCR's words.
    const ncrId = shortNcrId(`NCR-${tag.id}`, tag.deviceTime);
    await material.lookUp('SN-1004-01', 'Serial SN-1004-01');
    await material.choose('Scrap');
    await material.blocked.filter({ hasText: `SN-1004-01 is held by ${ncrId} (Bore 12.75 mm, outside tolerance); quality must disposition it first` }).waitFor();
    expect(await material.form('Scrap SN-1004-01').count()).toBe(0);
    await bothSizes(stack, page, 'material-scrap-under-ncr', async () => {
      await expectUncovered(material.blocked);
    }, { restore: true });

    // Take back one screw (more than is built in is refused as typed) and the bearing from SN-1001-02.
    await material.lookUp('L-910-A', 'Lot L-910-A');
    await material.choose('Return');
    expect(await material.field('Taken back from').inputValue()).not.toBe('');
    await material.field('Quantity returned').fill('5');
    expect(await material.fieldError('Quantity returned')).toBe('Only 4 are built in there');
    await material.field('Quantity returned').fill('1');
    await material.field('Reason').fill('One screw too many pulled');
    await material.recordButton('Record return').click();
    await material.confirm('Record return');
    await material.message.filter({ hasText: 'Returned 1 of lot L-910-A from SN-1001-02 at OP40 of WO-1001: One screw too many pulled.' }).waitFor();
    await material.facts('Lot L-910-A').getByTestId('lot-left').filter({ hasText: '347 of 500' }).waitFor();

    await material.lookUp('BRG-0001', 'Serial BRG-0001');
    await material.choose('Return');
    await material.field('Reason').fill('Wrong bearing pulled');
    await material.recordButton('Record return').click();
    await material.confirm('Record return');
    await material.message.filter({ hasText: 'Returned serial BRG-0001 from SN-1001-02 at OP40 of WO-1001: Wrong bearing pulled.' }).waitFor();

    // Seven moves saved on this station, each waiting to sync; nothing of the refused scrap.
    expect(await material.recorded.count()).toBe(7);
    expect(await material.recorded.filter({ hasText: 'Waiting to sync' }).count()).toBe(7);
    expect(await material.recorded.filter({ hasText: 'SN-1004-01' }).count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toMatch(UUID);
    await bothSizes(stack, page, 'material-recorded', async () => {
      await expectUncovered(material.message);
    }, { restore: true });
    await station.shell.signOut();

    // A supervisor reads the new relations on the Genealogy screen, from the station's own records.
    await station.signInAs('B-3001');
    await station.shell.nav('Genealogy').click();
    const genealogy = new GenealogyPage(page);
    await genealogy.heading.waitFor();
    await genealogy.find('L-910-A');
    await genealogy.summary.filter({ hasText: "From this station's records" }).waitFor();
    const tree = await genealogy.tree.innerText();
    expect(tree).toContain('split into this lot: 100');
    expect(tree).toContain('merged into this lot: 100');
    expect(tree).toContain('repacked as this lot: 20');
    expect(tree).toMatch(/L-910-M-BAG lot · P-910 Screw, M4x10 · 18 of 20 left/);
    expect(tree).toMatch(/2 SCRAPPED/);
    expect(tree).toContain('built 4 in at OP40 of WO-1001, 1 returned');
    await genealogy.find('BRG-0003');
    await genealogy.summary.filter({ hasText: 'serial BRG-0003' }).waitFor();
    expect(await genealogy.tree.innerText()).toMatch(/\bSCRAPPED\b/);
    await bothSizes(stack, page, 'material-genealogy', async () => {
      await genealogy.summary.waitFor();
    }, { restore: true });

    // Online again: every move reaches the server, and the server's genealogy has them.
    await context.setOffline(false);
    await station.status.waitForNothingWaiting(30_000);
    await station.shell.nav('Material').click();
    await material.heading.waitFor();
    await material.recorded.first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="recorded-move"]')].every((li) => li.textContent?.includes('On the server') === true));
    expect(await material.recorded.count()).toBe(7);
    const usedAnswer = await send<WalkResult>(stack.server.url, '/api/genealogy/where-used?lot=L-910-A', { credential: bench.credential });
    expect(usedAnswer.status).toBe(200);
    expect(labels(usedAnswer.body.root)).toEqual(expect.arrayContaining(['L-910-A1', 'L-910-A2', 'L-910-M', 'L-910-M-BAG', 'SN-1001-02']));
    const bag = await send<WalkResult>(stack.server.url, '/api/genealogy/where-from?lot=L-910-M-BAG', { credential: bench.credential });
    expect(bag.body.root.item).toMatchObject({ remaining: 18, scrapped: [expect.objectContaining({ quantity: 2, reason: 'Stripped threads' })] });
    const bearing = await send<WalkResult>(stack.server.url, '/api/genealogy/where-used?serial=BRG-0003', { credential: bench.credential });
    expect(bearing.body.root.item.scrapped).toEqual([expect.objectContaining({ quantity: 1, reason: 'Dropped on the floor' })]);
    const returned = await send<WalkResult>(stack.server.url, '/api/genealogy/where-used?serial=BRG-0001', { credential: bench.credential });
    expect(returned.body.root.children.map((child) => [child.item.label, child.returned])).toEqual([['SN-1001-02', true]]);
    const ncr = await send<WalkResult>(stack.server.url, '/api/genealogy/where-used?serial=SN-1004-01', { credential: bench.credential });
    expect(ncr.body.root.item.scrapped ?? []).toEqual([]);
  });
});
