/**
 * Starts the sync server: opens the store (PGlite under DATA_DIR, or PostgreSQL at DATABASE_URL),
 * migrates it, seeds the demo plant into an empty one, and listens. Run directly with
 * `tsx sync-server/main.ts`; env PORT (8080), HOST (0.0.0.0), DATA_DIR (./data), DATABASE_URL, and
 * TRAVELOG_DEFAULT_PROGRAMS: the programs a newly enrolled station is cleared for, comma-separated
 * (e.g. `COMMERCIAL`); unset, a new station is cleared for every program of the plant's work orders
 * at enrollment. A station sees and records work only of programs it is cleared for.
 */
import type { FastifyServerOptions } from 'fastify';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AUDIT_ORIGIN, buildServer } from './app.ts';
import { loadOrCreateServerKey, type ServerKey } from './audit/server-key.ts';
import { DEFAULT_BACKUP_KEEP, scheduleBackups, type BackupSchedule, type ScheduledBackups } from './ops/backup-schedule.ts';
import { parseDuration } from './ops/duration.ts';
import { holdDataDir } from './ops/store-target.ts';
import { serverLogger } from './ops/logging.ts';
import { seedDemoPlant, type DemoPlantOptions } from './seed/demo-plant.ts';
import { openStore, type Store } from './store/store.ts';
import type { QmsLink, QmsLinkOptions } from './qms/link.ts';
import { watchIntegrationRequests } from './qms/integration-requests.ts';
import type { PlantService } from './sync/plant-service.ts';

/** Options of {@link startServer}. */
export interface StartOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Where PGlite keeps its data (`${dataDir}/pglite`); unused with `databaseUrl`. */
  dataDir: string;
  /** `postgres://…` to use PostgreSQL instead of PGlite. */
  databaseUrl?: string;
  /** The PostgreSQL schema to work in; the connection's default search path unless given. */
  databaseSchema?: string;
  /** The built PWA to serve. */
  staticDir?: string;
  now?: () => Date;
  bodyLimit?: number;
  /** See ServerOptions.defaultPrograms. */
  defaultPrograms?: readonly string[];
  /** See ServerOptions.heartbeatMs. */
  heartbeatMs?: number;
  /** How the demo plant's roster PINs are hashed when seeding; `hashPin` unless given (tests pass a cheaper one). */
  hashPin?: DemoPlantOptions['hashPin'];
  logger?: FastifyServerOptions['logger'];
  /** The audit key file; `${dataDir}/audit-key.pem` (made at first start, mode 0600) unless given. */
  auditKeyFile?: string;
  /** See ServerOptions.checkpointEvery and checkpointSeconds. */
  checkpointEvery?: number;
  checkpointSeconds?: number;
  /** See ServerOptions.metricsToken. */
  metricsToken?: string;
  /** See ServerOptions.stationSilentAfterMs. */
  stationSilentAfterMs?: number;
  /** See ServerOptions.requestTimeoutMs. */
  requestTimeoutMs?: number;
  /** The QMS link (MRB_DECIDES, QMS_WEBHOOK_*); see ServerOptions.qms. */
  qms?: QmsLinkOptions;
  /** Backups the server takes itself (BACKUP_DIR, BACKUP_EVERY, BACKUP_KEEP); none unless given. */
  backups?: BackupSchedule;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  store: Store;
  /** The authority over the plant (its state; new revisions of master data). */
  plant: PlantService;
  /** The key signing the audit log (a second server on the same store must use it too). */
  auditKey: ServerKey;
  /** How many live streams are open. */
  liveStreams(): number;
  /** The QMS link: its outbox (tests run it by hand). */
  qms?: QmsLink;
  /** Takes a backup into the backup directory now (as the schedule does); absent without `backups`. */
  backupNow?: ScheduledBackups['takeNow'];
  /** Stops listening, lets requests in flight finish, and closes the store. */
  close(): Promise<void>;
}

