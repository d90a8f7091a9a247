/**
 * Program clearance on the audit routes (docs/sync-spec.md S20): a station not cleared for F-35-ACT
 * never reads an audit entry about F-35-ACT work (a receipt, a refused push, a master-data change, an
 * enrollment naming the program). By range such entries come as their leaf hash only, and the tree's
 * root still recomputes; a trail leaves them out and counts them; an F-35-ACT serial has no trail for
 * it at all. A second server whose plant is stale still withholds a work order it has not seen.
 */
import { storedEntry } from '../../sync-server/audit/audit-log.ts';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntriesResponse, TrailResponse, WithheldEntry } from '../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import { fromBase64, toBase64 } from '../../src/audit/canonical.ts';
import { parseCheckpoint } from '../../src/audit/checkpoint.ts';
import { entryLeafHash } from '../../src/audit/entry.ts';
import { appendLeaf, frontierRoot, sameHash, verifyInclusion, type Frontier } from '../../src/audit/merkle.ts';
import { buildServer } from '../../sync-server/app.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { openStore, type Store } from '../../sync-server/store/store.ts';
import { errorOf, send, testClock } from './harness.ts';
import { testDatabaseUrl, addWorkOrder, enrollStation, startSyncServer, type SyncFixture, type TestStation } from './sync-fixture.ts';

const F35 = 'F-35-ACT';

/** Every identifier of F-35-ACT work the plant knows, and the program's name. */
function f35Identifiers(server: RunningServer): string[] {
  const state = server.plant.state();
  const orders = [...state.workOrders.values()].filter((wo) => wo.program === F35);
  const ids = new Set<string>([F35]);
  for (const wo of orders) {
    ids.add(wo.id);
    for (const unit of wo.units) ids.add(unit.kind === 'serial' ? unit.serial : unit.lotId);
  }
  for (const hold of state.holds.values()) if (hold.subject.kind === 'serial' && ids.has(hold.subject.serial)) ids.add(hold.holdId);
  return [...ids];
}

const isWithheld = (entry: EntriesResponse['entries'][number]): entry is WithheldEntry => !('entry' in entry);

async function checkpointNow(server: RunningServer): Promise<void> {
  await server.store.locked((tx) => server.plant.audit!.checkpointIfBehind(tx.sql));
}

