/**
 * The signed audit log against the real server, on PGlite and on PostgreSQL: station signatures and
 * chains checked on push (docs/sync-spec.md S16–S18), enrollment, approval, revocation and key
 * rotation as entries, proofs over HTTP, and the verifier catching every kind of tampering.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointResponse, KeysResponse, ProofResponse } from '../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { QuarantineEntry } from '../../schemas/quarantine.ts';
import { canonicalText, fromBase64, toBase64Url } from '../../src/audit/canonical.ts';
import { parseCheckpoint } from '../../src/audit/checkpoint.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/audit/merkle.ts';
import { createAuditLog, storedEntry } from '../../sync-server/audit/audit-log.ts';
import { newServerKey, signWith as serverSign } from '../../sync-server/audit/server-key.ts';
import { verifyLog, type Verdict } from '../../sync-server/audit/verify.ts';
import { main as verifyCli } from '../../sync-server/audit/verify-cli.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import type { SqlClient } from '../../sync-server/store/sql-client.ts';
import { signWith, testKey } from '../helpers/signing.ts';
import { send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const encoder = new TextEncoder();

async function readLog(sql: SqlClient): Promise<{ entries: StoredEntry[]; checkpoints: string[] }> {
  const rows = await sql.query<{ idx: string | number; entry: string; signature: string }>('SELECT idx, entry, signature FROM audit_entries ORDER BY idx');
  const notes = await sql.query<{ note: string }>('SELECT note FROM audit_checkpoints ORDER BY size');
  return { entries: rows.map((r) => storedEntry(Number(r.idx), r.entry, r.signature)), checkpoints: notes.map((n) => n.note) };
}

async function verifyStored(sql: SqlClient): Promise<Verdict> {
  const { entries, checkpoints } = await readLog(sql);
  return verifyLog(entries, checkpoints);
}

/** A value of the same JSON type, but different. */
function changed(value: unknown): unknown {
  if (typeof value === 'string') return `${value}x`;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return [...(value as unknown[]), 'clock-skew'];
  if (value !== null && typeof value === 'object') return { ...(value), tampered: true };
  return 'x';
}

