/**
 * The store contract: what the sync server needs from its database, run against every
 * implementation (store.pglite.test.ts, store.pg.test.ts). Each test starts from empty tables.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPin } from '../../src/auth/pin.ts';
import { freshLockout } from '../../src/domain/lockout.ts';
import { DEMO_ROSTER, seedDemoPlant } from '../../sync-server/seed/demo-plant.ts';
import { MIGRATIONS, migrate } from '../../sync-server/store/migrations.ts';
import type { SqlClient } from '../../sync-server/store/sql-client.ts';
import { createStore, type Store } from '../../sync-server/store/store.ts';
import type { ViewWrite } from '../../sync-server/store/view-keys.ts';

/** Opens a fresh, empty database for the suite and removes it afterwards. */
export interface StoreFixture {
  sql: SqlClient;
  /** Removes what the fixture made; the suite has closed `sql` already. */
  dispose(): Promise<void>;
}

function workCenter(id: string, name = `Work center ${id}`): ViewWrite {
  return { kind: 'workCenter', key: id, data: { id, name } };
}

function lot(lotId: string, remaining: number): ViewWrite {
  return { kind: 'lot', key: lotId, data: { lotId, partNumber: 'P-910', quantity: 500, remaining } };
}

/** Registers the contract suite for one implementation. */
export function runStoreContract(implementation: string, open: () => Promise<StoreFixture>): void {
  describe(`store contract on ${implementation}`, () => {
    let fixture: StoreFixture;
    let sql: SqlClient;
    let store: Store;

    beforeAll(async () => {
      fixture = await open();
      sql = fixture.sql;
      await migrate(sql);
      store = createStore(sql);
    }, 60_000);

    afterAll(async () => {
      await store?.close();
      await fixture?.dispose();
    });

    beforeEach(async () => {
      await sql.exec('TRUNCATE views, stations, enrollment_lockouts, events, refused_receipts; UPDATE server_sequence SET value = 0');
    });

    describe('appending rows', () => {
      it('keeps every value exactly: tabs, newlines, backslashes, unicode, nulls, JSON, large numbers', async () => {
        await sql.exec('CREATE TABLE contract_rows (a text, b bigint, c jsonb, d timestamptz, e text)');
        try {
          const tricky = 'tab\there\nnew line\r\\N back\\slash "quoted" é ✓ 𝄞 \\.';
          const json = { text: tricky, list: [1, 2.5, -3], nested: { empty: '', none: null } };
          const rows: unknown[][] = [
            [tricky, 9_007_199_254_740_991, json, '2026-11-22T04:00:00.123Z', null],
            ['', 0, [], '2026-01-01T00:00:00.000Z', '\\N'],
          ];
          await sql.transaction((tx) => tx.appendRows('contract_rows', [
            { name: 'a', type: 'text' },
            { name: 'b', type: 'bigint' },
            { name: 'c', type: 'jsonb' },
            { name: 'd', type: 'timestamptz' },
            { name: 'e', type: 'text' },
          ], rows));
          await sql.appendRows('contract_rows', [{ name: 'a', type: 'text' }], []);
          const read = await sql.query<{ a: string; b: string; c: unknown; d: string; e: string | null }>(
            `SELECT a, b::text AS b, c, to_char(d AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS d, e FROM contract_rows ORDER BY b DESC`,
          );
          expect(read).toEqual([
            { a: tricky, b: '9007199254740991', c: json, d: '2026-11-22T04:00:00.123Z', e: null },
            { a: '', b: '0', c: [], d: '2026-01-01T00:00:00.000Z', e: '\\N' },
          ]);
          await expect(sql.appendRows('contract_rows; DROP TABLE views', [{ name: 'a', type: 'text' }], [['x']])).rejects.toThrow(/identifier/);
        } finally {
          await sql.exec('DROP TABLE contract_rows');
        }
      });
    });

    describe('migrations', () => {
      it('are recorded, and a second run applies nothing', async () => {
        const recorded = await sql.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
        expect(recorded).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
        expect(await migrate(sql)).toEqual([]);
      });

      it('apply a new one once, in version order, and roll back one that fails', async () => {
        const next = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
        const extra = [
          ...MIGRATIONS,
          { version: next + 1, name: 'second', sql: 'ALTER TABLE contract_probe ADD COLUMN b integer' },
          { version: next, name: 'first', sql: 'CREATE TABLE contract_probe (a integer)' },
        ];
        try {
          expect(await migrate(sql, extra)).toEqual([next, next + 1]);
          expect(await migrate(sql, extra)).toEqual([]);
          const broken = [...extra, { version: next + 2, name: 'broken', sql: 'ALTER TABLE contract_probe ADD COLUMN c integer; SELECT no_such_function()' }];
          await expect(migrate(sql, broken)).rejects.toThrow();
          const columns = await sql.query<{ column_name: string }>(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'contract_probe' AND table_schema = current_schema() ORDER BY column_name",
          );
          expect(columns.map((c) => c.column_name)).toEqual(['a', 'b']);
          const versions = await sql.query<{ version: number }>('SELECT version FROM schema_migrations WHERE version >= $1 ORDER BY version', [next]);
          expect(versions.map((v) => v.version)).toEqual([next, next + 1]);
        } finally {
          await sql.exec('DROP TABLE IF EXISTS contract_probe');
          await sql.query('DELETE FROM schema_migrations WHERE version >= $1', [next]);
        }
      });
    });

    describe('transactions', () => {
      it('commit what the function wrote when it resolves', async () => {
        const result = await sql.transaction(async (tx) => {
          await tx.query("INSERT INTO enrollment_lockouts (badge, failures) VALUES ('B-T1', 1)");
          return 'done';
        });
        expect(result).toBe('done');
        expect((await store.enrollmentLockout('B-T1')).failures).toBe(1);
      });

      it('roll back everything when the function throws, and pass the error on', async () => {
        await expect(
          sql.transaction(async (tx) => {
            await tx.query("INSERT INTO enrollment_lockouts (badge, failures) VALUES ('B-T2', 1)");
            await tx.transaction((inner) => inner.query("INSERT INTO enrollment_lockouts (badge, failures) VALUES ('B-T3', 1)"));
            throw new Error('station went away');
          }),
        ).rejects.toThrow('station went away');
        expect(await store.enrollmentLockout('B-T2')).toEqual(freshLockout('B-T2'));
        expect(await store.enrollmentLockout('B-T3')).toEqual(freshLockout('B-T3'));
      });
    });

    describe('views', () => {
      it('give every write the next server sequence number, as a number', async () => {
        await store.putViews([workCenter('WC-A'), workCenter('WC-B')]);
        await store.putViews([lot('L-1', 10)]);
        const page = await store.viewsSince(0, 100);
        expect(page.documents.map((doc) => [doc.id, doc.serverSeq])).toEqual([
          ['workCenter:WC-A', 1],
          ['workCenter:WC-B', 2],
          ['lot:L-1', 3],
        ]);
        expect(typeof page.documents[0]?.serverSeq).toBe('number');
        expect(page).toMatchObject({ checkpoint: 3, hasMore: false });
      });

      it('replace a view on a second write and move it to a new sequence number', async () => {
        await store.putViews([lot('L-1', 10), lot('L-2', 20)]);
        await store.putViews([lot('L-1', 7)]);
        expect(await store.countViews()).toBe(2);
        expect(await store.getView('lot', 'L-1')).toEqual({ id: 'lot:L-1', kind: 'lot', key: 'L-1', serverSeq: 3, data: { lotId: 'L-1', partNumber: 'P-910', quantity: 500, remaining: 7 } });
        expect((await store.viewsSince(2, 10)).documents.map((doc) => doc.id)).toEqual(['lot:L-1']);
      });

      it('keep the last of two writes of one view in a batch', async () => {
        await store.putViews([lot('L-1', 10), workCenter('WC-A'), lot('L-1', 9)]);
        const page = await store.viewsSince(0, 10);
        expect(page.documents.map((doc) => doc.id)).toEqual(['workCenter:WC-A', 'lot:L-1']);
        expect(page.documents[1]?.data).toMatchObject({ remaining: 9 });
      });

      it('keep JSON exactly: decimals, negatives, unicode, nesting, optional fields', async () => {
        const routing: ViewWrite = {
          kind: 'routing',
          key: 'P-100@C',
          data: {
            partNumber: 'P-100',
            partRevision: 'C',
            operations: [
              {
                id: 'OP30', sequence: 30, name: 'Inspect bore — Ø 12,70 “mm”', workCenterId: 'WC-INSP', operationType: 'inspection',
                instruction: { ref: 'WI-100-30', revision: 'C' },
                characteristics: [
                  { id: 'C1', name: 'Bore', revision: 'A', kind: 'variable', unit: 'mm', nominal: 12.7, tolMinus: 0.02, tolPlus: 0.02, gaugeRequired: true },
                  { id: 'C2', name: 'Ra', revision: 'A', kind: 'variable', unit: 'mm', upperLimit: 0.0016, lowerLimit: -0.5, gaugeRequired: false },
                ],
                bill: [],
              },
            ],
          },
        };
        await store.putViews([routing, lot('L-neg', -3)]);
        expect((await store.getView('routing', 'P-100@C'))?.data).toEqual(routing.data);
        expect((await store.getView('lot', 'L-neg'))?.data.remaining).toBe(-3);
        expect(await store.getView('routing', 'P-100@D')).toBeUndefined();
        expect(await store.getView('lot', 'P-100@C')).toBeUndefined();
      });

      it('page by checkpoint and limit, each view once, hasMore until the last', async () => {
        await store.putViews(Array.from({ length: 25 }, (_, i) => workCenter(`WC-${String(i).padStart(2, '0')}`)));
        const seen: string[] = [];
        let checkpoint = 0;
        let pages = 0;
        for (;;) {
          const page = await store.viewsSince(checkpoint, 10);
          pages++;
          seen.push(...page.documents.map((doc) => doc.key));
          checkpoint = page.checkpoint;
          if (!page.hasMore) break;
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `WC-${String(i).padStart(2, '0')}`));
        expect(await store.viewsSince(25, 10)).toEqual({ documents: [], checkpoint: 25, hasMore: false });
        // A page that ends exactly at the last view says there is no more.
        expect((await store.viewsSince(15, 10)).hasMore).toBe(false);
      });

      it('number concurrent writes without gaps or repeats', async () => {
        await Promise.all(Array.from({ length: 12 }, (_, i) => store.putViews([workCenter(`WC-P${i}`), lot(`L-P${i}`, i)])));
        const page = await store.viewsSince(0, 100);
        expect(page.documents.map((doc) => doc.serverSeq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      });

      it('read a page as one snapshot: a view moved past the head meanwhile is not left out', async () => {
        await store.putViews([lot('L-1', 10), lot('L-2', 20)]);
        // A batch commits as soon as the page has read the sequence (the point where it used to
        // read the head apart from the views): it moves L-1 from number 1 to number 3.
        let armed = true;
        const racing: SqlClient = {
          ...sql,
          async query<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
            const rows = await sql.query<T>(text, params);
            if (armed && text.includes('server_sequence')) {
              armed = false;
              await store.putViews([lot('L-1', 7)]);
            }
            return rows;
          },
        };
        const page = await createStore(racing).viewsSince(0, 10);
        expect(armed).toBe(false);
        // Whatever the page's checkpoint covers, the station has: L-1 as it was at number 1, or
        // its move if the checkpoint reaches 3.
        const byKey = new Map(page.documents.map((doc) => [doc.key, doc.serverSeq]));
        expect(byKey.get('L-2')).toBe(2);
        expect(byKey.get('L-1')).toBe(page.checkpoint >= 3 ? 3 : 1);
        expect((await store.viewsSince(page.checkpoint, 10)).documents.map((doc) => [doc.key, doc.serverSeq])).toEqual(page.checkpoint >= 3 ? [] : [['L-1', 3]]);
      });

      it('write into an empty plant only', async () => {
        expect(await store.putViewsIfEmpty([workCenter('WC-A')])).toBe(true);
        expect(await store.putViewsIfEmpty([workCenter('WC-B')])).toBe(false);
        expect((await store.viewsSince(0, 10)).documents.map((doc) => doc.key)).toEqual(['WC-A']);
      });

      it('take the demo plant once, validated, with hashed PINs', async () => {
        const fastHash = (pin: string) => hashPin(pin, 10_000);
        expect(await seedDemoPlant(store, { hashPin: fastHash, now: new Date('2026-11-01T00:00:00Z') })).toBe(true);
        const count = await store.countViews();
        expect(count).toBeGreaterThan(50);
        expect(await seedDemoPlant(store, { hashPin: fastHash })).toBe(false);
        expect(await store.countViews()).toBe(count);
        const operator = await store.getView('operator', 'B-3001');
        expect(operator?.data).toMatchObject({ name: 'Sam Reyes', role: 'supervisor', pin: { algorithm: 'PBKDF2-SHA256', iterations: 10_000 } });
        expect((await store.getView('hold', 'H-SEED-1'))?.data.placedAt).toBe('2026-11-01T00:00:00.000Z');
        expect(DEMO_ROSTER.every((person) => person.pin.length >= 4)).toBe(true);
      });
    });

    describe('scopes, receipts and batches', () => {
      const scoped = (id: string, program: string | null, workCenterIds: string[] | null): ViewWrite => ({ ...workCenter(id), scope: { program, workCenterIds } });
      const receipt = (eventId: string, serverSeq: number, visibleAt: number) => ({
        eventId, outcome: 'accepted' as const, flags: [], serverSeq, visibleAt, receivedAt: '2026-11-20T08:00:00.000Z',
      });

      it('pull only views of cleared programs and, when asked, of the named work centers; the checkpoint moves on regardless', async () => {
        await store.putViews([scoped('A', null, null), scoped('B', 'F-35-ACT', ['WC-MILL']), scoped('C', 'COMMERCIAL', ['WC-MILL']), scoped('D', 'COMMERCIAL', ['WC-LATHE'])]);
        const keys = async (filter: Parameters<Store['viewsSince']>[2]) => (await store.viewsSince(0, 10, filter)).documents.map((doc) => doc.key);
        expect(await keys(undefined)).toEqual(['A', 'B', 'C', 'D']);
        expect(await keys({ programs: ['COMMERCIAL'] })).toEqual(['A', 'C', 'D']);
        expect(await keys({ programs: ['COMMERCIAL'], workCenterIds: ['WC-LATHE'] })).toEqual(['A', 'D']);
        expect(await keys({ programs: [] })).toEqual(['A']);
        expect(await store.viewsSince(1, 10, { programs: [] })).toEqual({ documents: [], checkpoint: 4, hasMore: false });
        expect(await store.programsInPlant()).toEqual([]);
      });

      it('commit a batch whole under the lock, and keep nothing of one that throws', async () => {
        await store.addStation({ id: 'S-1', name: 'A', credentialHash: 'a'.repeat(64), enrolledBy: 'B-3001', enrolledAt: new Date() });
        const event = { id: 'e-1', stationId: 'S-1', seq: 1 };
        await store.locked(async (tx) => {
          expect(tx.sequence).toBe(0);
          await tx.write({
            sequence: 3,
            events: [{ event, contentHash: 'h1', pushedBy: 'S-1', receipt: receipt('e-1', 1, 3) }],
            refused: [{ pushedBy: 'S-1', receipt: { ...receipt('e-1', 2, 3), outcome: 'rejected', flags: ['security:id-reused'], reason: 'id reused' } }],
            views: [{ ...workCenter('WC-A'), serverSeq: 3 }],
            station: { id: 'S-1', lastSeq: 1 },
          });
        });
        expect(await store.sequence()).toBe(3);
        expect((await store.receiptsFor('S-1', 0, 3)).map((r) => [r.serverSeq, r.outcome])).toEqual([[1, 'accepted'], [2, 'rejected']]);
        expect(await store.receiptsFor('S-1', 3, 10)).toEqual([]);
        expect(await store.receiptsFor('S-2', 0, 10)).toEqual([]);
        await expect(
          store.locked(async (tx) => {
            expect((await tx.storedEvents(['e-1', 'e-2'])).get('e-1')).toEqual({ contentHash: 'h1', receipt: receipt('e-1', 1, 3) });
            await tx.write({ sequence: 5, events: [], refused: [], views: [{ ...workCenter('WC-B'), serverSeq: 5 }], station: { id: 'S-1', lastSeq: 9 } });
            throw new Error('power cut');
          }),
        ).rejects.toThrow('power cut');
        expect(await store.sequence()).toBe(3);
        expect(await store.getView('workCenter', 'WC-B')).toBeUndefined();
        expect(await store.locked((tx) => tx.stationLastSeq('S-1'))).toBe(1);
      });
    });

    describe('stations', () => {
      const enrolledAt = new Date('2026-11-20T08:00:00.000Z');

      it('are found by credential hash and listed', async () => {
        const added = await store.addStation({ id: 'S-1', name: 'Mill tablet', credentialHash: 'a'.repeat(64), enrolledBy: 'B-3001', enrolledAt, programs: ['COMMERCIAL'] });
        expect(added).toEqual({ id: 'S-1', name: 'Mill tablet', enrolledBy: 'B-3001', enrolledAt: enrolledAt.toISOString(), revokedAt: null, programs: ['COMMERCIAL'], publicKey: null, keyAlg: null });
        await store.addStation({ id: 'S-2', name: 'Lab PC', credentialHash: 'b'.repeat(64), enrolledBy: 'B-4001', enrolledAt: new Date(enrolledAt.getTime() + 1000) });
        expect(await store.stationByCredentialHash('a'.repeat(64))).toEqual(added);
        expect(await store.stationByCredentialHash('c'.repeat(64))).toBeUndefined();
        expect((await store.listStations()).map((s) => [s.id, s.programs])).toEqual([['S-1', ['COMMERCIAL']], ['S-2', []]]);
        expect(await store.setStationPrograms('S-2', ['F-35-ACT', 'COMMERCIAL'])).toBe(true);
        expect(await store.setStationPrograms('S-404', [])).toBe(false);
        expect((await store.stationByCredentialHash('b'.repeat(64)))?.programs).toEqual(['F-35-ACT', 'COMMERCIAL']);
      });

      it('refuse a second station with the same credential hash', async () => {
        await store.addStation({ id: 'S-1', name: 'A', credentialHash: 'a'.repeat(64), enrolledBy: 'B-3001', enrolledAt });
        await expect(store.addStation({ id: 'S-2', name: 'B', credentialHash: 'a'.repeat(64), enrolledBy: 'B-3001', enrolledAt })).rejects.toThrow();
      });

      it('are revoked once', async () => {
        await store.addStation({ id: 'S-1', name: 'A', credentialHash: 'a'.repeat(64), enrolledBy: 'B-3001', enrolledAt });
        const at = new Date('2026-11-21T10:30:00.000Z');
        expect(await store.revokeStation('S-1', at)).toBe(true);
        expect(await store.revokeStation('S-1', new Date())).toBe(false);
        expect(await store.revokeStation('S-404', at)).toBe(false);
        expect((await store.stationByCredentialHash('a'.repeat(64)))?.revokedAt).toBe(at.toISOString());
      });
    });

    describe('enrollment lockouts', () => {
      it('start fresh, and keep what was saved', async () => {
        expect(await store.enrollmentLockout('B-3001')).toEqual(freshLockout('B-3001'));
        const lockedUntil = Date.UTC(2026, 10, 20, 8, 5);
        await store.saveEnrollmentLockout({ badge: 'B-3001', failures: 5, lockedUntil });
        expect(await store.enrollmentLockout('B-3001')).toEqual({ badge: 'B-3001', failures: 5, lockedUntil });
        await store.saveEnrollmentLockout({ badge: 'B-3001', failures: 0, lockedUntil: null });
        expect(await store.enrollmentLockout('B-3001')).toEqual(freshLockout('B-3001'));
        expect(await store.enrollmentLockout('B-3002')).toEqual(freshLockout('B-3002'));
      });
    });
  });
}
