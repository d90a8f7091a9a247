/**
 * Changing a station's programs over HTTP (docs/sync-spec.md S22) against the real server, on PGlite
 * and on PostgreSQL: behind the station credential, an e-signature by a supervisor or quality
 * engineer with the stated meaning and a typed reason, recorded as a `station.programs-changed`
 * entry in the same transaction; it takes effect at the station's next pull (views of a program taken
 * away stop being served and are named for the station to drop; views of a program granted come
 * again) and push. A refusal changes nothing; a refused signature is itself an audit entry, with no
 * PIN in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { OLDEST_SERVED_PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import type { PullResponse } from '../../schemas/pull.ts';
import { PROGRAMS_MEANING, type ProgramsResponse, type StationListResponse } from '../../schemas/stations.ts';
import { main as verifyCli } from '../../sync-server/audit/verify-cli.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { errorOf, send, testClock, type Answer } from './harness.ts';
import { V, enrollStation, pinOf, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const F35 = 'F-35-ACT';

describe.each<Backend>(['PGlite', 'PostgreSQL'])("[S22] changing a station's programs on %s", (backend) => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let fixture: SyncFixture;
  let server: RunningServer;
  /** The supervisor's station, cleared for every program. */
  let office: TestStation;

  const change = (target: string, body: Record<string, unknown>, credential: string | null = office.credential): Promise<Answer<ProgramsResponse>> =>
    send<ProgramsResponse>(server.url, `/api/stations/${encodeURIComponent(target)}/programs`, {
      body: { protocolVersion: V, meaning: PROGRAMS_MEANING, reason: 'Cell moved to commercial work', programs: ['COMMERCIAL'], ...body },
      ...(credential === null ? {} : { credential }),
    });
  const signedBy = (badge: string, pin = pinOf(badge)) => ({ signerBadge: badge, pin });
  const entries = async (): Promise<AuditEntry[]> =>
    (await server.store.sql.query<{ entry: string }>('SELECT entry FROM audit_entries ORDER BY idx')).map((row) => JSON.parse(row.entry) as AuditEntry);
  const stationOf = async (id: string) => (await server.store.listStations()).find((s) => s.id === id);

  /** A refusal leaves the station, the views and the sequence as they were; the log gains only `added` entries, of refused signatures. */
  async function unchanged(target: TestStation, act: () => Promise<void>, added = 0): Promise<AuditEntry[]> {
    const before = { station: await stationOf(target.id), log: (await entries()).length, sequence: await server.store.sequence() };
    await act();
    expect(await stationOf(target.id)).toEqual(before.station);
    expect(await server.store.sequence()).toBe(before.sequence);
    const after = (await entries()).slice(before.log);
    expect(after).toHaveLength(added);
    expect(after.every((e) => e.kind === 'signature.refused' || e.kind === 'signature.locked-out')).toBe(true);
    return after;
  }

  beforeAll(async () => {
    fixture = await startSyncServer(backend, { now: clock.now, checkpointEvery: 1000, checkpointSeconds: 0 });
    server = fixture.server;
    office = await enrollStation(server, clock, 'Supervisor office PC');
  }, 60_000);

  afterAll(async () => {
    await fixture?.dispose();
  });

  it('refuses a request without a valid station credential, changing nothing', async () => {
    const cell = await enrollStation(server, clock, 'Unauthenticated target');
    await unchanged(cell, async () => {
      expect((await change(cell.id, signedBy('B-3001'), null)).status).toBe(401);
      expect((await change(cell.id, signedBy('B-3001'), 'A'.repeat(43))).status).toBe(401);
    });
  });

  it('refuses bad input with a clear error, changing nothing and recording nothing', async () => {
    const cell = await enrollStation(server, clock, 'Malformed target');
    await unchanged(cell, async () => {
      expect(errorOf(await change(cell.id, { ...signedBy('B-3001'), meaning: REVOKED }))).toMatchObject({ code: 'invalid-request', message: expect.stringContaining('meaning') });
      expect(errorOf(await change(cell.id, { ...signedBy('B-3001'), reason: '  ' }))).toMatchObject({ code: 'invalid-request', message: expect.stringContaining('reason') });
      expect(errorOf(await change(cell.id, { ...signedBy('B-3001'), programs: ['COMMERCIAL', 'COMMERCIAL'] }))).toMatchObject({ code: 'invalid-request', message: expect.stringContaining('programs') });
      expect(errorOf(await change(cell.id, { ...signedBy('B-3001'), programs: [' COMMERCIAL'] }))).toMatchObject({ code: 'invalid-request', message: expect.stringContaining('programs') });
      expect(errorOf(await change(cell.id, { ...signedBy('B-3001'), programs: 'COMMERCIAL' }))).toMatchObject({ code: 'invalid-request' });
      expect((await change(cell.id, { ...signedBy('B-3001'), protocolVersion: OLDEST_SERVED_PROTOCOL_VERSION - 1 })).status).toBe(426);
      expect((await change('S-404', signedBy('B-3001'))).status).toBe(404);
      // Already exactly these programs.
      const same = await change(cell.id, { ...signedBy('B-3001'), programs: (await stationOf(cell.id))!.programs });
      expect(same.status).toBe(409);
      expect(errorOf(same).message).toContain('nothing was changed');
    });
  });

  it('refuses a program the asking station is not cleared for, and leaves the target\'s other programs alone', async () => {
    const commercialOffice = await enrollStation(server, clock, 'Commercial office');
    const cell = await enrollStation(server, clock, 'Cell seen from the commercial office');
    expect(await server.store.setStationPrograms(commercialOffice.id, ['COMMERCIAL'])).toBe(true);
    await unchanged(cell, async () => {
      const answer = await change(cell.id, { ...signedBy('B-3001'), programs: ['COMMERCIAL', F35] }, commercialOffice.credential);
      expect(answer.status).toBe(403);
      expect(errorOf(answer)).toMatchObject({ code: 'forbidden', message: expect.stringContaining('not cleared for F-35-ACT') });
    });
    // The list shows it only the programs it is cleared for, and counts the others.
    const list = await send<StationListResponse>(server.url, '/api/stations', { credential: commercialOffice.credential });
    expect(list.body.clearable).toEqual(['COMMERCIAL']);
    expect(list.body.stations.find((s) => s.id === cell.id)).toMatchObject({ programs: ['COMMERCIAL'], otherPrograms: 1 });
    expect(list.text).not.toContain(F35);
    // Taking COMMERCIAL away from there keeps F-35-ACT, which that office cannot see.
    const answer = await change(cell.id, { ...signedBy('B-3001'), programs: [] }, commercialOffice.credential);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.station).toMatchObject({ programs: [], otherPrograms: 1 });
    expect((await stationOf(cell.id))?.programs).toEqual([F35]);
  });

  it('records a wrong PIN, an unknown badge and a role that may not sign as audit entries, with the same answers and nothing else changed', async () => {
    const cell = await enrollStation(server, clock, 'Wrong PIN target');
    const recorded = await unchanged(
      cell,
      async () => {
        const wrong = await change(cell.id, signedBy('B-3001', '8642'));
        expect(wrong.status).toBe(401);
        expect(errorOf(wrong)).toEqual({ code: 'invalid-credentials', message: 'Badge or PIN is wrong' });
        expect((await change(cell.id, signedBy('B-0404', '7531'))).body).toEqual(wrong.body);
        const operator = await change(cell.id, signedBy('B-1001'));
        expect(operator.status).toBe(403);
        expect(errorOf(operator)).toMatchObject({ code: 'forbidden', message: expect.stringContaining('B-1001') });
      },
      3,
    );
    const at = clock.now().toISOString();
    const subject = { action: "change a station's programs", target: { stationId: cell.id, name: 'Wrong PIN target' }, requestedFrom: { stationId: office.id, name: 'Supervisor office PC' } };
    expect(recorded).toEqual([
      expect.objectContaining({ kind: 'signature.refused', recordedAt: at, actor: 'B-3001', stationId: cell.id, reason: expect.stringContaining('Wrong PIN or unknown badge B-3001'), subject: { ...subject, refusal: 'wrong-pin', failures: 1, lockedUntil: null } }),
      expect.objectContaining({ kind: 'signature.refused', actor: 'B-0404', subject: { ...subject, refusal: 'wrong-pin', failures: 1, lockedUntil: null } }),
      expect.objectContaining({ kind: 'signature.refused', actor: 'B-1001', role: 'operator', subject: { ...subject, refusal: 'role', role: 'operator' } }),
    ]);
    // No PIN, right or wrong, is in the log.
    const text = JSON.stringify(recorded);
    for (const pin of ['8642', '7531', pinOf('B-3001'), pinOf('B-1001')]) expect(text).not.toContain(pin);
    // A right PIN still clears the count.
    expect((await change(cell.id, signedBy('B-3001'))).status).toBe(200);
    expect((await server.store.enrollmentLockout('B-3001')).failures).toBe(0);
  });

  it('shares the lockout with revocation and enrollment, and records the lockout and each attempt while locked', async () => {
    const badge = 'B-3002';
    const cell = await enrollStation(server, clock, 'Lockout target');
    const recorded = await unchanged(
      cell,
      async () => {
        for (let attempt = 1; attempt <= 4; attempt++) expect((await change(cell.id, signedBy(badge, '0000'))).status).toBe(401);
        const fifth = await change(cell.id, signedBy(badge, '0000'));
        expect(fifth.status).toBe(429);
        expect(fifth.headers.get('retry-after')).toBe('300');
        // Locked: even the right PIN is refused unchecked, here and at revocation.
        expect((await change(cell.id, signedBy(badge))).status).toBe(429);
        expect((await send(server.url, `/api/stations/${cell.id}/revoke`, { body: { protocolVersion: V, ...signedBy(badge), meaning: REVOKED, reason: 'x' }, credential: office.credential })).status).toBe(429);
      },
      4 + 2 + 1 + 1,
    );
    const lockedUntil = new Date(clock.now().getTime() + 5 * 60 * 1000).toISOString();
    expect(recorded.slice(4, 6)).toEqual([
      expect.objectContaining({ kind: 'signature.refused', subject: expect.objectContaining({ refusal: 'wrong-pin', failures: 5, lockedUntil }) }),
      expect.objectContaining({ kind: 'signature.locked-out', actor: badge, stationId: cell.id, reason: `Badge ${badge} locked out after 5 wrong PINs in a row` }),
    ]);
    expect(recorded[6]).toMatchObject({ kind: 'signature.refused', subject: { refusal: 'locked-out', action: "change a station's programs" } });
    expect(recorded[7]).toMatchObject({ kind: 'signature.refused', subject: { refusal: 'locked-out', action: 'revoke a station' } });
    clock.advance(5 * 60 * 1000);
    expect((await change(cell.id, signedBy(badge))).status).toBe(200);
  });

  it('changes the programs on a quality engineer\'s signature, in one transaction with its audit entry; the next pull drops and adds views, and push follows', async () => {
    const cell = await enrollStation(server, clock, 'Program cell 7');
    const { documents } = await cell.pullAll(0);
    const f35Views = documents.filter((doc) => doc.kind === 'workOrder' && doc.data.program === F35).map((doc) => doc.id);
    expect(f35Views.length).toBeGreaterThan(0);
    const before = (await entries()).length;

    clock.advance(60_000);
    const answer = await change(cell.id, signedBy('B-4001'));
    expect(answer.status, answer.text).toBe(200);
    const signedAt = clock.now().toISOString();
    const signature = { signerBadge: 'B-4001', printedName: 'Quinn Lee', meaning: PROGRAMS_MEANING, reason: 'Cell moved to commercial work', signedAt };
    expect(answer.body).toEqual({
      station: expect.objectContaining({ id: cell.id, name: 'Program cell 7', programs: ['COMMERCIAL'], otherPrograms: 0 }),
      signature,
      auditIndex: before,
    });
    expect((await stationOf(cell.id))?.programs).toEqual(['COMMERCIAL']);
    const all = await entries();
    expect(all).toHaveLength(before + 1);
    expect(all[before]).toEqual({
      index: before, format: 6, prev: [], kind: 'station.programs-changed', recordedAt: signedAt, keyId: server.auditKey.keyId, actor: 'B-4001', role: 'quality', stationId: cell.id,
      reason: 'Cell moved to commercial work', signature,
      subject: { name: 'Program cell 7', before: ['COMMERCIAL', F35], after: ['COMMERCIAL'], added: [], removed: [F35], requestedFrom: { stationId: office.id, name: 'Supervisor office PC' } },
    });

    // The next pull names every F-35-ACT view to drop, once, and serves none.
    const pulled = await cell.pullPage(cell.checkpoint, { limit: 5000 });
    expect(pulled.status).toBe(200);
    expect(pulled.body.documents.filter((doc) => doc.kind === 'workOrder' && doc.data.program === F35)).toEqual([]);
    expect(pulled.body.dropped).toEqual(expect.arrayContaining(f35Views));
    expect(pulled.body.dropped?.every((id) => !id.startsWith('workOrder:') || f35Views.includes(id))).toBe(true);
    expect((await cell.pullPage(pulled.body.checkpoint)).body.dropped).toBeUndefined();
    // A version 4 station would not know the field; since version 6 it is not served at all (S3).
    const old = await send<PullResponse>(server.url, '/api/sync/pull', { body: { protocolVersion: 4, checkpoint: cell.checkpoint }, credential: cell.credential });
    expect(old.status).toBe(426);
    cell.checkpoint = pulled.body.checkpoint;

    // Its F-35-ACT work is now refused.
    const [refused] = await cell.pushOk([cell.step('op.started', 'B-1001', 'WO-1001', { kind: 'serial', serial: 'SN-1001-04' }, 'OP10', 'D')]);
    expect(refused?.outcome).toBe('rejected');

    // Granted again: the F-35-ACT views written before its checkpoint come in its next pull.
    const back = await change(cell.id, { ...signedBy('B-3001'), programs: ['COMMERCIAL', F35], reason: 'Back on the program' });
    expect(back.status, back.text).toBe(200);
    const again = await cell.pullAll();
    expect(again.documents.filter((doc) => doc.kind === 'workOrder' && doc.data.program === F35).map((doc) => doc.id).sort()).toEqual([...f35Views].sort());
    expect((await entries()).at(-1)).toMatchObject({ kind: 'station.programs-changed', subject: { before: ['COMMERCIAL'], after: ['COMMERCIAL', F35], added: [F35], removed: [] } });

    // The whole log verifies, the new entries included.
    await server.store.locked((tx) => server.plant.audit!.checkpointIfBehind(tx.sql));
    expect(await verifyCli(['--url', server.url, '--credential', office.credential])).toBe(0);
  });

  it('[S12] moves the quarantine only a station cleared for every program sees with a change of programs: dropped when one is taken away, sent again when granted', async () => {
    const cell = await enrollStation(server, clock, 'Program cell 8');
    // Input that cannot be classified: a push refused by its schema.
    const event = office.step('op.started', 'B-1001', 'WO-1003', { kind: 'serial', serial: 'SN-1003-01' }, 'OP10', 'D');
    expect((await office.push([{ ...event, payload: { ...event.payload, operationId: 7 } }])).status).toBe(400);
    office.seq -= 1;
    const quarantined = (await cell.pullAll(0)).documents.filter((doc) => doc.kind === 'quarantine' && JSON.stringify(doc.data.raw).includes(event.id)).map((doc) => doc.id);
    expect(quarantined).toHaveLength(1);

    expect((await change(cell.id, signedBy('B-3001'))).status).toBe(200);
    const pulled = await cell.pullPage(cell.checkpoint, { limit: 5000 });
    expect(pulled.body.dropped).toEqual(expect.arrayContaining(quarantined));
    expect((await cell.pullAll(0)).documents.filter((doc) => quarantined.includes(doc.id))).toEqual([]);
    cell.checkpoint = pulled.body.checkpoint;

    expect((await change(cell.id, { ...signedBy('B-3001'), programs: ['COMMERCIAL', F35], reason: 'Back on the program' })).status).toBe(200);
    expect((await cell.pullAll()).documents.filter((doc) => quarantined.includes(doc.id)).map((doc) => doc.id)).toEqual(quarantined);
  });
});

const REVOKED = 'revoked: station no longer trusted';