describe.each<Backend>(['PGlite', 'PostgreSQL'])('audit log on %s', (backend) => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let fixture: SyncFixture;
  let server: RunningServer;
  let mill: TestStation;
  let orders = 0;
  const sql = (): SqlClient => server.store.sql;

  const freshOrder = () => addWorkOrder(server, `WO-A${backend === 'PGlite' ? 'L' : 'P'}${++orders}`);
  const quarantine = async (): Promise<QuarantineEntry[]> =>
    (await server.store.viewsSince(0, 1_000_000)).documents.flatMap((doc) => (doc.kind === 'quarantine' ? [doc.data] : []));
  const entriesOf = async (): Promise<AuditEntry[]> => (await readLog(sql())).entries.map((e) => JSON.parse(e.entry) as AuditEntry);

  beforeAll(async () => {
    fixture = await startSyncServer(backend, { now: clock.now, checkpointEvery: 4, checkpointSeconds: 0 });
    server = fixture.server;
    mill = await enrollStation(server, clock, 'Audit mill');
    const { workOrderId, units } = await freshOrder();
    await mill.pushOk([mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D'), mill.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
  }, 60_000);

  afterAll(async () => {
    await fixture?.dispose();
  });

  it('[S1] records an enrollment and its approval by the supervisor as entries, with the station key', async () => {
    const entries = await entriesOf();
    expect(entries[0]).toMatchObject({ index: 0, kind: 'log.created' });
    const enrolled = entries.find((e) => e.kind === 'station.enrolled' && e.stationId === mill.id);
    expect(enrolled).toMatchObject({ actor: 'B-3001', role: 'supervisor', subject: { publicKey: mill.key.publicKey, keyAlg: 'Ed25519' } });
    const approved = entries.find((e) => e.kind === 'station.approved' && e.stationId === mill.id);
    expect(approved).toMatchObject({ actor: 'B-3001', role: 'supervisor', signature: { signerBadge: 'B-3001', printedName: 'Sam Reyes', meaning: 'approved station enrollment' } });
    expect(approved!.index).toBe(enrolled!.index + 1);
    expect(await verifyStored(sql())).toMatchObject({ ok: true });
  });

  it('[S6] appends every receipt with the event as signed, in the batch transaction', async () => {
    const receipts = (await entriesOf()).filter((e) => e.kind === 'receipt' && e.stationId === mill.id);
    expect(receipts.length).toBeGreaterThanOrEqual(2);
    expect(receipts[0]).toMatchObject({ outcome: 'accepted', actor: 'B-1001', role: 'operator', eventType: 'op.started', unit: expect.stringMatching(/^serial:/) });
    expect((receipts[0]!.event as { signature: string }).signature.length).toBeGreaterThan(40);
  });

  it('[S16] refuses an event whose signature does not verify into quarantine with a security flag', async () => {
    const { workOrderId, units } = await freshOrder();
    const good = mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D');
    const forged = signWith(testKey(), { ...good, id: randomUUID() });
    const [receipt] = await mill.pushOk([forged]);
    expect(receipt).toMatchObject({ outcome: 'rejected', flags: ['security:bad-signature'] });
    expect((await quarantine()).find((q) => q.eventId === forged.id)?.flags).toEqual(['security:bad-signature']);
    // The real one still goes through: the refused event did not move the chain.
    const [accepted] = await mill.pushOk([good]);
    expect(accepted?.outcome).toBe('accepted');
    expect(await verifyStored(sql())).toMatchObject({ ok: true });
  });

  it('[S18] refuses an event that does not chain to the station\'s previous event', async () => {
    const { workOrderId, units } = await freshOrder();
    const event = mill.resign({ ...mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D'), prevHash: 'f'.repeat(64) });
    const [receipt] = await mill.pushOk([event]);
    expect(receipt).toMatchObject({ outcome: 'rejected', flags: ['security:broken-chain'] });
    expect((await quarantine()).find((q) => q.eventId === event.id)?.flags).toEqual(['security:broken-chain']);
    mill.seq -= 1;
  });

  it('[S17] refuses every push of a revoked station into quarantine, after a revocation entry', async () => {
    const tablet = await enrollStation(server, clock, 'Soon revoked');
    const { workOrderId, units } = await freshOrder();
    expect(await server.plant.revokeStation(tablet.id, { badge: 'B-3001', role: 'supervisor' }, 'Tablet lost')).toBe(true);
    const answer = await tablet.push([tablet.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
    expect(answer.status).toBe(401);
    expect((await quarantine()).some((q) => q.stationId === tablet.id && q.flags.includes('security:revoked-station'))).toBe(true);
    const entries = await entriesOf();
    expect(entries.find((e) => e.kind === 'station.revoked' && e.stationId === tablet.id)).toMatchObject({ actor: 'B-3001', reason: 'Tablet lost' });
    expect(entries.some((e) => e.kind === 'quarantine' && e.stationId === tablet.id && e.flags?.includes('security:revoked-station'))).toBe(true);
  });

  it('[S17] refuses events of a station enrolled with an ECDSA P-256 key only when they are not its own', async () => {
    const lab = await enrollStation(server, clock, 'Lab PC without Ed25519', testKey('ECDSA-P256'));
    const { workOrderId, units } = await freshOrder();
    const [ok] = await lab.pushOk([lab.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
    expect(ok?.outcome).toBe('accepted');
  });

  it('serves the checkpoint, entries, inclusion and consistency proofs, and keys; the proofs verify', async () => {
    const auth = { credential: mill.credential };
    const latest = (await send<CheckpointResponse>(server.url, '/api/audit/checkpoint', auth)).body;
    const checkpoint = parseCheckpoint(latest.note);
    expect(checkpoint.size).toBe(latest.size);
    const { entries } = (await send<{ entries: StoredEntry[] }>(server.url, `/api/audit/entries?start=0&end=${latest.size}`, auth)).body;
    expect(entries).toHaveLength(latest.size);
    for (const index of [0, 1, latest.size - 1]) {
      const { proof } = (await send<ProofResponse>(server.url, `/api/audit/proof/inclusion?index=${index}&size=${latest.size}`, auth)).body;
      const leaf = leafHash(encoder.encode(entries[index]!.entry));
      expect(verifyInclusion(index, latest.size, leaf, proof.map(fromBase64), checkpoint.root)).toBe(true);
      expect(verifyInclusion(index, latest.size, leafHash(encoder.encode(`${entries[index]!.entry} `)), proof.map(fromBase64), checkpoint.root)).toBe(false);
    }
    const { checkpoints } = (await send<{ checkpoints: CheckpointResponse[] }>(server.url, '/api/audit/checkpoints', auth)).body;
    const [first, second] = [parseCheckpoint(checkpoints[1]!.note), checkpoint];
    const { proof } = (await send<ProofResponse>(server.url, `/api/audit/proof/consistency?first=${first.size}&second=${second.size}`, auth)).body;
    expect(verifyConsistency(first.size, second.size, first.root, second.root, proof.map(fromBase64))).toBe(true);
    const { keys } = (await send<KeysResponse>(server.url, '/api/audit/keys', auth)).body;
    expect(keys).toEqual([expect.objectContaining({ keyId: server.auditKey.keyId, validFromIndex: 0 })]);
    expect((await send(server.url, '/api/audit/checkpoint')).status).toBe(401);
  });

  it('verifies from the command line over HTTP and from a bundle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'travelog-bundle-'));
    try {
      const bundle = join(dir, 'bundle.json');
      expect(await verifyCli(['--url', server.url, '--credential', mill.credential, '--out', bundle])).toBe(0);
      expect(await verifyCli(['--bundle', bundle])).toBe(0);
      const tampered = JSON.parse(await readFile(bundle, 'utf8')) as { entries: StoredEntry[]; checkpoints: string[] };
      tampered.entries.splice(2, 1);
      await writeFile(bundle, JSON.stringify(tampered));
      expect(await verifyCli(['--bundle', bundle])).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('tampering, each found by the verifier', () => {
    /** Runs a tamper on the stored log, checks the verifier names it, and puts everything back. */
    async function tamper(change: () => Promise<void>, expected: { index?: number; reason: RegExp }): Promise<void> {
      const tables = ['audit_entries', 'audit_nodes', 'audit_checkpoints', 'audit_units'];
      const saved = await Promise.all(tables.map((table) => sql().query(`SELECT * FROM ${table}`)));
      await change();
      const verdict = await verifyStored(sql());
      await sql().transaction(async (tx) => {
        for (const [i, table] of tables.entries()) {
          await tx.query(`DELETE FROM ${table}`);
          await tx.query(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(saved[i])]);
        }
      });
      expect(verdict.ok, JSON.stringify(verdict)).toBe(false);
      if (!verdict.ok) {
        if (expected.index !== undefined) expect(verdict.index).toBe(expected.index);
        expect(verdict.reason).toMatch(expected.reason);
      }
      expect(await verifyStored(sql())).toMatchObject({ ok: true });
    }

    const setEntry = (index: number, text: string, signature?: string) =>
      sql().query(signature === undefined ? 'UPDATE audit_entries SET entry = $2 WHERE idx = $1' : 'UPDATE audit_entries SET entry = $2, signature = $3 WHERE idx = $1', signature === undefined ? [index, text] : [index, text, signature]);

    it('a field of an entry changed in the database, each field', async () => {
      const { entries } = await readLog(sql());
      const stored = entries.find((e) => (JSON.parse(e.entry) as AuditEntry).kind === 'receipt')!;
      const entry = JSON.parse(stored.entry) as Record<string, unknown>;
      expect(entry).toMatchObject({ format: 6 });
      for (const field of Object.keys(entry)) {
        const text = canonicalText({ ...entry, [field]: changed(entry[field]) });
        // Format 6: the entry is not signed by itself; the checkpoint of its batch covers it. A change
        // the ordered checks see is named at the entry; any other, by the root of that checkpoint.
        const expected =
          field === 'index' ? { index: stored.index, reason: /says it is entry/ }
          : field === 'keyId' ? { index: stored.index, reason: /signed by key/ }
          : field === 'format' ? { index: stored.index, reason: /not of format 6/ }
          : field === 'prev' || field === 'unit' || field === 'kind' ? { index: stored.index, reason: /names as its subjects/ }
          : field === 'event' ? { reason: /breaks station .*'s chain|station signature/ }
          : { reason: /Merkle root of the first \d+ entries is not the root checkpoint \d+ signed/ };
        await tamper(() => setEntry(stored.index, text).then(() => undefined), expected);
      }
    });

    it('an entry deleted', async () => {
      await tamper(() => sql().query('DELETE FROM audit_entries WHERE idx = 3').then(() => undefined), { index: 3, reason: /entry 3 is missing/ });
    });

    it('two entries swapped', async () => {
      const { entries } = await readLog(sql());
      await tamper(async () => {
        await setEntry(3, entries[4]!.entry, entries[4]!.signature);
        await setEntry(4, entries[3]!.entry, entries[3]!.signature);
      }, { index: 3, reason: /says it is entry 4/ });
    });

    it('an entry appended without the key', async () => {
      const { entries } = await readLog(sql());
      const last = JSON.parse(entries.at(-1)!.entry) as AuditEntry;
      const forged = canonicalText({ ...last, index: entries.length, reason: 'appended later' });
      await tamper(
        () => sql().query('INSERT INTO audit_entries (idx, kind, entry, signature) VALUES ($1, $2, $3, $4)', [entries.length, last.kind, forged, toBase64Url(new Uint8Array(64))]).then(() => undefined),
        { index: entries.length, reason: /server signature/ },
      );
    });

    it('the server key swapped: entries signed by another key are refused, and the server will not start with it', async () => {
      const size = (await readLog(sql())).entries.length;
      const intruder = createAuditLog({ key: newServerKey(server.auditKey.keyName), now: clock.now, checkpointEvery: 1000 });
      await expect(server.store.locked((tx) => intruder.open(tx.sql))).rejects.toThrow(/not the audit log's current key/);
      await tamper(
        () => server.store.locked((tx) => intruder.append(tx.sql, [{ kind: 'master-data.changed', recordedAt: clock.now().toISOString(), actor: 'system' }])),
        { index: size, reason: /signed by key/ },
      );
    });

    it('a station event re-signed with another key, even with the entry re-signed by the server key', async () => {
      const { entries } = await readLog(sql());
      const stored = entries.find((e) => {
        const entry = JSON.parse(e.entry) as AuditEntry;
        return entry.kind === 'receipt' && entry.outcome === 'accepted' && entry.stationId === mill.id;
      })!;
      const entry = JSON.parse(stored.entry) as AuditEntry;
      const event = signWith(testKey(), { ...(entry.event as Parameters<typeof signWith>[1]), actor: 'B-1005' });
      const text = canonicalText({ ...entry, event });
      const signature = toBase64Url(serverSign(server.auditKey, encoder.encode(text)));
      // The next event of the station's run names the original's hash: its link breaks (or, for a run's last, its signature fails).
      await tamper(() => setEntry(stored.index, text, signature).then(() => undefined), { reason: /breaks station .*'s chain|station signature/ });
    });
  });

  it('rotates the server key with an entry signed by the old key; the whole log still verifies', async () => {
    const next = newServerKey(server.auditKey.keyName);
    const audit = server.plant.audit!;
    const old = audit.key();
    await server.store.locked((tx) => audit.rotate(tx.sql, next, 'B-3001'));
    const { workOrderId, units } = await freshOrder();
    await mill.pushOk([mill.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
    const entries = await entriesOf();
    const rotation = entries.find((e) => e.kind === 'key.rotated')!;
    expect(rotation.keyId).toBe(old.keyId);
    expect(entries.at(-1)?.keyId).toBe(next.keyId);
    expect(await verifyStored(sql())).toMatchObject({ ok: true });
    const { keys } = (await send<KeysResponse>(server.url, '/api/audit/keys', { credential: mill.credential })).body;
    expect(keys.map((k) => [k.keyId, k.validFromIndex, k.validUntilIndex])).toEqual([
      [old.keyId, 0, rotation.index],
      [next.keyId, rotation.index + 1, undefined],
    ]);
  });
});
