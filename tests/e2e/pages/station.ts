/**
 * What most end-to-end tests do before their own point: open a new station (enroll it on the demo
 * supervisor's badge, choose its work center), sign people in by badge, look at a screen at both
 * tablet sizes, and record an out-of-tolerance bore that opens an NCR. One place, so the tests say
 * only what they check.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_ROSTER } from '../../../sync-server/seed/demo-plant.ts';
import type { Stack } from '../harness.ts';
import { QueuePage } from './queue-page.ts';
import { SetupPage } from './setup-page.ts';
import { Shell } from './shell.ts';
import { SignInPage } from './sign-in-page.ts';
import { StatusBar } from './status-bar.ts';
import { StepPage } from './step-page.ts';
import { TravelerPage } from './traveler-page.ts';

/** A UUID anywhere in what a person reads is a finding: screens show words and short ids. */
export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The two tablet sizes every screen is proven at: landscape, then portrait. */
export const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 1280 },
] as const;

/** The page models of a station's screens, on one page. */
export class StationPages {
  readonly setup: SetupPage;
  readonly signIn: SignInPage;
  readonly shell: Shell;
  readonly queue: QueuePage;
  readonly traveler: TravelerPage;
  readonly step: StepPage;
  readonly status: StatusBar;
  constructor(readonly page: Page) {
    this.setup = new SetupPage(page);
    this.signIn = new SignInPage(page);
    this.shell = new Shell(page);
    this.queue = new QueuePage(page);
    this.traveler = new TravelerPage(page);
    this.step = new StepPage(page);
    this.status = new StatusBar(page);
  }

  /**
   * A supervisor (Sam Reyes) moves the station to `workCenter` and signs out again: the queue there
   * has been shown, so its work is pulled.
   */
  async moveTo(workCenter: string): Promise<void> {
    await this.signInAs('B-3001');
    await this.shell.nav('Change work center').click();
    await this.setup.chooseWorkCenter(workCenter);
    await this.page.getByRole('heading', { name: new RegExp(`^Queue at ${workCenter}`) }).waitFor();
    await this.shell.signOut();
  }

  /**
   * The signed-in person opens the traveler of `workOrderId` from the queue, starts `operationId` on
   * `unit`, builds in each lot or serial of `material` (by a wedge scan, or typed into the material
   * field with `typed`), and completes it.
   */
  async runOperation(workOrderId: string, operationId: string, unit: string, options: { material?: readonly string[]; typed?: boolean } = {}): Promise<void> {
    const { queue, traveler, step } = this;
    await queue.openWorkOrder(workOrderId);
    await traveler.openStep(operationId, unit);
    await step.start();
    await step.waitForStatus('In progress');
    for (const identifier of options.material ?? []) {
      if (options.typed === true) {
        await step.material.getByRole('textbox', { name: 'Scan serial or lot' }).fill(identifier);
        await step.material.getByRole('button', { name: 'Add material' }).click();
      } else {
        await step.wedgeScan(identifier);
      }
      await step.consumed(identifier).waitFor();
    }
    await step.complete();
    await step.waitForStatus('Complete');
  }

  /** Signs in by badge with the demo roster's PIN and waits until the header names the person. */
  async signInAs(badge: string): Promise<void> {
    const person = DEMO_ROSTER.find((p) => p.badge === badge);
    if (person === undefined) throw new Error(`${badge} is not on the demo roster`);
    await this.signIn.signIn(person.badge, person.pin);
    await this.shell.expectSignedIn(person.name);
  }
}

/** A new station: its own browser context, enrolled by Sam Reyes (B-3001), standing at `workCenter`, at 1280×800. */
export async function openStation(stack: Stack, name: string, workCenter: string): Promise<{ context: BrowserContext; page: Page; station: StationPages }> {
  const { context, page } = await stack.newStation();
  await page.setViewportSize(SIZES[0]);
  const station = new StationPages(page);
  await page.goto('/');
  await station.setup.enroll(name, 'B-3001', '9999');
  await station.setup.chooseWorkCenter(workCenter);
  return { context, page, station };
}

/**
 * Runs `check` at 1280×800 then 800×1280, saving a screenshot `<name>-<width>x<height>` after each
 * (with E2E_SCREENSHOTS set). With `restore`, the page goes back to 1280×800 afterwards.
 */
export async function bothSizes(stack: Stack, page: Page, name: string, check: () => Promise<void>, options: { restore?: boolean } = {}): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await check();
    await stack.screenshot(page, `${name}-${size.width}x${size.height}`);
  }
  if (options.restore === true) await page.setViewportSize(SIZES[0]);
}

/** The element's box lies wholly inside the viewport (what a person sees without scrolling). */
export async function expectInViewport(locator: Locator): Promise<void> {
  const page = locator.page();
  const size = page.viewportSize();
  const box = await locator.boundingBox();
  if (size === null || box === null) throw new Error('no viewport or no box');
  expect(box.y, 'top edge in view').toBeGreaterThanOrEqual(0);
  expect(box.x, 'left edge in view').toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, 'bottom edge in view').toBeLessThanOrEqual(size.height + 0.5);
  expect(box.x + box.width, 'right edge in view').toBeLessThanOrEqual(size.width + 0.5);
}

/**
 * The element is in the viewport and nothing lies over its middle (the status bar fixed at the
 * bottom, a sticky message): a person sees it and can tap it without scrolling.
 */
export async function expectUncovered(locator: Locator): Promise<void> {
  await expectInViewport(locator);
  const cover = await locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return hit !== null && (hit === element || element.contains(hit)) ? null : (hit?.outerHTML.slice(0, 120) ?? 'nothing');
  });
  expect(cover, 'what lies over it').toBeNull();
}

/**
 * At an inspection station, the signed-in inspector opens OP30 on SN-1004-01 (WO-1004), starts it
 * and records the bore C1 at 12.75 mm with gauge G-17, out of tolerance: the unit goes on hold and an
 * NCR opens. With `passOthers`, the surface finish (0.8) and the burr check pass first. Returns the
 * NCR's short id as the message shows it.
 */
export async function recordFailingBore(station: StationPages, options: { passOthers?: boolean } = {}): Promise<string> {
  const { queue, traveler, step } = station;
  await queue.openWorkOrder('WO-1004');
  await traveler.openStep('OP30', 'SN-1004-01');
  await step.start();
  await step.waitForStatus('In progress');
  if (options.passOthers === true) {
    const finish = step.characteristic('C2 Surface finish Ra');
    await finish.value.pressSequentially('0.8');
    await finish.liveVerdict.filter({ hasText: /^PASS$/ }).waitFor();
    await finish.gauge.fill('G-17').catch(() => undefined);
    await finish.record();
    await finish.message.filter({ hasText: 'Recorded C2 Surface finish Ra' }).waitFor();
    const burrs = step.characteristic('C3 Visual: no burrs');
    await burrs.region.getByRole('button', { name: 'Pass' }).click();
    await burrs.record();
    await burrs.message.filter({ hasText: 'Recorded C3 Visual: no burrs' }).waitFor();
  }
  const bore = step.characteristic('C1 Bore diameter');
  await bore.value.pressSequentially('12.75');
  await bore.liveVerdict.filter({ hasText: /^FAIL$/ }).waitFor();
  await bore.gauge.fill('G-17');
  await bore.record();
  await bore.message.filter({ hasText: 'SN-1004-01 is now ON HOLD' }).waitFor();
  const ncrId = /NCR-\d{4}-[0-9A-Z]{6}/.exec(await bore.message.innerText())?.[0];
  if (ncrId === undefined) throw new Error('no NCR id shown');
  return ncrId;
}
