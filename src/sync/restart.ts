/**
 * Following a server restored from an older backup (docs/sync-spec.md S23). The server's pull and
 * push answers name its restart (`restart: { epoch, lastSeq }`); a station hearing of an epoch it
 * does not know first checks the restart against its own trust anchor (src/audit/restart-verify.ts:
 * the signed `log.restored` entry, under a key it pinned), and only then follows it: it forgets its
 * pull checkpoint and the views below the plant (the restored server gives its sequence numbers
 * again, to other changes), drops the receipts of its own events after `lastSeq` (the log that gave
 * them is lost) so that those events are pushed again, each to get exactly one receipt of the
 * restored server, and keeps the new epoch, which its pushes name from then on. Nothing recorded
 * on the station is touched. A restart that does not verify is never followed: the station keeps
 * its receipts and checkpoint and stops syncing with an alarm.
 */
import type { ServerKeyInfo } from '../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { PushResponse } from '../../schemas/push.ts';
import type { LogPin, RestartEvidence, RestartFacts, RestartVerdict } from '../audit/restart-verify.ts';
import { verifyRestart } from '../audit/restart-verify.ts';
import { extendTrust, keysToPin, pinCheckpoint, readLogPin, readTrustAnchor, untrustedKeys, writeTrustAnchor } from '../audit/trust-anchor.ts';
import type { StationDb } from '../db/database.ts';
import { advancePullEpoch, resetPulledViews } from '../db/receipts.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import type { PushCursor } from './push.ts';
import { PUSH_CURSOR_ID } from './push.ts';
import type { Transport } from './transport.ts';

/** What a pull or push answer says of a restored server. */
export type Restart = NonNullable<PushResponse['restart']>;

/** The settings document naming the last restart this station followed, and what it did. */
export const SERVER_RESTART_SETTING = 'server-restart';

/** A restart this station verified and followed: what the Sync screen explains. */
export interface ServerRestart {
  epoch: string;
  /** The highest sequence number of this station's events the restored server held. */
  lastSeq: number;
  /** When the station heard of it (ISO). */
  noticedAt: string;
  /** Events of this station the restored server did not have, pushed again. */
  resent: number;
  facts: RestartFacts;
}

export const readServerRestart = (db: StationDb) => readSetting<ServerRestart>(db, SERVER_RESTART_SETTING);

/** Whether an answer names a restart other than the one the station follows (`known`: its epoch, if any). */
export function isNewRestart(known: string | undefined, restart: Restart | undefined): restart is Restart {
  return restart !== undefined && restart.epoch !== known;
}

/** Most entries looked through, newest first, for the restart's entry (the server serves 1000 a page). */
const ENTRIES_PAGE = 1000;

interface AskContext {
  transport: Transport;
  credential: string;
  signal?: AbortSignal;
  now: () => Date;
}

const get = <T>(context: AskContext, path: string) => context.transport.get<T>(path, context.credential, context.signal === undefined ? {} : { signal: context.signal });

/** The trusted keys: the anchor (pinned now if the station never pinned, S21) and the rotations they signed. */
async function trustedKeys(context: AskContext, db: StationDb): Promise<{ keys: ServerKeyInfo[]; problems: string[] }> {
  const { keys: published } = await get<{ keys: ServerKeyInfo[] }>(context, '/api/audit/keys');
  let anchor = await readTrustAnchor(db);
  if (anchor === null) {
    anchor = { keys: keysToPin(published), pinnedAt: context.now().toISOString(), pinnedBy: 'first-use' };
    await writeTrustAnchor(db, anchor);
  }
  const rotations: StoredEntry[] = [];
  for (const { rotationIndex } of untrustedKeys(anchor.keys, published)) {
    const { entries } = await get<{ entries: Array<StoredEntry | { index: number; leafHash: string }> }>(context, `/api/audit/entries?start=${rotationIndex}&end=${rotationIndex + 1}`);
    for (const entry of entries) if ('entry' in entry) rotations.push(entry);
  }
  const trust = await extendTrust(anchor.keys, rotations);
  if (trust.added.length > 0) await writeTrustAnchor(db, { ...anchor, keys: trust.keys });
  return { keys: trust.keys, problems: trust.problems };
}