/** Opens, migrates and seeds the store, and listens. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  // A PGlite directory has one process; backup and restore commands look for this mark.
  const release = options.databaseUrl === undefined ? (mkdirSync(options.dataDir, { recursive: true }), holdDataDir(options.dataDir)) : () => undefined;
  let store: Store;
  try {
    store =
      options.databaseUrl === undefined
        ? await openStore({ dataDir: options.dataDir })
        : await openStore({ databaseUrl: options.databaseUrl, ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }) });
  } catch (error) {
    release();
    throw error;
  }
  try {
    await seedDemoPlant(store, {
      ...(options.now === undefined ? {} : { now: options.now() }),
      ...(options.hashPin === undefined ? {} : { hashPin: options.hashPin }),
    });
    const auditKey = loadOrCreateServerKey({ dataDir: options.dataDir, keyName: AUDIT_ORIGIN, ...(options.auditKeyFile === undefined ? {} : { keyFile: options.auditKeyFile }) });
    const app = await buildServer({
      store,
      auditKey,
      ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery }),
      ...(options.checkpointSeconds === undefined ? {} : { checkpointSeconds: options.checkpointSeconds }),
      ...(options.staticDir === undefined ? {} : { staticDir: options.staticDir }),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
      ...(options.defaultPrograms === undefined ? {} : { defaultPrograms: options.defaultPrograms }),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
      ...(options.stationSilentAfterMs === undefined ? {} : { stationSilentAfterMs: options.stationSilentAfterMs }),
      ...(options.qms === undefined ? {} : { qms: options.qms }),
    });
    const backups =
      options.backups === undefined
        ? undefined
        : scheduleBackups({ ...options.backups, sql: store.sql, store: options.databaseUrl === undefined ? 'PGlite' : 'PostgreSQL', now: options.now ?? (() => new Date()), log: app.log });
    if (backups !== undefined) app.addHook('onClose', (_instance, done) => {
      backups.stop();
      done();
    });
    // `npm run integration -- create|revoke` asks the running server through DATA_DIR (docs/ncr.md).
    const audit = app.plant.audit;
    if (audit !== null) {
      const requests = watchIntegrationRequests({
        dataDir: options.dataDir, store, audit, now: options.now ?? (() => new Date()),
        onError: (error) => app.log.warn({ err: error }, 'could not handle an integration request'),
      });
      app.addHook('onClose', (_instance, done) => {
        requests.stop();
        done();
      });
    }
    await app.listen({ port: options.port, host: options.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    // A wildcard address is not a place to browse to; name the loopback instead.
    const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host.includes(':') ? `[${options.host}]` : options.host;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${shownHost}:${port}`,
      store,
      plant: app.plant,
      auditKey: app.plant.audit?.key() ?? auditKey,
      liveStreams: () => app.live.size(),
      qms: app.qms,
      ...(backups === undefined ? {} : { backupNow: () => backups.takeNow() }),
      close: () =>
        (closing ??= (async () => {
          try {
            await app.close();
          } finally {
            await store.close();
            release();
          }
        })()),
    };
  } catch (error) {
    await store.close();
    release();
    throw error;
  }
}

function isRunDirectly(): boolean {
  const script = process.argv[1];
  return script !== undefined && import.meta.url === pathToFileURL(resolve(script)).href;
}

/** BACKUP_DIR with BACKUP_EVERY (and BACKUP_KEEP, 7 unless set): the server's own backups. */
function backupsFromEnv(env: NodeJS.ProcessEnv): { backups?: BackupSchedule } {
  const dir = env['BACKUP_DIR'];
  if (dir === undefined || dir === '') return {};
  const every = env['BACKUP_EVERY'];
  if (every === undefined || every === '') throw new Error('BACKUP_DIR is set: set BACKUP_EVERY too (e.g. 24h)');
  const keep = env['BACKUP_KEEP'] === undefined ? DEFAULT_BACKUP_KEEP : Number(env['BACKUP_KEEP']);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`BACKUP_KEEP must be a whole number of backups, 1 or more, got "${env['BACKUP_KEEP']}"`);
  return { backups: { dir: resolve(dir), everyMs: parseDuration(every, 'BACKUP_EVERY'), keep } };
}

