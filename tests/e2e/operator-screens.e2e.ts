/**
 * The station as operators and supervisors see it, at 1280×800 (a landscape tablet or a small
 * monitor) and 800×1280 (a portrait tablet): the newest outcome in view, the next action marked,
 * an operation of another work center refused, sign-in as people type badges, a signature dialog
 * that fits, a header that leaves the screen for work, and storage state only for those who can act.
 * Assertions are about what is inside the viewport and the words on it.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { HoldsPage } from './pages/holds-page.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { expectInViewport } from './pages/station.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

const VIEWPORTS = [
  { name: '1280x800', width: 1280, height: 800 },
  { name: '800x1280', width: 800, height: 1280 },
] as const;

/** A new station at `workCenterId`, enrolled by the demo supervisor, at the given viewport. */
async function station(viewport: { width: number; height: number }, workCenterId = 'WC-MILL', stationName = 'Screens tablet'): Promise<Page> {
  const { page } = await stack.newStation();
  await page.setViewportSize(viewport);
  await page.goto('/');
  const setup = new SetupPage(page);
  await setup.enroll(stationName, 'B-3001', '9999');
  await setup.chooseWorkCenter(workCenterId);
  return page;
}

/**
 * With E2E_SCREENSHOTS set, saves what is in the viewport (not the full page: what is in view is the
 * point) under .tmp/e2e-screenshots.
 */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env['E2E_SCREENSHOTS'] === undefined) return;
  await page.screenshot({ path: `.tmp/e2e-screenshots/${name}.png` });
}

function messageArea(page: Page): Locator {
  return page.getByTestId('message-area');
}

/** Scrolls the material panel's scan field to the middle of the screen, as an operator scrolls to it. */
async function scrollToScanField(step: StepPage): Promise<Locator> {
  const field = step.material.getByRole('textbox', { name: 'Scan serial or lot' });
  await field.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  return field;
}

describe('operator: the newest outcome, in view', () => {
  it.each(VIEWPORTS.map((v, i) => ({ ...v, unit: `SN-1001-0${i + 1}` })))(
    '[7] at $name a refused scan says why where the operator looks, and replaces the older message',
    async ({ name, width, height, unit }) => {
      const page = await station({ width, height }, 'WC-MILL', `Mill ${name}`);
      const step = new StepPage(page);
      await new SignInPage(page).signIn('B-1001', '1111');
      await new Shell(page).expectSignedIn('Ana Ortiz');
      await new QueuePage(page).openWorkOrder('WO-1001');
      await new TravelerPage(page).openStep('OP10', unit);

      await step.start();
      await step.waitForStatus('In progress');
      await messageArea(page).filter({ hasText: `OP10 started on ${unit}` }).waitFor();
      await expectInViewport(messageArea(page));

      // The operator scrolls down to the material and types a held lot: the refusal, not the older
      // "started", is the one message, and it is on screen.
      const field = await scrollToScanField(step);
      await field.fill('L-920-Q');
      await field.press('Enter');
      const refusal = messageArea(page).filter({ hasText: /Lot L-920-Q .* is on hold/ });
      await refusal.waitFor();
      await expectInViewport(refusal);
      expect(await messageArea(page).count()).toBe(1);
      expect(await page.getByText(`OP10 started on ${unit}`).count()).toBe(0);
      expect(await refusal.getAttribute('role')).toBe('alert');
      // Readable at two metres: large, bold type.
      const style = await refusal.evaluate((el) => ({ size: parseFloat(getComputedStyle(el).fontSize), weight: Number(getComputedStyle(el).fontWeight) }));
      expect(style.size).toBeGreaterThanOrEqual(28);
      expect(style.weight).toBeGreaterThanOrEqual(700);
      await shot(page, `operator-refused-scan-${name}`);

      // A wedge scan of an unreadable label: again one message, the newest.
      await step.wedgeScan('[)><RS>06<GS>1TL-910-A');
      await messageArea(page).filter({ hasText: /Not a readable label/ }).waitFor();
      expect(await messageArea(page).count()).toBe(1);
      expect(await page.getByText(/is on hold/).count()).toBe(0);

      // The right lot: the success replaces the refusal, still in view at the scan field.
      await scrollToScanField(step);
      await field.fill('L-920-A');
      await field.press('Enter');
      const accepted = messageArea(page).filter({ hasText: 'L-920-A built in' });
      await accepted.waitFor();
      await expectInViewport(accepted);
      expect(await page.getByRole('alert').filter({ hasText: 'Not a readable label' }).count()).toBe(0);
    },
  );
});

