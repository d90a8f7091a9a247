/**
 * The server's Ed25519 work on every core. Per pushed event the server verifies the station's
 * signature (about 7k/s per core with node:crypto) and signs the receipt's audit entry (about
 * 16k/s per core): together more than the rest of a push costs. Both run here, in worker threads
 * (./crypto-worker.ts), while the main thread parses, decides and writes.
 *
 * The offline verifier (verify.ts) checks chunks of a whole log here too.
 *
 * Entry signing runs inside the batch's transaction, under the server-sequence lock that every
 * other batch waits for, so its jobs go first: work is cut into small jobs and a worker holds at
 * most two, so a signing job never waits behind more than that.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KeyAlg } from '../../src/audit/event-signing.ts';
import type { CryptoAnswer, CryptoJob, CryptoWork } from './crypto-worker.ts';
import { checksFromAnswer, packEntries } from './packed-entries.ts';
import { signEntryTexts, type SignedEntries } from './entry-signing.ts';
import type { PreparedEvent } from './prepared-event.ts';
import type { ServerKey } from './server-key.ts';
import type { EntryChecker } from './verify.ts';
import { verifyStationBytes } from './station-signatures.ts';

/** Signs audit entries with a server key and hashes them as Merkle leaves (see entry-signing.ts). */
export interface EntrySigner {
  signEntries(key: ServerKey, texts: readonly string[]): Promise<SignedEntries>;
}

/** Checks station signatures and signs audit entries: push.ts uses both. */
export interface SignatureVerifier extends EntrySigner {
  /** Whether each event carries a valid signature by the station key `spki`, in order. */
  verify(spki: string, alg: KeyAlg, events: readonly PreparedEvent[]): Promise<boolean[]>;
  close(): Promise<void>;
}

function verifyInline(spki: string, alg: KeyAlg, events: readonly PreparedEvent[]): boolean[] {
  return events.map(({ event, signedText }) => signedText !== null && verifyStationBytes(Buffer.from(signedText, 'utf8'), event.signature, spki, alg));
}

/** Verifies and signs on the calling thread (tests, one-core servers). */
export function inlineVerifier(): SignatureVerifier {
  return {
    verify: (spki, alg, events) => Promise.resolve(verifyInline(spki, alg, events)),
    signEntries: (key, texts) => Promise.resolve(signEntryTexts(key.privateKey, texts)),
    close: () => Promise.resolve(),
  };
}

/** Fewer events than this are verified inline, fewer entries signed inline: a worker round trip costs more. */
const INLINE_VERIFY_BELOW = 16;
const INLINE_SIGN_BELOW = 8;
/** Largest job: about 10 ms of one core, so a signing job waits little behind one. */
const VERIFY_JOB_SIZE = 64;
const SIGN_JOB_SIZE = 128;
/** Jobs a worker holds at once: the second keeps it busy while the main thread is in a long task. */
const JOBS_PER_WORKER = 2;

interface Pending {
  body: CryptoWork;
  resolve: (answer: CryptoAnswer) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  running: Map<number, Pending>;
}

/** Splits `count` items into about equal jobs of at most `size`, at least one per worker when there are enough. */
function jobBounds(count: number, size: number, workers: number): Array<[number, number]> {
  const jobs = Math.max(Math.ceil(count / size), Math.min(workers, count));
  const per = Math.ceil(count / jobs);
  const bounds: Array<[number, number]> = [];
  for (let start = 0; start < count; start += per) bounds.push([start, Math.min(count, start + per)]);
  return bounds;
}