/** The `log.restored` entry of restart `epoch` below `size`, looking from the newest entries back. */
async function findRestoreEntry(context: AskContext, epoch: string, size: number): Promise<StoredEntry | null> {
  for (let end = size; end > 0; end -= ENTRIES_PAGE) {
    const start = Math.max(0, end - ENTRIES_PAGE);
    const { entries } = await get<{ entries: Array<StoredEntry | { index: number; leafHash: string }> }>(context, `/api/audit/entries?start=${start}&end=${end}`);
    for (const served of [...entries].reverse()) {
      if (!('entry' in served)) continue;
      try {
        const entry = JSON.parse(served.entry) as AuditEntry;
        if (entry.kind === 'log.restored' && (entry.subject as { restoreId?: unknown } | undefined)?.restoreId === epoch) return served;
      } catch {
        // Not an entry this look-up is after; the log's own verification names it.
      }
    }
  }
  return null;
}

/**
 * Fetches what the restart's proof needs and checks it (src/audit/restart-verify.ts). Throws
 * (for the caller to retry) only when the server cannot be asked; a verdict is a verdict.
 */
export async function checkRestart(context: AskContext, db: StationDb, epoch: string): Promise<RestartVerdict> {
  const trust = await trustedKeys(context, db);
  const checkpoint = await get<{ size: number; note: string }>(context, '/api/audit/checkpoint');
  const entry = await findRestoreEntry(context, epoch, checkpoint.size);
  const pinned: LogPin | null = await readLogPin(db);
  const evidence: RestartEvidence = { epoch, checkpoint, entry, inclusion: [], consistency: [], pinned };
  if (entry !== null && entry.index < checkpoint.size) {
    evidence.inclusion = (await get<{ proof: string[] }>(context, `/api/audit/proof/inclusion?index=${entry.index}&size=${checkpoint.size}`)).proof;
    if (entry.index >= 1) evidence.consistency = (await get<{ proof: string[] }>(context, `/api/audit/proof/consistency?first=${entry.index}&second=${checkpoint.size}`)).proof;
    if (pinned !== null && pinned.size >= 1 && pinned.size <= entry.index) {
      evidence.pinnedConsistency = (await get<{ proof: string[] }>(context, `/api/audit/proof/consistency?first=${pinned.size}&second=${checkpoint.size}`)).proof;
    }
  }
  return verifyRestart(evidence, trust.keys, trust.problems);
}

/**
 * Follows a verified restart in the station's store. Safe to run again after an interruption: the
 * epoch is written last, so a station stopped half way hears of the restart again and repeats it.
 * The caller rewinds its pusher to `lastSeq` and pulls from 0 afterwards.
 */
export async function followRestart(db: StationDb, restart: Restart, facts: RestartFacts, now: Date): Promise<{ record: ServerRestart; pullEpoch: number }> {
  const after = await db.events.find({ selector: { seq: { $gt: restart.lastSeq } } }).exec();
  const ids = after.map((doc) => doc.id);
  // Receipts given by the lost log: the events are pushed again and get the restored server's.
  if (ids.length > 0) await db.receipts.find({ selector: { eventId: { $in: ids } } }).remove();
  await resetPulledViews(db);
  const pullEpoch = await advancePullEpoch(db);
  // The push cursor may point past events that are to be pushed again.
  const cursor = await readSetting<PushCursor>(db, PUSH_CURSOR_ID);
  if (cursor !== null && cursor.seq > restart.lastSeq) await writeSetting<PushCursor>(db, PUSH_CURSOR_ID, { seq: restart.lastSeq });
  // The checkpoint the restart was proven at: a later restart is checked against it.
  await pinCheckpoint(db, { size: facts.checkpointSize, root: facts.checkpointRoot, at: now.toISOString() }, { replace: true });
  const record: ServerRestart = { epoch: restart.epoch, lastSeq: restart.lastSeq, noticedAt: now.toISOString(), resent: ids.length, facts };
  await writeSetting(db, SERVER_RESTART_SETTING, record);
  return { record, pullEpoch };
}
