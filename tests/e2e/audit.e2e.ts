/**
 * The audit trail of a serial, verified in the browser: a supervisor releases the seeded hold on
 * SN-1003-02 under signature, an operator starts OP10 on it, the station syncs, and the supervisor
 * opens the trail and sees each entry verified (leaf hash, inclusion proof, checkpoint and server
 * signatures under the key pinned at enrollment, station signature) with the release's
 * manifestation. Then a supervisor takes F-35-ACT off another station under signature from the
 * Stations screen (a wrong PIN first: refused and recorded), that station drops the F-35-ACT
 * traveler from its queue at its next pull, and once revoked it is refused from then on.
 */
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFleet } from '../../sync-server/ops/fleet.ts';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { AuditPage, PROGRAMS_LABELS, StationsPage } from './pages/audit-page.ts';
import { HoldsPage } from './pages/holds-page.ts';
import { QueuePage } from './pages/queue-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StatusBar } from './pages/status-bar.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

let stack: Stack;

beforeAll(async () => {
  // No timed checkpoints: since format 6 each push is answered only once a signed checkpoint covers
  // its entries, so the trail must be verified at the first look (docs/audit.md, *Format 6*).
  stack = await startStack({ checkpointSeconds: 0 });
});

afterAll(async () => {
  await stack?.close();
});

