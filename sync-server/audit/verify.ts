/**
 * Verifies a whole audit log offline (docs/audit.md): every entry's place, encoding and server
 * signature (the key is the one the log itself names: entry 0, then each rotation signed by the key
 * before it, or a pinned key), every station event's signature against the key its enrollment
 * entry recorded and its place in the station's chain, and the Merkle root of every checkpoint,
 * each signed by the key in force at its size. Checkpoints recomputed from one sequence of leaves
 * are consistent with each other by construction. Stops at the first failure and names it.
 */
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { canonicalText, fromBase64, toBase64 } from '../../src/audit/canonical.ts';
import { noteKeyId, parseCheckpoint } from '../../src/audit/checkpoint.ts';
import type { KeyAlg } from '../../src/audit/event-signing.ts';
import { entryLeafHash } from '../../src/audit/entry.ts';
import { appendLeaf, frontierRoot, sameHash, type Frontier } from '../../src/audit/merkle.ts';
import { nodeSha256 } from './audit-log.ts';
import { ed25519PublicKey, verifyEd25519 } from './server-key.ts';
import { eventHashNode, verifyStationSignature } from './station-signatures.ts';
import type { KeyObject } from 'node:crypto';

/** What a verification found. */
export type Verdict =
  | { ok: true; entries: number; checkpoints: number; stationSignatures: number }
  | { ok: false; index: number | null; reason: string };

/** Options of {@link verifyLog}. */
export interface VerifyOptions {
  /** Raw Ed25519 keys (base64) the log's first key must be one of; the log's own entry 0 otherwise. */
  trustedKeys?: readonly string[];
  /** Skip station signatures (hashes, server signatures and Merkle only): for the benchmark's split. */
  skipStationSignatures?: boolean;
  /** Skip server signatures on entries too. */
  skipEntrySignatures?: boolean;
}

const encoder = new TextEncoder();
const SECURITY_REJECTIONS = new Set(['security:bad-signature', 'security:unknown-station', 'security:revoked-station', 'security:broken-chain', 'security:station-mismatch', 'security:id-reused']);

interface LogKey {
  keyId: string;
  keyName: string;
  raw: Uint8Array;
  object: KeyObject;
  from: number;
}

