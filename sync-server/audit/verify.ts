/**
 * Verifies a whole audit log offline (docs/audit.md, *Verifying*): every entry's place and encoding,
 * its leaf hash and the Merkle root of every checkpoint, each signed by the key in force at its size
 * (the key is the one the log itself names: entry 0, then each rotation signed by the key before it,
 * or a pinned key); an entry's own server signature where no checkpoint covers it (format 3–5) and
 * a rotation's; that every unsigned (format 6) entry is covered by a checkpoint; each format 6
 * entry's `prev` (the previous entry about each of its subjects); every link of every station's hash
 * chain, and the signature of the last event of each unbroken run of it (which attests the run),
 * against the key its enrollment entry recorded. `allSignatures` checks every event's and every
 * signed entry's own signature too. Checkpoints recomputed from one sequence of leaves are consistent
 * with each other by construction. Stops at the first failure and names it.
 *
 * Two halves: what one entry alone decides (./entry-check.ts: parsing, encoding, the two Ed25519
 * checks, hashes), and the ordered rest here (places, which key is in force, chains, the tree).
 * {@link verifyLog} runs both on the calling thread; {@link verifyLogParallel} runs the first on
 * the worker pool over a stream of pages, and reaches the same verdict; {@link verifyRawPages} does
 * over pages of a data directory's stored bytes, whose workers (verify-scan.ts) also hash each
 * page's part of the Merkle tree.
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
import { frontierRoot, sameHash, type Frontier } from '../../src/audit/merkle.ts';
import {
  applyHints,
  checkedEvent,
  checkEntry,
  isWithheld,
  mayNameKey,
  ownSignatureNeeded,
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
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { KeyObject } from 'node:crypto';
import { rowCount, rowSignature, rowText, type RawPage } from './verify-read.ts';
import type { PageScanner } from './verify-pool.ts';
import {
  CHECKED,
  R_FORMAT,
  R_INDEX,
  R_KEY,
  R_KIND,
  R_PREV_COUNT,
  R_PREV_START,
  R_SEQ,
  R_STATION,
  R_STATUS,
  R_SUBJECTS_COUNT,
  R_SUBJECTS_START,
  STRIDE,
  type PageTree,
  type ScanAnswer,
} from './verify-scan.ts';
import type { EntryHead } from './entry-check.ts';

/** What a verification found. */
export type Verdict =
  | {
      ok: true;
      entries: number;
      checkpoints: number;
      /** Station signatures verified: the last event of each unbroken run, or every event with allSignatures. */
      stationSignatures: number;
      /** Station events whose signature, or a later event's of the same unbroken run, verified. */
      stationEvents: number;
      /** Entries whose own server signature was verified (format 3–5 entries beyond the last checkpoint, rotations; all with allSignatures). */
      entrySignatures: number;
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
  /** Keeps what the open runs need as text of their own, so that a page read as bytes can go (verifyRawPages). */
  detach(): void;
  /** Takes the tree of the page just fed as its subtrees, computed by a worker (verify-scan.ts pageTree), instead of each leaf. */
  appendPage(tree: PageTree): Verdict | null;
}

function fail(index: number | null, reason: string): Verdict {
  return { ok: false, index, reason };
}

/** The last event of a station's unbroken run so far, whose signature will attest the run. */
interface PendingRun {
  stored: StoredEntry;
  key: StationKey;
  first: number;
  last: number;
  events: number;
}

