/**
 * A log written by protocol version 5 (format 5, only each entry's unit in audit_units), upgraded:
 * migration 5 indexes the old entries by exactly the subjects src/audit/subjects.ts derives
 * (entrySubjects), so the first format 6 entry about a work order or a part names the old entry
 * about it as the previous one, and the verifier, which heads an old entry's chains by the same
 * subjects, accepts the whole log. On PGlite and on PostgreSQL (the migration is SQL).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { toBase64 } from '../../src/audit/canonical.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import { createAuditLog, type AuditLog, type EntryDraft } from '../../sync-server/audit/audit-log.ts';
import { newServerKey } from '../../sync-server/audit/server-key.ts';
import { verifyLog } from '../../sync-server/audit/verify.ts';
import { MIGRATIONS } from '../../sync-server/store/migrations.ts';
import { openStore, type Store } from '../../sync-server/store/store.ts';
import { appendFormat5 } from '../helpers/legacy-audit.ts';
import { TestChain, testKey } from '../helpers/signing.ts';
import { testDatabaseUrl } from '../helpers/test-database.ts';
import { dropSchema } from './sync-fixture.ts';

type Backend = 'PGlite' | 'PostgreSQL';

describe.each<Backend>(['PGlite', 'PostgreSQL'])('a format 5 log upgraded to format 6 on %s', (backend) => {
  let store: Store;
  let log: AuditLog;
  let dir: string | undefined;
  const schema = `travelog_test_${randomBytes(6).toString('hex')}`;
  const key = newServerKey('travelog/audit');
  let now = Date.parse('2026-11-20T08:00:00.000Z');
  const clock = () => new Date((now += 1000));
  const station = { id: 'ST-UPGRADE', chain: new TestChain(testKey('Ed25519')), seq: 0 };
  let serverSeq = 0;

  /** A receipt of a signed event with `payload`, naming `unit` as the server would. */
  const receipt = (type: string, payload: Record<string, unknown>, unit?: string): EntryDraft => {
    const event = station.chain.sign({
      id: randomUUID(), type, stationId: station.id, seq: ++station.seq, actor: 'B-1001', deviceTime: clock().toISOString(), hlc: `0:${station.seq}:${station.id}`, payload,
    } as never);
    return {
      kind: 'receipt', recordedAt: clock().toISOString(), actor: 'B-1001', stationId: station.id, eventId: event.id, eventType: event.type,
      serverSeq: ++serverSeq, outcome: 'accepted', flags: [], ...(unit === undefined ? {} : { unit }), event,
    };
  };
  const serial = (s: string) => ({ kind: 'serial', serial: s });
  const lot = { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 1 };

  const unitsOf = async (idx: number): Promise<string[]> =>
    (await store.sql.query<{ unit: string }>('SELECT unit FROM audit_units WHERE idx = $1 ORDER BY unit', [idx])).map((row) => row.unit).sort();

  beforeAll(async () => {
    if (backend === 'PostgreSQL') store = await openStore({ databaseUrl: testDatabaseUrl(), schema });
    else {
      dir = await mkdtemp(join(tmpdir(), 'travelog-audit-format-'));
      store = await openStore({ dataDir: dir });
    }
    log = createAuditLog({ key, now: clock, checkpointEvery: 1 });
    const created: EntryDraft = { kind: 'log.created', recordedAt: clock().toISOString(), actor: 'system', subject: { publicKey: toBase64(key.publicKey), keyId: key.keyId, keyName: key.keyName } };
    const enrolled: EntryDraft = {
      kind: 'station.enrolled', recordedAt: clock().toISOString(), actor: 'B-3001', role: 'supervisor', stationId: station.id,
      subject: { name: station.id, publicKey: station.chain.key.publicKey, keyAlg: station.chain.key.alg, programs: [] },
    };
    // As version 5 wrote them: audit_units holds each entry's unit only.
    await store.locked((tx) =>
      appendFormat5(tx.sql, key, [
        created,
        enrolled,
        receipt('op.started', { workOrderId: 'WO-1003', operationId: 'OP10', unit: serial('SN-1003-01') }, 'serial:SN-1003-01'),
        receipt('material.consumed', { workOrderId: 'WO-1003', operationId: 'OP10', unit: serial('SN-1003-01'), material: lot }, 'serial:SN-1003-01'),
        receipt('hold.placed', { holdId: 'H-1', subject: { kind: 'workOrder', workOrderId: 'WO-1004' }, reason: 'FOD' }),
        receipt('hold.released', { holdId: 'H-2' }, 'lot:L-77'),
      ], 2, clock()),
    );
    // The upgrade: migration 5 runs over the old entries (its SQL, as openStore ran it on an empty log).
    const migration = MIGRATIONS.find((m) => m.version === 5);
    await store.locked((tx) => tx.sql.exec(migration!.sql));
    await store.locked((tx) => log.open(tx.sql));
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    if (backend === 'PostgreSQL') await dropSchema(schema);
  });

  it('indexes every old entry by exactly the subjects entrySubjects derives', async () => {
    const entries = await log.entries(store.sql, 0, 6);
    expect(entries).toHaveLength(6);
    for (const stored of entries) {
      expect(await unitsOf(stored.index), `entry ${stored.index}`).toEqual(entrySubjects(JSON.parse(stored.entry) as AuditEntry));
    }
    expect(await unitsOf(3)).toEqual(['lot:L-920-A', 'part:P-920', 'serial:SN-1003-01', 'work-order:WO-1003']);
    expect(await unitsOf(4)).toEqual(['work-order:WO-1004']);
    expect(await unitsOf(5)).toEqual(['lot:L-77']);
  });

  it('chains the first format 6 entries to the old ones, and the whole log verifies', async () => {
    await store.locked((tx) =>
      log.append(tx.sql, [
        receipt('material.consumed', { workOrderId: 'WO-1003', operationId: 'OP20', unit: serial('SN-1003-02'), material: lot }, 'serial:SN-1003-02'),
        receipt('hold.released', { holdId: 'H-1', subject: { kind: 'workOrder', workOrderId: 'WO-1004' } }),
      ]),
    );
    const entries = await log.entries(store.sql, 0, 1_000);
    const [consumed, released] = entries.slice(-2).map((stored) => JSON.parse(stored.entry) as AuditEntry);
    expect(consumed?.prev).toEqual([
      { subject: 'lot:L-920-A', index: 3 },
      { subject: 'part:P-920', index: 3 },
      { subject: 'serial:SN-1003-02', index: null },
      { subject: 'work-order:WO-1003', index: 3 },
    ]);
    expect(released?.prev).toEqual([{ subject: 'work-order:WO-1004', index: 4 }]);
    const checkpoints = (await log.checkpoints(store.sql)).map((c) => c.note);
    const verdict = verifyLog(entries, checkpoints);
    expect(verdict, JSON.stringify(verdict)).toMatchObject({ ok: true, entries: entries.length });
  });
});