/** A pool of `size` worker threads (one per core unless given); it also checks whole logs for verify.ts. */
export function createVerifierPool(size = os.availableParallelism()): SignatureVerifier & EntryChecker {
  const urgent: Pending[] = [];
  const queued: Pending[] = [];
  let nextId = 0;
  let closed = false;

  function spawn(): Slot {
    const slot: Slot = { worker: new Worker(new URL('./crypto-worker.ts', import.meta.url)), running: new Map() };
    // An idle pool must not keep the process alive; a busy one must (see dispatch).
    slot.worker.unref();
    slot.worker.on('message', (answer: CryptoAnswer) => {
      const pending = slot.running.get(answer.id);
      slot.running.delete(answer.id);
      if (slot.running.size === 0) slot.worker.unref();
      if (answer.kind === 'error') pending?.reject(new Error(`crypto worker: ${answer.message}`));
      else pending?.resolve(answer);
      dispatch();
    });
    // A worker that dies fails what it held and is replaced; the pool goes on.
    slot.worker.on('error', (error: Error) => {
      for (const pending of slot.running.values()) pending.reject(error);
      slot.running.clear();
      const at = slots.indexOf(slot);
      if (at >= 0 && !closed) slots[at] = spawn();
      dispatch();
    });
    return slot;
  }

  const slots: Slot[] = Array.from({ length: Math.max(1, size) }, spawn);

  function dispatch(): void {
    for (;;) {
      const next = urgent[0] ?? queued[0];
      if (next === undefined) return;
      const slot = slots.reduce((best, s) => (s.running.size < best.running.size ? s : best));
      if (slot.running.size >= JOBS_PER_WORKER) return;
      (urgent.length > 0 ? urgent : queued).shift();
      const id = nextId++;
      slot.running.set(id, next);
      slot.worker.ref();
      slot.worker.postMessage({ ...next.body, id } satisfies CryptoJob);
    }
  }

  function run(body: CryptoWork, first: boolean): Promise<CryptoAnswer> {
    if (closed) return Promise.reject(new Error('The crypto pool is closed'));
    return new Promise((resolve, reject) => {
      (first ? urgent : queued).push({ body, resolve, reject });
      dispatch();
    });
  }

  return {
    async verify(spki, alg, events) {
      if (events.length < INLINE_VERIFY_BELOW) return verifyInline(spki, alg, events);
      const parts = await Promise.all(
        jobBounds(events.length, VERIFY_JOB_SIZE, slots.length).map(async ([start, end]) => {
          const slice = events.slice(start, end);
          const answer = await run({ kind: 'verify', spki, alg, texts: slice.map((e) => e.signedText), signatures: slice.map((e) => e.event.signature) }, false);
          if (answer.kind !== 'verify') throw new Error(`crypto worker answered ${answer.kind} to verify`);
          return answer.results;
        }),
      );
      return parts.flat();
    },

    async signEntries(key, texts) {
      if (texts.length < INLINE_SIGN_BELOW) return signEntryTexts(key.privateKey, texts);
      const parts = await Promise.all(
        jobBounds(texts.length, SIGN_JOB_SIZE, slots.length).map(async ([start, end]) => {
          // The key object is cloned to the worker with each job: no key material is kept there.
          const answer = await run({ kind: 'sign', key: key.privateKey, texts: texts.slice(start, end) }, true);
          if (answer.kind !== 'sign') throw new Error(`crypto worker answered ${answer.kind} to sign`);
          return answer;
        }),
      );
      const leaves = new Uint8Array(texts.length * 32);
      let at = 0;
      for (const part of parts) {
        leaves.set(part.leaves, at);
        at += part.leaves.length;
      }
      return { signatures: parts.flatMap((part) => part.signatures), leaves };
    },

    async checkEntries(entries, hints, options) {
      const answer = await run({ kind: 'check', entries: packEntries(entries), hints, options }, false);
      if (answer.kind !== 'check') throw new Error(`crypto worker answered ${answer.kind} to check`);
      return checksFromAnswer(answer.checks, answer.leaves);
    },

    async close() {
      closed = true;
      for (const pending of [...urgent.splice(0), ...queued.splice(0)]) pending.reject(new Error('The crypto pool is closed'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
