/**
 * The restore drill (docs/operations.md), on every store (restore-drill.pglite.test.ts,
 * restore-drill.pg.test.ts), over HTTP against the real server: stations push; the server backs up
 * while they push; they push more; the server is stopped and its store wiped; `npm run restore`
 * brings back the backup; the server starts; the stations sync by rule S23. Then every event any
 * station recorded is on the server once with one receipt, the views equal those of a server that
 * never failed, and `audit:verify` passes with the pinned key. Also: what a restore refuses.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { PullResponse } from '../../schemas/pull.ts';
import type { PushResponse } from '../../schemas/push.ts';
import type { Receipt } from '../../schemas/receipt.ts';
import { hashPin } from '../../src/auth/pin.ts';
import { toBase64 } from '../../src/audit/canonical.ts';
import { main as verifyCli } from '../../sync-server/audit/verify-cli.ts';
import { KEY_FILE } from '../../sync-server/audit/server-key.ts';
import { startServer, type RunningServer, type StartOptions } from '../../sync-server/main.ts';
import { main as backupCli } from '../../sync-server/ops/backup-cli.ts';
import { main as restoreCli } from '../../sync-server/ops/restore-cli.ts';
import { makeTempDir, send } from './harness.ts';
import { addWorkOrder, dropSchema, enrollStation, testDatabaseUrl, TestStation, type Backend } from './sync-fixture.ts';

/** A clock a test sets, forward or back, for the control server to receive events when the drill server did. */
function settableClock(start: string) {
  let time = new Date(start).getTime();
  return {
    now: () => new Date(time),
    advance(ms: number) {
      time += ms;
    },
    set(at: string) {
      time = new Date(at).getTime();
    },
  };
}

const T1 = '2026-11-20T08:00:00.000Z';
const T3 = '2026-11-21T07:00:00.000Z';

/**
 * A station as rule S23 has it: keeps every event it recorded and the last receipt of each; a pull
 * or push answer naming a restart it did not know sends it back to checkpoint 0 and makes it push
 * again every event after the server's `lastSeq`.
 */
class DrillStation {
  readonly events: StationEvent[] = [];
  readonly receipts = new Map<string, Receipt>();
  restarts = 0;
  constructor(public station: TestStation) {}

  record(event: StationEvent): StationEvent {
    this.events.push(event);
    return event;
  }

  private async catchUp(restart: NonNullable<PullResponse['restart']>): Promise<void> {
    this.restarts += 1;
    this.station.epoch = restart.epoch;
    this.station.checkpoint = 0;
    const missing = this.events.filter((event) => event.seq > restart.lastSeq);
    if (missing.length > 0) await this.push(missing);
  }

  /** Pushes; told of a restart, catches up, which pushes these events again with the others the server lacks. */
  async push(events: readonly StationEvent[]): Promise<void> {
    const answer = await this.station.push(events);
    if (answer.status !== 200) throw new Error(`push answered ${answer.status}: ${answer.text}`);
    const body: PushResponse = answer.body;
    for (const receipt of body.receipts) this.receipts.set(receipt.eventId, receipt);
    if (body.restart !== undefined && body.restart.epoch !== this.station.epoch) await this.catchUp(body.restart);
  }

  /** A pull from the station's checkpoint; a restart sends it back to 0 first. */
  async sync(): Promise<void> {
    const page = await this.station.pullPage(this.station.checkpoint);
    if (page.status !== 200) throw new Error(`pull answered ${page.status}: ${page.text}`);
    if (page.body.restart !== undefined && page.body.restart.epoch !== this.station.epoch) await this.catchUp(page.body.restart);
    const { receipts } = await this.station.pullAll();
    for (const receipt of receipts) this.receipts.set(receipt.eventId, receipt);
  }
}