/** `pagedTree`: the tree is extended a page at a time (appendPage), not by next() leaf by leaf. */
function orderedCheck(checkpoints: readonly Checkpoint[], options: VerifyOptions, pagedTree = false): OrderedCheck {
  const only = checkOptions(options);
  const keys: LogKey[] = [];
  const stations = new Map<string, StationKey>();
  /** Each station's chain head, and the unbroken run ending there whose last signature is still to check. */
  const chains = new Map<string, { seq: number; hash: string; run: PendingRun | null }>();
  /** The latest entry about each subject (format 6 `prev`; entries of earlier formats by their unit). */
  const subjectHeads = new Map<string, number>();
  const withheldIndexes = new Set<number>();
  const coveredBelow = checkpoints.at(-1)?.size ?? 0;
  let lastUnsigned = -1;
  const frontier: Frontier = { size: 0, nodes: [] };
  /** Entries accepted so far: the next one's place. The tree follows, leaf by leaf or a page at a time (appendPage). */
  let count = 0;
  let nextCheckpoint = 0;
  let stationSignatures = 0;
  let stationEvents = 0;
  let entrySignatures = 0;
  let withheld = 0;
  let stationSignaturesUnchecked = 0;
  const rootsAt = new Map<number, Uint8Array>();

  /** Checks the signature of a run's last event, which attests the run; a failure, or null. */
  const closeRun = (stationId: string, run: PendingRun | null): Verdict | null => {
    if (run === null) return null;
    const event = checkedEvent(JSON.parse(run.stored.entry) as AuditEntry);
    if (event === undefined || !stationSignatureValid(event, run.key)) {
      const span = run.first === run.last ? `event ${run.last}` : `events ${run.first} to ${run.last}`;
      return fail(
        run.stored.index,
        `the station signature of event ${event?.id ?? '?'} (seq ${run.last}), which attests station ${stationId}'s ${span}, does not verify with the key enrolled for it; --all-signatures names the first event that does not`,
      );
    }
    stationSignatures += 1;
    stationEvents += run.events;
    return null;
  };

  return {
    next(stored, check) {
      const i = count;
      if (stored.index !== i) return fail(i, stored.index > i ? `entry ${i} is missing (the next stored is ${stored.index})` : `entry ${stored.index} appears again at position ${i}`);
      if (!check.ok) return fail(i, check.reason);
      if (check.ok === 'withheld' || isWithheld(stored)) {
        // A check answers for the entry as read: a withheld leaf is never taken for a checked entry.
        if (check.ok !== 'withheld' || !isWithheld(stored)) return fail(i, 'the check of this entry does not fit the entry as read');
        if (i === 0) return fail(0, 'entry 0 (log.created, which names the log\'s first key) is withheld: nothing after it can be checked with this credential');
        withheld += 1;
        withheldIndexes.add(i);
        count += 1;
        if (!pagedTree) appendChecked(check.leaf);
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
      if (stored.signature === undefined) {
        // Format 6: not signed by itself; a signed checkpoint must cover it (checked in finish()).
        if (entry.format !== 6) return fail(i, 'the entry carries no server signature, and it is not of format 6 (which a checkpoint covers instead)');
        if (entry.kind === 'key.rotated') return fail(i, 'the rotation is not signed by the key it hands over from');
        lastUnsigned = i;
      } else if (ownSignatureNeeded(stored, entry.kind, { ...only, coveredBelow })) {
        // Taken from the check only if it used the key in force; otherwise checked again here.
        const server = check.server === 'none' ? ({ publicKey: null, valid: false } as const) : check.server;
        const valid = server !== 'not-base64' && server.publicKey !== current.publicKey ? serverSignatureValid(stored, current.publicKey) : server === 'not-base64' ? server : server.valid;
        if (valid === 'not-base64') return fail(i, 'the server signature is not base64');
        if (!valid) return fail(i, `the server signature (key ${current.keyId}) does not verify`);
        entrySignatures += 1;
      }

      // Completeness: each subject's entries chain (format 6); an earlier entry is the head of each of its
      // subjects (src/audit/subjects.ts), as audit_units indexes it (migration 5).
      if (entry.format === 6) {
        const named = (entry.prev ?? []).map((p) => p.subject);
        // Left out where the check found `prev` naming exactly the entry's subjects (entry-check.ts).
        const subjects = entry.subjects ?? named;
        if (named.length !== subjects.length || named.some((subject, k) => subject !== subjects[k])) {
          return fail(i, `the entry names as its subjects [${named.join(', ')}], but it is about [${subjects.join(', ')}]`);
        }
        for (const link of entry.prev ?? []) {
          const expected = subjectHeads.get(link.subject) ?? null;
          // A withheld entry may be about the subject: the link may name it, and cannot be checked further.
          const toWithheld = link.index !== null && link.index > (expected ?? -1) && link.index < i && withheldIndexes.has(link.index);
          if (link.index !== expected && !toWithheld) {
            return fail(i, `the entry names entry ${link.index ?? 'none'} as the previous about ${link.subject}, but that is ${expected ?? 'none'}: an entry about it was left out or moved`);
          }
          subjectHeads.set(link.subject, i);
        }
      } else {
        for (const subject of entry.subjects ?? []) subjectHeads.set(subject, i);
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
          if (entry.stationId !== undefined) {
            // A new key ends the run signed with the old one.
            const chain = chains.get(entry.stationId);
            const failed = closeRun(entry.stationId, chain?.run ?? null);
            if (failed !== null) return failed;
            if (chain !== undefined) chain.run = null;
            if (subject.publicKey !== null && subject.keyAlg !== null) stations.set(entry.stationId, { key: subject.publicKey, alg: subject.keyAlg });
          }
          break;
        }
        case 'receipt': {
          const event = check.event;
          if (event === undefined) break;
          const stationId = entry.stationId as string;
          const station = stations.get(stationId);
          if (station === undefined && withheld === 0) return fail(i, `event ${event.id} is from station ${stationId}, which no enrollment entry names`);
          const chain = chains.get(stationId) ?? { seq: 0, hash: '0'.repeat(64), run: null };
          chains.set(stationId, chain);
          if (event.seq === chain.seq + 1 && event.prevHash !== chain.hash) {
            return fail(i, `event ${event.id} (seq ${event.seq}) breaks station ${stationId}'s chain: it names a previous hash the station's event ${event.seq - 1} does not have`);
          }
          // With entries withheld before it, the station's enrollment may be one of them: its key is not known here.
          if (station === undefined) stationSignaturesUnchecked += 1;
          else if (options.skipStationSignatures !== true && options.allSignatures === true) {
            const checkedWith = event.station?.key ?? null;
            const valid =
              checkedWith !== null && checkedWith.key === station.key && checkedWith.alg === station.alg
                ? event.station?.valid === true
                : stationSignatureValid(checkedEvent(JSON.parse(stored.entry) as AuditEntry) as NonNullable<ReturnType<typeof checkedEvent>>, station);
            if (!valid) return fail(i, `the station signature of event ${event.id} does not verify with the key enrolled for station ${stationId}`);
            stationSignatures += 1;
            stationEvents += 1;
          } else if (options.skipStationSignatures !== true) {
            // The next event of the chain extends the run (its link was checked above); anything else
            // (a gap, an event out of order) ends it, and its last signature is checked now.
            if (chain.run !== null && event.seq === chain.seq + 1) {
              // In place: the run is this chain's alone, and a copy per event cost more than the rest of its step.
              chain.run.stored = stored;
              chain.run.last = event.seq;
              chain.run.events += 1;
            } else {
              const failed = closeRun(stationId, chain.run);
              if (failed !== null) return failed;
              chain.run = null;
              const run: PendingRun = { stored: stored, key: station, first: event.seq, last: event.seq, events: 1 };
              if (event.seq > chain.seq) chain.run = run;
              else {
                const failedAlone = closeRun(stationId, run);
                if (failedAlone !== null) return failedAlone;
              }
            }
          }
          if (event.seq > chain.seq) {
            chain.seq = event.seq;
            chain.hash = event.hash;
          }
          break;
        }
        default:
          break;
      }

      count += 1;
      if (!pagedTree) appendChecked(check.leaf);
      return null;
    },

    appendPage(tree) {
      if (!pagedTree) throw new Error('appendPage on an ordered check that appends leaf by leaf');
      if (tree.start !== frontier.size || tree.start + pageWidth(tree.levels) !== count) return fail(null, `the tree of entries from ${tree.start} does not fit the ${count} entries checked`);
      // Each checkpoint the page ends: the frontier so far with the page's subtrees before it.
      for (const checkpoint of tree.checkpoints) {
        const copy: Frontier = { size: frontier.size, nodes: [...frontier.nodes] };
        appendSubtrees(copy, checkpoint.levels, checkpoint.nodes);
        if (copy.size !== checkpoint.size) return fail(null, `the tree of entries from ${tree.start} does not fit checkpoint ${checkpoint.size}`);
        rootsAt.set(checkpoint.size, frontierRoot(copy, nodeSha256));
      }
      appendSubtrees(frontier, tree.levels, tree.nodes);
      while (nextCheckpoint < checkpoints.length && (checkpoints[nextCheckpoint]?.size ?? 0) <= frontier.size) nextCheckpoint += 1;
      return null;
    },

    detach() {
      for (const chain of chains.values()) {
        const run = chain.run;
        // A plain object already holds its text; an entry of a page read as bytes (RawStored) refers to the page.
        if (run !== null && Object.getPrototypeOf(run.stored) !== Object.prototype) {
          const { index, entry, signature } = run.stored;
          chain.run = { ...run, stored: signature === undefined ? { index, entry } : { index, entry, signature } };
        }
      }
    },

    finish() {
      const size = count;
      if (size === 0) return fail(null, 'the log is empty');
      if (frontier.size !== size) return fail(null, `the tree holds ${frontier.size} of the ${size} entries checked`);
      for (const [stationId, chain] of chains) {
        const failed = closeRun(stationId, chain.run);
        if (failed !== null) return failed;
        chain.run = null;
      }
      if (lastUnsigned >= coveredBelow) {
        return fail(lastUnsigned, `entry ${lastUnsigned} has no server signature of its own (format 6) and no signed checkpoint covers it (the largest covers ${coveredBelow} entries)`);
      }
      let before = 0;
      for (const checkpoint of checkpoints) {
        const since = before;
        before = checkpoint.size;
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
          // The checkpoint before verified, so the change is among the entries this one added (format 6 checkpoints every batch).
          const among = since === checkpoint.size - 1 ? `entry ${since}` : `an entry from ${since} to ${checkpoint.size - 1}`;
          return fail(checkpoint.size - 1, `the Merkle root of the first ${checkpoint.size} entries is not the root checkpoint ${checkpoint.size} signed (${toBase64(checkpoint.root).slice(0, 12)}…): ${among} was changed, removed or moved`);
        }
      }
      return { ok: true, entries: size, checkpoints: checkpoints.length, stationSignatures, stationEvents, entrySignatures, withheld, stationSignaturesUnchecked };
    },
  };

  /**
   * Adds a leaf to the tree, keeping the root at each checkpoint's size. The right edge is kept in
   * place (src/audit/merkle.ts appendLeaf copies it and lists every completed node for the server
   * to store: per leaf, more than the hashing here costs).
   */
  function appendChecked(leaf: Uint8Array): void {
    let current = leaf;
    let index = frontier.size;
    while (index % 2 === 1) {
      NODE_INPUT.set(frontier.nodes.pop() as Uint8Array, 1);
      NODE_INPUT.set(current, 33);
      current = nodeSha256(NODE_INPUT);
      index = Math.floor(index / 2);
    }
    frontier.nodes.push(current);
    frontier.size += 1;
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]?.size === frontier.size) {
      rootsAt.set(frontier.size, frontierRoot(frontier, nodeSha256));
      nextCheckpoint += 1;
    }
  }
}

