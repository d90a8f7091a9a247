/**
 * The station's pinned trust anchor for the audit log (docs/sync-spec.md S21), end to end against
 * the real server: enrollment (src/sync/enroll.ts) pins the server's key in the station's settings;
 * the audit screen's loader (src/features/audit/load-trail.ts) verifies checkpoints against it,
 * follows a rotation the pinned key signed and keeps the new key, and catches a server that swapped
 * both its signing key and the keys it publishes. A station enrolled before pinning pins at first use.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeysResponse, TrailResponse } from '../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import { memoryKeyStore } from '../../src/audit/station-keys.ts';
import { readTrustAnchor } from '../../src/audit/trust-anchor.ts';
import { toBase64 } from '../../src/audit/canonical.ts';
import { openStationDb, type StationDb } from '../../src/db/database.ts';
import { loadTrail, type LoadTrailContext } from '../../src/features/audit/load-trail.ts';
import { enrollStation as enrollThisStation } from '../../src/sync/enroll.ts';
import { createFetchTransport, type Transport } from '../../src/sync/transport.ts';
import { newServerKey, type ServerKey } from '../../sync-server/audit/server-key.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { KEY_NAME, infoOf, noteOf, storedOf, treeOf } from '../unit/audit/trail-fixture.ts';
import { send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, pinOf, startSyncServer, type SyncFixture, type TestStation } from './sync-fixture.ts';
import { testKey } from '../helpers/signing.ts';

const clock = testClock('2026-11-20T08:00:00.000Z');
let fixture: SyncFixture;
let server: RunningServer;
/** The station whose audit screen is under test: enrolled the way the app enrolls. */
let db: StationDb;
let context: LoadTrailContext;
let stationId: string;
/** Another station that records the work the trails show. */
let mill: TestStation;
let dbs = 0;
let serial: string;

const openDb = () => openStationDb({ name: `anchor-${++dbs}`, indexedDB: new IDBFactory(), IDBKeyRange });

async function checkpointNow(): Promise<void> {
  await server.store.locked((tx) => server.plant.audit!.checkpointIfBehind(tx.sql));
}

/** Work on a fresh serial, checkpointed, so a trail has entries to show. */
async function recordWork(): Promise<string> {
  const { workOrderId, units } = await addWorkOrder(server, `WO-T${++dbs}`);
  const unit = units[0]!;
  await mill.pushOk([mill.step('op.started', 'B-1001', workOrderId, unit, 'OP10', 'D')]);
  await checkpointNow();
  return unit.kind === 'serial' ? unit.serial : unit.lotId;
}

beforeAll(async () => {
  fixture = await startSyncServer('PGlite', { now: clock.now, checkpointSeconds: 0 });
  server = fixture.server;
  mill = await enrollStation(server, clock, 'Mill tablet');
  db = await openDb();
  const transport = createFetchTransport(server.url);
  const config = await enrollThisStation(db, transport, { stationName: 'Quality office', supervisorBadge: 'B-3001', pin: pinOf('B-3001') }, memoryKeyStore(), clock.now);
  stationId = config.stationId;
  context = { db, transport, credential: config.credential, now: clock.now };
  serial = await recordWork();
}, 60_000);

afterAll(async () => {
  await db?.close();
  await fixture?.dispose();
});