export function runRestoreDrill(backend: Backend): void {
  // Several servers start and stop in each test; PGlite takes seconds to open on a busy machine.
  describe(`restore drill on ${backend}`, { timeout: 240_000 }, () => {
    const clock = settableClock(T1);
    const cleanups: Array<() => Promise<void>> = [];
    const fastPin = (pin: string) => hashPin(pin, 10_000);

    /** A place for a store: a data directory and, on PostgreSQL, a schema of its own. */
    async function place(name: string) {
      const dir = await makeTempDir(name);
      const schema = `travelog_${name.replace(/-/g, '_')}_${randomBytes(5).toString('hex')}`;
      cleanups.push(async () => {
        await dir.remove();
        if (backend === 'PostgreSQL') await dropSchema(schema);
      });
      const options: StartOptions = {
        port: 0,
        host: '127.0.0.1',
        dataDir: dir.path,
        hashPin: fastPin,
        now: clock.now,
        checkpointSeconds: 0,
        ...(backend === 'PostgreSQL' ? { databaseUrl: testDatabaseUrl(), databaseSchema: schema } : {}),
      };
      const env: NodeJS.ProcessEnv = backend === 'PostgreSQL' ? { DATABASE_URL: testDatabaseUrl(), DATABASE_SCHEMA: schema } : { DATA_DIR: dir.path };
      return { dir: dir.path, schema, options, env };
    }

    async function wipe(where: Awaited<ReturnType<typeof place>>): Promise<void> {
      if (backend === 'PostgreSQL') await dropSchema(where.schema);
      else for (const name of readdirSync(where.dir)) await import('node:fs/promises').then((fs) => fs.rm(join(where.dir, name), { recursive: true, force: true }));
    }

    /** Every view of a server by id, without its server sequence number. */
    async function viewsOf(server: RunningServer): Promise<Map<string, unknown>> {
      const page = await server.store.viewsSince(0, 1_000_000);
      return new Map(page.documents.map((doc) => [doc.id, doc.data]));
    }

    /** Runs a command line, its printed lines captured. */
    async function run(cli: (args: string[], env: NodeJS.ProcessEnv) => Promise<number>, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
      const out: string[] = [];
      const err: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' ')));
      const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
      try {
        return { code: await cli(args, env), out: out.join('\n'), err: err.join('\n') };
      } finally {
        log.mockRestore();
        error.mockRestore();
      }
    }

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    let servers: RunningServer[] = [];
    afterEach(async () => {
      for (const server of servers) await server.close();
      servers = [];
    });

    it('loses nothing: events recorded after the backup come back from the stations, once each, and the log verifies', async () => {
      clock.set(T1);
      const drill = await place('drill');
      const backups = await makeTempDir('drill-backups');
      const keys = await makeTempDir('drill-key');
      cleanups.push(backups.remove, keys.remove);
      let server = await startServer({ ...drill.options, backups: { dir: backups.path, everyMs: 86_400_000, keep: 5 } });
      servers.push(server);
      // The key is backed up on its own (docs/operations.md); the drill wipes the data directory.
      const keyCopy = join(keys.path, 'audit-key.pem');
      if (backend === 'PGlite') copyFileSync(join(drill.dir, KEY_FILE), keyCopy);
      else writeFileSync(keyCopy, server.auditKey.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      const pinnedKey = toBase64(server.auditKey.publicKey);

      const { workOrderId, units } = await addWorkOrder(server, 'WO-DRILL-1', { units: 3 });
      const millStation = await enrollStation(server, clock, 'Mill tablet');
      const latheStation = await enrollStation(server, clock, 'Lathe tablet');
      const mill = new DrillStation(millStation);
      const lathe = new DrillStation(latheStation);
      // The plant before any event: the control server starts from it.
      const before = await server.backupNow!();

      // Phase 1: pushed before the backup.
      const phase1Mill = [
        mill.record(millStation.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')),
        mill.record(millStation.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')),
        mill.record(millStation.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP20', 'B')),
      ];
      const phase1Lathe = [lathe.record(latheStation.step('op.started', 'B-1005', workOrderId, units[1]!, 'OP10', 'D'))];
      await mill.push(phase1Mill);
      await lathe.push(phase1Lathe);
      await mill.sync();
      await lathe.sync();

      // The backup, taken while a station pushes: that event is in it or comes back later; either way it is not lost.
      const during = mill.record(millStation.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP20', 'B'));
      const [backup] = await Promise.all([server.backupNow!(), mill.push([during])]);
      expect(backup.backup.header).toMatchObject({ format: 'travelog-backup', store: backend });
      expect(backup.backup.header.log.size).toBeGreaterThan(0);

      // Phase 2: after the backup; a conflict among them (two completions of one operation).
      clock.advance(3_600_000);
      const phase2Mill = [
        mill.record(millStation.step('op.started', 'B-1001', workOrderId, units[2]!, 'OP10', 'D')),
        mill.record(millStation.step('op.completed', 'B-1001', workOrderId, units[2]!, 'OP10', 'D')),
      ];
      const phase2Lathe = [
        lathe.record(latheStation.step('op.completed', 'B-1005', workOrderId, units[1]!, 'OP10', 'D')),
        lathe.record(latheStation.step('op.completed', 'B-1005', workOrderId, units[2]!, 'OP10', 'D')),
      ];
      await mill.push(phase2Mill);
      await lathe.push(phase2Lathe);
      expect(lathe.receipts.get(phase2Lathe[1]!.id)).toMatchObject({ outcome: 'flagged', flags: ['duplicate-completion'] });
      await mill.sync();
      await lathe.sync();
      const checkpointsBefore = [millStation.checkpoint, latheStation.checkpoint];

      // The server dies; its store is wiped; the backup is restored with the key kept apart.
      await server.close();
      servers = [];
      await wipe(drill);
      const restored = await run(restoreCli, ['--in', backup.path, '--key', keyCopy], drill.env);
      expect(restored.err).toBe('');
      expect(restored.code).toBe(0);
      expect(restored.out).toContain(`audit log size ${backup.backup.header.log.size}`);

      clock.set(T3);
      // Where the stations know it to be.
      server = await startServer({ ...drill.options, port: Number(new URL(server.url).port) });
      servers.push(server);
      const hadDuring = (await server.store.locked((tx) => tx.stationLastSeq(millStation.id))) >= during.seq;

      // The mill records one more event and pushes it first: the server answers with the restart, stores nothing, and the mill catches up.
      const afterRestore = mill.record(millStation.step('op.started', 'B-1001', workOrderId, units[1]!, 'OP20', 'B'));
      const refused = await millStation.push([afterRestore]);
      expect(refused.status).toBe(200);
      expect(refused.body.receipts).toEqual([]);
      expect(refused.body.restart?.lastSeq).toBe(hadDuring ? during.seq : phase1Mill.at(-1)!.seq);
      await mill.push([afterRestore]);
      await mill.sync();
      // The lathe pulls first and learns of the restart there.
      await lathe.sync();
      expect([mill.restarts, lathe.restarts]).toEqual([1, 1]);
      // Both started again from 0 and now hold checkpoints of the new numbering.
      await mill.sync();
      const sequence = await server.store.sequence();
      expect([millStation.checkpoint, latheStation.checkpoint]).toEqual([sequence, sequence]);
      expect(checkpointsBefore.every((checkpoint) => checkpoint > 0)).toBe(true);

      // Every event any station recorded is on the server once, each with one receipt.
      for (const station of [mill, lathe]) {
        const held = station.events.map((event) => event.id).sort();
        const rows = await server.store.sql.query<{ id: string }>('SELECT id FROM events WHERE station_id = $1 ORDER BY id', [station.station.id]);
        expect(rows.map((row) => row.id)).toEqual(held);
        const receipts = await server.store.receiptsFor(station.station.id, 0, Number.MAX_SAFE_INTEGER);
        expect(receipts.map((receipt) => receipt.eventId).sort()).toEqual(held);
        expect([...station.receipts.keys()].sort()).toEqual(held);
        for (const receipt of receipts) expect(station.receipts.get(receipt.eventId)).toEqual(receipt);
      }
      expect(await server.store.sql.query('SELECT * FROM refused_receipts')).toEqual([]);
      expect(lathe.receipts.get(phase2Lathe[1]!.id)).toMatchObject({ outcome: 'flagged', flags: ['duplicate-completion'] });

      // The restore is a signed entry naming the backup; the stations were told its id.
      const [entryRow] = await server.store.sql.query<{ entry: string }>("SELECT entry FROM audit_entries WHERE kind = 'log.restored'");
      const entry = JSON.parse(entryRow!.entry) as AuditEntry;
      expect(entry.index).toBe(backup.backup.header.log.size);
      expect(entry.subject).toMatchObject({ restoreId: millStation.epoch, backup: { logSize: backup.backup.header.log.size, logRoot: backup.backup.header.log.root, sha256: backup.backup.sha256 } });
      expect(latheStation.epoch).toBe(millStation.epoch);

      // audit:verify passes end to end, trusting only the key pinned before the disaster.
      const verified = await run(verifyCli, ['--url', server.url, '--credential', millStation.credential, '--key', pinnedKey], {});
      expect(verified.err).toBe('');
      expect(verified.code).toBe(0);
      expect(verified.out).toMatch(/^OK: /);
      const drillViews = await viewsOf(server);

      // A server that never failed: the plant before any event, then the same pushes at the same times.
      const control = await place('control');
      const restoredControl = await run(restoreCli, ['--in', before.path, '--key', keyCopy], control.env);
      expect(restoredControl.code).toBe(0);
      // On PostgreSQL the key lives outside the database: the server is pointed at it (AUDIT_KEY_FILE).
      const controlServer = await startServer({ ...control.options, ...(backend === 'PostgreSQL' ? { auditKeyFile: keyCopy } : {}) });
      servers.push(controlServer);
      const twin = (station: DrillStation) => new TestStation(controlServer.url, station.station.id, station.station.credential, clock, station.station.key);
      const [millTwin, latheTwin] = [twin(mill), twin(lathe)];
      for (const station of [millTwin, latheTwin]) station.epoch = (await station.pullPage(0)).body.restart?.epoch;
      clock.set(T1);
      await millTwin.pushOk(phase1Mill);
      await latheTwin.pushOk(phase1Lathe);
      if (hadDuring) await millTwin.pushOk([during]);
      clock.set(T3);
      await millTwin.pushOk([...(hadDuring ? [] : [during]), ...phase2Mill, afterRestore]);
      await latheTwin.pushOk(phase2Lathe);
      const controlViews = await viewsOf(controlServer);
      expect(drillViews.size).toBe(controlViews.size);
      expect(Object.fromEntries(drillViews)).toEqual(Object.fromEntries(controlViews));
    });

    describe('what a restore refuses', () => {
      let source: Awaited<ReturnType<typeof place>>;
      let backupPath: string;
      let keyFile: string;
      let files: string;

      beforeAll(async () => {
        clock.set(T1);
        source = await place('refusals');
        const dir = await makeTempDir('refusal-files');
        files = dir.path;
        cleanups.push(dir.remove);
        const server = await startServer({ ...source.options, backups: { dir: files, everyMs: 86_400_000, keep: 2 } });
        try {
          await enrollStation(server, clock, 'Bench tablet');
          backupPath = (await server.backupNow!()).path;
          keyFile = join(files, 'audit-key.pem');
          writeFileSync(keyFile, server.auditKey.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
          if (backend === 'PGlite') {
            // The server holds its PGlite directory: the command refuses to open it.
            const held = await run(backupCli, ['--out', join(files, 'cli.backup.gz')], source.env);
            expect(held.code).toBe(1);
            expect(held.err).toMatch(/The server \(pid \d+\) holds/);
            expect(existsSync(join(files, 'cli.backup.gz'))).toBe(false);
          } else {
            // PostgreSQL is backed up by the command while the server runs.
            const online = await run(backupCli, ['--out', join(files, 'cli.backup.gz')], source.env);
            expect(online.err).toBe('');
            expect(online.code).toBe(0);
            expect(online.out).toContain('checked');
          }
        } finally {
          await server.close();
        }
        if (backend === 'PGlite') {
          const stopped = await run(backupCli, ['--out', join(files, 'cli.backup.gz')], source.env);
          expect(stopped.code).toBe(0);
        }
      }, 120_000);

      /** The target's tables, to show a refused restore left it as it was. */
      async function tablesIn(where: Awaited<ReturnType<typeof place>>): Promise<string[]> {
        if (backend === 'PGlite') return existsSync(join(where.dir, 'pglite')) ? readdirSync(join(where.dir, 'pglite')) : [];
        const pg = await import('pg');
        const client = new pg.default.Client({ connectionString: testDatabaseUrl() });
        await client.connect();
        try {
          const rows = await client.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [where.schema]);
          return rows.rows.map((row) => row.name).sort();
        } finally {
          await client.end();
        }
      }

      it('checks a backup it is given, and the command-line backup restores as well', async () => {
        const checked = await run(backupCli, ['--check', join(files, 'cli.backup.gz')], {});
        expect(checked.code).toBe(0);
        expect(checked.out).toMatch(/audit log size \d+, root [0-9a-f]{64}/);
        const target = await place('cli-restore');
        expect((await run(restoreCli, ['--in', join(files, 'cli.backup.gz'), '--key', keyFile], target.env)).code).toBe(0);
        const server = await startServer({ ...target.options, ...(backend === 'PostgreSQL' ? { auditKeyFile: keyFile } : {}) });
        servers.push(server);
        expect((await send(server.url, '/api/ready')).body).toEqual({ status: 'ready' });
        expect((await server.store.listStations()).map((station) => station.name)).toEqual(['Bench tablet']);
      });

      it('refuses a target that is not empty, and changes nothing in it', async () => {
        const target = await place('not-empty');
        const server = await startServer(target.options);
        const views = await server.store.countViews();
        await server.close();
        const tables = await tablesIn(target);
        const answer = await run(restoreCli, ['--in', backupPath, '--key', keyFile], target.env);
        expect(answer.code).toBe(1);
        expect(answer.err).toMatch(/not empty/);
        expect(await tablesIn(target)).toEqual(tables);
        const again = await startServer(target.options);
        servers.push(again);
        expect(await again.store.countViews()).toBe(views);
      });

      it('refuses a damaged file, a foreign file and the wrong key, and leaves the target empty', async () => {
        const target = await place('refused');
        const whole = readFileSync(backupPath);
        const cut = join(files, 'cut.gz');
        writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
        const flipped = join(files, 'flipped.gz');
        // A changed row, still valid gzip and JSON: only the trailer's hash tells.
        const text = (await import('node:zlib')).gunzipSync(whole).toString('utf8').replace('"Bench tablet"', '"Bench tablex"');
        writeFileSync(flipped, gzipSync(text));
        const foreign = join(files, 'foreign.gz');
        writeFileSync(foreign, gzipSync('{"hello":"world"}\n'));
        const plain = join(files, 'plain.txt');
        writeFileSync(plain, 'not a backup at all');
        const otherKey = join(files, 'other-key.pem');
        const { generateKeyPairSync } = await import('node:crypto');
        writeFileSync(otherKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));

        const cases: Array<[string[], RegExp]> = [
          [['--in', cut, '--key', keyFile], /damaged|cut short/],
          [['--in', flipped, '--key', keyFile], /damaged: its content does not match the SHA-256/],
          [['--in', foreign, '--key', keyFile], /not a Travelog backup/],
          [['--in', plain, '--key', keyFile], /not a Travelog backup/],
          [['--in', backupPath, '--key', otherKey], /not the key the backed-up log signs with/],
          [['--in', backupPath], /Name the audit key file with --key/],
          [['--in', join(files, 'missing.gz'), '--key', keyFile], /does not exist/],
        ];
        for (const [args, message] of cases) {
          const answer = await run(restoreCli, args, target.env);
          expect(answer.code, args.join(' ')).toBe(1);
          expect(answer.err).toMatch(message);
          expect(await tablesIn(target)).toEqual([]);
        }
        expect((await run(restoreCli, [], target.env)).code).toBe(2);
        // Still restorable afterwards.
        expect((await run(restoreCli, ['--in', backupPath, '--key', keyFile], target.env)).code).toBe(0);
      });

      it('keeps the newest backups of the schedule', async () => {
        const target = await place('schedule');
        const dir = await makeTempDir('schedule-backups');
        cleanups.push(dir.remove);
        const server = await startServer({ ...target.options, backups: { dir: dir.path, everyMs: 86_400_000, keep: 2 } });
        servers.push(server);
        const written: string[] = [];
        for (let i = 0; i < 4; i++) {
          clock.advance(60_000);
          written.push((await server.backupNow!()).path);
        }
        expect(readdirSync(dir.path).sort()).toEqual(written.slice(2).map((path) => path.slice(dir.path.length + 1)).sort());
      });
    });
  });
}