/** Leaves a page's subtrees of these levels span. */
function pageWidth(levels: readonly number[]): number {
  return levels.reduce((sum, level) => sum + 2 ** level, 0);
}

/**
 * Appends perfect subtrees (level, 32-byte root each) to a frontier, as that many leaves appended
 * one by one would: each lies at a place its width divides (pageTree makes them so), where it joins
 * the frontier's subtrees of its own width.
 */
export function appendSubtrees(frontier: Frontier, levels: readonly number[], nodes: Uint8Array): void {
  levels.forEach((level, k) => {
    const width = 2 ** level;
    if (frontier.size % width !== 0) throw new Error(`a subtree of ${width} leaves cannot follow ${frontier.size}`);
    let current: Uint8Array = nodes.slice(k * 32, k * 32 + 32);
    let index = frontier.size / width;
    while (index % 2 === 1) {
      NODE_INPUT.set(frontier.nodes.pop() as Uint8Array, 1);
      NODE_INPUT.set(current, 33);
      current = nodeSha256(NODE_INPUT);
      index = Math.floor(index / 2);
    }
    frontier.nodes.push(current);
    frontier.size += width;
  });
}

/** 0x01 ‖ left ‖ right, the input of an RFC 9162 node hash, reused for every node. */
const NODE_INPUT = new Uint8Array(65);
NODE_INPUT[0] = 0x01;

