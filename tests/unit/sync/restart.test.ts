/**
 * A station's sync engine across a restore of the server from an older backup (docs/sync-spec.md
 * S23), against the real server in-process: the station records and syncs, the server backs up, the
 * station records and syncs more, the server is stopped, its store wiped and restored from the
 * backup, and started again on the same address while the station keeps running. The station checks
 * the signed restart against the key it pinned, pushes back what the restored server lost, and ends
 * with one receipt per event, as the server has; its views are pulled again from 0.
 */
import { copyFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCheckpoint } from '../../../src/audit/checkpoint.ts';
import { toBase64 } from '../../../src/audit/canonical.ts';
import { pinCheckpoint, readLogPin, readTrustAnchor, writeTrustAnchor } from '../../../src/audit/trust-anchor.ts';
import { readPullCheckpoint } from '../../../src/db/receipts.ts';
import { readServerRestart } from '../../../src/sync/restart.ts';
import { createFetchTransport } from '../../../src/sync/transport.ts';
import { KEY_FILE, newServerKey } from '../../../sync-server/audit/server-key.ts';
import type { RunningServer } from '../../../sync-server/main.ts';
import { startServer } from '../../../sync-server/main.ts';
import { main as restoreCli } from '../../../sync-server/ops/restore-cli.ts';
import type { TestStation } from './station-harness.ts';
import { enroll, openTestStation, signedIn, until } from './station-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `travelog-${name}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Restores `backup` into the emptied `dataDir` with the key kept apart, as plant IT would. */
async function restore(dataDir: string, backup: string, keyFile: string): Promise<void> {
  for (const name of readdirSync(dataDir)) await rm(join(dataDir, name), { recursive: true, force: true });
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    expect(await restoreCli(['--in', backup, '--key', keyFile], { DATA_DIR: dataDir })).toBe(0);
  } finally {
    log.mockRestore();
  }
}

async function serverEventIds(server: RunningServer, stationId: string): Promise<string[]> {
  const rows = await server.store.sql.query<{ id: string }>('SELECT id FROM events WHERE station_id = $1 ORDER BY id', [stationId]);
  return rows.map((row) => row.id);
}

const stationEventIds = async (station: TestStation) => (await station.db.events.find().exec()).map((doc) => doc.id).sort();

