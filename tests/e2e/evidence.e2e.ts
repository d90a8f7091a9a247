/**
 * The Evidence screen (issue 14; docs/evidence.md): an operator runs OP10 on SN-1001-01 with lot
 * L-920-A built in, the station syncs, and a supervisor finds the serial's evidence by typing it,
 * reads the report (who, the instruction revision, the lot), prints it, and downloads the JSON,
 * which `npm run evidence:verify` accepts with the server's key pinned. A serial the plant does not
 * have is said so in words. At 1280x800 and 800x1280. Then an inspector's out-of-tolerance bore opens
 * an NCR, quality dispositions it use as is with engineering's concurrence, and the serial's report
 * shows that disposition with both signatures' manifestations.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidencePackage } from '../../schemas/evidence.ts';
import { evidenceReport } from '../../src/audit/evidence-report.ts';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { EvidencePage } from './pages/evidence-page.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StatusBar } from './pages/status-bar.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';
import { testClock } from '../integration/harness.ts';
import { enrollStation, P100_REVISION } from '../integration/sync-fixture.ts';

const run = promisify(execFile);

/**
 * The report is as tall as its content (nothing scrolls inside it) and, with the page scrolled to its
 * end, ends above the station's status bar: the bar hides none of it.
 */
async function expectReportClear(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const frame = document.querySelector<HTMLIFrameElement>('iframe[title="Evidence report"]');
    const inner = frame?.contentDocument?.documentElement;
    return frame !== null && frame !== undefined && inner !== null && inner !== undefined && inner.scrollHeight > 100 && inner.scrollHeight <= frame.clientHeight + 2;
  });
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const frame = await page.locator('iframe[title="Evidence report"]').boundingBox();
  const bar = await new StatusBar(page).bar.boundingBox();
  expect(frame).not.toBeNull();
  expect(bar).not.toBeNull();
  expect(frame!.y + frame!.height).toBeLessThanOrEqual(bar!.y + 1);
}

/** What a person must read is inside the window, not below the fold. */
async function expectInView(page: Page, locator: Locator): Promise<void> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  expect(box).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(viewport!.height);
}
let stack: Stack;
let dir: string;

beforeAll(async () => {
  stack = await startStack({ checkpointSeconds: 0 });
  dir = await mkdtemp(join(tmpdir(), 'travelog-evidence-e2e-'));
});

