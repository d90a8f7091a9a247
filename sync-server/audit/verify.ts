/**
 * Verifies a whole audit log offline (docs/audit.md): every entry's place, encoding and server
 * signature (the key is the one the log itself names: entry 0, then each rotation signed by the key
 * before it, or a pinned key), every station event's signature against the key its enrollment
 * entry recorded and its place in the station's chain, and the Merkle root of every checkpoint,
 * each signed by the key in force at its size. Checkpoints recomputed from one sequence of leaves
 * are consistent with each other by construction. Stops at the first failure and names it.
 *
 * Two halves: what one entry alone decides (./entry-check.ts: parsing, encoding, the two Ed25519
 * checks, hashes), and the ordered rest here (places, which key is in force, chains, the tree).
 * {@link verifyLog} runs both on the calling thread; {@link verifyLogParallel} runs the first on
 * the worker pool over a stream of pages, and reaches the same verdict.
 *
 * A log read with the credential of a station not cleared for every program has entries withheld to
 * their leaf hash (docs/sync-spec.md S20). Those go into the tree as served, so every checkpoint's
 * root still has to match (a withheld leaf hash changed or moved fails there), but their content,
 * server signature and station signature cannot be checked, nor a receipt's station signature whose
 * station's enrollment entry may be among them. The verdict counts both, and says so.
 */
import { fromBase64, toBase64 } from '../../src/audit/canonical.ts';
import { noteKeyId, parseCheckpoint, type Checkpoint } from '../../src/audit/checkpoint.ts';
import type { KeyAlg } from '../../src/audit/event-signing.ts';
import { appendLeaf, frontierRoot, sameHash, type Frontier } from '../../src/audit/merkle.ts';
import {
  applyHints,
  checkedEvent,
  checkEntry,
  isWithheld,
  mayNameKey,
  serverSignatureValid,
  stationSignatureValid,
  type CheckOptions,
  type EntryCheck,
  type KeyHints,
  type LogEntry,
  type StationKey,
} from './entry-check.ts';
import { nodeSha256 } from './entry-signing.ts';
import { ed25519PublicKey, verifyEd25519 } from './server-key.ts';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import type { KeyObject } from 'node:crypto';

/** What a verification found. */
export type Verdict =
  | {
      ok: true;
      entries: number;
      checkpoints: number;
      stationSignatures: number;
      /** Entries served as their leaf hash only (program clearance): in the tree, their content and signatures not checked. */
      withheld: number;
      /** Receipts whose station signature was not checked because their station's enrollment entry was withheld. */
      stationSignaturesUnchecked: number;
    }
  | { ok: false; index: number | null; reason: string };

/** Options of {@link verifyLog}. */
export interface VerifyOptions extends CheckOptions {
  /** Raw Ed25519 keys (base64) the log's first key must be one of; the log's own entry 0 otherwise. */
  trustedKeys?: readonly string[];
  /** Skip station signatures (hashes, server signatures and Merkle only): for the benchmark's split. */
  skipStationSignatures?: boolean;
  /** Skip server signatures on entries too. */
  skipEntrySignatures?: boolean;
}

/** Checks chunks of entries off the calling thread: the worker pool (verifier-pool.ts). */
export interface EntryChecker {
  checkEntries(entries: readonly LogEntry[], hints: KeyHints, options: CheckOptions): Promise<EntryCheck[]>;
}

const encoder = new TextEncoder();

interface LogKey {
  keyId: string;
  keyName: string;
  /** The raw public key as the log names it (base64). */
  publicKey: string;
  object: KeyObject;
  from: number;
}

/** The ordered half: fed each entry with its check, in index order; see the module comment. */
interface OrderedCheck {
  /** A failure at this entry, or null to go on. */
  next(stored: LogEntry, check: EntryCheck): Verdict | null;
  /** The checkpoints, once every entry has been fed. */
  finish(): Verdict;
}

function fail(index: number | null, reason: string): Verdict {
  return { ok: false, index, reason };
}

