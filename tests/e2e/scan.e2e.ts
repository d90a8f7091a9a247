/**
 * Scanning in Chromium with a keyboard wedge: synthetic key events as a scanner sends them, control
 * characters as Ctrl chords (GS Ctrl+], RS Ctrl+6, EOT Ctrl+D). A badge scanned at sign-in, a traveler
 * label opening its work order, an ISO/IEC 15434 label building a lot in, a held lot refused, and the
 * printable labels screen. The camera needs a camera and is not covered here.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
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

type Stroke = { key: string; code?: string; ctrlKey?: boolean };

/** A scan as key strokes: `<GS>`, `<RS>`, `<EOT>` become the Ctrl chords a wedge types for them. */
function strokes(scan: string): Stroke[] {
  const chords: Record<string, Stroke> = {
    '<GS>': { key: ']', code: 'BracketRight', ctrlKey: true },
    '<RS>': { key: '6', code: 'Digit6', ctrlKey: true },
    '<EOT>': { key: 'd', code: 'KeyD', ctrlKey: true },
  };
  return scan.split(/(<GS>|<RS>|<EOT>)/u).flatMap((part) => chords[part] ?? [...part].map((key) => ({ key })));
}

/**
 * Dispatches the strokes and Enter inside the page in one go, as a scanner's arrive (see StepPage's
 * wedgeScan for why not over the DevTools protocol). Returns which strokes the page let through.
 */
async function wedgeScan(page: Page, scan: string): Promise<boolean[]> {
  await page.getByRole('heading', { level: 1 }).click();
  return page.evaluate((keys) => {
    const target = document.activeElement ?? document.body;
    return [...keys, { key: 'Enter' }].map((stroke) => target.dispatchEvent(new KeyboardEvent('keydown', { ...stroke, bubbles: true, cancelable: true })));
  }, strokes(scan));
}

describe('wedge scanning in Chromium', () => {
  it('reads a badge, a traveler label and a 15434 lot label, GS included, and refuses a held lot', async () => {
    const { page } = await stack.newStation();
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);

    await page.goto('/');
    await setup.enroll('Mill scan tablet', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-MILL');

    // The badge scanned at sign-in fills the badge field; a lot scanned there is refused, naming both.
    await signIn.heading.waitFor();
    await wedgeScan(page, '[)><RS>06<GS>1TL-920-A<RS><EOT>');
    await signIn.alert.filter({ hasText: 'Expected a badge; scanned lot L-920-A' }).waitFor();
    await wedgeScan(page, 'B-1001');
    expect(await page.getByRole('textbox', { name: 'Badge' }).inputValue()).toBe('B-1001');
    await page.getByLabel('PIN').fill('1111');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shell.expectSignedIn('Ana Ortiz');

    // A traveler label (format 06, work order as 1K) scanned at the queue opens its traveler.
    await queue.heading.waitFor();
    await wedgeScan(page, '[)><RS>06<GS>1KWO-1001<GS>1PP-100<GS>Q4<RS><EOT>');
    await page.getByRole('heading', { name: 'Traveler WO-1001' }).waitFor();

    await traveler.openStep('OP10', 'SN-1001-01');
    await step.start();
    await step.waitForStatus('In progress');

    // The held bar stock lot on a 15434 label: refused with the reason.
    await wedgeScan(page, '[)><RS>06<GS>1TL-920-Q<RS><EOT>');
    await step.alert(/Lot L-920-Q .* is on hold/).waitFor();

    // The good lot: every control chord is kept from the browser, and the lot is built in.
    const passed = await wedgeScan(page, '[)><RS>06<GS>1TL-920-A<RS><EOT>');
    const chordsLetThrough = strokes('[)><RS>06<GS>1TL-920-A<RS><EOT>')
      .map((stroke, i) => (stroke.ctrlKey === true ? passed[i] : false))
      .filter(Boolean);
    expect(chordsLetThrough).toEqual([]);
    expect(passed.at(-1)).toBe(false); // the scan's Enter submits nothing
    await step.consumed('L-920-A').waitFor();
    await page.getByTestId('message-area').filter({ hasText: 'L-920-A built in' }).waitFor();
    await stack.screenshot(page, 'scan-01-15434-lot');

    // A GS1 label cut short is refused as unreadable, saying where.
    await wedgeScan(page, '[)><RS>06<GS>1TL-910-A');
    await step.alert(/Not a readable label: ISO\/IEC 15434: .*truncated/).waitFor();

    // A GS1-128 label from a scanner that sends no symbology identifier and drops FNC1: bare digits.
    // One whose GTIN check digit is wrong is refused with the reason, not looked up as text.
    await wedgeScan(page, '010950600013435310L-920-A');
    await step.alert(/Not a readable label: GS1 label sent without FNC1: \(01\) GTIN 09506000134353 has check digit 3; expected 2/).waitFor();
    await stack.screenshot(page, 'scan-03-bare-gs1-refused');
  });

  it('shows printable labels with a Data Matrix for a work order and its units', async () => {
    const { page } = await stack.newStation();
    await page.goto('/');
    await new SetupPage(page).enroll('Label printer', 'B-3001', '9999');
    await new SetupPage(page).chooseWorkCenter('WC-MILL');
    await new SignInPage(page).signIn('B-3001', '9999');
    await new Shell(page).expectSignedIn('Sam Reyes');
    await page.getByRole('link', { name: 'Print labels' }).click();
    await page.getByRole('heading', { name: 'Labels' }).waitFor();
    await page.getByRole('combobox', { name: 'Print labels for' }).selectOption({ label: 'Work order WO-1001: traveler and units' });
    const sheet = page.getByLabel('Labels', { exact: true });
    await sheet.getByRole('article', { name: 'Traveler WO-1001' }).waitFor();
    await sheet.getByRole('article', { name: 'Serial SN-1001-01' }).getByRole('img', { name: 'Data Matrix for Serial SN-1001-01' }).waitFor();
    expect(await sheet.getByRole('article').count()).toBeGreaterThan(1);
    await stack.screenshot(page, 'scan-02-labels');
  });
});
