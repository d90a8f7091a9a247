/**
 * Nothing lost across a restore of the server from an older backup (docs/sync-spec.md S23,
 * docs/operations.md *The drill*), with the real PWA in Chromium: a station records and syncs, the
 * server is backed up, the station records and syncs more (and its supervisor looks at a unit's
 * audit trail, which keeps the checkpoint the station verified), the server is stopped, its data
 * wiped and the backup restored with the key kept apart, and the server started again at the same
 * address. The station, still open, notices the signed restart, checks it against the key it pinned
 * at enrollment, pushes back what the server lost and pulls its views again: every event is on the
 * server once, the station holds one receipt per event, the Sync screen explains the restart, the
 * traveler shows the work, and audit:verify passes with the pinned key.
 */
import { copyFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toBase64 } from '../../src/audit/canonical.ts';
import { main as verifyCli } from '../../sync-server/audit/verify-cli.ts';
import { KEY_FILE } from '../../sync-server/audit/server-key.ts';
import { main as backupCli } from '../../sync-server/ops/backup-cli.ts';
import { main as restoreCli } from '../../sync-server/ops/restore-cli.ts';
import { openDriverTab, withDriver } from './driver/driver.ts';
import type { FaultStack } from './faults-stack.ts';
import { enrolledStation, startFaultStack } from './faults-stack.ts';
import { AuditPage } from './pages/audit-page.ts';
import { QueuePage } from './pages/queue-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { StatusBar } from './pages/status-bar.ts';
import { StepPage } from './pages/step-page.ts';
import { TravelerPage } from './pages/traveler-page.ts';

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
});

afterAll(async () => {
  await stack?.close();
});

/** With E2E_SCREENSHOTS set, saves a full-page screenshot under .tmp/e2e-screenshots (as tests/e2e/harness.ts does). */
async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env['E2E_SCREENSHOTS'] === undefined) return;
  await page.screenshot({ path: fileURLToPath(new URL(`../../.tmp/e2e-screenshots/${name}.png`, import.meta.url)), fullPage: true });
}