function orderedCheck(checkpoints: readonly Checkpoint[], options: VerifyOptions): OrderedCheck {
  const keys: LogKey[] = [];
  const stations = new Map<string, StationKey>();
  const chains = new Map<string, { seq: number; hash: string }>();
  let frontier: Frontier = { size: 0, nodes: [] };
  let nextCheckpoint = 0;
  let stationSignatures = 0;
  let withheld = 0;
  let stationSignaturesUnchecked = 0;
  const rootsAt = new Map<number, Uint8Array>();

  return {
    next(stored, check) {
      const i = frontier.size;
      if (stored.index !== i) return fail(i, stored.index > i ? `entry ${i} is missing (the next stored is ${stored.index})` : `entry ${stored.index} appears again at position ${i}`);
      if (!check.ok) return fail(i, check.reason);
      if (check.ok === 'withheld' || isWithheld(stored)) {
        // A check answers for the entry as read: a withheld leaf is never taken for a checked entry.
        if (check.ok !== 'withheld' || !isWithheld(stored)) return fail(i, 'the check of this entry does not fit the entry as read');
        if (i === 0) return fail(0, 'entry 0 (log.created, which names the log\'s first key) is withheld: nothing after it can be checked with this credential');
        withheld += 1;
        appendChecked(check.leaf);
        return null;
      }
      const { entry } = check;
      if (entry.index !== i) return fail(i, `the entry says it is entry ${entry.index}: entries were moved or swapped`);

      if (i === 0) {
        if (entry.kind !== 'log.created') return fail(0, 'the log does not start with log.created');
        const subject = entry.subject as { publicKey: string; keyName: string; keyId: string };
        if (options.trustedKeys !== undefined && !options.trustedKeys.includes(subject.publicKey)) return fail(0, `the log's first key (${subject.keyId}) is not a trusted key`);
        keys.push({ keyId: subject.keyId, keyName: subject.keyName, publicKey: subject.publicKey, object: ed25519PublicKey(fromBase64(subject.publicKey)), from: 0 });
      }
      const current = keys.at(-1) as LogKey;
      if (entry.keyId !== current.keyId) {
        const hidden = withheld > 0 ? `; ${withheld} entries before it were withheld, and a rotation among them could not be read` : '';
        return fail(i, `signed by key ${entry.keyId}, but the log's key from entry ${current.from} is ${current.keyId} (no rotation signed by the old key${hidden})`);
      }
      if (options.skipEntrySignatures !== true) {
        // Taken from the check only if it used the key in force; otherwise checked again here.
        const valid = check.server !== 'not-base64' && check.server.publicKey !== current.publicKey ? serverSignatureValid(stored, current.publicKey) : check.server === 'not-base64' ? check.server : check.server.valid;
        if (valid === 'not-base64') return fail(i, 'the server signature is not base64');
        if (!valid) return fail(i, `the server signature (key ${current.keyId}) does not verify`);
      }

      switch (entry.kind) {
        case 'key.rotated': {
          const subject = entry.subject as { publicKey: string; keyName: string; keyId: string };
          const raw = fromBase64(subject.publicKey);
          const id = Buffer.from(noteKeyId(subject.keyName, raw)).toString('hex');
          if (id !== subject.keyId) return fail(i, 'the rotation names a key id that is not its key');
          keys.push({ keyId: subject.keyId, keyName: subject.keyName, publicKey: subject.publicKey, object: ed25519PublicKey(raw), from: i + 1 });
          break;
        }
        case 'station.enrolled': {
          const subject = entry.subject as { publicKey: string | null; keyAlg: KeyAlg | null };
          if (entry.stationId !== undefined && subject.publicKey !== null && subject.keyAlg !== null) stations.set(entry.stationId, { key: subject.publicKey, alg: subject.keyAlg });
          break;
        }
        case 'receipt': {
          const event = check.event;
          if (event === undefined) break;
          const stationId = entry.stationId as string;
          const station = stations.get(stationId);
          if (station === undefined && withheld === 0) return fail(i, `event ${event.id} is from station ${stationId}, which no enrollment entry names`);
          // With entries withheld before it, the station's enrollment may be one of them: its key is not known here.
          if (station === undefined) stationSignaturesUnchecked += 1;
          else if (options.skipStationSignatures !== true) {
            const checkedWith = event.station.key;
            const valid =
              checkedWith !== null && checkedWith.key === station.key && checkedWith.alg === station.alg
                ? event.station.valid
                : stationSignatureValid(checkedEvent(JSON.parse(stored.entry) as AuditEntry) as NonNullable<ReturnType<typeof checkedEvent>>, station);
            if (!valid) return fail(i, `the station signature of event ${event.id} does not verify with the key enrolled for station ${stationId}`);
            stationSignatures += 1;
          }
          const chain = chains.get(stationId);
          if (event.seq === (chain?.seq ?? 0) + 1 && event.prevHash !== (chain?.hash ?? '0'.repeat(64))) {
            return fail(i, `event ${event.id} (seq ${event.seq}) breaks station ${stationId}'s chain: it names a previous hash the station's event ${event.seq - 1} does not have`);
          }
          if (event.seq > (chain?.seq ?? 0)) chains.set(stationId, { seq: event.seq, hash: event.hash });
          break;
        }
        default:
          break;
      }

      appendChecked(check.leaf);
      return null;
    },

    finish() {
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
      return { ok: true, entries: size, checkpoints: checkpoints.length, stationSignatures, withheld, stationSignaturesUnchecked };
    },
  };

  /** Adds a leaf to the tree, keeping the root at each checkpoint's size. */
  function appendChecked(leaf: Uint8Array): void {
    frontier = appendLeaf(frontier, leaf, nodeSha256).frontier;
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]?.size === frontier.size) {
      rootsAt.set(frontier.size, frontierRoot(frontier, nodeSha256));
      nextCheckpoint += 1;
    }
  }
}

