/**
 * Integration changes asked of the running server (docs/ncr.md, *Integration credentials*). A
 * PGlite store belongs to one process, so while the server runs `npm run integration -- create|
 * revoke` does not open it: it writes a request file into `DATA_DIR/integration-requests/` and the
 * server, which polls that directory, makes the change with its audit entry in one transaction and
 * writes the answer beside it (the new credential included, owner-only, read once and deleted by
 * the CLI). Whoever may write DATA_DIR may already stop the server and open its store, so the file
 * system is the authentication, as it is for a backup or a restore; no route or token is added.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Store } from '../store/store.ts';
import type { Integration } from './integrations.ts';
import { createIntegrationAudited, revokeIntegrationAudited } from './integrations.ts';

export const REQUESTS_DIR = 'integration-requests';

/** What the CLI asks. */
export type IntegrationRequest = { command: 'create'; name: string; programs: string[]; by: string } | { command: 'revoke'; name: string; by: string };

/** What the server answers: the change made (and a new integration's credential, shown once), or why not. */
export type IntegrationAnswer = { ok: true; integration: Integration; credential?: string } | { ok: false; message: string };

const REQUEST = /^([0-9a-f-]{36})\.request\.json$/;

/** Carries out one request; a refusal is an answer, never a throw. */
export async function carryOut(store: Pick<Store, 'locked'>, audit: AuditLog, request: IntegrationRequest, at: Date): Promise<IntegrationAnswer> {
  try {
    if (request.command === 'create') {
      const { integration, credential } = await createIntegrationAudited(store, audit, request, at);
      return { ok: true, integration, credential };
    }
    const revoked = await revokeIntegrationAudited(store, audit, request, at);
    return revoked === null ? { ok: false, message: `there is no integration named ${request.name} that is not revoked` } : { ok: true, integration: revoked };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function parseRequest(text: string): IntegrationRequest | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const str = (key: string): string | null => (typeof value[key] === 'string' ? value[key] : null);
    const name = str('name');
    const by = str('by');
    if (name === null || by === null) return null;
    if (value['command'] === 'revoke') return { command: 'revoke', name, by };
    const programs = value['programs'];
    if (value['command'] === 'create' && Array.isArray(programs) && programs.every((p) => typeof p === 'string')) return { command: 'create', name, programs, by };
    return null;
  } catch {
    return null;
  }
}

/** Writes a file owner-only, whole or not at all (written aside, then renamed). */
async function writePrivate(path: string, text: string): Promise<void> {
  const aside = `${path}.${randomUUID()}.tmp`;
  await writeFile(aside, text, { mode: 0o600 });
  await chmod(aside, 0o600);
  await rename(aside, path);
}

/** Handles every request waiting in the directory once; returns how many. */
export async function handleIntegrationRequests(dataDir: string, store: Pick<Store, 'locked'>, audit: AuditLog, now: () => Date): Promise<number> {
  const dir = join(dataDir, REQUESTS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let handled = 0;
  for (const name of names) {
    const id = REQUEST.exec(name)?.[1];
    if (id === undefined) continue;
    const path = join(dir, name);
    const text = await readFile(path, 'utf8').catch(() => null);
    await rm(path, { force: true });
    if (text === null) continue;
    const request = parseRequest(text);
    const answer: IntegrationAnswer = request === null ? { ok: false, message: 'the request file is not a create or revoke request' } : await carryOut(store, audit, request, now());
    await writePrivate(join(dir, `${id}.answer.json`), JSON.stringify(answer));
    handled += 1;
  }
  return handled;
}

/** Polls the request directory while the server runs. */
export function watchIntegrationRequests(options: { dataDir: string; store: Pick<Store, 'locked'>; audit: AuditLog; now: () => Date; intervalMs?: number; onError?: (error: unknown) => void }): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    handleIntegrationRequests(options.dataDir, options.store, options.audit, options.now)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? 500);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Asks the server running on `dataDir` and waits for its answer (at most `timeoutMs`). */
export async function askRunningServer(dataDir: string, request: IntegrationRequest, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<IntegrationAnswer> {
  const dir = join(dataDir, REQUESTS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  await writePrivate(join(dir, `${id}.request.json`), JSON.stringify(request));
  const answerPath = join(dir, `${id}.answer.json`);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    const text = await readFile(answerPath, 'utf8').catch(() => null);
    if (text !== null) {
      await rm(answerPath, { force: true });
      return JSON.parse(text) as IntegrationAnswer;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
  await rm(join(dir, `${id}.request.json`), { force: true });
  return { ok: false, message: `the running server did not answer within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s; nothing was changed if the request was still waiting` };
}
