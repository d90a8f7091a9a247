/**
 * The station's trust anchor for the audit log (docs/sync-spec.md S21): the server keys it pinned
 * when it was enrolled, kept in its settings, against which the audit screen checks checkpoints and
 * entries. Keys the server publishes later are believed only when a `key.rotated` entry signed by a
 * key already trusted names them (and the anchor then keeps them too), so a server that swapped
 * both its signing key and the keys it publishes is caught: its checkpoints verify under no trusted
 * key. A station enrolled before version 4 had no keys pinned; it pins what the server publishes at
 * its first look at the audit screen, and says so.
 */
import type { ServerKeyInfo } from '../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { StationDb } from '../db/database.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import { canonicalText, fromBase64, toHex } from './canonical.ts';
import { noteKeyId } from './checkpoint.ts';
import { entryBytes } from './entry.ts';
import type { LogPin } from './restart-verify.ts';

/** The server keys a station trusts, each with the entries (by index) it may sign. */
export interface TrustAnchor {
  keys: ServerKeyInfo[];
  /** When the first keys were pinned. */
  pinnedAt: string;
  /** At enrollment (from the enrollment answer), or at first use by a station enrolled before pinning. */
  pinnedBy: 'enrollment' | 'first-use';
}

/** The settings document that holds the anchor. */
export const TRUST_ANCHOR_SETTING = 'audit-trust';

export const readTrustAnchor = (db: StationDb) => readSetting<TrustAnchor>(db, TRUST_ANCHOR_SETTING);
export const writeTrustAnchor = (db: StationDb, anchor: TrustAnchor) => writeSetting(db, TRUST_ANCHOR_SETTING, anchor);

/** Whether a published key's id is its own (C2SP key id of its name and public key). */
function idMatches(key: Pick<ServerKeyInfo, 'keyId' | 'keyName' | 'publicKey'>): boolean {
  try {
    const raw = fromBase64(key.publicKey);
    return raw.length === 32 && toHex(noteKeyId(key.keyName, raw)) === key.keyId;
  } catch {
    return false;
  }
}

/**
 * The keys to pin from what the server published at enrollment; throws if there are none, or one
 * whose key id is not its own (a garbled answer is not something to trust for ever).
 */
export function keysToPin(published: readonly ServerKeyInfo[] | undefined): ServerKeyInfo[] {
  if (published === undefined || published.length === 0) throw new Error('the server published no audit key to pin');
  for (const key of published) if (!idMatches(key)) throw new Error(`server key ${key.keyId} is not the key its id names`);
  return published.map((key) => ({ ...key }));
}

function sameKey(a: ServerKeyInfo, b: ServerKeyInfo): boolean {
  return a.keyId === b.keyId && a.keyName === b.keyName && a.publicKey === b.publicKey;
}

/**
 * The published keys the anchor does not hold yet, each with the index of the entry that would
 * introduce it (`key.rotated`, just before the key's first entry).
 */
export function untrustedKeys(trusted: readonly ServerKeyInfo[], published: readonly ServerKeyInfo[]): Array<{ key: ServerKeyInfo; rotationIndex: number }> {
  return published
    .filter((key) => !trusted.some((t) => sameKey(t, key)) && key.validFromIndex > 0)
    .map((key) => ({ key, rotationIndex: key.validFromIndex - 1 }));
}

async function ed25519Verify(publicKey: string, data: Uint8Array<ArrayBuffer>, signature: string): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', fromBase64(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, fromBase64(signature), data);
  } catch {
    return false;
  }
}

/** What {@link extendTrust} found. */
export interface ExtendedTrust {
  /** The trusted keys, with the validity the accepted rotations give them. */
  keys: ServerKeyInfo[];
  /** Keys newly trusted (the anchor should keep them). */
  added: ServerKeyInfo[];
  /** Rotations refused, and why. */
  problems: string[];
}

/**
 * Follows rotation entries, oldest first: each is believed only if it is a `key.rotated` entry in
 * its RFC 8785 form, signed by a trusted key that was in force at its index and not already rotated
 * away at another index, naming a key whose id is its own. The old key then ends at the rotation's
 * index and the new one starts after it.
 */
export async function extendTrust(trusted: readonly ServerKeyInfo[], rotations: readonly StoredEntry[]): Promise<ExtendedTrust> {
  const keys = trusted.map((key) => ({ ...key }));
  const added: ServerKeyInfo[] = [];
  const problems: string[] = [];
  for (const stored of [...rotations].sort((a, b) => a.index - b.index)) {
    const refuse = (why: string) => problems.push(`the rotation at entry ${stored.index} is not accepted: ${why}`);
    let entry: AuditEntry;
    try {
      entry = JSON.parse(stored.entry) as AuditEntry;
      if (canonicalText(entry) !== stored.entry) {
        refuse('it is not in its RFC 8785 form');
        continue;
      }
    } catch {
      refuse('it is not JSON');
      continue;
    }
    if (entry.kind !== 'key.rotated' || entry.index !== stored.index) {
      refuse(`entry ${stored.index} is not a key rotation`);
      continue;
    }
    const signer = keys.find((key) => key.keyId === entry.keyId);
    if (signer === undefined) {
      refuse(`it is signed by key ${entry.keyId}, which this station does not trust`);
      continue;
    }
    if (stored.index < signer.validFromIndex || (signer.validUntilIndex !== undefined && signer.validUntilIndex !== stored.index)) {
      refuse(`key ${signer.keyId} was not in force at entry ${stored.index}`);
      continue;
    }
    if (stored.signature === undefined || !(await ed25519Verify(signer.publicKey, entryBytes(stored.entry), stored.signature))) {
      refuse(`its signature by key ${signer.keyId} does not verify`);
      continue;
    }
    const subject = entry.subject as Partial<Pick<ServerKeyInfo, 'keyId' | 'keyName' | 'publicKey'>> | undefined;
    if (typeof subject?.keyId !== 'string' || typeof subject.keyName !== 'string' || typeof subject.publicKey !== 'string' || !idMatches(subject as ServerKeyInfo)) {
      refuse('the key it names is not a well-formed Ed25519 key under its id');
      continue;
    }
    signer.validUntilIndex = stored.index;
    signer.validUntil = entry.recordedAt;
    const next: ServerKeyInfo = { keyId: subject.keyId, keyName: subject.keyName, publicKey: subject.publicKey, validFromIndex: stored.index + 1, validFrom: entry.recordedAt };
    if (!keys.some((key) => sameKey(key, next))) {
      keys.push(next);
      added.push(next);
    }
  }
  return { keys, added, problems };
}

/**
 * The settings document holding the latest checkpoint this station verified (./restart-verify.ts
 * `LogPin`): after a restore of the server from a backup, the restored log must extend it if the
 * backup covers it, and it is superseded by the signed restart if not (docs/sync-spec.md S23).
 */
export const LOG_PIN_SETTING = 'audit-log-pin';

export const readLogPin = (db: StationDb) => readSetting<LogPin>(db, LOG_PIN_SETTING);

/** Keeps `pin` unless a larger checkpoint of the same log is pinned already. */
export async function pinCheckpoint(db: StationDb, pin: LogPin, options: { replace?: boolean } = {}): Promise<void> {
  const current = await readLogPin(db);
  if (options.replace !== true && current !== null && current.size >= pin.size) return;
  await writeSetting<LogPin>(db, LOG_PIN_SETTING, pin);
}