describe('[S21] the trust anchor', () => {
  it('pins the audit log\'s key in the station\'s settings at enrollment', async () => {
    expect(await readTrustAnchor(db)).toEqual({
      keys: [expect.objectContaining({ keyId: server.auditKey.keyId, keyName: KEY_NAME, publicKey: toBase64(server.auditKey.publicKey), validFromIndex: 0 })],
      pinnedAt: clock.now().toISOString(),
      pinnedBy: 'enrollment',
    });
  });

  it('verifies a trail against the pinned key', async () => {
    const loaded = await loadTrail(context, serial);
    expect(loaded.verdict.checkpoint).toMatchObject({ verified: true, keyId: server.auditKey.keyId });
    expect(loaded.verdict.entries.map((e) => [e.verified, e.failures])).toEqual([[true, []]]);
    expect(loaded.anchor.pinnedBy).toBe('enrollment');
  });

  it('catches a server that swapped its signing key and the keys it publishes', async () => {
    const intruder = newServerKey(KEY_NAME);
    const swapped = swappingTransport(context.transport, intruder);
    const loaded = await loadTrail({ ...context, transport: swapped }, serial);
    expect(loaded.verdict.checkpoint.verified).toBe(false);
    expect(loaded.verdict.checkpoint.reason).toMatch(new RegExp(`signed by key ${intruder.keyId}, not by a server key this station trusts`));
    // The forged rotation it also served was refused, and named.
    expect(loaded.verdict.checkpoint.reason).toMatch(/rotation at entry \d+ is not accepted: it is signed by key/);
    expect(loaded.verdict.entries.every((e) => !e.verified)).toBe(true);
    expect(loaded.verdict.entries[0]?.failures.join('; ')).toMatch(/which this station does not trust/);
    // And nothing of it was kept.
    expect((await readTrustAnchor(db))?.keys.map((k) => k.keyId)).toEqual([server.auditKey.keyId]);
  });

  it('follows a rotation the pinned key signed, and keeps the new key', async () => {
    const old = server.auditKey;
    const next = newServerKey(KEY_NAME);
    await server.store.locked((tx) => server.plant.audit!.rotate(tx.sql, next, 'B-3001'));
    const after = await recordWork();
    const loaded = await loadTrail(context, after);
    expect(loaded.verdict.checkpoint).toMatchObject({ verified: true, keyId: next.keyId });
    expect(loaded.verdict.entries.every((e) => e.verified)).toBe(true);
    // The older trail, signed by the old key, still verifies under the new checkpoint.
    expect((await loadTrail(context, serial)).verdict.entries.every((e) => e.verified)).toBe(true);
    const kept = await readTrustAnchor(db);
    expect(kept?.pinnedBy).toBe('enrollment');
    expect(kept?.keys.map((k) => [k.keyId, k.validFromIndex, k.validUntilIndex])).toEqual([
      [old.keyId, 0, expect.any(Number)],
      [next.keyId, kept!.keys[0]!.validUntilIndex! + 1, undefined],
    ]);
  });

  it('pins at first use on a station enrolled before pinning, and says so', async () => {
    const older = await openDb();
    try {
      const loaded = await loadTrail({ ...context, db: older }, serial);
      expect(loaded.anchor).toMatchObject({ pinnedBy: 'first-use', pinnedAt: clock.now().toISOString() });
      expect(loaded.verdict.checkpoint.verified).toBe(true);
      expect((await readTrustAnchor(older))?.pinnedBy).toBe('first-use');
    } finally {
      await older.close();
    }
  });

  it('[S20] verifies a trail whose station enrollment is withheld for clearance, noting the station signature was not checked', async () => {
    expect(await server.store.setStationPrograms(stationId, ['COMMERCIAL'])).toBe(true);
    try {
      const loaded = await loadTrail(context, serial);
      expect(loaded.verdict.entries.map((e) => e.verified)).toEqual([true]);
      expect(loaded.verdict.entries[0]?.notes).toEqual([expect.stringMatching(/station signature not checked: .*withheld.*not cleared/)]);
    } finally {
      await server.store.setStationPrograms(stationId, await server.store.programsInPlant());
    }
  });
});

describe('[S3] version 7 serves no older station', () => {
  it('tells a version 3, 5 or 6 app it is too old (426 client-too-old), at enrollment and pull, and enrolls nothing', async () => {
    const key = testKey();
    const before = (await server.store.listStations()).length;
    for (const protocolVersion of [3, 5, 6]) {
      const enrolled = await send<{ code: string }>(server.url, '/api/stations/enroll', {
        body: { protocolVersion, stationName: 'Cached old app', supervisorBadge: 'B-3001', pin: pinOf('B-3001'), publicKey: key.publicKey, keyAlg: key.alg },
      });
      expect([enrolled.status, enrolled.body.code]).toEqual([426, 'client-too-old']);
    }
    expect((await server.store.listStations()).length).toBe(before);
  });
});

/**
 * The server as a compromised one would answer: its own key published as the only key, every entry
 * and the checkpoint re-signed with it, and a "rotation" to it signed by itself.
 */
function swappingTransport(inner: Transport, intruder: ServerKey): Transport {
  const forge = (stored: StoredEntry): StoredEntry => storedOf({ ...(JSON.parse(stored.entry) as AuditEntry), keyId: intruder.keyId }, intruder);
  let rotationIndex = 0;
  return {
    ...inner,
    post: (path, body, credential, options) => inner.post(path, body, credential, options),
    stream: (path, credential, options) => inner.stream(path, credential, options),
    async get<T>(path: string, credential?: string): Promise<T> {
      if (path.startsWith('/api/audit/keys')) return { keys: [infoOf(intruder, 0)] } satisfies KeysResponse as T;
      if (path.startsWith('/api/audit/trail')) {
        const trail = await inner.get<TrailResponse>(path, credential);
        const size = trail.checkpoint.size;
        const { entries } = await inner.get<{ entries: StoredEntry[] }>(`/api/audit/entries?start=0&end=${size}`, credential);
        const forged = entries.map(forge);
        const tree = treeOf(forged);
        rotationIndex = size - 1;
        return {
          checkpoint: { size, note: noteOf(intruder, size, tree.root(size)) },
          keys: [infoOf(server.auditKey, 0, rotationIndex), infoOf(intruder, rotationIndex + 1)],
          entries: trail.entries.map((e) => ({ ...forged[e.index]!, proof: tree.proof(e.index, size) })),
          withheld: 0,
        } satisfies TrailResponse as T;
      }
      if (path.startsWith('/api/audit/entries')) {
        const rotation = storedOf(
          { index: rotationIndex, kind: 'key.rotated', recordedAt: clock.now().toISOString(), keyId: intruder.keyId, actor: 'system', subject: { publicKey: toBase64(intruder.publicKey), keyId: intruder.keyId, keyName: KEY_NAME } },
          intruder,
        );
        return { entries: [rotation] } as T;
      }
      return inner.get<T>(path, credential);
    },
  };
}
