/**
 * Revoking a station over HTTP (docs/sync-spec.md S19) against the real server, on PGlite and on
 * PostgreSQL: behind the station credential, an e-signature (badge and PIN again, the stated meaning,
 * a typed reason) by a supervisor or quality engineer, recorded as an audit entry that the verifier
 * accepts; a refusal changes nothing; the revoked station's later pushes are refused and quarantined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import type { QuarantineEntry } from '../../schemas/quarantine.ts';
import { REVOKE_MEANING, type RevokeResponse, type StationListResponse } from '../../schemas/stations.ts';
import { OLDEST_SERVED_PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { main as verifyCli } from '../../sync-server/audit/verify-cli.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { errorOf, send, testClock, type Answer } from './harness.ts';
import { V, addWorkOrder, enrollStation, pinOf, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

describe.each<Backend>(['PGlite', 'PostgreSQL'])('[S19] revoking a station on %s', (backend) => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let fixture: SyncFixture;
  let server: RunningServer;
  /** The supervisor's station, from which revocations are asked. */
  let office: TestStation;
  let orders = 0;

  /** Asks for a revocation from the office station, or with another credential, or none (null). */
  const revoke = (target: string, body: Record<string, unknown>, credential: string | null = office.credential): Promise<Answer<RevokeResponse>> =>
    send<RevokeResponse>(server.url, `/api/stations/${encodeURIComponent(target)}/revoke`, {
      body: { protocolVersion: V, meaning: REVOKE_MEANING, reason: 'Tablet lost on second shift', ...body },
      ...(credential === null ? {} : { credential }),
    });
  const signedBy = (badge: string, pin = pinOf(badge)) => ({ signerBadge: badge, pin });
  const entries = async (): Promise<AuditEntry[]> =>
    (await server.store.sql.query<{ entry: string }>('SELECT entry FROM audit_entries ORDER BY idx')).map((row) => JSON.parse(row.entry) as AuditEntry);
  const stationOf = async (id: string) => (await server.store.listStations()).find((s) => s.id === id);
  const quarantine = async (): Promise<QuarantineEntry[]> =>
    (await server.store.viewsSince(0, 1_000_000)).documents.flatMap((doc) => (doc.kind === 'quarantine' ? [doc.data] : []));
  const freshOrder = () => addWorkOrder(server, `WO-R${backend === 'PGlite' ? 'L' : 'P'}${++orders}`);

  /** What a refusal must leave as it was: the station, and the audit log but for `added` entries of refused signatures. */
  async function unchanged(target: TestStation, act: () => Promise<void>, added = 0): Promise<AuditEntry[]> {
    const before = { station: await stationOf(target.id), log: (await entries()).length };
    await act();
    expect(await stationOf(target.id)).toEqual(before.station);
    const after = (await entries()).slice(before.log);
    expect(after).toHaveLength(added);
    expect(after.every((e) => e.kind === 'signature.refused' || e.kind === 'signature.locked-out')).toBe(true);
    // And the station still syncs.
    expect((await target.pullPage(0, { limit: 1 })).status).toBe(200);
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

  it('refuses a request without a station credential, or with a revoked or unknown one', async () => {
    const tablet = await enrollStation(server, clock, 'Unauthenticated target');
    await unchanged(tablet, async () => {
      const answer = await revoke(tablet.id, signedBy('B-3001'), null);
      expect(answer.status).toBe(401);
      expect(errorOf(answer).code).toBe('unauthenticated');
      expect((await revoke(tablet.id, signedBy('B-3001'), 'A'.repeat(43))).status).toBe(401);
      expect((await send(server.url, '/api/stations')).status).toBe(401);
    });
  });

  it('refuses a wrong PIN, and an unknown badge alike, changing nothing but recording each attempt', async () => {
    const tablet = await enrollStation(server, clock, 'Wrong PIN target');
    const recorded = await unchanged(
      tablet,
      async () => {
        const wrong = await revoke(tablet.id, signedBy('B-3001', '0000'));
        expect(wrong.status).toBe(401);
        expect(errorOf(wrong)).toEqual({ code: 'invalid-credentials', message: 'Badge or PIN is wrong' });
        const unknown = await revoke(tablet.id, signedBy('B-0000', '1234'));
        expect(unknown.body).toEqual(wrong.body);
      },
      2,
    );
    const subject = { action: 'revoke a station', refusal: 'wrong-pin', failures: 1, lockedUntil: null, target: { stationId: tablet.id, name: 'Wrong PIN target' }, requestedFrom: { stationId: office.id, name: 'Supervisor office PC' } };
    expect(recorded).toEqual([
      expect.objectContaining({ kind: 'signature.refused', actor: 'B-3001', stationId: tablet.id, subject }),
      expect.objectContaining({ kind: 'signature.refused', actor: 'B-0000', stationId: tablet.id, subject }),
    ]);
    expect(JSON.stringify(recorded)).not.toContain('1234');
    // A right PIN clears the wrong-PIN count.
    expect((await server.store.enrollmentLockout('B-3001')).failures).toBe(1);
  });

  it.each([
    ['operator', 'B-1001'],
    ['inspector', 'B-2001'],
  ])('refuses an %s, whose role may not revoke, even with the right PIN', async (_, badge) => {
    const tablet = await enrollStation(server, clock, `Target of ${badge}`);
    const [recorded] = await unchanged(
      tablet,
      async () => {
        const answer = await revoke(tablet.id, signedBy(badge));
        expect(answer.status).toBe(403);
        expect(errorOf(answer)).toMatchObject({ code: 'forbidden', message: expect.stringContaining(badge) });
      },
      1,
    );
    expect(recorded).toMatchObject({ kind: 'signature.refused', actor: badge, subject: { refusal: 'role', action: 'revoke a station' } });
  });

  it('refuses another meaning, an empty reason, an old protocol, an unknown station, changing nothing', async () => {
    const tablet = await enrollStation(server, clock, 'Malformed target');
    await unchanged(tablet, async () => {
      expect(errorOf(await revoke(tablet.id, { ...signedBy('B-3001'), meaning: 'released for further processing' }))).toMatchObject({ code: 'invalid-request', message: expect.stringContaining('meaning') });
      expect(errorOf(await revoke(tablet.id, { ...signedBy('B-3001'), reason: '   ' }))).toMatchObject({ code: 'invalid-request', message: expect.stringContaining('reason') });
      expect((await revoke(tablet.id, { ...signedBy('B-3001'), protocolVersion: OLDEST_SERVED_PROTOCOL_VERSION - 1 })).status).toBe(426);
      const unknown = await revoke('S-404', signedBy('B-3001'));
      expect(unknown.status).toBe(404);
    });
  });

  it('revokes on a quality engineer\'s signature: the station is refused, its later pushes quarantined, and the revocation is a verified audit entry', async () => {
    const tablet = await enrollStation(server, clock, 'Lost tablet');
    const { workOrderId, units } = await freshOrder();
    await tablet.pushOk([tablet.step('op.started', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
    const before = (await entries()).length;

    clock.advance(60_000);
    const answer = await revoke(tablet.id, signedBy('B-4001'));
    expect(answer.status, answer.text).toBe(200);
    const revokedAt = clock.now().toISOString();
    expect(answer.body).toEqual({
      station: { id: tablet.id, name: 'Lost tablet', enrolledBy: 'B-3001', enrolledAt: expect.any(String), revokedAt, keyAlg: 'Ed25519', programs: ['COMMERCIAL', 'F-35-ACT'], otherPrograms: 0 },
      signature: { signerBadge: 'B-4001', printedName: 'Quinn Lee', meaning: REVOKE_MEANING, reason: 'Tablet lost on second shift', signedAt: revokedAt },
      auditIndex: before,
    });
    expect((await stationOf(tablet.id))?.revokedAt).toBe(revokedAt);

    // The entry: a system action with actor, role, the signature's manifestation and the reason.
    const entry = (await entries())[before];
    expect(entry).toEqual({
      index: before, format: 6, prev: [], kind: 'station.revoked', recordedAt: revokedAt, keyId: server.auditKey.keyId, actor: 'B-4001', role: 'quality', stationId: tablet.id,
      reason: 'Tablet lost on second shift',
      signature: { signerBadge: 'B-4001', printedName: 'Quinn Lee', meaning: REVOKE_MEANING, reason: 'Tablet lost on second shift', signedAt: revokedAt },
      subject: { name: 'Lost tablet', requestedFrom: { stationId: office.id, name: 'Supervisor office PC' } },
    });

    // Later pushes: 401, kept whole in quarantine with the security flag; pulls and reads refused too.
    const push = await tablet.push([tablet.step('op.completed', 'B-1001', workOrderId, units[0]!, 'OP10', 'D')]);
    expect(push.status).toBe(401);
    expect(errorOf(push)).toMatchObject({ code: 'unauthenticated', message: expect.stringContaining('revoked') });
    expect((await quarantine()).filter((q) => q.stationId === tablet.id)).toEqual([
      expect.objectContaining({ eventId: '(whole push)', flags: ['security:revoked-station'], reason: expect.stringContaining('Lost tablet') }),
    ]);
    expect((await entries()).some((e) => e.kind === 'quarantine' && e.stationId === tablet.id && e.flags?.includes('security:revoked-station'))).toBe(true);
    expect((await tablet.pullPage(0)).status).toBe(401);
    expect((await send(server.url, '/api/audit/checkpoint', { credential: tablet.credential })).status).toBe(401);
    expect((await revoke(office.id, signedBy('B-3001'), tablet.credential)).status).toBe(401);

    // Once is enough: a second revocation is refused and adds nothing.
    const size = (await entries()).length;
    const again = await revoke(tablet.id, signedBy('B-3001'));
    expect(again.status).toBe(409);
    expect(errorOf(again).message).toContain('already revoked');
    expect((await entries()).length).toBe(size);

    // npm run audit:verify accepts the whole log, revocation included.
    await server.store.locked((tx) => server.plant.audit!.checkpointIfBehind(tx.sql));
    expect(await verifyCli(['--url', server.url, '--credential', office.credential])).toBe(0);
  });

  it('lists the enrolled stations, revoked ones marked, with the programs the caller is cleared for', async () => {
    const answer = await send<StationListResponse>(server.url, '/api/stations', { credential: office.credential });
    expect(answer.status).toBe(200);
    expect(answer.body.self).toBe(office.id);
    const names = answer.body.stations.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['Supervisor office PC', 'Lost tablet']));
    expect(answer.body.stations.find((s) => s.name === 'Lost tablet')?.revokedAt).toEqual(expect.any(String));
    expect(answer.body.stations.find((s) => s.id === office.id)?.revokedAt).toBeNull();
    expect(answer.body.stations.find((s) => s.id === office.id)).toMatchObject({ programs: answer.body.clearable, otherPrograms: 0 });
    expect(answer.text).not.toContain('credential');
  });

  it('counts wrong PINs at revocation and at enrollment together: five lock the badge for both', async () => {
    const badge = 'B-3002';
    const tablet = await enrollStation(server, clock, 'Lockout target');
    const recorded = await unchanged(
      tablet,
      async () => {
        for (let attempt = 1; attempt <= 4; attempt++) expect((await revoke(tablet.id, signedBy(badge, '0000'))).status).toBe(401);
        const fifth = await revoke(tablet.id, signedBy(badge, '0000'));
        expect(fifth.status).toBe(429);
        expect(fifth.headers.get('retry-after')).toBe('300');
        expect((await revoke(tablet.id, signedBy(badge))).status).toBe(429);
      },
      7,
    );
    expect(recorded.map((e) => e.kind)).toEqual([...Array<string>(5).fill('signature.refused'), 'signature.locked-out', 'signature.refused']);
    const enroll = await send(server.url, '/api/stations/enroll', {
      body: { protocolVersion: V, stationName: 'During lockout', supervisorBadge: badge, pin: pinOf(badge), publicKey: tablet.key.publicKey, keyAlg: tablet.key.alg },
    });
    expect(enroll.status).toBe(429);
    clock.advance(5 * 60 * 1000);
    expect((await revoke(tablet.id, signedBy(badge))).status).toBe(200);
  });
});
