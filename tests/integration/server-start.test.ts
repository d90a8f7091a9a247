/**
 * Starting the server as it runs in a plant: on PGlite across a restart, on PostgreSQL, and as a
 * process (`tsx sync-server/main.ts`) that logs its URL and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrollResponse } from '../../schemas/enroll.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import type { PullResponse } from '../../schemas/pull.ts';
import { startServer } from '../../sync-server/main.ts';
import { makeTempDir, send } from './harness.ts';
import { testKey } from '../helpers/signing.ts';
import { testDatabaseUrl } from '../helpers/test-database.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const databaseUrl = testDatabaseUrl();
const enrollBody = { protocolVersion: PROTOCOL_VERSION, stationName: 'Start test', supervisorBadge: 'B-3001', pin: '9999', publicKey: testKey().publicKey, keyAlg: 'Ed25519' };

let dataDir: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  dataDir = await makeTempDir('start');
});

afterAll(async () => {
  await dataDir?.remove();
});

describe('startServer', () => {
  it('seeds an empty PGlite store once, and keeps stations and views across a restart', async () => {
    const first = await startServer({ port: 0, host: '127.0.0.1', dataDir: dataDir.path });
    let credential: string;
    let views: number;
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      credential = (await send<EnrollResponse>(first.url, '/api/stations/enroll', { body: enrollBody })).body.credential;
      views = await first.store.countViews();
      expect(views).toBeGreaterThan(50);
    } finally {
      await first.close();
    }

    const second = await startServer({ port: 0, host: '127.0.0.1', dataDir: dataDir.path });
    try {
      expect(await second.store.countViews()).toBe(views);
      const pulled = await send<PullResponse>(second.url, '/api/sync/pull', { body: { protocolVersion: PROTOCOL_VERSION, checkpoint: 0 }, credential });
      expect(pulled.status).toBe(200);
      // Not seeded again: the sequence ends where the first seed left it.
      expect(pulled.body.checkpoint).toBe(views);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('runs on PostgreSQL when given a database URL', async () => {
    const schema = `travelog_start_${randomBytes(6).toString('hex')}`;
    const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: dataDir.path, databaseUrl, databaseSchema: schema });
    try {
      const enrolled = await send<EnrollResponse>(server.url, '/api/stations/enroll', { body: enrollBody });
      expect(enrolled.status).toBe(201);
      const pulled = await send<PullResponse>(server.url, '/api/sync/pull', { body: { protocolVersion: PROTOCOL_VERSION, checkpoint: 0 }, credential: enrolled.body.credential });
      expect(pulled.body.documents).toHaveLength(await server.store.countViews());
      expect(pulled.body.hasMore).toBe(false);
    } finally {
      await server.close();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }, 60_000);
});

describe('tsx sync-server/main.ts', () => {
  it('listens on PORT, logs its URL, and exits 0 on SIGTERM', async () => {
    const processDir = await makeTempDir('main');
    const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: processDir.path, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
      });
      expect((await send(url, '/api/health')).body).toMatchObject({ status: 'ok' });
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await processDir.remove();
    }
  }, 60_000);
});