describe('operator: the next action', () => {
  it('[8][9] the possible action is primary, an impossible one is disabled and says why; another work center’s operation is refused by name', async () => {
    const page = await station({ width: 1280, height: 800 }, 'WC-MILL', 'Mill actions');
    const step = new StepPage(page);
    const traveler = new TravelerPage(page);
    await new SignInPage(page).signIn('B-1001', '1111');
    await new Shell(page).expectSignedIn('Ana Ortiz');
    await new QueuePage(page).openWorkOrder('WO-1006');
    await traveler.openStep('OP10', 'SN-1006-01');

    const start = page.getByRole('button', { name: 'Start operation' });
    const complete = page.getByRole('button', { name: 'Complete operation' });
    const isPrimary = (button: Locator) => button.evaluate((el) => el.classList.contains('ui-button-primary'));
    /** The words shown with a disabled button, tied to it as its description. */
    const reasonOf = (button: Locator) =>
      button.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');

    // Not started: Start is the next action; Complete cannot be done yet and says why.
    expect(await start.isEnabled()).toBe(true);
    expect(await isPrimary(start)).toBe(true);
    expect(await complete.isDisabled()).toBe(true);
    expect(await isPrimary(complete)).toBe(false);
    expect(await reasonOf(complete)).toBe('OP10 has not been started on SN-1006-01');
    await expectInViewport(page.getByText('OP10 has not been started on SN-1006-01'));
    await shot(page, 'operator-actions-not-started');

    // Started, material still missing: neither is possible, each says why.
    await step.start();
    await step.waitForStatus('In progress');
    await page.waitForFunction(() => document.querySelector('button.ui-button-primary') === null);
    expect(await start.isDisabled()).toBe(true);
    expect(await reasonOf(start)).toBe('OP10 is already started on SN-1006-01');
    expect(await complete.isDisabled()).toBe(true);
    expect(await reasonOf(complete)).toBe('OP10 still needs material scanned in: 1 × P-920');

    // Material in: Complete becomes the primary action.
    const field = step.material.getByRole('textbox', { name: 'Scan serial or lot' });
    const lot = 'L-920-A';
    await field.fill(lot);
    await field.press('Enter');
    await step.consumed(lot).waitFor();
    await page.waitForFunction(() => document.querySelector('button.ui-button-primary')?.textContent === 'Complete operation');
    expect(await complete.isEnabled()).toBe(true);
    await complete.click();
    await step.waitForStatus('Complete');
    expect(await start.isDisabled()).toBe(true);
    expect(await complete.isDisabled()).toBe(true);
    expect(await reasonOf(complete)).toBe('OP10 is already complete on SN-1006-01');
    await shot(page, 'operator-actions-complete');

    // [9] The next operation is done at another work center: refused before anything is recorded,
    // naming where it is done.
    await step.backToTraveler('WO-1006');
    await traveler.openStep('OP20', 'SN-1006-01');
    expect(await start.isDisabled()).toBe(true);
    const why = 'OP20 Finish turn bore is done at WC-LATHE CNC Lathe 2, not at this station (WC-MILL CNC Mill 1): record it at a WC-LATHE station';
    expect(await reasonOf(start)).toBe(why);
    await expectInViewport(page.getByText(why));
    await step.waitForStatus('Not started');
    await shot(page, 'operator-other-work-center');
  });
});

