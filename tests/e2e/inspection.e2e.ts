/**
 * An inspector at the station (issue 12 items 4, 12, 13, 14, 15, 21), in Chromium at 1280×800 and
 * 800×1280: a value in inches shows its millimetres beside the verdict and the unit returns to the
 * characteristic's own after recording; no verdict while a value is still being typed; each record
 * is confirmed in one message in view and lands first in the table; surface finish is given and
 * typed in µm; a failing bore holds the unit, and the next result on the held unit is still recorded
 * with the hold (its short id and reason) in view before and after. No UUID is shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { UUID, openStation } from './pages/station.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Whether the element is wholly inside the viewport, where the inspector is looking. */
async function inView(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const size = page.viewportSize();
  if (box === null || size === null) return false;
  return box.y >= 0 && box.y + box.height <= size.height && box.x >= 0 && box.x + box.width <= size.width;
}

describe('inspection', () => {
  it('judges only what can be judged, confirms each record newest first, and keeps recording on a held unit', async () => {
    const { page, station } = await openStation(stack, 'Inspection tablet', 'WC-MILL');
    const { shell, queue, traveler, step } = station;

    // The operator mills SN-1002-01 (OP10).
    await station.signInAs('B-1001');
    await station.runOperation('WO-1002', 'OP10', 'SN-1002-01', { material: ['L-920-A'] });
    await shell.signOut();

    // OP20 is a lathe operation: done at a WC-LATHE station (a station refuses another work center's).
    await station.moveTo('WC-LATHE');
    await station.signInAs('B-1001');
    await station.runOperation('WO-1002', 'OP20', 'SN-1002-01');
    await shell.signOut();

    await station.moveTo('WC-INSP');

    await station.signInAs('B-2001');
    await queue.openWorkOrder('WO-1002');
    await traveler.openStep('OP30', 'SN-1002-01');
    await step.start();
    await step.waitForStatus('In progress');

    const bore = step.characteristic('C1 Bore diameter');
    const finish = step.characteristic('C2 Surface finish Ra');
    expect(await bore.heldUnit.count()).toBe(0);

    // 12: in inches, the millimetres beside the verdict; after recording the unit is mm again.
    await bore.unit.selectOption('in');
    await bore.value.pressSequentially('0.5005');
    await bore.liveVerdict.filter({ hasText: '0.5005 in = 12.713 mm PASS' }).waitFor();
    await bore.gauge.fill('G-17');
    await bore.record();
    await bore.message.filter({ hasText: 'Recorded C1 Bore diameter: 0.5005 in = 12.713 mm PASS' }).waitFor();
    expect(await inView(page, bore.message)).toBe(true);
    expect(await bore.unit.inputValue()).toBe('mm');
    expect(await bore.value.inputValue()).toBe('');

    // 13: no verdict while the value is being typed; one as soon as it can be judged.
    for (const typed of ['1', '2', '.']) {
      await bore.value.pressSequentially(typed);
      await bore.liveVerdict.filter({ hasText: 'judged to 2 decimals in mm: keep typing' }).waitFor();
      expect(await bore.liveVerdict.innerText()).not.toMatch(/PASS|FAIL/);
    }
    await bore.value.pressSequentially('71');
    await bore.liveVerdict.filter({ hasText: /^PASS$/ }).waitFor();
    await stack.screenshot(page, 'inspection-01-typing');
    await bore.record();

    // 14: one message, the newest; the new row is first.
    await bore.message.filter({ hasText: 'Recorded C1 Bore diameter: 12.71 mm PASS' }).waitFor();
    expect(await bore.message.count()).toBe(1);
    expect(await inView(page, bore.message)).toBe(true);
    await bore.resultRows.nth(1).waitFor();
    expect(await bore.resultRows.nth(0).innerText()).toMatch(/12\.71 mm/);
    expect(await bore.resultRows.nth(1).innerText()).toMatch(/0\.5005 in/);

    // 15: surface finish in µm, offered in µm and µin.
    expect(await finish.region.innerText()).toMatch(/≤ 1\.6 µm/);
    expect(await finish.unit.locator('option').allInnerTexts()).toEqual(['µm', 'µin']);

    // A bore out of tolerance holds the unit and opens an NCR, with short ids.
    await bore.value.pressSequentially('12.75');
    await bore.liveVerdict.filter({ hasText: /^FAIL$/ }).waitFor();
    await bore.record();
    await bore.message.filter({ hasText: 'Recorded C1 Bore diameter: 12.75 mm FAIL. SN-1002-01 is now ON HOLD H-' }).waitFor();
    expect(await bore.message.innerText()).toMatch(/NCR NCR-\d{4}-[0-9A-Z]{6} opened/);
    const holdId = /H-[0-9A-Z]{6}/.exec(await bore.message.innerText())?.[0];
    expect(holdId).toBeDefined();
    expect(await bore.resultRows.nth(0).innerText()).toMatch(/FAIL[\s\S]*12\.75 mm/);

    // 4: the next characteristic shows the hold before its result is recorded …
    await finish.heldUnit.filter({ hasText: `SN-1002-01 is on hold ${holdId!}` }).waitFor();
    expect(await finish.heldUnit.innerText()).toMatch(/Bore diameter on SN-1002-01 at OP30 measured 12\.75 mm: outside tolerance/);
    await finish.value.pressSequentially('0.8');
    await finish.liveVerdict.filter({ hasText: /^PASS$/ }).waitFor();
    await stack.screenshot(page, 'inspection-02-held');
    // … records it as evidence, and still shows the hold after.
    await finish.record();
    await finish.message.filter({ hasText: 'Recorded C2 Surface finish Ra: 0.8 µm PASS' }).waitFor();
    expect(await finish.heldUnit.innerText()).toContain(holdId!);
    expect(await finish.resultRows.nth(0).innerText()).toMatch(/0\.8 µm/);
    expect(await inView(page, finish.message)).toBe(true);

    // 800×1280: a value in µin, the µm beside the verdict, confirmed in view.
    await page.setViewportSize({ width: 800, height: 1280 });
    await finish.unit.selectOption('uin');
    await finish.value.pressSequentially('32');
    await finish.liveVerdict.filter({ hasText: '32 µin = 0.8128 µm PASS' }).waitFor();
    await finish.record();
    await finish.message.filter({ hasText: 'Recorded C2 Surface finish Ra: 32 µin = 0.8128 µm PASS' }).waitFor();
    expect(await inView(page, finish.message)).toBe(true);
    expect(await finish.unit.inputValue()).toBe('um');
    expect(await finish.heldUnit.isVisible()).toBe(true);
    await stack.screenshot(page, 'inspection-03-portrait');

    // 21: words and short ids, never a UUID.
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);
  });
});
