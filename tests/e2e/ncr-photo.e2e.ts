/**
 * A photo on a red tag (issue 15; docs/ncr.md "Photo"), in Chromium with its fake camera at 1280×800
 * and 800×1280: an inspector, offline, opens an NCR by hand on a unit and takes a photo with the
 * station's camera; the NCR contains the unit at once and the photo shows "waiting to sync"; back
 * online the event and then the photo go up; quality sees the photo on the NCRs screen, a second
 * station gets it from the server, and the evidence package names it by hash. The file input
 * (the fallback) takes an image and refuses a file that is not one, recording nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { EvidenceFact, EvidencePackage } from '../../schemas/evidence.ts';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { send, testClock } from '../integration/harness.ts';
import { enrollStation, P100_REVISION, type TestStation } from '../integration/sync-fixture.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let stack: Stack;
let other: TestStation;

beforeAll(async () => {
  stack = await startStack({ fakeCamera: true });
  other = await enrollStation(stack.server, testClock(new Date().toISOString()), 'Mill and lathe');
  await other.pushOk(
    ['SN-1004-01'].flatMap((serial) =>
      (['OP10', 'OP20'] as const).flatMap((op) => [
        other.step('op.started', 'B-1001', 'WO-1004', { kind: 'serial', serial }, op, P100_REVISION[op]!),
        other.step('op.completed', 'B-1001', 'WO-1004', { kind: 'serial', serial }, op, P100_REVISION[op]!),
      ]),
    ),
  );
  // A slow start on a busy machine: the server, Chromium and the seeded events.
}, 300_000);

afterAll(async () => {
  await stack?.close();
});

async function bothSizes(page: Page, name: string, check: () => Promise<void>): Promise<void> {
  for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 1280 }]) {
    await page.setViewportSize(size);
    await check();
    await stack.screenshot(page, `ncr-photo-${name}-${size.width}x${size.height}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Whether the element's top and bottom are within the viewport. */
async function inView(page: Page, locator: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  return box !== null && viewport !== null && box.y >= 0 && box.y + box.height <= viewport.height + 1;
}

const ncrsWithPhoto = async (): Promise<Nonconformance[]> =>
  (await stack.server.store.viewsSince(0, 10_000)).documents.flatMap((d) => (d.kind === 'nonconformance' && d.data.photo !== undefined ? [d.data] : []));

const storedPhotos = async (): Promise<string[]> => (await stack.server.store.sql.query<{ sha256: string }>('SELECT sha256 FROM attachments ORDER BY stored_at')).map((r) => r.sha256);

