/**
 * A serialized traveler from the mill to a released hold, on one station: enrollment, sign-in,
 * sequence refusal, a wedge scan, IndexedDB across a reload, a failing measurement that holds the
 * unit, and the supervisor's signed release.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { HoldsPage } from './pages/holds-page.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('station: a traveler from milling to a released hold', () => {
  it('runs OP10–OP30 on SN-1001-01, holds it on a failed bore, and releases it under signature', async () => {
    const { page } = await stack.newStation();
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);
    const holds = new HoldsPage(page);

    await page.goto('/');
    await setup.enroll('Mill 1 tablet', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-MILL');
    await stack.screenshot(page, '01-sign-in');

    // A wrong PIN is counted, then the right one signs in.
    await signIn.signIn('B-1001', '0000');
    await signIn.alert.filter({ hasText: 'Wrong PIN (1 of 5)' }).waitFor();
    await signIn.signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    expect(await shell.signedInAs.innerText()).toMatch(/operator/i);
    expect(await shell.nav('Holds').count()).toBe(0);
    await queue.heading.waitFor();
    await stack.screenshot(page, '02-queue');

    await queue.openWorkOrder('WO-1001');
    await traveler.openStep('OP10', 'SN-1001-01');
    await step.start();
    await step.waitForStatus('In progress');

    // OP20 before OP10 is complete: refused, naming OP10.
    await step.backToTraveler('WO-1001');
    await traveler.openStep('OP20', 'SN-1001-01');
    // Complete cannot be done and says why, beside the button, before anyone taps it.
    expect(await page.getByRole('button', { name: 'Complete operation' }).isDisabled()).toBe(true);
    await page.getByText(/OP10 Rough mill must be completed first/).waitFor();
    await step.waitForStatus('Not started');

    // Back at OP10: the bar stock lot scanned by a wedge with the focus on no field.
    await step.backToTraveler('WO-1001');
    await traveler.openStep('OP10', 'SN-1001-01');
    await step.wedgeScan('L-920-A');
    await step.consumed('L-920-A').waitFor();
    await stack.screenshot(page, '03-step-material');
    await step.complete();
    await step.waitForStatus('Complete');

    // The record is in IndexedDB: a reload still shows OP10 complete.
    await page.reload();
    await step.waitForStatus('Complete');
    await step.backToTraveler('WO-1001');
    await traveler.step('OP10', 'SN-1001-01').filter({ hasText: 'Complete' }).waitFor();
    await stack.screenshot(page, '04-traveler');

    // OP20 is a lathe operation: this mill station refuses it, naming where it is done.
    await traveler.openStep('OP20', 'SN-1001-01');
    await page.getByText(/OP20 Finish turn bore is done at WC-LATHE CNC Lathe 2, not at this station/).waitFor();
    expect(await page.getByRole('button', { name: 'Start operation' }).isDisabled()).toBe(true);
    await shell.signOut();

    // The supervisor moves the station to the lathe; there Ana, qualified for turning, does OP20.
    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Change work center').click();
    await setup.chooseWorkCenter('WC-LATHE');
    await page.getByRole('heading', { name: /^Queue at WC-LATHE/ }).waitFor();
    await shell.signOut();
    await signIn.signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    await queue.openWorkOrder('WO-1001');
    await traveler.openStep('OP20', 'SN-1001-01');
    await step.start();
    await step.waitForStatus('In progress');
    await step.complete();
    await step.waitForStatus('Complete');
    await shell.signOut();

    // The supervisor moves the station to the inspection lab.
    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Change work center').click();
    await setup.chooseWorkCenter('WC-INSP');
    await page.getByRole('heading', { name: /^Queue at WC-INSP/ }).waitFor();
    await shell.signOut();

    // The inspector records a bore out of tolerance: FAIL while typing, then the unit is held.
    await signIn.signIn('B-2001', '2468');
    await shell.expectSignedIn('Ines Park');
    await queue.openWorkOrder('WO-1001');
    await traveler.openStep('OP30', 'SN-1001-01');
    await step.start();
    await step.waitForStatus('In progress');
    const bore = step.characteristic('C1 Bore diameter');
    // Entered in inches on purpose: the converted value is shown beside the verdict.
    await bore.unit.selectOption('in');
    await bore.value.pressSequentially('0.5005');
    await bore.liveVerdict.filter({ hasText: '0.5005 in = 12.713 mm PASS' }).waitFor();
    await bore.unit.selectOption('mm');
    await bore.liveVerdict.filter({ hasText: 'FAIL' }).waitFor();
    await bore.value.fill('');
    await bore.value.pressSequentially('12,7');
    await bore.liveVerdict.filter({ hasText: 'not a number' }).waitFor();
    await bore.value.fill('');
    // No verdict until the value has the drawing's decimals (README, "Inspection").
    await bore.value.pressSequentially('12.7');
    await bore.liveVerdict.filter({ hasText: 'keep typing' }).waitFor();
    await bore.value.pressSequentially('5');
    await bore.liveVerdict.filter({ hasText: /^✗?\s*FAIL$/ }).waitFor();
    expect(await bore.value.inputValue()).toBe('12.75');
    await bore.gauge.fill('G-17');
    await bore.record();
    await bore.message.filter({ hasText: 'SN-1001-01 is now ON HOLD' }).waitFor();
    expect(await bore.message.innerText()).toMatch(/NCR NCR-\d{4}-/);
    const row = bore.result('G-17');
    await row.waitFor();
    const recorded = await row.innerText();
    expect(recorded).toMatch(/FAIL/);
    expect(recorded).toMatch(/12\.75 mm/);
    expect(recorded).toMatch(/Ines Park/);
    await page.getByRole('region', { name: 'Holds in force' }).filter({ hasText: 'serial SN-1001-01' }).waitFor();
    await stack.screenshot(page, '05-inspection-fail');

    // An inspector may not release: no Holds link, and the board says so.
    expect(await shell.nav('Holds').count()).toBe(0);
    await page.goto('/holds');
    await page.getByText('Only a supervisor or quality may release a hold').waitFor();
    expect(await page.getByRole('button', { name: /^Release/ }).count()).toBe(0);
    await shell.signOut();

    // The supervisor releases that hold with a reason and a signature.
    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Holds').click();
    await holds.heading.waitFor();
    await holds.row('serial SN-1001-01').waitFor();
    await holds.release('serial SN-1001-01', 'Bore re-measured on CMM: 12.71 mm, within tolerance', 'B-3001', '9999');
    const manifestation = holds.manifestation;
    await manifestation.filter({ hasText: 'Sam Reyes' }).waitFor();
    const shown = await manifestation.innerText();
    expect(shown).toMatch(/released for further processing/);
    expect(shown).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    await stack.screenshot(page, '06-released');
    expect(await holds.row('serial SN-1001-01').getByRole('button', { name: /^Release/ }).count()).toBe(0);
  });
});