/** Runs a command line of the server (backup, restore, audit:verify) with its printed lines captured. */
async function run(cli: (args: string[], env: NodeJS.ProcessEnv) => Promise<number>, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
  try {
    return { code: await cli(args, env), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** What the station holds, read from a driver tab: its events, receipts, id and credential. */
async function stationRecords(page: Page) {
  const tab = await openDriverTab(page.context());
  const events = await withDriver(tab, (d) => d.events(), null);
  const receipts = await withDriver(tab, (d) => d.receipts(), null);
  const identity = await withDriver(tab, (d) => Promise.resolve({ stationId: d.stationId(), credential: d.credential() }), null);
  await withDriver(tab, (d) => d.close(), null);
  await tab.close();
  return { events, receipts, ...identity };
}

/** Records sign-ins and sign-outs from a driver tab, as a second tab of the station would. */
async function recordSessions(page: Page, count: number): Promise<void> {
  const tab = await openDriverTab(page.context());
  // Another person's sessions: the operator at the screen stays signed in.
  await withDriver(tab, (d, n) => d.recordSessions(n, 'B-1005'), count);
  await withDriver(tab, (d) => d.close(), null);
  await tab.close();
}

describe('a restore of the server from an older backup', () => {
  it('[S23] the station sends back what the server lost, each event once with one receipt, and shows the restart explained', async () => {
    const { page } = await stack.newStation();
    await page.setViewportSize({ width: 1280, height: 800 });
    const shell = new Shell(page);
    const status = new StatusBar(page);
    const step = new StepPage(page);
    const traveler = new TravelerPage(page);
    await enrolledStation(page, 'Mill restore');
    await new QueuePage(page).workOrderLink('WO-1002').waitFor();
    const pinnedKey = toBase64(stack.server.auditKey.publicKey);
    // The audit key is kept apart from the backups (docs/operations.md): the data directory is wiped below.
    const keyCopy = join(stack.dataDir, '..', 'kept-audit-key.pem');
    copyFileSync(join(stack.dataDir, KEY_FILE), keyCopy);

    // Before the backup: OP10 started on SN-1002-01, and two sign-in records.
    await new QueuePage(page).openWorkOrder('WO-1002');
    await traveler.openStep('OP10', 'SN-1002-01');
    await step.waitForStatus('Not started');
    await step.start();
    await step.waitForStatus('In progress');
    await recordSessions(page, 2);
    await status.waitForNothingWaiting(60_000);

    // Last night's backup, taken with the server stopped (PGlite belongs to one process).
    await stack.stopServer();
    const backupFile = join(stack.dataDir, '..', 'nightly.backup.jsonl.gz');
    const backup = await run(backupCli, ['--out', backupFile], { DATA_DIR: stack.dataDir });
    expect(backup.err).toBe('');
    expect(backup.code).toBe(0);
    await stack.startServerAgain();

    // After the backup: bar stock built in and OP10 completed, two more records; then the supervisor looks at the unit's trail.
    await step.material.getByRole('textbox', { name: 'Scan serial or lot' }).fill('L-920-A');
    await step.material.getByRole('button', { name: 'Add material' }).click();
    await step.consumed('L-920-A').waitFor();
    await step.complete();
    await step.waitForStatus('Complete');
    await recordSessions(page, 2);
    await status.waitForNothingWaiting(60_000);
    await shell.signOut();
    await new SignInPage(page).signIn('B-3001', '9999');
    await shell.expectSignedIn('Sam Reyes');
    await shell.nav('Audit trail').click();
    const audit = new AuditPage(page);
    await audit.show('SN-1002-01');
    await audit.checkpoint.filter({ hasText: 'signature verified' }).waitFor();
    const before = await stationRecords(page);
    expect(before.events.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(before.receipts).sort()).toEqual(before.events.map((event) => event.id).sort());

    // The disaster: the server stops, its data is wiped, the backup is restored with the kept key.
    await stack.stopServer();
    for (const name of readdirSync(stack.dataDir)) await rm(join(stack.dataDir, name), { recursive: true, force: true });
    const restored = await run(restoreCli, ['--in', backupFile, '--key', keyCopy], { DATA_DIR: stack.dataDir });
    expect(restored.err).toBe('');
    expect(restored.code).toBe(0);
    await stack.startServerAgain();

    // The station, still open, syncs: the supervisor sees an explained restart, not an alarm.
    await shell.nav('Sync').click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    const notice = page.getByRole('region', { name: /Server restored from a backup/ });
    await notice.waitFor({ timeout: 60_000 });
    await status.waitForNothingWaiting(60_000);
    expect(await notice.innerText()).toMatch(/from the backup taken \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(await notice.innerText()).toMatch(/This station sent \d+ records? again that the restored server did not have/);
    expect(await notice.innerText()).toMatch(/signed by server key [0-9a-f]{8}, a key this station already trusted/);
    expect(await notice.innerText()).toMatch(/was of the log lost after the backup; the signed restart replaces it/);
    expect(await notice.innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, '60-restart-explained-1280');
    await page.setViewportSize({ width: 800, height: 1280 });
    await notice.scrollIntoViewIfNeeded();
    expect((await notice.boundingBox())?.width ?? 0).toBeLessThanOrEqual(800);
    await screenshot(page, '61-restart-explained-800');

    // Every event the station recorded is on the server once; the station holds one receipt per event.
    const after = await stationRecords(page);
    const held = after.events.map((event) => event.id).sort();
    expect(held).toEqual(before.events.map((event) => event.id).sort());
    const onServer = await stack.server.store.sql.query<{ id: string }>('SELECT id FROM events WHERE station_id = $1 ORDER BY id', [after.stationId]);
    expect(onServer.map((row) => row.id)).toEqual(held);
    const serverReceipts = await stack.server.store.receiptsFor(after.stationId, 0, Number.MAX_SAFE_INTEGER);
    expect(serverReceipts.map((receipt) => receipt.eventId).sort()).toEqual(held);
    expect(Object.keys(after.receipts).sort()).toEqual(held);
    for (const receipt of serverReceipts) expect(after.receipts[receipt.eventId]?.serverSeq).toBe(receipt.serverSeq);

    // The views are pulled again: the traveler shows the completion recorded after the backup.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/work-orders/WO-1002');
    await traveler.step('OP10', 'SN-1002-01').filter({ hasText: 'Complete' }).waitFor();

    // The restored log verifies end to end, trusting only the key pinned before the disaster.
    const verified = await run(verifyCli, ['--url', stack.url, '--credential', after.credential, '--key', pinnedKey]);
    expect(verified.err).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/^OK: /);
  });
});
