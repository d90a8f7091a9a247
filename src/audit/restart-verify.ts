/**
 * Checks, where the station is, that a server's restart from a backup is the one its log says
 * (docs/sync-spec.md S23), trusting nothing the server says about it: the `log.restored` entry
 * naming the restart must be in the log at the index of the backup's log size, proven by an
 * inclusion proof at a checkpoint signed by a key this station trusts (pinned at enrollment, or
 * rotated to by a pinned key: ./trust-anchor.ts, S21), and the restored log must extend the
 * backed-up log the entry names (a consistency proof from the backup's size and root to the
 * checkpoint). A checkpoint the station pinned before, of a size the backup covers, must be
 * consistent with the restored log too; one beyond the backup's size was of the log that was lost
 * and is superseded by the signed restart, never a reason to trust another key.
 */
import type { ServerKeyInfo } from '../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import { canonicalText, fromBase64, fromHex, toBase64 } from './canonical.ts';
import { entryBytes, entryLeafHash } from './entry.ts';
import { verifyConsistency, verifyInclusion } from './merkle.ts';
import { checkCheckpoint, importKeys } from './trail-verify.ts';

/** A checkpoint the station verified and keeps: the log it has seen, to compare a later one with. */
export interface LogPin {
  size: number;
  /** The RFC 9162 root hash, base64. */
  root: string;
  /** When it was pinned (ISO). */
  at: string;
}

/** What the server served about a restart, fetched by src/sync/restart.ts. */
export interface RestartEvidence {
  /** The restart's id, as the pull or push answer named it (`restart.epoch`). */
  epoch: string;
  /** The latest checkpoint. */
  checkpoint: { size: number; note: string };
  /** The `log.restored` entry the server says names this restart, or null if it served none. */
  entry: StoredEntry | null;
  /** The entry's inclusion proof at the checkpoint (base64 hashes). */
  inclusion: readonly string[];
  /** The consistency proof from the backup's log size to the checkpoint. */
  consistency: readonly string[];
  /** The checkpoint this station pinned before, if any. */
  pinned: LogPin | null;
  /** The consistency proof from the pinned checkpoint to the latest, when the pin is within the backup. */
  pinnedConsistency?: readonly string[];
}

/** A restart the station verified: what the Sync screen explains. */
export interface RestartFacts {
  epoch: string;
  /** Index of the `log.restored` entry: the backed-up log's size. */
  entryIndex: number;
  /** When the server was restored (the entry's time). */
  restoredAt: string;
  /** Who restored it (a badge, or "system"). */
  actor: string;
  backupTakenAt: string;
  backupFile: string;
  /** The backed-up log's RFC 9162 root (hex). */
  backupLogRoot: string;
  /** The server key that signed the checkpoint covering the restart. */
  keyId: string;
  checkpointSize: number;
  /** The checkpoint's root (base64): pinned once the restart is accepted. */
  checkpointRoot: string;
  /**
   * The checkpoint the station had pinned: `none`; `consistent` (within the backup, and the
   * restored log extends it); `superseded` (beyond the backup: of the log that was lost).
   */
  pinned: 'none' | 'consistent' | 'superseded';
  pinnedSize?: number;
}

export type RestartVerdict = { ok: true; facts: RestartFacts } | { ok: false; reason: string };

interface RestoredSubject {
  restoreId?: unknown;
  backup?: { file?: unknown; takenAt?: unknown; logSize?: unknown; logRoot?: unknown };
}

const proofOf = (hashes: readonly string[]) => hashes.map((hash) => fromBase64(hash));

/**
 * Whether the served evidence proves the restart `evidence.epoch` under the keys the station
 * trusts. A refusal names the first check that failed; the station then does not follow the
 * restart (it keeps its receipts and checkpoint and stops syncing), since a server whose log does
 * not prove its restart is not the log the station knew.
 */
