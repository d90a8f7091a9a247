/**
 * Two server processes on one PostgreSQL: each decides under the server sequence's lock, and one
 * whose plant is stale (the other wrote since) rebuilds it from the views before deciding; a commit
 * on one wakes the live streams of the other's stations (LISTEN/NOTIFY).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../sync-server/app.ts';
import { openStore, type Store } from '../../sync-server/store/store.ts';
import pg from 'pg';
import { readUntil, testClock } from './harness.ts';
import { enrollStation, startSyncServer, testDatabaseUrl, TestStation, type SyncFixture } from './sync-fixture.ts';

const clock = testClock('2026-11-20T08:00:00.000Z');
let fixture: SyncFixture;
let secondStore: Store;
let second: FastifyInstance;
let secondUrl: string;

beforeAll(async () => {
  fixture = await startSyncServer('PostgreSQL', { now: clock.now });
  secondStore = await openStore({ databaseUrl: testDatabaseUrl(), schema: fixture.schema });
  second = await buildServer({ store: secondStore, now: clock.now, auditKey: fixture.server.auditKey });
  secondUrl = await second.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await second?.close();
  await secondStore?.close();
  await fixture?.dispose();
});

describe('two servers sharing one PostgreSQL', () => {
  it('decide in one order: the second sees what the first committed', async () => {
    const a = await enrollStation(fixture.server, clock, 'On server A');
    const enrolled = await enrollStation(fixture.server, clock, 'On server B');
    const b = new TestStation(secondUrl, enrolled.id, enrolled.credential, clock, enrolled.key);
    const unit = { kind: 'serial', serial: 'SN-1006-01' } as const;
    const [first] = await a.pushOk([a.step('op.completed', 'B-1001', 'WO-1006', unit, 'OP10', 'D')]);
    const [duplicate] = await b.pushOk([b.step('op.completed', 'B-1005', 'WO-1006', unit, 'OP10', 'D')]);
    expect(first?.outcome).toBe('accepted');
    expect(duplicate).toMatchObject({ outcome: 'flagged', flags: ['duplicate-completion'] });
    expect(duplicate!.serverSeq).toBeGreaterThan(first!.visibleAt);
    // And back: A learns of B's conflict item before deciding again.
    const [again] = await a.pushOk([a.step('op.completed', 'B-1001', 'WO-1006', unit, 'OP10', 'D')]);
    expect(again).toMatchObject({ outcome: 'flagged', flags: ['duplicate-completion'] });
    expect(fixture.server.plant.state().conflicts.has(`CF-${duplicate!.eventId}-duplicate-completion`)).toBe(true);
  });

  it('number concurrent batches on both servers without gaps or repeats', async () => {
    const a = await enrollStation(fixture.server, clock, 'A2');
    const enrolled = await enrollStation(fixture.server, clock, 'B2');
    const b = new TestStation(secondUrl, enrolled.id, enrolled.credential, clock, enrolled.key);
    const before = await fixture.server.store.sequence();
    const pushes = Array.from({ length: 6 }, (_, i) => {
      const station = i % 2 === 0 ? a : b;
      return station.pushOk([station.step('op.started', 'B-1001', 'WO-1006', { kind: 'serial', serial: 'SN-1006-02' }, `OP${(i + 1) * 10 > 50 ? 50 : (i + 1) * 10}`, 'Z')]);
    });
    const receipts = (await Promise.all(pushes)).flat();
    const seqs = receipts.map((r) => r.serverSeq).sort((x, y) => x - y);
    expect(new Set(seqs).size).toBe(6);
    expect(seqs[0]).toBeGreaterThan(before);
    const views = (await fixture.server.store.viewsSince(before, 10_000)).documents.map((doc) => doc.serverSeq);
    expect(new Set([...views, ...seqs]).size).toBe(views.length + seqs.length);
  });

  it('[S14] wake each other\'s stations: a push on A sends `changed` on B\'s live stream, also after B lost its listening connection', async () => {
    const enrolled = await enrollStation(fixture.server, clock, 'Listening on B');
    const pusher = await enrollStation(fixture.server, clock, 'Pushing on A');
    const abort = new AbortController();
    const response = await fetch(`${secondUrl}/api/sync/live`, { headers: { authorization: `Bearer ${enrolled.credential}` }, signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    try {
      const head = await secondStore.sequence();
      await readUntil(reader, (text) => text.includes(`"checkpoint":${head}}`));
      const unit = { kind: 'serial', serial: 'SN-1003-01' } as const;
      const [receipt] = await pusher.pushOk([pusher.step('op.started', 'B-1001', 'WO-1003', unit, 'OP10', 'D')]);
      await readUntil(reader, (text) => text.includes(`"checkpoint":${receipt!.visibleAt}}`));

      // The database drops B's listening connection; B gets it back and says where the plant is,
      // since anything announced meanwhile is gone. A commit while it is down proves that.
      const admin = new pg.Client({ connectionString: testDatabaseUrl() });
      await admin.connect();
      try {
        const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN travelog_commits' AND pid <> pg_backend_pid()`);
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      const [missed] = await pusher.pushOk([pusher.step('op.completed', 'B-1001', 'WO-1003', unit, 'OP10', 'D')]);
      await readUntil(reader, (text) => text.includes(`"checkpoint":${missed!.visibleAt}}`), 10_000);
    } finally {
      abort.abort();
    }
  }, 30_000);
});