/** MRB_DECIDES (travelog or qms) and the webhook: QMS_WEBHOOK_URL with QMS_WEBHOOK_SECRET (or QMS_WEBHOOK_SECRET_FILE). */
export function qmsFromEnv(env: NodeJS.ProcessEnv): QmsLinkOptions {
  const mode = env['MRB_DECIDES'] === undefined || env['MRB_DECIDES'] === '' ? 'travelog' : env['MRB_DECIDES'];
  if (mode !== 'travelog' && mode !== 'qms') throw new Error(`MRB_DECIDES must be travelog or qms, got "${mode}"`);
  const url = env['QMS_WEBHOOK_URL'];
  if (url === undefined || url === '') return { mrbDecides: mode };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('QMS_WEBHOOK_URL is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('QMS_WEBHOOK_URL must be http: or https:');
  const file = env['QMS_WEBHOOK_SECRET_FILE'];
  const secret = (file !== undefined && file !== '' ? readFileSync(resolve(file), 'utf8') : env['QMS_WEBHOOK_SECRET'] ?? '').trim();
  if (secret.length < 16) throw new Error('QMS_WEBHOOK_URL is set: set QMS_WEBHOOK_SECRET (or QMS_WEBHOOK_SECRET_FILE) to a secret of 16 characters or more');
  const timeout = env['QMS_WEBHOOK_TIMEOUT'];
  return { mrbDecides: mode, webhook: { url, secret, ...(timeout === undefined || timeout === '' ? {} : { timeoutMs: parseDuration(timeout, 'QMS_WEBHOOK_TIMEOUT') }) } };
}

async function runFromCommandLine(): Promise<void> {
  const env = process.env;
  const port = Number(env['PORT'] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env['PORT']}"`);
  const databaseUrl = env['DATABASE_URL'];
  const programs = env['TRAVELOG_DEFAULT_PROGRAMS']?.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const staticDir = resolve('dist');
  const hasApp = existsSync(join(staticDir, 'index.html'));
  if (!hasApp) console.warn(`No built app in ${staticDir} (run \`npm run build\`); serving the API only`);
  const server = await startServer({
    port,
    host: env['HOST'] ?? '0.0.0.0',
    dataDir: resolve(env['DATA_DIR'] ?? './data'),
    ...(databaseUrl === undefined || databaseUrl === '' ? {} : { databaseUrl }),
    ...(databaseUrl === undefined || databaseUrl === '' || env['DATABASE_SCHEMA'] === undefined || env['DATABASE_SCHEMA'] === '' ? {} : { databaseSchema: env['DATABASE_SCHEMA'] }),
    ...(hasApp ? { staticDir } : {}),
    ...(programs === undefined ? {} : { defaultPrograms: programs }),
    ...(env['AUDIT_KEY_FILE'] === undefined || env['AUDIT_KEY_FILE'] === '' ? {} : { auditKeyFile: resolve(env['AUDIT_KEY_FILE']) }),
    ...(env['AUDIT_CHECKPOINT_EVERY'] === undefined ? {} : { checkpointEvery: Number(env['AUDIT_CHECKPOINT_EVERY']) }),
    ...(env['AUDIT_CHECKPOINT_SECONDS'] === undefined ? {} : { checkpointSeconds: Number(env['AUDIT_CHECKPOINT_SECONDS']) }),
    ...(env['METRICS_TOKEN'] === undefined || env['METRICS_TOKEN'] === '' ? {} : { metricsToken: env['METRICS_TOKEN'] }),
    ...(env['STATION_SILENT_AFTER'] === undefined ? {} : { stationSilentAfterMs: parseDuration(env['STATION_SILENT_AFTER'], 'STATION_SILENT_AFTER') }),
    ...backupsFromEnv(env),
    qms: qmsFromEnv(env),
    logger: serverLogger(env['LOG_LEVEL'] ?? 'info'),
  });
  console.log(`Travelog sync server listening on ${server.url}`);
  const shutdown = (signal: string): void => {
    console.log(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (isRunDirectly()) {
  runFromCommandLine().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