describe('audit trail', () => {
  it('shows the trail of SN-1003-02 with every entry verified in the browser, including the signed hold release', async () => {
    const { page } = await stack.newStation();
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const holds = new HoldsPage(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);
    const status = new StatusBar(page);
    const audit = new AuditPage(page);

    await page.goto('/');
    await setup.enroll('Mill 2 tablet', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-MILL');

    // The supervisor releases the seeded hold under signature.
    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Holds').click();
    await holds.row('serial SN-1003-02').waitFor();
    await holds.release('serial SN-1003-02', 'Porosity ruled out by CT scan report CT-88', 'B-3001', '9999');
    await holds.manifestation.filter({ hasText: 'Sam Reyes' }).waitFor();
    await shell.signOut();

    // An operator records work on the serial; an operator gets no Audit trail link.
    await signIn.signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    expect(await shell.nav('Audit trail').count()).toBe(0);
    await shell.nav('Queue').click();
    await queue.openWorkOrder('WO-1003');
    await traveler.openStep('OP10', 'SN-1003-02');
    await step.start();
    await step.waitForStatus('In progress');
    await status.waitForNothingWaiting(30_000);
    await shell.signOut();

    // The supervisor opens the trail: every entry is under a signed checkpoint already.
    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Audit trail').click();
    await audit.heading.waitFor();
    const release = audit.entry('Hold released');
    const started = audit.entry('Operation started: OP10');
    await audit.show('SN-1003-02');
    await started.waitFor();
    await audit.verified(started).waitFor();
    expect(await audit.verified(release).count(), await audit.entries.innerText()).toBe(1);
    await stack.screenshot(page, 'audit-01-trail');

    expect(await audit.checkpoint.innerText()).toMatch(/signature verified against the key this station trusts \(pinned at enrollment\)/);
    expect(await audit.notVerified(release).count()).toBe(0);

    // The release: who, role, station, and its signature manifestation with meaning and reason.
    const releaseText = await release.innerText();
    expect(releaseText).toMatch(/Sam Reyes \(B-3001\)/);
    expect(releaseText).toMatch(/supervisor/);
    expect(releaseText).toMatch(/Mill 2 tablet/);
    expect(releaseText).toMatch(/Accepted/);
    const manifestation = audit.manifestation(release);
    const signed = await manifestation.innerText();
    expect(signed).toMatch(/Sam Reyes/);
    expect(signed).toMatch(/released for further processing/);
    expect(signed).toMatch(/Porosity ruled out by CT scan report CT-88/);
    expect(signed).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);

    // The operator's work: her printed name from the roster, no signature, station signature checked.
    const startedText = await started.innerText();
    expect(startedText).toMatch(/Ana Ortiz \(B-1001\)/);
    expect(startedText).toMatch(/operator/);
    expect(await audit.manifestation(started).count()).toBe(0);
    await started.getByText('Checks').click();
    await started.getByText(/^✓ station signature/).waitFor();
    await started.getByText(/^✓ included in the log at checkpoint/).waitFor();
  });

  it('[S19][S22] changes another station\'s programs, then revokes it, under signature from the Stations screen; that station drops, then is refused', async () => {
    // The station to be revoked: enrolled, signed in, syncing.
    const lost = await stack.newStation();
    const lostSetup = new SetupPage(lost.page);
    await lost.page.goto('/');
    await lostSetup.enroll('Lost tablet', 'B-3002', '8888');
    await lostSetup.chooseWorkCenter('WC-MILL');

    const { page } = await stack.newStation();
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const stations = new StationsPage(page);
    await page.goto('/');
    await setup.enroll('Supervisor desk', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-MILL');

    // An operator gets no Stations link.
    await signIn.signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    expect(await shell.nav('Stations').count()).toBe(0);
    await shell.signOut();

    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Stations').click();
    await stations.heading.waitFor();
    await stations.row('Lost tablet').waitFor();
    expect(await stations.row('Supervisor desk').innerText()).toMatch(/this station/);
    expect(await stations.row('Supervisor desk').getByRole('button').count()).toBe(0);

    // The tablet, signed in, lists WO-1001 (F-35-ACT) in its queue.
    const lostSignIn = new SignInPage(lost.page);
    const lostQueue = new QueuePage(lost.page);
    const lostShell = new Shell(lost.page);
    await lost.page.bringToFront();
    await lostSignIn.signIn('B-1001', '1111');
    await lostShell.expectSignedIn('Ana Ortiz');
    await lostQueue.workOrderLink('WO-1001').waitFor({ timeout: 30_000 });
    await page.bringToFront();

    // [S22] Its programs: shown, and changed under signature. A wrong PIN is refused in the dialog,
    // changes nothing and is itself recorded; the right one takes F-35-ACT away.
    expect(await stations.row('Lost tablet').innerText()).toMatch(/COMMERCIAL, F-35-ACT/);
    await stations.changePrograms('Lost tablet', { 'F-35-ACT': false, COMMERCIAL: true }, 'Tablet moves to the commercial cell', 'B-3001', '0000');
    await stations.refusal.filter({ hasText: 'Badge or PIN is wrong' }).waitFor();
    expect((await stack.server.store.listStations()).find((s) => s.name === 'Lost tablet')?.programs).toEqual(['COMMERCIAL', 'F-35-ACT']);
    await stations.sign('Tablet moves to the commercial cell', 'B-3001', '9999', PROGRAMS_LABELS);
    await stations.programsRecorded.waitFor();
    expect(await stations.programsRecorded.innerText()).toMatch(/cleared for COMMERCIAL[\s\S]*approved: station cleared for these programs[\s\S]*Tablet moves to the commercial cell/);
    await stations.row('Lost tablet').filter({ hasText: /COMMERCIAL/ }).filter({ hasNotText: /F-35-ACT/ }).waitFor();
    expect((await stack.server.store.listStations()).find((s) => s.name === 'Lost tablet')?.programs).toEqual(['COMMERCIAL']);
    const kinds = (await stack.server.store.sql.query<{ kind: string }>('SELECT kind FROM audit_entries ORDER BY idx')).map((row) => row.kind);
    expect(kinds.slice(-2)).toEqual(['signature.refused', 'station.programs-changed']);
    // The tablet drops the F-35-ACT traveler at its next pull: WO-1001 leaves its queue, WO-1003 stays.
    await lost.page.bringToFront();
    await lostQueue.workOrderLink('WO-1001').waitFor({ state: 'detached', timeout: 45_000 });
    expect(await lostQueue.workOrderLink('WO-1003').count()).toBe(1);
    await lostShell.signOut();
    await page.bringToFront();

    // A wrong PIN is refused in the dialog and revokes nothing; the right one is recorded.
    await stations.revoke('Lost tablet', 'Tablet left the building on second shift', 'B-3001', '0000');
    await stations.refusal.filter({ hasText: 'Badge or PIN is wrong' }).waitFor();
    expect((await stack.server.store.listStations()).find((s) => s.name === 'Lost tablet')?.revokedAt).toBeNull();
    await stations.sign('Tablet left the building on second shift', 'B-3001', '9999');
    await stations.recorded.waitFor();
    const recorded = await stations.recorded.innerText();
    expect(recorded).toMatch(/Sam Reyes/);
    expect(recorded).toMatch(/revoked: station no longer trusted/);
    expect(recorded).toMatch(/Tablet left the building on second shift/);
    await stations.row('Lost tablet').filter({ hasText: /Revoked \d{4}-\d{2}-\d{2}/ }).waitFor();
    expect(await stations.row('Lost tablet').getByRole('button').count()).toBe(0);
    await stack.screenshot(page, 'audit-02-stations-revoked');

    // The revoked station, reloaded (until then its status bar watches the sync engine it started
    // before choosing its work center: src/app/use-sync.ts), is refused by the server and says so.
    await lost.page.bringToFront();
    await lost.page.reload();
    await lostSignIn.signIn('B-1001', '1111');
    await new Shell(lost.page).expectSignedIn('Ana Ortiz');
    await lost.page.getByRole('contentinfo', { name: 'Station status' }).getByText(/Station not enrolled or revoked/).waitFor({ timeout: 30_000 });
  });

  it('[S24] shows the fleet: a station with work the server has not answered reports it, and once silent it is flagged for supervisors', async () => {
    // A mill tablet whose pushes do not get through (its pulls do): its operator's sign-in waits.
    // A name of its own per attempt (the e2e run retries a failed test once, on the same server).
    const millName = `Fleet mill tablet ${Date.now().toString(36)}`;
    const mill = await stack.newStation();
    await mill.page.goto('/');
    const millSetup = new SetupPage(mill.page);
    await millSetup.enroll(millName, 'B-3001', '9999');
    await millSetup.chooseWorkCenter('WC-MILL');
    const millSignIn = new SignInPage(mill.page);
    await millSignIn.signIn('B-3001', '9999');
    await new Shell(mill.page).expectSignedIn('Sam Reyes');
    await new StatusBar(mill.page).waitForNothingWaiting(60_000);
    await mill.page.route('**/api/sync/push', (route) => route.abort('connectionrefused'));
    await new Shell(mill.page).signOut();
    await millSignIn.signIn('B-1001', '1111');
    await new Shell(mill.page).expectSignedIn('Ana Ortiz');
    const millStatus = new StatusBar(mill.page);
    await millStatus.waitForWaiting(2);
    const millId = (await stack.server.store.listStations()).find((s) => s.name === millName)?.id ?? '';
    // Its next pull carries the report of the two events waiting: *Sync now* asks for one, which
    // goes as soon as the push it waits for fails (S15).
    await new Shell(mill.page).nav('Sync').click();
    await mill.page.getByRole('button', { name: 'Sync now' }).click();
    const reported = async () => (await readFleet(stack.server.store.sql)).find((row) => row.id === millId)?.report?.pending ?? 0;
    await expect.poll(reported, { timeout: 90_000, interval: 250 }).toBe(2);

    // A supervisor's desk opens Stations and sees the tablet: seen, where, which release, what waits.
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const stations = new StationsPage(page);
    await page.goto('/');
    await setup.enroll(`Fleet desk ${Date.now().toString(36)}`, 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-INSP');
    await signIn.signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Stations').click();
    await stations.heading.waitFor();
    const row = stations.row(millName);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toMatch(/(just now|\d+ min ago)\s+\d\d:\d\d/);
    expect(text).toMatch(/WC-MILL\s+CNC Mill 1/);
    expect(text).toMatch(new RegExp(`0\\.1\\.0\\s+protocol ${PROTOCOL_VERSION}`));
    expect(text).toMatch(/2 events\s+oldest (under a minute|\d+ min)/);
    expect(text).toMatch(/kept|not guaranteed/i);
    // People read a short id, never the UUID.
    expect(text).not.toContain(millId);
    expect(text).toMatch(/S-[0-9A-Z]{6}/);
    expect(await row.getByText('Silent', { exact: true }).count()).toBe(0);
    await stack.screenshot(page, 'fleet-01-stations-1280x800');

    // The tablet goes dark (battery) with its two events. Two hours on the server's clock later
    // (the store's last-seen time set back: the server's clock is not the test's to move), the
    // supervisor sees it flagged, here and in the header from any screen.
    await mill.context.close();
    await stack.server.store.sql.query("UPDATE stations SET last_seen_at = now() - interval '2 hours' WHERE id = $1", [millId]);
    // A reload keeps the session (sessionStorage) and asks the server afresh.
    await page.reload();
    await shell.expectSignedIn('Sam Reyes');
    // (A retried attempt finds the first attempt's tablet silent too.)
    await shell.nav(/^Stations \(\d+\)$/).waitFor({ timeout: 30_000 });
    await shell.nav('Stations').click();
    await row.getByText('Silent', { exact: true }).waitFor();
    expect(await row.innerText()).toMatch(/2 h( \d+ min)? ago[\s\S]*2 events not on the server, not heard from for over 15 min/);
    await stack.screenshot(page, 'fleet-02-silent-1280x800');
    await page.setViewportSize({ width: 800, height: 1280 });
    await row.getByText('Silent', { exact: true }).waitFor();
    await stack.screenshot(page, 'fleet-03-silent-800x1280');
    // At 800 px wide the table scrolls inside its frame, the header stays in view.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(800);
  });

  it('finds a trail by serial, lot, work order or part typed in any case, and says what each entry recorded', async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const setup = new SetupPage(page);
    const signIn = new SignInPage(page);
    const shell = new Shell(page);
    const queue = new QueuePage(page);
    const traveler = new TravelerPage(page);
    const step = new StepPage(page);
    const status = new StatusBar(page);
    const audit = new AuditPage(page);

    await page.goto('/');
    await setup.enroll('Mill 3 tablet', 'B-3001', '9999');
    await setup.chooseWorkCenter('WC-MILL');
    await signIn.signIn('B-1001', '1111');
    await shell.expectSignedIn('Ana Ortiz');
    await queue.openWorkOrder('WO-1001');
    await traveler.openStep('OP10', 'SN-1001-03');
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
    await shell.nav('Audit trail').click();
    await audit.heading.waitFor();
    // A field a person can read and hit: not a 21 px box.
    expect((await audit.search.boundingBox())?.height).toBeGreaterThanOrEqual(44);

    // The serial in lower case.
    await audit.show('sn-1001-03');
    await audit.subjects.filter({ hasText: 'Trail of serial SN-1001-03' }).waitFor();
    const consumed = audit.entry('Material consumed: OP10');
    await consumed.waitFor();
    expect(await consumed.innerText()).toMatch(/Lot L-920-A \(P-920\), quantity 1, built into SN-1001-03 of WO-1001 at OP10/);
    expect(await audit.entry('Operation completed: OP10').innerText()).toMatch(/OP10 on SN-1001-03 of WO-1001, instruction revision D/);
    // Every entry is verified, or awaiting the next checkpoint: never a red alarm for that.
    expect(await audit.entries.getByText(/^✗ Not verified/).count()).toBe(0);
    // Event ids as short ids, not UUIDs.
    expect(await audit.entries.innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    expect(await consumed.innerText()).toMatch(/Event\s*E-[0-9A-Z]{6}/i);
    await stack.screenshot(page, 'audit-02-serial');

    // The lot, the work order and the part, each in lower case.
    await audit.show('l-920-a');
    await audit.subjects.filter({ hasText: 'Trail of lot L-920-A' }).waitFor();
    await audit.entry('Material consumed: OP10').filter({ hasText: 'SN-1001-03' }).waitFor();
    expect(await audit.entries.getByRole('listitem').count()).toBe(1);

    await audit.show('wo-1001');
    await audit.subjects.filter({ hasText: 'Trail of work order WO-1001' }).waitFor();
    await audit.entry('Operation started: OP10').filter({ hasText: 'SN-1001-03' }).waitFor();

    await page.setViewportSize({ width: 800, height: 1280 });
    await audit.show('p-100');
    await audit.subjects.filter({ hasText: /^Trail of part P-100: .*work order WO-1001/ }).waitFor();
    await audit.entry('Material consumed: OP10').filter({ hasText: 'SN-1001-03' }).waitFor();
    await stack.screenshot(page, 'audit-03-part-portrait');
  });
});