describe('sign-in', () => {
  it('[10] takes a lower-case badge, warns an operator qualified for nothing here, and always starts at the queue', async () => {
    const page = await station({ width: 800, height: 1280 }, 'WC-MILL', 'Mill sign-in');
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);

    await signIn.signIn('b-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    expect(await page.getByRole('alert').filter({ hasText: 'qualified for none' }).count()).toBe(0);
    await queue.openWorkOrder('WO-1002');
    await new TravelerPage(page).openStep('OP10', 'SN-1002-01');
    await shell.signOut();

    // The next person: at the queue, not on Ana's step; told at once that nothing here is theirs.
    await signIn.signIn('B-1007', '7777');
    await shell.expectSignedIn('Gus Moreau');
    await queue.heading.waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    const warning = page.getByRole('alert').filter({ hasText: 'Gus Moreau, you are qualified for none of the work at WC-MILL CNC Mill 1' });
    await warning.waitFor();
    expect(await warning.innerText()).toMatch(/\(milling(, \w+)*\)/);
    expect(await warning.innerText()).toMatch(/Your qualifications: none/);
    await expectInViewport(warning);
    await shot(page, 'sign-in-unqualified-800x1280');
    await page.getByRole('button', { name: 'Understood' }).click();
    await warning.waitFor({ state: 'detached' });
    await shell.signOut();

    // An expired qualification is named with its date.
    await signIn.signIn('B-1002', '2222');
    await shell.expectSignedIn('Ben Carter');
    await page.getByRole('alert').filter({ hasText: 'Expired: milling on 2025-06-30' }).waitFor();
  });
});