function parseCheckpoints(notes: readonly string[]): Checkpoint[] | Verdict {
  try {
    return notes.map(parseCheckpoint).sort((a, b) => a.size - b.size);
  } catch (error) {
    return fail(null, `a checkpoint cannot be read: ${(error as Error).message}`);
  }
}

function checkOptions(options: VerifyOptions): CheckOptions {
  return {
    ...(options.skipEntrySignatures === undefined ? {} : { skipEntrySignatures: options.skipEntrySignatures }),
    ...(options.skipStationSignatures === undefined ? {} : { skipStationSignatures: options.skipStationSignatures }),
  };
}

/** Verifies entries (in index order, all of them) and checkpoints (any order), on the calling thread. */
export function verifyLog(entries: Iterable<LogEntry>, checkpointNotes: readonly string[], options: VerifyOptions = {}): Verdict {
  const checkpoints = parseCheckpoints(checkpointNotes);
  if (!Array.isArray(checkpoints)) return checkpoints;
  const ordered = orderedCheck(checkpoints, options);
  // Fed in order, the hints are the keys the entries so far name: the same the ordered check holds
  // whenever everything before verified.
  const hints: KeyHints = { server: null, stations: new Map() };
  const only = checkOptions(options);
  for (const stored of entries) {
    const failed = ordered.next(stored, checkEntry(stored, hints, only));
    if (failed !== null) return failed;
  }
  return ordered.finish();
}

/** Entries per job sent to the pool: large enough that the round trip is noise, small enough to keep both cores fed. */
const CHUNK = 256;
/** Jobs under way at once: bounds the memory a streamed log holds. */
const IN_FLIGHT = 8;

/**
 * As {@link verifyLog}, with the per-entry checks on `checker` (the worker pool), over pages of
 * entries as they are read (so a log is never all in memory and reading overlaps checking).
 */
export async function verifyLogParallel(
  pages: AsyncIterable<readonly LogEntry[]> | Iterable<readonly LogEntry[]>,
  checkpointNotes: readonly string[],
  checker: EntryChecker,
  options: VerifyOptions = {},
): Promise<Verdict> {
  const checkpoints = parseCheckpoints(checkpointNotes);
  if (!Array.isArray(checkpoints)) return checkpoints;
  const ordered = orderedCheck(checkpoints, options);
  const only = checkOptions(options);
  // The hints each chunk is checked with: the keys the entries before it name, read (without
  // verifying) as chunks are sent. Only entries that may name a key are parsed here.
  const hints: KeyHints = { server: null, stations: new Map() };
  const underway: Array<{ entries: readonly LogEntry[]; checks: Promise<EntryCheck[]> }> = [];

  const settle = async (): Promise<Verdict | null> => {
    const job = underway.shift();
    if (job === undefined) return null;
    const checks = await job.checks;
    for (const [i, stored] of job.entries.entries()) {
      const failed = ordered.next(stored, checks[i] as EntryCheck);
      if (failed !== null) return failed;
    }
    return null;
  };

  for await (const page of pages) {
    for (let start = 0; start < page.length; start += CHUNK) {
      const entries = page.slice(start, start + CHUNK);
      const snapshot: KeyHints = { server: hints.server, stations: new Map(hints.stations) };
      for (const stored of entries) {
        if (isWithheld(stored) || !mayNameKey(stored.entry)) continue;
        try {
          applyHints(JSON.parse(stored.entry) as AuditEntry, hints);
        } catch {
          // Not JSON: the check of that entry fails the verification there.
        }
      }
      const checks = checker.checkEntries(entries, snapshot, only);
      // A verdict may come before every job is awaited; the rest must not fail unhandled.
      checks.catch(() => undefined);
      underway.push({ entries, checks });
      if (underway.length >= IN_FLIGHT) {
        const failed = await settle();
        if (failed !== null) return failed;
      }
    }
  }
  while (underway.length > 0) {
    const failed = await settle();
    if (failed !== null) return failed;
  }
  return ordered.finish();
}
