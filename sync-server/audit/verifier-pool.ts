/**
 * Station signature checks on every core: Ed25519 verification (about 8.5k/s per core) is the
 * costliest step of a push, so the bytes are prepared here and verified in worker threads.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { StationEvent } from '../../schemas/event.ts';
import { fromBase64 } from '../../src/audit/canonical.ts';
import { signedBytes, type KeyAlg } from '../../src/audit/event-signing.ts';
import { verifyStationSignature } from './station-signatures.ts';

/** Checks events' station signatures against one station key. */
export interface SignatureVerifier {
  verify(spki: string, alg: KeyAlg, events: readonly StationEvent[]): Promise<boolean[]>;
  close(): Promise<void>;
}

/** Verifies on the calling thread (tests, small servers). */
export function inlineVerifier(): SignatureVerifier {
  return {
    verify: (spki, alg, events) => Promise.resolve(events.map((event) => verifyStationSignature(event, spki, alg))),
    close: () => Promise.resolve(),
  };
}

// Plain JavaScript, evaluated: a worker cannot load TypeScript without the loader the parent used.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const keys = new Map();
parentPort.on('message', ({ id, spki, alg, items }) => {
  let key = keys.get(spki);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.from(spki, 'base64url'), format: 'der', type: 'spki' });
    if (keys.size > 1000) keys.clear();
    keys.set(spki, key);
  }
  const results = items.map(({ data, signature }) => {
    try {
      return alg === 'Ed25519'
        ? verify(null, data, key, signature)
        : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  });
  parentPort.postMessage({ id, results });
});
`;

/** Batches smaller than this are verified inline: a round trip to a worker costs more. */
const INLINE_BELOW = 16;

/** A pool of `size` worker threads (one per core unless given). */
export function createVerifierPool(size = os.availableParallelism()): SignatureVerifier {
  const workers = Array.from({ length: Math.max(1, size) }, () => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    return worker;
  });
  const waiting = new Map<number, (results: boolean[]) => void>();
  let nextId = 0;
  let nextWorker = 0;
  for (const worker of workers) {
    worker.on('message', ({ id, results }: { id: number; results: boolean[] }) => {
      waiting.get(id)?.(results);
      waiting.delete(id);
    });
  }

  function run(worker: Worker, spki: string, alg: KeyAlg, items: Array<{ data: Uint8Array; signature: Uint8Array }>): Promise<boolean[]> {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      worker.postMessage({ id, spki, alg, items });
    });
  }

  return {
    async verify(spki, alg, events) {
      if (events.length < INLINE_BELOW) return events.map((event) => verifyStationSignature(event, spki, alg));
      const items = events.map((event) => {
        try {
          return { data: signedBytes(event), signature: fromBase64(event.signature) };
        } catch {
          return { data: new Uint8Array(0), signature: new Uint8Array(0) };
        }
      });
      const chunk = Math.ceil(items.length / workers.length);
      const parts = await Promise.all(
        workers.map((_, i) => {
          const slice = items.slice(i * chunk, (i + 1) * chunk);
          if (slice.length === 0) return Promise.resolve([]);
          const worker = workers[(nextWorker + i) % workers.length] as Worker;
          return run(worker, spki, alg, slice);
        }),
      );
      nextWorker = (nextWorker + 1) % workers.length;
      return parts.flat();
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