describe('supervisor: release dialog, header, settings, storage', () => {
  it('[16] the release dialog fits the screen at both sizes, the hold in view; the signer badge in lower case', async () => {
    const page = await station({ width: 1280, height: 800 }, 'WC-MILL', 'Mill release');
    const shell = new Shell(page);
    const holds = new HoldsPage(page);
    await new SignInPage(page).signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Holds').click();
    await holds.heading.waitFor();
    await holds.row('lot L-920-Q').getByRole('button', { name: /^Release/ }).click();
    const dialog = holds.dialog;
    await dialog.waitFor();

    for (const size of VIEWPORTS) {
      await page.setViewportSize(size);
      // A refusal makes the body taller: header, hold and buttons stay in view all the same.
      await dialog.getByRole('textbox', { name: 'Reason for release' }).fill('Certificate received and checked against the PO');
      await dialog.getByRole('textbox', { name: 'Badge' }).fill('b-3001');
      await dialog.getByLabel('PIN').fill('0000');
      await dialog.getByRole('button', { name: 'Sign and release' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'Wrong PIN' }).waitFor();
      await expectInViewport(dialog);
      await expectInViewport(dialog.getByRole('heading', { name: /^Release hold/ }));
      await expectInViewport(dialog.getByTestId('dialog-about').filter({ hasText: 'lot L-920-Q' }));
      await expectInViewport(dialog.getByRole('button', { name: 'Sign and release' }));
      await expectInViewport(dialog.getByRole('button', { name: 'Cancel' }));
      await shot(page, `release-dialog-${size.name}`);
    }

    // Signed with the badge as typed in lower case: recorded under the roster's spelling.
    await dialog.getByLabel('PIN').fill('9999');
    await dialog.getByRole('button', { name: 'Sign and release' }).click();
    await dialog.waitFor({ state: 'detached' });
    const signed = page.getByRole('status', { name: 'Signature' });
    await signed.waitFor();
    expect(await signed.innerText()).toMatch(/Sam Reyes/);
  });

  it('[20][22] a supervisor’s header leaves the screen for work; settings read as fields; storage state with what to do', async () => {
    const { context, page } = await stack.newStation();
    // The browser refuses persistent storage, as it does for a site neither installed nor much used.
    await context.addInitScript(() => {
      navigator.storage.persisted = () => Promise.resolve(false);
      navigator.storage.persist = () => Promise.resolve(false);
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/');
    // A long station name, as plants name them: it must not push the navigation onto a second row.
    await new SetupPage(page).enroll('Mill 1 quality bench by the window', 'B-3001', '9999');
    await new SetupPage(page).chooseWorkCenter('WC-MILL');
    const shell = new Shell(page);
    const signIn = new SignInPage(page);

    // [22] An operator is not told about storage at all.
    await signIn.signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    await new QueuePage(page).heading.waitFor();
    expect(await shell.statusBar.innerText()).not.toMatch(/storage/i);
    await shell.signOut();

    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await new QueuePage(page).heading.waitFor();
    const storage = shell.statusBar.getByTestId('storage-persistence');
    await storage.filter({ hasText: /^Storage not guaranteed/ }).waitFor();
    expect(await storage.innerText()).toMatch(/install Travelog as an app/);

    // [20] One row at 1280: every link on the same line, the header no taller than a link and a bit.
    const header = shell.header;
    const links = page.getByRole('navigation', { name: 'Main' }).locator('a:visible, summary');
    const rowsOf = async () => new Set((await links.evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)))).map((y) => y)).size;
    expect(await links.count()).toBeGreaterThanOrEqual(7);
    await shot(page, 'supervisor-header-1280x800');
    expect(await rowsOf()).toBe(1);
    let box = await header.boundingBox();
    expect(box?.height).toBeLessThanOrEqual(72);
    await expectInViewport(header.getByRole('button', { name: 'Sign out' }));
    // The records screens are one tap away, in the Records menu, which opens on the screen.
    await header.locator('summary', { hasText: 'Records' }).click();
    for (const name of ['NCRs', 'Audit trail', 'Evidence']) await expectInViewport(header.getByRole('link', { name }));
    await shot(page, 'supervisor-records-menu-1280x800');
    await header.locator('summary', { hasText: 'Records' }).click();

    // At 800 wide: at most two compact rows.
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.waitForFunction(() => window.innerWidth === 800);
    await shot(page, 'supervisor-header-800x1280');
    expect(await rowsOf()).toBe(1);
    box = await header.boundingBox();
    expect(box?.height).toBeLessThanOrEqual(130);
    await expectInViewport(header.getByRole('button', { name: 'Sign out' }));
    for (const link of await links.all()) await expectInViewport(link);

    // Settings: each label above its own styled box, units beside, an error in words.
    await page.setViewportSize({ width: 1280, height: 800 });
    await shell.nav('Change work center').click();
    await page.getByRole('heading', { name: 'Change work center' }).waitFor();
    for (const name of ['Sign out after idle', 'Scanner keystroke gap', 'Character the scanners send for GS']) {
      const input = page.getByRole('textbox', { name });
      const label = page.locator('label', { hasText: name });
      const [labelBox, inputBox] = [await label.boundingBox(), await input.boundingBox()];
      if (labelBox === null || inputBox === null) throw new Error(`no box for ${name}`);
      expect(labelBox.y + labelBox.height, `${name}: label above its box`).toBeLessThanOrEqual(inputBox.y + 0.5);
      expect(inputBox.height, `${name}: a box a gloved finger hits`).toBeGreaterThanOrEqual(48);
      expect(await input.evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe('2px');
    }
    await page.getByRole('form', { name: 'Idle sign-out' }).getByText('minutes', { exact: true }).waitFor();
    const idle = page.getByRole('textbox', { name: 'Sign out after idle' });
    await idle.fill('0');
    await page.getByRole('alert').filter({ hasText: 'Enter whole minutes from 1 to 240' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save idle time' }).isDisabled()).toBe(true);
    await idle.fill('15');
    await page.getByRole('button', { name: 'Save idle time' }).click();
    await page.getByRole('status').filter({ hasText: 'Idle sign-out set to 15 minutes' }).waitFor();
    await shot(page, 'supervisor-settings-1280x800');
  });
});