function parseCheckpoints(notes: readonly string[]): Checkpoint[] | Verdict {
  try {
    return notes.map(parseCheckpoint).sort((a, b) => a.size - b.size);
  } catch (error) {
    return fail(null, `a checkpoint cannot be read: ${(error as Error).message}`);
  }
}

function checkOptions(options: VerifyOptions, checkpoints?: readonly Checkpoint[]): CheckOptions {
  const covered = checkpoints?.at(-1)?.size;
  return {
    ...(options.allSignatures === undefined ? {} : { allSignatures: options.allSignatures }),
    ...(covered === undefined ? {} : { coveredBelow: covered }),
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
  const only = checkOptions(options, checkpoints);
  for (const stored of entries) {
    const failed = ordered.next(stored, checkEntry(stored, hints, only));
    if (failed !== null) return failed;
  }
  return ordered.finish();
}

/** Entries per job sent to the pool: large enough that the round trip is noise, small enough to keep both cores fed. */
const CHUNK = 256;
/**
 * Jobs under way at once: bounds the memory a streamed log holds (64 × 256 entries, about 18 MB).
 * Enough to keep both workers busy while the main thread reads the next page (8,192 entries, a
 * long synchronous call into PGlite): with 8 they waited for it most of the time.
 */
const IN_FLIGHT = 64;

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
  const only = checkOptions(options, checkpoints);
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

/** An entry of a page read as bytes: its text is decoded only if the ordered checks read it. */
class RawStored {
  readonly index: number;
  readonly signature: string | undefined;
  readonly #page: RawPage;
  readonly #row: number;

  constructor(page: RawPage, row: number) {
    this.index = page.indexes[row] as number;
    this.signature = rowSignature(page, row);
    this.#page = page;
    this.#row = row;
  }

  get entry(): string {
    return rowText(this.#page, this.#row);
  }
}

/** A receipt's event as the scan found it; its id (named only in a failure) is read from the entry. */
class ScannedEvent {
  readonly seq: number;
  readonly hash: string;
  readonly prevHash: string;
  readonly #stored: RawStored;

  constructor(stored: RawStored, seq: number, hash: string, prevHash: string) {
    this.seq = seq;
    this.hash = hash;
    this.prevHash = prevHash;
    this.#stored = stored;
  }

  get id(): string {
    return String((JSON.parse(this.#stored.entry) as { event: { id: unknown } }).event.id);
  }
}

/**
 * A page's entries with their checks, from a worker's compact answer: what {@link checkEntry} gives
 * for each (tests/unit/audit/verify-scan.test.ts compares them). An event's id is read from its entry
 * when a message names it.
 */
export function rawChecks(page: RawPage, answer: ScanAnswer): { stored: StoredEntry[]; checks: EntryCheck[] } {
  const { records, links, strings, hashes, leaves } = answer;
  const checked = new Map(answer.checked);
  const rows = rowCount(page);
  const stored: StoredEntry[] = new Array<StoredEntry>(rows);
  const checks: EntryCheck[] = new Array<EntryCheck>(rows);
  let h = 0;
  for (let row = 0; row < rows; row++) {
    const r = row * STRIDE;
    // RawStored reads as a StoredEntry: index, entry and signature (undefined for none, as absent).
    const entry = new RawStored(page, row);
    stored[row] = entry as unknown as StoredEntry;
    const leaf = new Uint8Array(leaves, row * 32, 32);
    if (records[r + R_STATUS] === CHECKED) {
      const found = checked.get(row) ?? { ok: false, reason: 'the check of this entry is missing' };
      checks[row] = found.ok === false ? found : { ...found, leaf };
      continue;
    }
    const head: EntryHead = { index: records[r + R_INDEX] as number, kind: strings[records[r + R_KIND] as number] as EntryHead['kind'], keyId: strings[records[r + R_KEY] as number] as string };
    const station = records[r + R_STATION] as number;
    if (station >= 0) head.stationId = strings[station] as string;
    const format = records[r + R_FORMAT] as number;
    if (!Number.isNaN(format)) head.format = format as 6;
    const prevStart = records[r + R_PREV_START] as number;
    if (prevStart >= 0) {
      const prev: NonNullable<EntryHead['prev']> = [];
      for (let k = 0; k < (records[r + R_PREV_COUNT] as number); k++) {
        const index = links[prevStart + 2 * k + 1] as number;
        prev.push({ subject: strings[links[prevStart + 2 * k] as number] as string, index: Number.isNaN(index) ? null : index });
      }
      head.prev = prev;
    }
    const subjectsStart = records[r + R_SUBJECTS_START] as number;
    if (subjectsStart >= 0) {
      const subjects: string[] = [];
      for (let k = 0; k < (records[r + R_SUBJECTS_COUNT] as number); k++) subjects.push(strings[links[subjectsStart + 2 * k] as number] as string);
      head.subjects = subjects;
    }
    const seq = records[r + R_SEQ] as number;
    if (Number.isNaN(seq)) checks[row] = { ok: true, entry: head, server: 'none', leaf };
    else {
      checks[row] = { ok: true, entry: head, server: 'none', event: new ScannedEvent(entry, seq, hashes.slice(h, h + 64), hashes.slice(h + 64, h + 128)), leaf };
      h += 128;
    }
  }
  return { stored, checks };
}

/** Feeds a page's entries with their checks to the ordered half; a failure, or null. */
function feedPage(ordered: OrderedCheck, page: RawPage, answer: ScanAnswer): Verdict | null {
  const { stored, checks } = rawChecks(page, answer);
  for (let row = 0; row < stored.length; row++) {
    const failed = ordered.next(stored[row] as StoredEntry, checks[row] as EntryCheck);
    if (failed !== null) return failed;
  }
  return null;
}

/**
 * Pages under way at once: two per worker keeps both busy while this thread reads the next page
 * (a page of 8,192 entries is about 10 MB).
 */
const PAGES_IN_FLIGHT = 4;

/**
 * As {@link verifyLogParallel}, over pages read as stored bytes from a data directory
 * (verify-read.ts): the workers check each page whole (verify-scan.ts) and answer compactly; this
 * thread reads and keeps the order. The same verdict as {@link verifyLog} on the same entries
 * (tests/integration/audit-verify-data.test.ts).
 */
export async function verifyRawPages(pages: AsyncIterable<RawPage> | Iterable<RawPage>, checkpointNotes: readonly string[], scanner: PageScanner, options: VerifyOptions = {}): Promise<Verdict> {
  const checkpoints = parseCheckpoints(checkpointNotes);
  if (!Array.isArray(checkpoints)) return checkpoints;
  const ordered = orderedCheck(checkpoints, options, true);
  const only = checkOptions(options, checkpoints);
  const underway: Array<{ page: RawPage; answer: Promise<ScanAnswer> }> = [];
  const sizes = checkpoints.map((c) => c.size);
  const settle = async (): Promise<Verdict | null> => {
    const job = underway.shift();
    if (job === undefined) return null;
    const answer = await job.answer;
    const failed = feedPage(ordered, job.page, answer) ?? ordered.appendPage(answer.tree);
    ordered.detach();
    return failed;
  };
  for await (const page of pages) {
    const answer = scanner.scan(page, only, sizes);
    // A verdict may come before every page is awaited; the rest must not fail unhandled.
    answer.catch(() => undefined);
    underway.push({ page, answer });
    if (underway.length >= PAGES_IN_FLIGHT) {
      const failed = await settle();
      if (failed !== null) return failed;
    }
  }
  while (underway.length > 0) {
    const failed = await settle();
    if (failed !== null) return failed;
  }
  return ordered.finish();
}