export async function verifyRestart(evidence: RestartEvidence, trustedKeys: readonly ServerKeyInfo[], trustProblems: readonly string[] = []): Promise<RestartVerdict> {
  const refuse = (reason: string): RestartVerdict => ({ ok: false, reason });
  const imported = await importKeys(trustedKeys);
  const { checkpoint, verdict } = await checkCheckpoint(evidence.checkpoint.note, evidence.checkpoint.size, imported.keys, [...imported.problems, ...trustProblems]);
  if (checkpoint === null || !verdict.verified || verdict.keyId === null) return refuse(verdict.reason ?? 'the checkpoint is not verified');

  const stored = evidence.entry;
  if (stored === null) return refuse(`the server's log has no entry recording the restart ${evidence.epoch}`);
  let entry: AuditEntry;
  try {
    entry = JSON.parse(stored.entry) as AuditEntry;
  } catch {
    return refuse(`entry ${stored.index} is not JSON`);
  }
  if (canonicalText(entry) !== stored.entry) return refuse(`entry ${stored.index} is not in its RFC 8785 form`);
  if (entry.kind !== 'log.restored' || entry.index !== stored.index) return refuse(`entry ${stored.index} is not a restore of the log`);
  const subject = (entry.subject ?? {}) as RestoredSubject;
  if (subject.restoreId !== evidence.epoch) return refuse(`entry ${stored.index} records another restart than ${evidence.epoch}`);
  const backup = subject.backup ?? {};
  if (backup.logSize !== stored.index) return refuse(`the restore entry is at index ${stored.index}, but says the backed-up log had ${String(backup.logSize)} entries`);
  if (typeof backup.logRoot !== 'string' || !/^[0-9a-f]{64}$/.test(backup.logRoot)) return refuse('the restore entry names no root hash of the backed-up log');
  if (stored.index >= checkpoint.size) return refuse(`the restore entry (${stored.index}) is not covered by the latest checkpoint (${checkpoint.size} entries)`);

  // The restore is recorded under a key the station already trusts, in force at that entry.
  const signer = trustedKeys.find((key) => key.keyId === entry.keyId);
  if (signer === undefined) return refuse(`the restore is recorded under server key ${entry.keyId}, which this station does not trust`);
  if (stored.index < signer.validFromIndex || (signer.validUntilIndex !== undefined && stored.index > signer.validUntilIndex)) {
    return refuse(`server key ${signer.keyId} was not in force at the restore entry ${stored.index}`);
  }
  if (stored.signature !== undefined) {
    const key = imported.keys.find((k) => k.info.keyId === signer.keyId);
    const ok = key !== undefined && (await crypto.subtle.verify({ name: 'Ed25519' }, key.crypto, fromBase64(stored.signature), entryBytes(stored.entry)).catch(() => false));
    if (!ok) return refuse(`the restore entry's signature by server key ${signer.keyId} does not verify`);
  }

  if (!verifyInclusion(stored.index, checkpoint.size, entryLeafHash(stored.entry), proofOf(evidence.inclusion), checkpoint.root)) {
    return refuse(`the restore entry ${stored.index} is not in the log the checkpoint of ${checkpoint.size} entries signs`);
  }
  if (!verifyConsistency(stored.index, checkpoint.size, fromHex(backup.logRoot), checkpoint.root, proofOf(evidence.consistency))) {
    return refuse(`the restored log does not extend the backed-up log of ${stored.index} entries the restore entry names`);
  }

  let pinned: RestartFacts['pinned'] = 'none';
  const pin = evidence.pinned;
  if (pin !== null) {
    if (pin.size > stored.index) pinned = 'superseded';
    else if (verifyConsistency(pin.size, checkpoint.size, fromBase64(pin.root), checkpoint.root, proofOf(evidence.pinnedConsistency ?? []))) pinned = 'consistent';
    else return refuse(`the restored log does not extend the checkpoint of ${pin.size} entries this station pinned`);
  }

  return {
    ok: true,
    facts: {
      epoch: evidence.epoch,
      entryIndex: stored.index,
      restoredAt: entry.recordedAt,
      actor: entry.actor ?? 'system',
      backupTakenAt: typeof backup.takenAt === 'string' ? backup.takenAt : '',
      backupFile: typeof backup.file === 'string' ? backup.file : '',
      backupLogRoot: backup.logRoot,
      keyId: verdict.keyId,
      checkpointSize: checkpoint.size,
      checkpointRoot: toBase64(checkpoint.root),
      pinned,
      ...(pin === null ? {} : { pinnedSize: pin.size }),
    },
  };
}
