/**
 * Where a thread's CPU goes, from a V8 CPU profile (node:inspector's `Profiler`): each sample is
 * charged to the first frame, from the innermost outwards, that belongs to a known part of the work
 * (the database, the audit log's Merkle tree, encoding and hashing, the domain's decisions, schema
 * validation, HTTP, the bench's own stations), so a native call (JSON.stringify, a SHA-256) counts
 * for the code that made it. Printed per event by the ingest and catch-up benches.
 */
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** A V8 CPU profile as `Profiler.stop` returns it. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The parts of the work, in the order they are printed. */
export const PARTS = [
  'SQL: PGlite (WebAssembly)',
  'SQL: pg driver',
  'SQL: rows and statements (ours)',
  'Merkle tree',
  'audit entries (encode, hash, subjects)',
  'event encode and hash (RFC 8785, SHA-256)',
  'domain decisions (src/domain)',
  'schema validation',
  'push logic (sync-server/sync)',
  'HTTP server (fastify, JSON parse, reply)',
  'HTTP and sockets (both ends)',
  'bench stations (fetch, JSON)',
  'garbage collection',
  'other',
] as const;

export type Part = (typeof PARTS)[number];

/** The part a frame belongs to, or null when it says nothing (a native, an anonymous helper). */
function partOf(frame: ProfileNode['callFrame']): Part | null {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (url === '') return null;
  if (url.includes('@electric-sql/pglite')) return 'SQL: PGlite (WebAssembly)';
  if (/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+)\//.test(url)) return 'SQL: pg driver';
  if (url.includes('/sync-server/store/')) return 'SQL: rows and statements (ours)';
  if (url.includes('/src/audit/merkle.ts')) return 'Merkle tree';
  if (url.includes('/sync-server/audit/prepared-event.ts')) return 'event encode and hash (RFC 8785, SHA-256)';
  if (url.includes('/sync-server/audit/station-signatures.ts')) return 'event encode and hash (RFC 8785, SHA-256)';
  if (url.includes('/sync-server/audit/') || url.includes('/src/audit/subjects.ts')) return 'audit entries (encode, hash, subjects)';
  if (url.includes('/src/audit/canonical.ts') || url.includes('/node_modules/canonicalize/')) return null; // charged to its caller
  if (url.includes('/src/domain/')) return 'domain decisions (src/domain)';
  if (url.includes('/schemas/') || url.includes('/node_modules/ajv')) return 'schema validation';
  if (url.includes('/sync-server/sync/')) return 'push logic (sync-server/sync)';
  if (url.includes('/bench/') || url.includes('/tests/helpers/') || url.includes('undici')) return 'bench stations (fetch, JSON)';
  if (/node_modules\/(fastify|@fastify|avvio|find-my-way|light-my-request|secure-json-parse|fast-json-stringify|pino|prom-client)/.test(url) || url.includes('/sync-server/')) {
    return 'HTTP server (fastify, JSON parse, reply)';
  }
  if (url.startsWith('node:')) return null; // streams, timers, promises: charged to whoever is above
  return null;
}

/** Microseconds of samples per part (idle left out), and the total. */
export function breakdown(profile: CpuProfile): { byPart: Map<Part, number>; totalUs: number } {
  const parent = new Map<number, ProfileNode>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node);
  }
  const memo = new Map<number, Part | 'idle'>();
  const classify = (node: ProfileNode): Part | 'idle' => {
    const known = memo.get(node.id);
    if (known !== undefined) return known;
    let part: Part | 'idle';
    const name = node.callFrame.functionName;
    if (name === '(idle)') part = 'idle';
    else if (name === '(program)') part = 'other';
    else {
      const own = partOf(node.callFrame);
      if (own !== null) part = own;
      else {
        const up = parent.get(node.id);
        // Between the innermost known frame and the root only Node's plumbing: the sockets.
        if (up === undefined) part = 'other';
        else {
          const above = classify(up);
          part = above === 'other' && /^node:(net|_http|internal\/(stream|http|streams))/.test(node.callFrame.url) ? 'HTTP and sockets (both ends)' : above;
        }
      }
    }
    memo.set(node.id, part);
    return part;
  };
  const byPart = new Map<Part, number>(PARTS.map((p) => [p, 0]));
  let totalUs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, i) => {
    const node = byId.get(id);
    // A sample's time is the gap to the next one.
    const us = deltas[i + 1] ?? 0;
    if (node === undefined) return;
    const part = classify(node);
    if (part === 'idle') return;
    byPart.set(part, (byPart.get(part) ?? 0) + us);
    totalUs += us;
  });
  return { byPart, totalUs };
}

/**
 * The breakdown per event, largest first, as one line: `PGlite 80, decide 30, …` (µs). Samples are
 * taken on the wall clock, so on a loaded machine a thread waiting for a core inflates them: given
 * the thread's measured CPU (`cpuUs`), the parts are scaled to it.
 */
export function formatBreakdown(profile: CpuProfile, events: number, cpuUs?: number): string {
  const { byPart, totalUs } = breakdown(profile);
  const scale = cpuUs === undefined || !Number.isFinite(cpuUs) || totalUs === 0 ? 1 : cpuUs / totalUs;
  const parts = [...byPart].filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]);
  const what = scale === 1 ? 'busy (profile samples)' : 'of CPU (profile shares of the measured thread CPU)';
  return `main thread ${((totalUs * scale) / events).toFixed(0)} µs per event ${what}: ${parts.map(([part, us]) => `${part} ${((us * scale) / events).toFixed(1)}`).join(', ')}`;
}

/** Profiles the calling thread from now until `stop`, which returns the profile (and writes it to `file` if given). */
export async function startProfile(intervalUs = 200): Promise<{ stop: (file?: string) => Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      if (file !== undefined) await writeFile(file, JSON.stringify(profile));
      session.disconnect();
      return profile as CpuProfile;
    },
  };
}
