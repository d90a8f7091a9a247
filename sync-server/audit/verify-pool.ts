/**
 * The worker threads that check a log's pages as stored (./verify-worker.ts, ./verify-scan.ts) for
 * `audit:verify --data`: one per core. A page goes whole to the worker with the fewest pages under
 * way; its bytes are shared (a SharedArrayBuffer), not copied.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CheckOptions } from './entry-check.ts';
import type { RawPage } from './verify-read.ts';
import type { ScanAnswer } from './verify-scan.ts';
import type { ScanMessage, ScanReply } from './verify-worker.ts';

/** Checks pages of a log as stored, off the calling thread. */
export interface PageScanner {
  scan(page: RawPage, options: CheckOptions, checkpointSizes: readonly number[]): Promise<ScanAnswer>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  running: Map<number, { resolve: (answer: ScanAnswer) => void; reject: (error: Error) => void }>;
}

/** A pool of `size` workers (one per core unless given). */
export function createScanPool(size = os.availableParallelism()): PageScanner {
  let nextId = 0;
  let closed = false;
  const slots: Slot[] = Array.from({ length: Math.max(1, size) }, () => {
    const slot: Slot = { worker: new Worker(new URL('./verify-worker.ts', import.meta.url)), running: new Map() };
    slot.worker.unref();
    slot.worker.on('message', (reply: ScanReply) => {
      const pending = slot.running.get(reply.id);
      slot.running.delete(reply.id);
      if (slot.running.size === 0) slot.worker.unref();
      if ('error' in reply) pending?.reject(new Error(`verify worker: ${reply.error}`));
      else pending?.resolve(reply.answer);
    });
    slot.worker.on('error', (error: Error) => {
      for (const pending of slot.running.values()) pending.reject(error);
      slot.running.clear();
    });
    return slot;
  });

  return {
    scan(page, options, checkpointSizes) {
      if (closed) return Promise.reject(new Error('The verify pool is closed'));
      const slot = slots.reduce((best, s) => (s.running.size < best.running.size ? s : best));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        slot.running.set(id, { resolve, reject });
        slot.worker.ref();
        const message: ScanMessage = { id, job: { ...page, options, checkpointSizes } };
        slot.worker.postMessage(message);
      });
    },
    async close() {
      closed = true;
      for (const slot of slots) for (const pending of slot.running.values()) pending.reject(new Error('The verify pool is closed'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
