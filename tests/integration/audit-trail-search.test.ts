/**
 * The audit trail looked up as a person types it (issue 12 item 17; docs/audit.md "Trail subjects"),
 * on PGlite and on PostgreSQL over HTTP: a serial, a lot, a work order or a part, in any case. Each
 * answer names the trail subjects it was answered for, and holds only entries about them; a subject
 * of a program the station is not cleared for answers exactly as one the plant does not know.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrailResponse } from '../../schemas/audit-api.ts';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { migrate } from '../../sync-server/store/migrations.ts';
import { send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const serial = (s: string) => ({ kind: 'serial', serial: s }) as const;

describe.each<Backend>(['PGlite', 'PostgreSQL'])('audit trail look-up on %s', (backend) => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let fixture: SyncFixture;
  let server: RunningServer;
  let cleared: TestStation;
  let commercial: TestStation;

  const trail = async (station: TestStation, q: string) => {
    const answer = await send<TrailResponse>(server.url, `/api/audit/trail?q=${encodeURIComponent(q)}`, { credential: station.credential });
    expect(answer.status, answer.text).toBe(200);
    return answer.body;
  };
  const what = (body: TrailResponse) =>
    body.entries.map((stored) => {
      const entry = JSON.parse(stored.entry) as AuditEntry;
      const payload = (entry.event as { payload?: { operationId?: string } }).payload;
      return `${entry.eventType ?? entry.kind} ${entry.unit ?? ''} ${payload?.operationId ?? ''}`.trim();
    });

  beforeAll(async () => {
    fixture = await startSyncServer(backend, { now: clock.now, checkpointEvery: 1, checkpointSeconds: 0 });
    server = fixture.server;
    cleared = await enrollStation(server, clock, 'Program cell');
    commercial = await enrollStation(server, clock, 'Commercial cell');
    expect(await server.store.setStationPrograms(commercial.id, ['COMMERCIAL'])).toBe(true);
    await addWorkOrder(server, 'WO-SEARCH-F', { program: 'F-35-ACT' });
    await cleared.pushOk([
      // Commercial WO-1003 (P-100): OP10 on SN-1003-01 with lot L-920-A built in.
      cleared.step('op.started', 'B-1001', 'WO-1003', serial('SN-1003-01'), 'OP10', 'D'),
      cleared.event('material.consumed', 'B-1001', {
        workOrderId: 'WO-1003', operationId: 'OP10', unit: serial('SN-1003-01'), material: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 1 }, scanned: 'L-920-A',
      }),
      cleared.step('op.completed', 'B-1001', 'WO-1003', serial('SN-1003-01'), 'OP10', 'D'),
      // F-35-ACT work of the same part, with the same lot.
      cleared.step('op.started', 'B-1001', 'WO-SEARCH-F', serial('SN-WO-SEARCH-F-1'), 'OP10', 'D'),
      cleared.event('material.consumed', 'B-1001', {
        workOrderId: 'WO-SEARCH-F', operationId: 'OP10', unit: serial('SN-WO-SEARCH-F-1'), material: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 1 }, scanned: 'L-920-A',
      }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await fixture?.dispose();
  });

  it('finds a serial typed in lower case', async () => {
    const body = await trail(cleared, ' sn-1003-01 ');
    expect(body.subjects).toEqual(['serial:SN-1003-01']);
    expect(what(body)).toEqual(['op.started serial:SN-1003-01 OP10', 'material.consumed serial:SN-1003-01 OP10', 'op.completed serial:SN-1003-01 OP10']);
  });

  it('finds the consumption of a lot in every unit it was built into', async () => {
    const body = await trail(cleared, 'l-920-a');
    expect(body.subjects).toEqual(['lot:L-920-A']);
    expect(what(body)).toEqual(['material.consumed serial:SN-1003-01 OP10', 'material.consumed serial:SN-WO-SEARCH-F-1 OP10']);
  });

  it('finds a work order, and a part as the trail of its work orders', async () => {
    const order = await trail(cleared, 'wo-1003');
    expect(order.subjects).toEqual(['work-order:WO-1003']);
    expect(what(order)).toHaveLength(3);
    const part = await trail(cleared, 'p-100');
    expect(part.part).toBe('P-100');
    expect(part.subjects).toEqual(expect.arrayContaining(['work-order:WO-1001', 'work-order:WO-1003', 'work-order:WO-SEARCH-F']));
    expect(what(part)).toEqual([...what(order), 'op.started serial:SN-WO-SEARCH-F-1 OP10', 'material.consumed serial:SN-WO-SEARCH-F-1 OP10']);
    // Every entry is about a subject the answer names.
    for (const stored of part.entries) expect(entrySubjects(JSON.parse(stored.entry) as AuditEntry).some((s) => part.subjects!.includes(s))).toBe(true);
  });

  it('finds a component part where material of it was consumed (its part: subject)', async () => {
    const body = await trail(cleared, 'p-920');
    expect(body.subjects).toContain('part:P-920');
    expect(what(body)).toEqual(['material.consumed serial:SN-1003-01 OP10', 'material.consumed serial:SN-WO-SEARCH-F-1 OP10']);
  });

  it('[S20] keeps another program\'s work out of a look-up, and answers its identifiers as unknown ones', async () => {
    const lot = await trail(commercial, 'L-920-A');
    expect(what(lot)).toEqual(['material.consumed serial:SN-1003-01 OP10']);
    const part = await trail(commercial, 'P-100');
    expect(part.subjects).not.toContain('work-order:WO-SEARCH-F');
    expect(JSON.stringify(part)).not.toContain('SEARCH-F');
    const secret = await trail(commercial, 'wo-search-f');
    const unknown = await trail(commercial, 'wo-nowhere');
    expect(secret.entries).toEqual([]);
    expect(secret.withheld).toBe(0);
    expect(secret.subjects!.map((s) => s.replace('SEARCH-F', 'X').replace('search-f', 'x'))).toEqual(unknown.subjects!.map((s) => s.replace('NOWHERE', 'X').replace('nowhere', 'x')));
    expect(secret.part).toBeUndefined();
  });

  it('indexes by migration the work orders and material of entries appended before trail subjects', async () => {
    const sql = server.store.sql;
    await sql.query("DELETE FROM audit_units WHERE unit LIKE 'work-order:%' OR unit LIKE 'lot:%'");
    expect((await trail(cleared, 'WO-1003')).entries).toEqual([]);
    await sql.query('DELETE FROM schema_migrations WHERE version = 5');
    expect(await migrate(sql)).toEqual([5]);
    expect(what(await trail(cleared, 'WO-1003'))).toHaveLength(3);
    expect(what(await trail(cleared, 'L-920-A'))).toEqual(['material.consumed serial:SN-1003-01 OP10', 'material.consumed serial:SN-WO-SEARCH-F-1 OP10']);
  });

  it('refuses a look-up that names nothing, or is too long', async () => {
    expect((await send(server.url, '/api/audit/trail?q=', { credential: cleared.credential })).status).toBe(400);
    expect((await send(server.url, `/api/audit/trail?q=${'x'.repeat(201)}`, { credential: cleared.credential })).status).toBe(400);
    expect((await send(server.url, '/api/audit/trail?q=SN-1003-01', {})).status).toBe(401);
  });
});