describe('a station across a restore of the server from an older backup', { timeout: 120_000 }, () => {
  it('[S23] pushes back every event the restored server lost, one receipt each, and pulls its views again', async () => {
    const dataDir = await tempDir('restart-data');
    const backups = await tempDir('restart-backups');
    const keys = await tempDir('restart-key');
    let server = await startServer({ port: 0, host: '127.0.0.1', dataDir, logger: false, checkpointSeconds: 0, backups: { dir: backups, everyMs: 86_400_000, keep: 3 } });
    cleanups.push(() => server.close());
    const keyCopy = join(keys, 'audit-key.pem');
    copyFileSync(join(dataDir, KEY_FILE), keyCopy);
    const url = server.url;

    const station = await openTestStation(url, await enroll(url, 'Restart tablet'));
    cleanups.push(() => station.close());
    // A server starting on a busy machine may take more than the harness's 300 ms to answer.
    const engine = await station.start({ transport: createFetchTransport(url, undefined, { timeoutMs: 10_000 }) });
    for (let i = 0; i < 3; i++) await station.recorder.record(signedIn());
    await until(async () => (await station.db.receipts.count().exec()) === 3 && station.plant.outbox().pending === 0, 'the first three answered and pulled');

    const backup = await server.backupNow!();

    for (let i = 0; i < 4; i++) await station.recorder.record(signedIn('B-1005'));
    await until(async () => (await station.db.receipts.count().exec()) === 7 && station.plant.outbox().pending === 0, 'seven answered and pulled');
    const lostReceipts = new Map((await station.db.receipts.find().exec()).map((doc) => [doc.eventId, doc.toJSON()]));
    // The station keeps a checkpoint of the log as it stood (as the audit screen does): the restore loses it.
    const latest = await (await fetch(`${url}/api/audit/checkpoint`, { headers: { authorization: `Bearer ${station.credential}` } })).json() as { note: string };
    const pinnedBefore = parseCheckpoint(latest.note);
    await pinCheckpoint(station.db, { size: pinnedBefore.size, root: toBase64(pinnedBefore.root), at: new Date().toISOString() });
    expect(pinnedBefore.size).toBeGreaterThan(backup.backup.header.log.size);

    // The disaster: the server stops, its store is wiped and last night's backup restored.
    await server.close();
    await restore(dataDir, backup.path, keyCopy);
    server = await startServer({ port: Number(new URL(url).port), host: '127.0.0.1', dataDir, logger: false, checkpointSeconds: 0 });

    engine.syncNow();
    // Retries wait on the station's virtual clock: it moves on while the server starts.
    const waiting = async (predicate: () => Promise<boolean>) => {
      await station.scheduler.advance(1000);
      return predicate();
    };
    await until(() => waiting(async () => (await readServerRestart(station.db)) !== null), 'the restart followed');
    await until(() => waiting(async () => (await serverEventIds(server, station.stationId)).length === 7 && (await station.db.receipts.count().exec()) === 7 && station.plant.outbox().pending === 0), 'every event back on the server and settled');

    // Every event the station recorded is on the server once, and the station has one receipt for each, the server's.
    const held = await stationEventIds(station);
    expect(await serverEventIds(server, station.stationId)).toEqual(held);
    const serverReceipts = await server.store.receiptsFor(station.stationId, 0, Number.MAX_SAFE_INTEGER);
    expect(serverReceipts.map((receipt) => receipt.eventId).sort()).toEqual(held);
    const stationReceipts = (await station.db.receipts.find().exec()).map((doc) => doc.toJSON());
    expect(stationReceipts).toHaveLength(held.length);
    for (const receipt of serverReceipts) expect(stationReceipts.find((r) => r.eventId === receipt.eventId)).toMatchObject({ ...receipt, origin: 'receipt' });
    // The four events after the backup were answered anew by the restored server; the three before kept theirs.
    const events = (await station.db.events.find({ sort: [{ seq: 'asc' }] }).exec()).map((doc) => doc.toJSON());
    const renewed = events.filter((event) => stationReceipts.find((r) => r.eventId === event.id)?.receivedAt !== lostReceipts.get(event.id)?.receivedAt);
    expect(renewed.map((event) => event.seq)).toEqual([4, 5, 6, 7]);

    // The restart is explained and was proven under the pinned key; the old checkpoint is superseded.
    const restart = await readServerRestart(station.db);
    expect(restart).toMatchObject({ lastSeq: 3, resent: 4, facts: { entryIndex: backup.backup.header.log.size, pinned: 'superseded', pinnedSize: pinnedBefore.size } });
    expect(restart?.facts.keyId).toBe(pinnedBefore.signatures[0] === undefined ? '' : Buffer.from(pinnedBefore.signatures[0].keyId).toString('hex'));
    expect((await readLogPin(station.db))?.size).toBeGreaterThan(backup.backup.header.log.size);

    // Views: pulled again from 0 under the new numbering, the same as the server holds.
    await until(async () => (await readPullCheckpoint(station.db)).serverSeq === (await server.store.sequence()), 'the views pulled to the end');
    const serverViews = await server.store.viewsSince(0, 1_000_000);
    const stationViews = new Map((await station.db.views.find().exec()).map((doc) => [doc.id, doc.toJSON()]));
    for (const view of serverViews.documents) expect(stationViews.get(view.id), view.id).toMatchObject({ serverSeq: view.serverSeq, data: view.data });
    expect(engine.status()).toMatchObject({ phase: 'running', lastError: null });
  });

  it('[S23][S21] does not follow a restart its pinned key does not prove: keeps every receipt, sends nothing, and stops with an alarm', async () => {
    const dataDir = await tempDir('refused-data');
    const backups = await tempDir('refused-backups');
    const keys = await tempDir('refused-key');
    let server = await startServer({ port: 0, host: '127.0.0.1', dataDir, logger: false, checkpointSeconds: 0, backups: { dir: backups, everyMs: 86_400_000, keep: 3 } });
    cleanups.push(() => server.close());
    const keyCopy = join(keys, 'audit-key.pem');
    copyFileSync(join(dataDir, KEY_FILE), keyCopy);
    const url = server.url;
    const station = await openTestStation(url, await enroll(url, 'Doubting tablet'));
    cleanups.push(() => station.close());
    const engine = await station.start({ transport: createFetchTransport(url, undefined, { timeoutMs: 10_000 }) });
    await station.recorder.record(signedIn());
    await until(async () => (await station.db.receipts.count().exec()) === 1, 'the first answered');
    const backup = await server.backupNow!();
    await station.recorder.record(signedIn('B-1005'));
    await until(async () => (await station.db.receipts.count().exec()) === 2 && station.plant.outbox().pending === 0, 'both answered and pulled');
    const receiptsBefore = (await station.db.receipts.find().exec()).map((doc) => doc.toJSON());
    const checkpointBefore = await readPullCheckpoint(station.db);

    // The station trusts another key than the one the server signs with (as if the server came back under a key of its own).
    const anchor = await readTrustAnchor(station.db);
    const stranger = newServerKey('travelog/audit');
    await writeTrustAnchor(station.db, { ...anchor!, keys: [{ keyId: stranger.keyId, keyName: stranger.keyName, publicKey: toBase64(stranger.publicKey), validFromIndex: 0, validFrom: '2026-11-20T08:00:00.000Z' }] });

    await server.close();
    await restore(dataDir, backup.path, keyCopy);
    server = await startServer({ port: Number(new URL(url).port), host: '127.0.0.1', dataDir, logger: false, checkpointSeconds: 0 });
    engine.syncNow();
    await until(async () => {
      await station.scheduler.advance(1000);
      return engine.status().phase === 'restart-refused';
    }, 'sync stopped on the unproven restart');

    expect(engine.status().lastError).toMatch(/does not prove it: the checkpoint is signed by key [0-9a-f]{8}, not by a server key this station trusts/);
    expect(await readServerRestart(station.db)).toBeNull();
    expect((await station.db.receipts.find().exec()).map((doc) => doc.toJSON())).toEqual(receiptsBefore);
    expect(await readPullCheckpoint(station.db)).toEqual(checkpointBefore);
    // The restored server got nothing from it: the event after the backup is still only on the station.
    expect(await serverEventIds(server, station.stationId)).toHaveLength(1);
  });
});