describe('[S20] the audit routes by program clearance', () => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let fixture: SyncFixture;
  let server: RunningServer;
  let commercial: TestStation;
  let cleared: TestStation;
  let all: StoredEntry[];

  const get = <T>(station: TestStation, path: string) => send<T>(server.url, path, { credential: station.credential });

  beforeAll(async () => {
    // Every station is enrolled cleared for every program; the commercial cell is then restricted.
    fixture = await startSyncServer('PGlite', { now: clock.now, checkpointEvery: 1000, checkpointSeconds: 0 });
    server = fixture.server;
    cleared = await enrollStation(server, clock, 'Program cell');
    commercial = await enrollStation(server, clock, 'Commercial cell');
    expect(await server.store.setStationPrograms(commercial.id, ['COMMERCIAL'])).toBe(true);

    await addWorkOrder(server, 'WO-F35-A', { program: F35 });
    const serial = (s: string) => ({ kind: 'serial', serial: s }) as const;
    await cleared.pushOk([
      cleared.step('op.started', 'B-1001', 'WO-1001', serial('SN-1001-01'), 'OP10', 'D'),
      cleared.step('op.completed', 'B-1001', 'WO-1001', serial('SN-1001-01'), 'OP10', 'D'),
      cleared.hold('B-3001', 'H-F35-AUDIT', serial('SN-1001-02')),
      cleared.step('op.started', 'B-1001', 'WO-1003', serial('SN-1003-01'), 'OP10', 'D'),
      // Commercial work that names an F-35-ACT serial (built into it): the entry concerns both programs.
      cleared.event('material.consumed', 'B-1001', {
        workOrderId: 'WO-1003', operationId: 'OP10', unit: serial('SN-1003-01'), material: { kind: 'serial', serial: 'SN-1001-03', partNumber: 'P-100' }, scanned: 'SN-1001-03',
      }),
    ]);
    // The commercial cell tries F-35-ACT work: refused, and its receipt names the work order.
    await commercial.pushOk([
      commercial.step('op.started', 'B-1001', 'WO-1002', serial('SN-1002-01'), 'OP10', 'D'),
      commercial.step('op.started', 'B-1001', 'WO-1003', serial('SN-1003-02'), 'OP10', 'D'),
    ]);
    await checkpointNow(server);
    all = (await server.store.sql.query<{ idx: string; entry: string; signature: string }>('SELECT idx, entry, signature FROM audit_entries ORDER BY idx')).map((r) =>
      storedEntry(Number(r.idx), r.entry, r.signature),
    );
  }, 60_000);

  afterAll(async () => {
    await fixture?.dispose();
  });

  it('serves entries by range whole only where the station is cleared, the rest as leaf hashes under the same root', async () => {
    const size = all.length;
    const answer = await get<EntriesResponse>(commercial, `/api/audit/entries?start=0&end=${size}`);
    expect(answer.status).toBe(200);
    const served = answer.body.entries;
    expect(served.map((e) => e.index)).toEqual(all.map((e) => e.index));

    // Nothing whole names F-35-ACT work.
    const secrets = f35Identifiers(server);
    expect(secrets).toEqual(expect.arrayContaining(['WO-1001', 'SN-1001-01', 'SN-1001-03', 'WO-F35-A', 'H-F35-AUDIT']));
    const leaks = served.flatMap((e) => (isWithheld(e) ? [] : secrets.filter((id) => e.entry.includes(id)).map((id) => `${e.index}: ${id}`)));
    expect(leaks).toEqual([]);

    // What is withheld is what concerns F-35-ACT; whole entries are the stored ones, untouched.
    const kindOf = (index: number) => (JSON.parse(all[index]!.entry) as AuditEntry);
    const withheld = served.filter(isWithheld).map((e) => e.index);
    const about = (predicate: (entry: AuditEntry) => boolean) => all.filter((e) => predicate(JSON.parse(e.entry) as AuditEntry)).map((e) => e.index);
    expect(withheld).toEqual(expect.arrayContaining([
      ...about((e) => e.kind === 'master-data.changed' && JSON.stringify(e.subject).includes('WO-F35-A')),
      ...about((e) => e.kind === 'receipt' && ['serial:SN-1001-01', 'serial:SN-1001-02', 'serial:SN-1002-01'].includes(e.unit ?? '')),
      ...about((e) => e.kind === 'receipt' && e.eventType === 'material.consumed'),
    ]));
    expect(withheld).not.toContain(0);
    expect(about((e) => e.kind === 'receipt' && e.unit === 'serial:SN-1003-02').every((i) => !withheld.includes(i))).toBe(true);
    for (const e of served) if (!isWithheld(e)) expect(e).toEqual(all[e.index]);
    expect(kindOf(0).kind).toBe('log.created');

    // A verifier holding only this can still recompute the signed root, and check proofs of withheld leaves.
    let frontier: Frontier = { size: 0, nodes: [] };
    const leaves = served.map((e) => (isWithheld(e) ? fromBase64(e.leafHash) : entryLeafHash(e.entry)));
    for (const leaf of leaves) frontier = appendLeaf(frontier, leaf).frontier;
    const checkpoint = parseCheckpoint((await get<{ note: string }>(commercial, '/api/audit/checkpoint')).body.note);
    expect(checkpoint.size).toBe(size);
    expect(sameHash(frontierRoot(frontier), checkpoint.root)).toBe(true);
    for (const index of withheld.slice(0, 3)) {
      expect(toBase64(leaves[index]!)).toBe(toBase64(entryLeafHash(all[index]!.entry)));
      const { proof } = (await get<{ proof: string[] }>(commercial, `/api/audit/proof/inclusion?index=${index}&size=${size}`)).body;
      expect(verifyInclusion(index, size, leaves[index]!, proof.map(fromBase64), checkpoint.root)).toBe(true);
    }

    // A station cleared for both gets every entry whole.
    const full = await get<EntriesResponse>(cleared, `/api/audit/entries?start=0&end=${size}`);
    expect(full.body.entries).toEqual(all);
  });

  it('answers the trail of an F-35-ACT serial as for a serial it does not have', async () => {
    const secret = await get<TrailResponse>(commercial, '/api/audit/trail?serial=SN-1001-01');
    const unknown = await get<TrailResponse>(commercial, '/api/audit/trail?serial=SN-NOT-A-SERIAL');
    expect(secret.status).toBe(200);
    expect(secret.body).toEqual(unknown.body);
    expect(secret.body).toMatchObject({ entries: [], withheld: 0 });
    expect(secret.text).not.toContain('SN-1001-01');
    const mine = await get<TrailResponse>(cleared, '/api/audit/trail?serial=SN-1001-01');
    expect(mine.body.entries.map((e) => (JSON.parse(e.entry) as AuditEntry).eventType)).toEqual(['op.started', 'op.completed']);
    expect(mine.body.withheld).toBe(0);
    // A lot of an F-35-ACT work order likewise.
    expect((await get<TrailResponse>(commercial, '/api/audit/trail?lot=LOT-2003')).body).toMatchObject({ entries: [], withheld: 0 });
  });

  it('leaves out of a commercial serial\'s trail the entries that concern F-35-ACT, and says how many', async () => {
    const trail = await get<TrailResponse>(commercial, '/api/audit/trail?serial=SN-1003-01');
    expect(trail.body.withheld).toBe(1);
    expect(trail.body.entries.map((e) => (JSON.parse(e.entry) as AuditEntry).eventType)).toEqual(['op.started']);
    expect(trail.text).not.toContain('SN-1001-03');
    const full = await get<TrailResponse>(cleared, '/api/audit/trail?serial=SN-1003-01');
    expect(full.body.withheld).toBe(0);
    expect(full.body.entries.map((e) => (JSON.parse(e.entry) as AuditEntry).eventType)).toEqual(['op.started', 'material.consumed']);
  });

  it('withholds an enrollment entry that names F-35-ACT among the station\'s programs', async () => {
    const size = all.length;
    const refused = await get(commercial, `/api/audit/enrollment?station=${cleared.id}&size=${size}`);
    expect(refused.status).toBe(403);
    expect(errorOf(refused)).toMatchObject({ code: 'forbidden', message: expect.stringContaining('not cleared') });
    expect(refused.text).not.toContain(F35);
    const served = await get<StoredEntry>(cleared, `/api/audit/enrollment?station=${cleared.id}&size=${size}`);
    expect(served.status).toBe(200);
    expect((JSON.parse(served.body.entry) as AuditEntry).subject).toMatchObject({ programs: expect.arrayContaining([F35]) });
  });

  it('serves checkpoints, proofs and keys to every station: they are hashes and public keys', async () => {
    for (const path of ['/api/audit/checkpoint', '/api/audit/checkpoints', '/api/audit/keys', `/api/audit/proof/inclusion?index=1&size=${all.length}`, `/api/audit/proof/consistency?first=1&second=${all.length}`]) {
      const answer = await get(commercial, path);
      expect(answer.status, path).toBe(200);
      expect(f35Identifiers(server).filter((id) => answer.text.includes(id)), path).toEqual([]);
    }
  });
});

