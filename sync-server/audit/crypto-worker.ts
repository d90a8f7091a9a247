/**
 * A worker thread of the crypto pool (./verifier-pool.ts): station signature checks and server
 * entry signatures for the sync server, and chunks of a whole-log verification for the verifier.
 * It runs the same modules as the main thread; Node 24 strips the types itself, so this file, and
 * everything it imports, keeps to TypeScript that only erases (no enums, no parameter properties).
 */
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { KeyAlg } from '../../src/audit/event-signing.ts';
import type { CheckOptions, KeyHints } from './entry-check.ts';
import { checkPacked, type PackedEntries } from './packed-entries.ts';
import { signEntryTexts } from './entry-signing.ts';
import { verifyStationBytes } from './station-signatures.ts';

/** Work the pool hands a worker. */
export type CryptoWork =
  /** Station signatures: `signatures[i]` over the UTF-8 of `texts[i]` (an event's signed text; null fails). */
  | { kind: 'verify'; spki: string; alg: KeyAlg; texts: Array<string | null>; signatures: string[] }
  /** Audit entries to sign with the server key and hash as leaves. */
  | { kind: 'sign'; key: KeyObject; texts: string[] }
  /** Consecutive entries of a log to check (entry-check.ts), whole or withheld, with the keys named before the first. */
  | { kind: 'check'; entries: PackedEntries; hints: KeyHints; options: CheckOptions };

/** A job as sent: the work and the id its answer carries. */
export type CryptoJob = CryptoWork & { id: number };

/** A worker's answer. */
export type CryptoAnswer =
  | { id: number; kind: 'verify'; results: boolean[] }
  | { id: number; kind: 'sign'; signatures: string[]; leaves: Uint8Array<ArrayBuffer> }
  | { id: number; kind: 'check'; checks: string; leaves: ArrayBuffer }
  | { id: number; kind: 'error'; message: string };

const port = parentPort;
if (port === null) throw new Error('crypto-worker.ts runs as a worker thread');

port.on('message', (job: CryptoJob) => {
  try {
    if (job.kind === 'verify') {
      const results = job.texts.map((text, i) => text !== null && verifyStationBytes(Buffer.from(text, 'utf8'), job.signatures[i] ?? '', job.spki, job.alg));
      port.postMessage({ id: job.id, kind: 'verify', results } satisfies CryptoAnswer);
    } else if (job.kind === 'sign') {
      const { signatures, leaves } = signEntryTexts(job.key, job.texts);
      port.postMessage({ id: job.id, kind: 'sign', signatures, leaves } satisfies CryptoAnswer, [leaves.buffer]);
    } else {
      const { checks, leaves } = checkPacked(job.entries, job.hints, job.options);
      port.postMessage({ id: job.id, kind: 'check', checks, leaves } satisfies CryptoAnswer, [leaves]);
    }
  } catch (error) {
    port.postMessage({ id: job.id, kind: 'error', message: (error as Error).message } satisfies CryptoAnswer);
  }
});
