/**
 * The station's check of a server restored from a backup (docs/sync-spec.md S23,
 * src/audit/restart-verify.ts): the signed `log.restored` entry must be in the log at the backup's
 * size under a checkpoint signed by a key the station trusts, and the restored log must extend the
 * backed-up log it names and any checkpoint the station pinned within it. A pinned checkpoint
 * beyond the backup is of the lost log: superseded, never grounds to trust another key.
 */
import { describe, expect, it } from 'vitest';
import type { StoredEntry } from '../../../schemas/audit-entry.ts';
import { toBase64, toHex } from '../../../src/audit/canonical.ts';
import type { RestartEvidence } from '../../../src/audit/restart-verify.ts';
import { verifyRestart } from '../../../src/audit/restart-verify.ts';
import { newServerKey } from '../../../sync-server/audit/server-key.ts';
import { FixtureLog, KEY_NAME, noteOf, treeOf } from './trail-fixture.ts';

const EPOCH = 'restart-0001';

/** A log of a few receipts, backed up, then restored: the restore entry right after the backup, and one receipt after it. */
function restoredLog(options: { logRoot?: string; restoreId?: string } = {}) {
  const log = new FixtureLog();
  log.format6 = true;
  log.receipt('op.started', 'SN-1');
  log.receipt('op.completed', 'SN-1');
  const backupSize = log.entries.length;
  const backupRoot = toHex(treeOf(log.entries).root(backupSize));
  const entry = log.append({
    kind: 'log.restored',
    recordedAt: '2026-11-21T07:00:00.000Z',
    actor: 'system',
    role: 'system',
    reason: 'Restored from the backup',
    subject: {
      restoreId: options.restoreId ?? EPOCH,
      backup: { file: 'nightly.backup.jsonl.gz', sha256: 'ab'.repeat(32), takenAt: '2026-11-20T23:00:00.000Z', store: 'PGlite', logSize: backupSize, logRoot: options.logRoot ?? backupRoot, serverSequence: 40 },
    },
  });
  log.receipt('op.started', 'SN-2');
  return { log, entry, backupSize, backupRoot };
}

function evidenceOf(log: FixtureLog, entry: StoredEntry | null, extra: Partial<RestartEvidence> = {}): RestartEvidence {
  const checkpoint = log.checkpoint();
  const tree = treeOf(log.entries);
  const index = entry?.index ?? 0;
  return {
    epoch: EPOCH,
    checkpoint,
    entry,
    inclusion: entry === null ? [] : tree.proof(index, checkpoint.size),
    consistency: entry === null ? [] : tree.consistency(index, checkpoint.size),
    pinned: null,
    ...extra,
  };
}

describe('a restart the station checks before it follows it', () => {
  it('[S23] accepts the signed restart under the pinned key, and says what it proved', async () => {
    const { log, entry, backupSize } = restoredLog();
    const verdict = await verifyRestart(evidenceOf(log, entry), log.keys);
    expect(verdict).toEqual({
      ok: true,
      facts: expect.objectContaining({ epoch: EPOCH, entryIndex: backupSize, keyId: log.key.keyId, checkpointSize: log.entries.length, pinned: 'none', backupTakenAt: '2026-11-20T23:00:00.000Z', restoredAt: '2026-11-21T07:00:00.000Z' }),
    });
  });

  it('[S23] a checkpoint pinned beyond the backup is of the lost log: superseded, not a fork', async () => {
    const { log, entry, backupSize } = restoredLog();
    const lost = { size: backupSize + 5, root: toBase64(new Uint8Array(32).fill(7)), at: '2026-11-20T23:30:00.000Z' };
    const verdict = await verifyRestart(evidenceOf(log, entry, { pinned: lost }), log.keys);
    expect(verdict).toMatchObject({ ok: true, facts: { pinned: 'superseded', pinnedSize: backupSize + 5 } });
  });

  it('[S23] a checkpoint pinned within the backup must be part of the restored log', async () => {
    const { log, entry } = restoredLog();
    const tree = treeOf(log.entries);
    const pinned = { size: 2, root: toBase64(tree.root(2)), at: '2026-11-20T09:00:00.000Z' };
    const consistent = await verifyRestart(evidenceOf(log, entry, { pinned, pinnedConsistency: tree.consistency(2, log.entries.length) }), log.keys);
    expect(consistent).toMatchObject({ ok: true, facts: { pinned: 'consistent', pinnedSize: 2 } });
    const other = { ...pinned, root: toBase64(new Uint8Array(32).fill(9)) };
    const forked = await verifyRestart(evidenceOf(log, entry, { pinned: other, pinnedConsistency: tree.consistency(2, log.entries.length) }), log.keys);
    expect(forked).toEqual({ ok: false, reason: 'the restored log does not extend the checkpoint of 2 entries this station pinned' });
  });

  it('[S23][S21] never trusts a new key for a restart: a log signed by another key is refused', async () => {
    const { log, entry } = restoredLog();
    const pinnedKeys = log.keys.map((key) => ({ ...key }));
    // The server comes back with a key of its own and publishes it; the station trusts only what it pinned.
    const stranger = newServerKey(KEY_NAME);
    const checkpoint = { size: log.entries.length, note: noteOf(stranger, log.entries.length, treeOf(log.entries).root(log.entries.length)) };
    const verdict = await verifyRestart({ ...evidenceOf(log, entry), checkpoint }, pinnedKeys);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(/not by a server key this station trusts/);
  });

  it('[S23] refuses a restart its log does not record, another restart, and an entry naming a backed-up log it does not extend', async () => {
    const { log, entry } = restoredLog();
    expect(await verifyRestart(evidenceOf(log, null), log.keys)).toEqual({ ok: false, reason: `the server's log has no entry recording the restart ${EPOCH}` });
    expect(await verifyRestart({ ...evidenceOf(log, entry), epoch: 'restart-0002' }, log.keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/records another restart/) });

    const wrongRoot = restoredLog({ logRoot: 'cd'.repeat(32) });
    expect(await verifyRestart(evidenceOf(wrongRoot.log, wrongRoot.entry), wrongRoot.log.keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not extend the backed-up log/) });

    // An entry edited after the checkpoint signed it is not in the signed log.
    const edited = { ...entry, entry: entry.entry.replace('nightly', 'monthly') };
    expect(await verifyRestart(evidenceOf(log, edited), log.keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/is not in the log the checkpoint/) });
  });
});