/** Verifies entries (in index order, all of them) and checkpoints (any order). */
export function verifyLog(entries: Iterable<StoredEntry>, checkpointNotes: readonly string[], options: VerifyOptions = {}): Verdict {
  const fail = (index: number | null, reason: string): Verdict => ({ ok: false, index, reason });
  let checkpoints;
  try {
    checkpoints = checkpointNotes.map(parseCheckpoint).sort((a, b) => a.size - b.size);
  } catch (error) {
    return fail(null, `a checkpoint cannot be read: ${(error as Error).message}`);
  }
  const keys: LogKey[] = [];
  const stations = new Map<string, { key: string; alg: KeyAlg }>();
  const chains = new Map<string, { seq: number; hash: string }>();
  let frontier: Frontier = { size: 0, nodes: [] };
  let nextCheckpoint = 0;
  let stationSignatures = 0;
  const rootsAt = new Map<number, Uint8Array>();

  for (const stored of entries) {
    const i = frontier.size;
    if (stored.index !== i) return fail(i, stored.index > i ? `entry ${i} is missing (the next stored is ${stored.index})` : `entry ${stored.index} appears again at position ${i}`);
    let entry: AuditEntry;
    try {
      entry = JSON.parse(stored.entry) as AuditEntry;
    } catch {
      return fail(i, 'the entry is not JSON');
    }
    if (canonicalText(entry) !== stored.entry) return fail(i, 'the entry is not in its RFC 8785 form (it was re-encoded or edited)');
    if (entry.index !== i) return fail(i, `the entry says it is entry ${entry.index}: entries were moved or swapped`);

    if (i === 0) {
      if (entry.kind !== 'log.created') return fail(0, 'the log does not start with log.created');
      const subject = entry.subject as { publicKey: string; keyName: string; keyId: string };
      const raw = fromBase64(subject.publicKey);
      if (options.trustedKeys !== undefined && !options.trustedKeys.includes(subject.publicKey)) return fail(0, `the log's first key (${subject.keyId}) is not a trusted key`);
      keys.push({ keyId: subject.keyId, keyName: subject.keyName, raw, object: ed25519PublicKey(raw), from: 0 });
    }
    const current = keys.at(-1) as LogKey;
    if (entry.keyId !== current.keyId) return fail(i, `signed by key ${entry.keyId}, but the log's key from entry ${current.from} is ${current.keyId} (no rotation signed by the old key)`);
    if (options.skipEntrySignatures !== true) {
      let signature: Uint8Array;
      try {
        signature = fromBase64(stored.signature);
      } catch {
        return fail(i, 'the server signature is not base64');
      }
      if (!verifyEd25519(current.object, encoder.encode(stored.entry), signature)) return fail(i, `the server signature (key ${current.keyId}) does not verify`);
    }

    switch (entry.kind) {
      case 'key.rotated': {
        const subject = entry.subject as { publicKey: string; keyName: string; keyId: string };
        const raw = fromBase64(subject.publicKey);
        const id = Buffer.from(noteKeyId(subject.keyName, raw)).toString('hex');
        if (id !== subject.keyId) return fail(i, 'the rotation names a key id that is not its key');
        keys.push({ keyId: subject.keyId, keyName: subject.keyName, raw, object: ed25519PublicKey(raw), from: i + 1 });
        break;
      }
      case 'station.enrolled': {
        const subject = entry.subject as { publicKey: string | null; keyAlg: KeyAlg | null };
        if (entry.stationId !== undefined && subject.publicKey !== null && subject.keyAlg !== null) stations.set(entry.stationId, { key: subject.publicKey, alg: subject.keyAlg });
        break;
      }
      case 'receipt': {
        const event = entry.event as StationEvent | undefined;
        const securityRefused = (entry.flags ?? []).some((flag) => SECURITY_REJECTIONS.has(flag));
        if (event === undefined || securityRefused || event.stationId !== entry.stationId || entry.stationId === undefined) break;
        const station = stations.get(entry.stationId);
        if (station === undefined) return fail(i, `event ${event.id} is from station ${entry.stationId}, which no enrollment entry names`);
        if (options.skipStationSignatures !== true) {
          if (!verifyStationSignature(event, station.key, station.alg)) return fail(i, `the station signature of event ${event.id} does not verify with the key enrolled for station ${entry.stationId}`);
          stationSignatures += 1;
        }
        const chain = chains.get(entry.stationId);
        const hash = eventHashNode(event);
        if (event.seq === (chain?.seq ?? 0) + 1 && event.prevHash !== (chain?.hash ?? '0'.repeat(64))) {
          return fail(i, `event ${event.id} (seq ${event.seq}) breaks station ${entry.stationId}'s chain: it names a previous hash the station's event ${event.seq - 1} does not have`);
        }
        if (event.seq > (chain?.seq ?? 0)) chains.set(entry.stationId, { seq: event.seq, hash });
        break;
      }
      default:
        break;
    }

    frontier = appendLeaf(frontier, entryLeafHash(stored.entry, nodeSha256), nodeSha256).frontier;
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]?.size === frontier.size) {
      rootsAt.set(frontier.size, frontierRoot(frontier, nodeSha256));
      nextCheckpoint += 1;
    }
  }

  const size = frontier.size;
  if (size === 0) return fail(null, 'the log is empty');
  for (const checkpoint of checkpoints) {
    if (checkpoint.size > size) return fail(size, `checkpoint at size ${checkpoint.size} covers entries the log no longer has (it has ${size})`);
    const key = [...keys].reverse().find((k) => k.from <= Math.max(0, checkpoint.size - 1));
    if (key === undefined) return fail(null, `no key was in force at checkpoint size ${checkpoint.size}`);
    const signed = checkpoint.signatures.find((s) => Buffer.from(s.keyId).toString('hex') === key.keyId && s.keyName === key.keyName);
    // A rotation's checkpoint is signed by the new key; accept any key of the log in force by then.
    const anyKey = signed ?? checkpoint.signatures.find((s) => keys.some((k) => k.from <= checkpoint.size && Buffer.from(s.keyId).toString('hex') === k.keyId));
    if (anyKey === undefined) return fail(null, `checkpoint at size ${checkpoint.size} is not signed by a key of the log`);
    const signer = keys.find((k) => k.keyId === Buffer.from(anyKey.keyId).toString('hex')) as LogKey;
    if (!verifyEd25519(signer.object, encoder.encode(checkpoint.body), anyKey.signature)) return fail(null, `the signature on checkpoint ${checkpoint.size} does not verify`);
    const root = rootsAt.get(checkpoint.size);
    if (root === undefined || !sameHash(root, checkpoint.root)) {
      return fail(checkpoint.size - 1, `the Merkle root of the first ${checkpoint.size} entries is not the root checkpoint ${checkpoint.size} signed (${toBase64(checkpoint.root).slice(0, 12)}…): an entry up to ${checkpoint.size - 1} was changed, removed or moved`);
    }
  }
  return { ok: true, entries: size, checkpoints: checkpoints.length, stationSignatures };
}