describe('a photo on a red tag', () => {
  it('taken with the camera offline: the NCR contains the unit at once, the photo waits to sync, goes up when back online, and quality, a second station and the evidence all have it', async () => {
    const { context, page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);

    await page.goto('/');
    await setup.enroll('Inspection lab', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-INSP');
    await signIn.signIn('B-2001', '2468');
    await shell.expectSignedIn('Ines Park');
    await queue.openWorkOrder('WO-1004');
    await traveler.openStep('OP30', 'SN-1004-01');

    await context.setOffline(true);
    await shell.statusBar.filter({ hasText: 'Offline' }).waitFor();

    const panel = page.getByRole('region', { name: 'Nonconformances' });
    await panel.getByRole('button', { name: 'Open NCR (red tag)' }).click();
    const tag = page.getByRole('form', { name: 'Red tag' });
    await tag.getByRole('textbox', { name: 'What is wrong' }).fill('Dent on the flange face, 2 mm across');
    await tag.getByRole('button', { name: 'Take photo' }).click();
    const camera = tag.getByLabel('Camera');
    await camera.waitFor();
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('video.ncr-photo-video')?.videoWidth ?? 0) > 0);
    await bothSizes(page, 'camera', async () => {
      await tag.getByRole('button', { name: 'Capture photo' }).scrollIntoViewIfNeeded();
      expect(await inView(page, tag.getByRole('button', { name: 'Capture photo' }))).toBe(true);
    });
    await tag.getByRole('button', { name: 'Capture photo' }).click();
    const preview = tag.getByRole('img', { name: 'Photo for the NCR' });
    await preview.waitFor();
    expect(await preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    // The camera is released once the photo is taken.
    expect(await page.locator('video').count()).toBe(0);
    await bothSizes(page, 'taken', async () => {
      await tag.getByRole('button', { name: 'Open NCR', exact: true }).scrollIntoViewIfNeeded();
      expect(await inView(page, tag.getByRole('button', { name: 'Open NCR', exact: true }))).toBe(true);
    });
    await tag.getByRole('button', { name: 'Open NCR', exact: true }).click();

    const opened = page.getByText(/NCR opened on SN-1004-01 with a photo: it is held until quality dispositions it/);
    await opened.first().waitFor();
    const ncrId = /NCR-\d{4}-[0-9A-Z]{6}/.exec(await panel.innerText())?.[0];
    expect(ncrId).toBeDefined();
    const figure = panel.getByRole('figure', { name: `Photo of ${ncrId!}` });
    await bothSizes(page, 'waiting', async () => {
      await figure.filter({ hasText: 'Photo waiting to sync' }).waitFor();
      await page.getByText(new RegExp(`SN-1004-01 is held by ${ncrId!}`)).first().waitFor();
    });
    expect(await storedPhotos()).toEqual([]);
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);

    // Back online: the red tag is pushed, then its photo.
    await context.setOffline(false);
    await figure.filter({ hasText: 'Photo, on the server' }).waitFor({ timeout: 60_000 });
    const [serverNcr] = await ncrsWithPhoto();
    expect(serverNcr).toMatchObject({ status: 'open', description: 'Dent on the flange face, 2 mm across', photo: { mediaType: 'image/jpeg' } });
    expect(await storedPhotos()).toEqual([serverNcr!.photo!.sha256]);
    expect(serverNcr!.photo!.bytes).toBeLessThanOrEqual(600_000);
    await shell.signOut();

    // Quality sees it on the NCRs screen.
    await signIn.signIn('B-4001', '4321');
    await shell.expectSignedIn('Quinn Lee');
    await shell.nav('NCRs').click();
    const card = page.getByRole('article', { name: ncrId! });
    await bothSizes(page, 'quality', async () => {
      await card.getByRole('figure', { name: `Photo of ${ncrId!}` }).filter({ hasText: 'Photo, on the server' }).waitFor();
      expect(await card.getByRole('img', { name: `Photo of ${ncrId!}` }).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    });
    expect(await page.getByRole('main').innerText()).not.toMatch(UUID);

    // A second station, which never held the photo, gets it from the server and checks it against the signed hash.
    const second = await stack.newStation();
    await second.page.setViewportSize({ width: 1280, height: 800 });
    await second.page.goto('/');
    await new SetupPage(second.page).enroll('Quality office', 'B-3001', '9999');
    await new SetupPage(second.page).chooseWorkCenter('WC-INSP');
    await new SignInPage(second.page).signIn('B-4001', '4321');
    await new Shell(second.page).nav('NCRs').click();
    const secondCard = second.page.getByRole('article', { name: ncrId! });
    await secondCard.getByRole('figure', { name: `Photo of ${ncrId!}` }).filter({ hasText: 'Photo, from the server' }).waitFor();
    expect(await secondCard.getByRole('img', { name: `Photo of ${ncrId!}` }).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await stack.screenshot(second.page, 'ncr-photo-second-station-1280x800');

    // The evidence package names the photo by its hash, and says the server holds it.
    const pkg = await send<EvidencePackage>(stack.server.url, '/api/evidence?serial=SN-1004-01', { credential: other.credential });
    const fact = pkg.body.facts.nonconformances.find((f: EvidenceFact) => f.context['ncrId'] === serverNcr!.ncrId && f.context['record'] === undefined);
    expect(fact?.context['photo']).toMatchObject({ sha256: serverNcr!.photo!.sha256, onServer: true });
  });

  it('the file input takes an image (drawn down to a JPEG) and refuses a file that is not one, recording nothing', async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.goto('/');
    await new SetupPage(page).enroll('Inspection bench', 'B-3001', '9999');
    await new SetupPage(page).chooseWorkCenter('WC-INSP');
    await new SignInPage(page).signIn('B-2001', '2468');
    await new QueuePage(page).openWorkOrder('WO-1004');
    // A second red tag on the same unit, from another station.
    await new TravelerPage(page).openStep('OP30', 'SN-1004-01');
    const panel = page.getByRole('region', { name: 'Nonconformances' });
    await panel.getByRole('button', { name: 'Open NCR (red tag)' }).click();
    const tag = page.getByRole('form', { name: 'Red tag' });
    const file = tag.getByLabel('Photo from a file');

    await file.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    await tag.getByRole('alert').filter({ hasText: 'This file is not an image the station can read' }).waitFor();
    expect(await tag.getByRole('img').count()).toBe(0);

    const png = await page.screenshot();
    await file.setInputFiles({ name: 'flange.png', mimeType: 'image/png', buffer: png });
    await tag.getByRole('img', { name: 'Photo for the NCR' }).waitFor();
    await tag.getByRole('textbox', { name: 'What is wrong' }).fill('Scratch across the sealing face');
    await tag.getByRole('button', { name: 'Open NCR', exact: true }).click();
    await page.getByText(/NCR opened on SN-1004-01 with a photo/).first().waitFor();
    await stack.screenshot(page, 'ncr-photo-file-800x1280');
    await panel.getByRole('figure').filter({ hasText: /Photo, on the server|Photo waiting to sync/ }).waitFor();
    await panel.getByRole('figure').filter({ hasText: 'Photo, on the server' }).waitFor({ timeout: 60_000 });
    const tagged = (await ncrsWithPhoto()).find((n) => n.description === 'Scratch across the sealing face');
    // A PNG in, a JPEG kept: the station draws every photo down the same way.
    expect(tagged?.photo?.mediaType).toBe('image/jpeg');
    expect(await storedPhotos()).toContain(tagged?.photo?.sha256);
  });
});