describe('[S20] a second server whose plant is stale', () => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let fixture: SyncFixture;
  let secondStore: Store;
  let second: FastifyInstance;
  let secondUrl: string;

  beforeAll(async () => {
    fixture = await startSyncServer('PostgreSQL', { now: clock.now, defaultPrograms: ['COMMERCIAL'], checkpointSeconds: 0 });
    secondStore = await openStore({ databaseUrl: testDatabaseUrl(), schema: fixture.schema });
    second = await buildServer({ store: secondStore, now: clock.now, auditKey: fixture.server.auditKey, checkpointSeconds: 0 });
    secondUrl = await second.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    await second?.close();
    await secondStore?.close();
    await fixture?.dispose();
  });

  it('withholds a work order added on the first server that the second has not seen yet', async () => {
    const commercial = await enrollStation(fixture.server, clock, 'Commercial on B');
    const before = second.plant.sequence();
    await addWorkOrder(fixture.server, 'WO-F35-ELSEWHERE', { program: F35 });
    expect(second.plant.sequence()).toBe(before);
    const size = Number((await secondStore.sql.query<{ n: string }>('SELECT count(*) AS n FROM audit_entries'))[0]!.n);
    const { entries } = (await send<EntriesResponse>(secondUrl, `/api/audit/entries?start=0&end=${size}`, { credential: commercial.credential })).body;
    const last = entries.at(-1)!;
    expect(isWithheld(last)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain('WO-F35-ELSEWHERE');
  });
});
