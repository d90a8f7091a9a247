/**
 * A worker thread of `audit:verify --data`: checks pages of a log as stored (./verify-scan.ts) for
 * ./verify-pool.ts. Node 24 strips the types itself, so this file, and everything it imports, keeps
 * to TypeScript that only erases (no enums, no parameter properties).
 */
import { parentPort } from 'node:worker_threads';
import { scanPage, type ScanAnswer, type ScanJob } from './verify-scan.ts';

/** A page to check, and the id its answer carries. */
export interface ScanMessage {
  id: number;
  job: ScanJob;
}

/** A worker's answer. */
export type ScanReply = { id: number; answer: ScanAnswer } | { id: number; error: string };

const port = parentPort;
if (port === null) throw new Error('verify-worker.ts runs as a worker thread');

port.on('message', ({ id, job }: ScanMessage) => {
  try {
    const answer = scanPage(job);
    port.postMessage({ id, answer } satisfies ScanReply, [answer.records.buffer, answer.links.buffer, answer.leaves, answer.tree.nodes.buffer]);
  } catch (error) {
    port.postMessage({ id, error: (error as Error).message } satisfies ScanReply);
  }
});