afterAll(async () => {
  await stack?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('evidence', () => {
  it("finds a serial's evidence, prints the report and downloads the JSON, which evidence:verify accepts", async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);
    const status = new StatusBar(page);
    const evidence = new EvidencePage(page);

    await page.goto('/');
    await setup.enroll('Mill 4 tablet', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-MILL');
    await signIn.signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    expect(await shell.nav('Evidence').count()).toBe(0);
    await queue.openWorkOrder('WO-1001');
    await traveler.openStep('OP10', 'SN-1001-01');
    await step.start();
    await step.waitForStatus('In progress');
    await step.wedgeScan('L-920-A');
    await step.consumed('L-920-A').waitFor();
    await step.complete();
    await step.waitForStatus('Complete');
    await status.waitForNothingWaiting(30_000);
    await shell.signOut();

    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Evidence').click();
    await evidence.heading.waitFor();

    // Something the plant does not have, in words.
    await evidence.find('SN-9999-99');
    await evidence.message.filter({ hasText: 'Nothing is recorded about serial SN-9999-99.' }).waitFor();

    // The serial, typed in lower case.
    await evidence.find('sn-1001-01');
    await evidence.summary.filter({ hasText: /audit entries about serial SN-1001-01/ }).waitFor();
    const report = evidence.report;
    await report.getByRole('heading', { name: 'Evidence for serial SN-1001-01' }).waitFor();
    const traveled = await report.getByRole('table').nth(1).innerText();
    expect(traveled).toMatch(/OP10\s+Rough mill\s+started/);
    expect(traveled).toContain('Ana Ortiz (B-1001)');
    expect(traveled).toContain('WI-100-10 rev D');
    expect(traveled).toMatch(/milling, expires \S+ \(valid that day\)/);
    expect(await report.locator('body').innerText()).toMatch(/lot L-920-A\s+consumed into\s+serial SN-1001-01\s+P-920\s+1/);
    expect(await report.locator('body').innerText()).toMatch(/Checkpoint of the audit log at \d+ entries/);
    // Words and short ids: no UUID in what a person reads.
    expect(await page.locator('main').innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    expect(await report.locator('body').innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    await expectReportClear(page);
    await stack.screenshot(page, 'evidence-01-serial');

    // Print: the report's own window prints (the dialog is the browser's; here the call is recorded).
    await page.evaluate(() => {
      const frame = document.querySelector<HTMLIFrameElement>('iframe[title="Evidence report"]');
      const win = frame?.contentWindow as (Window & { printed?: number }) | null | undefined;
      if (win === null || win === undefined) throw new Error('no report frame');
      win.printed = 0;
      win.print = () => {
        win.printed = (win.printed ?? 0) + 1;
      };
    });
    await evidence.print.click();
    expect(await page.evaluate(() => (document.querySelector<HTMLIFrameElement>('iframe[title="Evidence report"]')?.contentWindow as { printed?: number }).printed)).toBe(1);

    // Download the JSON and verify it with the command an auditor runs.
    const [download] = await Promise.all([page.waitForEvent('download'), evidence.download.click()]);
    expect(download.suggestedFilename()).toBe('evidence-SN-1001-01.json');
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    await evidence.message.filter({ hasText: 'Downloaded evidence-SN-1001-01.json' }).waitFor();
    const key = Buffer.from(stack.server.auditKey.publicKey).toString('base64');
    const { stdout } = await run('npm', ['run', '--silent', 'evidence:verify', '--', file, '--key', key], { cwd: process.cwd() });
    expect(stdout).toMatch(/^OK: evidence for serial SN-1001-01, proven against checkpoint \d+ .*\(the given key\)/);

    // The report prints to paper as the browser lays it out (A4 landscape).
    const pkg = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')) as EvidencePackage;
    const paper = await page.context().newPage();
    await paper.setContent(evidenceReport(pkg, download.suggestedFilename()));
    const pdf = await paper.pdf({ printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await paper.close();

    await page.setViewportSize({ width: 800, height: 1280 });
    await evidence.summary.waitFor();
    await expectReportClear(page);
    await stack.screenshot(page, 'evidence-02-portrait');

    // Nothing recorded: said in words, in view, at the top of the screen.
    await page.evaluate(() => window.scrollTo(0, 0));
    await evidence.find('SN-9999-99');
    await evidence.message.filter({ hasText: 'Nothing is recorded about serial SN-9999-99.' }).waitFor();
    await expectInView(page, evidence.message);
    expect(await evidence.summary.count()).toBe(0);
    await stack.screenshot(page, 'evidence-04-portrait-nothing');

    // A scanned label is read as every screen reads one: the serial of a GS1 label, not its raw text.
    await new StepPage(page).wedgeScan(']C121SN-1001-01');
    await evidence.summary.filter({ hasText: /audit entries about serial SN-1001-01/ }).waitFor();
    expect(await evidence.search.inputValue()).toBe('SN-1001-01');
    // A label that cannot be read is refused in words, and nothing is asked of the server.
    await new StepPage(page).wedgeScan('[)>\u001e06\u001d1TL-910-A');
    await evidence.message.filter({ hasText: 'Not a readable label' }).waitFor();
    await expectInView(page, evidence.message);
    expect(await evidence.summary.count()).toBe(0);

    // Offline: the package needs the server, said so where the person looks.
    await page.context().setOffline(true);
    await evidence.find('SN-1001-01');
    await evidence.message.filter({ hasText: 'needs the network' }).waitFor();
    await expectInView(page, evidence.message);
    await stack.screenshot(page, 'evidence-05-portrait-offline');
    await page.context().setOffline(false);
  });

  it("shows an NCR's signed disposition, with engineering's concurrence, in the serial's report", async () => {
    // The mill and the lathe already did OP10 and OP20 on SN-1004-01 (another station's work, pushed as it would be).
    const unit = { kind: 'serial', serial: 'SN-1004-01' } as const;
    const other = await enrollStation(stack.server, testClock(new Date().toISOString()), 'Mill and lathe');
    await other.pushOk(
      (['OP10', 'OP20'] as const).flatMap((op) => [
        other.step('op.started', 'B-1001', 'WO-1004', unit, op, P100_REVISION[op]!),
        other.step('op.completed', 'B-1001', 'WO-1004', unit, op, P100_REVISION[op]!),
      ]),
    );
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);
    const status = new StatusBar(page);
    const evidence = new EvidencePage(page);

    await page.goto('/');
    await setup.enroll('Inspection lab', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-INSP');
    await signIn.signIn('B-2001', '2468');
    await shell.expectSignedIn('Ines Park');
    await queue.openWorkOrder('WO-1004');
    await traveler.openStep('OP30', 'SN-1004-01');
    await step.start();
    await step.waitForStatus('In progress');
    const bore = step.characteristic('C1 Bore diameter');
    await bore.value.pressSequentially('12.75');
    await bore.liveVerdict.filter({ hasText: /^FAIL$/ }).waitFor();
    await bore.gauge.fill('G-17');
    await bore.record();
    await bore.message.filter({ hasText: 'SN-1004-01 is now ON HOLD' }).waitFor();
    const ncrId = /NCR-\d{4}-[0-9A-Z]{6}/.exec(await bore.message.innerText())?.[0];
    expect(ncrId).toBeDefined();
    await status.waitForNothingWaiting(30_000);
    await shell.signOut();

    // Quality dispositions it: use as is, engineering concurring, under signature.
    await signIn.signIn('B-4001', '4321');
    await shell.expectSignedIn('Quinn Lee');
    await shell.nav('NCRs').click();
    const card = page.getByRole('article', { name: ncrId! });
    await card.getByRole('button', { name: `Disposition SN-1004-01 on ${ncrId!}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('combobox', { name: 'Disposition' }).selectOption('use-as-is');
    await dialog.getByRole('textbox', { name: 'Reason for the disposition' }).fill('0.05 mm over on a non-functional bore');
    await dialog.getByRole('textbox', { name: 'Badge', exact: true }).fill('B-4001');
    await dialog.getByLabel('PIN', { exact: true }).fill('4321');
    await dialog.getByRole('textbox', { name: 'Engineering badge' }).fill('B-5001');
    await dialog.getByLabel('Engineering PIN').fill('5050');
    await dialog.getByRole('button', { name: 'Sign disposition' }).click();
    await page.getByRole('status', { name: 'Signature' }).filter({ hasText: 'Quinn Lee' }).waitFor();
    await status.waitForNothingWaiting(30_000);

    // Quality reads the serial's evidence: the NCR, and its disposition as signed.
    await shell.nav('Evidence').click();
    await evidence.heading.waitFor();
    await evidence.find('SN-1004-01');
    await evidence.summary.filter({ hasText: /audit entries about serial SN-1004-01/ }).waitFor();
    const report = evidence.report;
    await report.getByRole('heading', { name: 'Nonconformance records: dispositions and their signatures, as recorded' }).waitFor();
    const text = await report.locator('body').innerText();
    expect(text).toContain(ncrId!);
    expect(text).toMatch(/dispositioned\s+serial SN-1004-01\s+use as is, quantity 1/);
    expect(text).toMatch(/Quinn Lee \(B-4001\), \S+ \S+ UTC: “dispositioned: use as is”, reason: 0\.05 mm over on a non-functional bore/);
    expect(text).toMatch(/Rosa Lindqvist \(B-5001\), \S+ \S+ UTC: “engineering concurrence: use as is”/);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    await report.getByRole('heading', { name: 'Nonconformance records: dispositions and their signatures, as recorded' }).scrollIntoViewIfNeeded();
    await stack.screenshot(page, 'evidence-03-ncr-disposition');
  });
});
