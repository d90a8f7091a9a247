/**
 * The evidence package (issue 14; docs/evidence.md) against the real server over HTTP, on every store
 * (evidence.pglite.test.ts, evidence.pg.test.ts): `GET /api/evidence` for a serial, a lot and a work
 * order, its facts and proofs, program clearance (S20), bad input, and `npm run evidence` then
 * `npm run evidence:verify` on what it wrote.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../schemas/pull.ts';
import { evidencePackageSchema, type EvidenceFact, type EvidencePackage } from '../../schemas/evidence.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { verifyEvidence } from '../../sync-server/evidence/evidence-verify.ts';
import { createAjv } from '../../sync-server/validation.ts';
import { CONCURRENCE_MEANINGS, DISPOSITION_MEANINGS } from '../../src/domain/ncr.ts';
import { evidenceReport } from '../../src/audit/evidence-report.ts';
import { makeTempDir, send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, signature, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const run = promisify(execFile);
const serial = (s: string) => ({ kind: 'serial', serial: s }) as const;
const lot920 = { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920', quantity: 1 } as const;
const lot = (lotId: string, partNumber: string, quantity: number) => ({ kind: 'lot', lotId, partNumber, quantity }) as const;

/** Runs an npm script of this repository; its exit code, standard output and error. */
export async function npmRun(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', ...args], { cwd: process.cwd(), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

export function runEvidenceSuite(backend: Backend): void {
  describe(`evidence package on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let server: RunningServer;
    let cleared: TestStation;
    let commercial: TestStation;
    const validate = createAjv().compile(evidencePackageSchema);
    let measurementId = '';

    const evidence = (station: TestStation, query: string) => send<EvidencePackage>(server.url, `/api/evidence?${query}`, { credential: station.credential });
    const ok = async (station: TestStation, query: string): Promise<EvidencePackage> => {
      const answer = await evidence(station, query);
      expect(answer.status, answer.text).toBe(200);
      expect(validate(answer.body), JSON.stringify(validate.errors)).toBe(true);
      return answer.body;
    };
    const ctx = (f: EvidenceFact, key: string): unknown => (f.context as Record<string, unknown>)[key];
    const rec = (f: EvidenceFact, key: string): unknown => (f.recorded as Record<string, unknown>)[key];

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now });
      server = fixture.server;
      cleared = await enrollStation(server, clock, 'Program cell');
      commercial = await enrollStation(server, clock, 'Commercial cell');
      expect(await server.store.setStationPrograms(commercial.id, ['COMMERCIAL'])).toBe(true);
      await addWorkOrder(server, 'WO-EV', { program: 'F-35-ACT', units: 2 });
      await addWorkOrder(server, 'WO-EVC', { program: 'COMMERCIAL', units: 1 });
      const unit = serial('SN-WO-EV-1');
      const measurement = cleared.event('measurement.recorded', 'B-2001', {
        workOrderId: 'WO-EV', operationId: 'OP30', unit, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'C',
        measured: { kind: 'variable', entered: { value: 12.75, unit: 'mm', text: '12.75' }, value: 12.75, unit: 'mm' }, gaugeId: 'G-17', result: 'fail',
      });
      measurementId = measurement.id;
      await cleared.pushOk([
        cleared.step('op.started', 'B-1001', 'WO-EV', unit, 'OP10', 'D'),
        cleared.event('material.consumed', 'B-1001', { workOrderId: 'WO-EV', operationId: 'OP10', unit, material: lot920, scanned: 'L-920-A' }),
        cleared.step('op.completed', 'B-1001', 'WO-EV', unit, 'OP10', 'D'),
        cleared.event('measurement.recorded', 'B-2001', {
          workOrderId: 'WO-EV', operationId: 'OP30', unit, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'C',
          measured: { kind: 'variable', entered: { value: 0.5004, unit: 'in', text: '0.5004' }, value: 12.71, unit: 'mm' }, gaugeId: 'G-17', result: 'pass',
        }),
        measurement,
      ]);
      clock.advance(60_000);
      await cleared.pushOk([
        cleared.release('B-3001', `H-${measurement.id}`),
        cleared.event('material.consumed', 'B-1001', { workOrderId: 'WO-EV', operationId: 'OP40', unit, material: { kind: 'serial', serial: 'BRG-0001', partNumber: 'P-900' }, scanned: 'BRG-0001' }),
        // The same lot in commercial work: a lot's chain crosses programs.
        cleared.event('material.consumed', 'B-1001', { workOrderId: 'WO-EVC', operationId: 'OP10', unit: serial('SN-WO-EVC-1'), material: lot920, scanned: 'L-920-A' }),
      ]);
    }, 120_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    it('answers the evidence of a serial: traveler, measurements, genealogy, holds, NCR, each fact citing its entry', async () => {
      const pkg = await ok(cleared, 'serial=SN-WO-EV-1');
      const { facts } = pkg;
      expect(facts.units.map((f) => ctx(f, 'workOrderId'))).toEqual(['WO-EV']);
      const started = facts.traveler.find((f) => rec(f, 'eventType') === 'op.started');
      expect(started).toBeDefined();
      expect(ctx(started!, 'operatorName')).toBe('Ana Ortiz');
      expect(ctx(started!, 'operationName')).toBe('Rough mill');
      expect(ctx(started!, 'instructionCurrentThen')).toBe(true);
      expect(ctx(started!, 'stationName')).toBe('Program cell');
      expect(ctx(started!, 'qualification')).toMatchObject({ operationType: 'milling', validThatDay: true });
      expect(rec(started!, 'event.payload.instructionRevision')).toBe('D');
      expect(rec(started!, 'recordedAt')).toEqual(expect.any(String));
      expect(facts.traveler).toHaveLength(2);
      expect(facts.measurements).toHaveLength(2);
      const inches = facts.measurements[0]!;
      expect(rec(inches, 'event.payload.measured')).toMatchObject({ entered: { value: 0.5004, unit: 'in' }, value: 12.71, unit: 'mm' });
      expect(rec(inches, 'event.payload.gaugeId')).toBe('G-17');
      expect(ctx(inches, 'limits')).toEqual({ nominal: 12.7, lower: 12.68, upper: 12.72, unit: 'mm' });
      expect(ctx(inches, 'inspectorName')).toBe('Ines Park');
      expect(facts.holds.map((f) => rec(f, 'eventType'))).toEqual(['hold.released']);
      expect(rec(facts.holds[0]!, 'event.payload.signature')).toMatchObject({ printedName: 'Sam Reyes', meaning: 'released for further processing' });
      expect(facts.nonconformances.map((f) => ctx(f, 'ncrId'))).toEqual([`NCR-${measurementId}`]);
      expect(facts.whereFrom.map((f) => ctx(f, 'material')).sort()).toEqual(['lot:L-920-A', 'serial:BRG-0001']);
      expect(facts.lots.map((f) => ctx(f, 'subject'))).toEqual(['lot:L-920-A']);
      expect(facts.lots[0]!.context).toMatchObject({ provenance: { lotId: 'L-920-A', partNumber: 'P-920' } });
      // Its genealogy's chains are whole in it; where the lot went besides is the lot's own package.
      expect(pkg.subjects.map((s) => s.subject)).toEqual(['lot:L-920-A', 'serial:BRG-0001', 'serial:SN-WO-EV-1']);
      for (const section of Object.values(facts)) for (const f of section) if (f.entry !== undefined) expect(pkg.entries.some((e) => e.index === f.entry)).toBe(true);
      const summary = verifyEvidence(pkg);
      expect(summary[0]).toMatch(/^OK: evidence for serial SN-WO-EV-1, proven against checkpoint \d+/);
      expect(pkg.withheld).toEqual([]);
    });

    it('carries the whole genealogy (split, merge, return, scrap) and every lot and serial in it is complete up to the checkpoint', async () => {
      await addWorkOrder(server, 'WO-EG', { program: 'F-35-ACT', units: 1 });
      const unit = serial('SN-WO-EG-1');
      const into = cleared.event('material.consumed', 'B-1001', { workOrderId: 'WO-EG', operationId: 'OP10', unit, material: lot('L-910-B1', 'P-910', 2), scanned: 'L-910-B1' });
      const receipts = await cleared.pushOk([
        cleared.event('lot.split', 'B-1001', { lot: { kind: 'lot', lotId: 'L-910-B', partNumber: 'P-910' }, children: [{ kind: 'lot', lotId: 'L-910-B1', quantity: 5 }], reason: 'Kit for the cell' }),
        into,
        cleared.event('material.returned', 'B-1001', { workOrderId: 'WO-EG', operationId: 'OP10', unit, consumedEventId: into.id, material: lot('L-910-B1', 'P-910', 1), reason: 'One screw stripped' }),
        cleared.event('lot.merged', 'B-1001', { sources: [{ kind: 'lot', lotId: 'L-910-A', quantity: 3 }, { kind: 'lot', lotId: 'L-910-B1', quantity: 1 }], into: { kind: 'lot', lotId: 'L-910-EGM', partNumber: 'P-910' }, reason: 'One bin' }),
        cleared.event('material.consumed', 'B-1001', { workOrderId: 'WO-EG', operationId: 'OP10', unit, material: lot('L-910-EGM', 'P-910', 1), scanned: 'L-910-EGM' }),
        cleared.event('unit.scrapped', 'B-1001', { item: { kind: 'lot', lotId: 'L-910-EGM', partNumber: 'P-910', quantity: 1 }, reason: 'Bent' }),
      ]);
      expect(receipts.map((r) => r.outcome)).not.toContain('rejected');
      const pkg = await ok(cleared, 'serial=SN-WO-EG-1');
      const words = (f: EvidenceFact) => `${String(ctx(f, 'material'))} ${String(ctx(f, 'relation'))} ${typeof ctx(f, 'into') === 'string' ? String(ctx(f, 'into')) : ''} ${String(ctx(f, 'quantity'))}`.trim();
      expect(pkg.facts.whereFrom.map(words).sort()).toEqual([
        'lot:L-910-A merged into lot:L-910-EGM 3',
        'lot:L-910-B split into lot:L-910-B1 5',
        'lot:L-910-B1 consumed into serial:SN-WO-EG-1 2',
        'lot:L-910-B1 merged into lot:L-910-EGM 1',
        'lot:L-910-B1 returned from serial:SN-WO-EG-1 1',
        'lot:L-910-EGM consumed into serial:SN-WO-EG-1 1',
      ]);
      expect(pkg.facts.whereUsed.map(words)).toContain('lot:L-910-EGM scrapped  1');
      // Each relation cites the entry of the event that made it, and records what that event says.
      for (const f of [...pkg.facts.whereFrom, ...pkg.facts.whereUsed]) expect(f.entry).toEqual(expect.any(Number));
      const split = pkg.facts.whereFrom.find((f) => ctx(f, 'relation') === 'split into')!;
      expect(rec(split, 'eventType')).toBe('lot.split');
      expect(rec(split, 'event.payload.children')).toEqual([{ kind: 'lot', lotId: 'L-910-B1', quantity: 5 }]);
      // Provenance of the bought lots; the lots made here have their genealogy instead.
      const provenance = Object.fromEntries(pkg.facts.lots.map((f) => [ctx(f, 'subject'), ctx(f, 'provenance')]));
      expect(Object.keys(provenance).sort()).toEqual(['lot:L-910-A', 'lot:L-910-B', 'lot:L-910-B1', 'lot:L-910-EGM']);
      expect(provenance['lot:L-910-B']).toMatchObject({ supplier: expect.any(String), certificate: expect.any(String) });
      // Every lot and serial of that genealogy is a subject whose chain is whole in the package.
      expect(pkg.subjects.map((s) => s.subject)).toEqual(['lot:L-910-A', 'lot:L-910-B', 'lot:L-910-B1', 'lot:L-910-EGM', 'serial:SN-WO-EG-1']);
      expect(verifyEvidence(pkg)[0]).toMatch(/^OK: evidence for serial SN-WO-EG-1/);
      // The printed report says the same in words.
      const report = evidenceReport(pkg);
      expect(report).toContain('split into');
      expect(report).toContain('returned from');
      expect(report).toContain('One screw stripped');
      // The lot's own package goes the other way: what the split lot went into.
      const up = await ok(cleared, 'lot=L-910-B');
      expect(up.facts.whereUsed.map(words)).toEqual(expect.arrayContaining(['lot:L-910-B split into lot:L-910-B1 5', 'lot:L-910-B1 consumed into serial:SN-WO-EG-1 2', 'lot:L-910-EGM consumed into serial:SN-WO-EG-1 1']));
      expect(verifyEvidence(up)[0]).toMatch(/^OK/);
    });

    it('carries NCRs and their signed dispositions as facts, each as recorded, in the JSON and the printed report', async () => {
      await addWorkOrder(server, 'WO-EN', { program: 'F-35-ACT', units: 1 });
      const unit = serial('SN-WO-EN-1');
      const tag = cleared.event('ncr.opened', 'B-1001', { workOrderId: 'WO-EN', operationId: 'OP10', items: [{ itemId: '1', unit, quantity: 1 }], description: 'Chatter marks on the face' });
      const ncrId = `NCR-${tag.id}`;
      const at = clock.now();
      const decided = cleared.event('ncr.dispositioned', 'B-4001', {
        ncrId, itemId: '1', workOrderId: 'WO-EN', unit, disposition: 'use-as-is', quantity: 1, customerApprovalRef: 'CA-7731',
        signature: signature('B-4001', DISPOSITION_MEANINGS['use-as-is'], at, 'Cosmetic only'),
        concurrence: signature('B-5001', CONCURRENCE_MEANINGS['use-as-is'], at, 'Form, fit and function unaffected'),
      });
      const receipts = await cleared.pushOk([tag, decided]);
      expect(receipts.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
      const pkg = await ok(cleared, 'serial=SN-WO-EN-1');
      const ncrFacts = pkg.facts.nonconformances;
      const summary = ncrFacts.find((f) => ctx(f, 'record') === undefined)!;
      expect(summary.context).toMatchObject({ ncrId, status: 'closed', items: [{ quantity: 1, dispositions: [{ disposition: 'use-as-is', quantity: 1 }] }] });
      const records = ncrFacts.filter((f) => ctx(f, 'record') !== undefined);
      expect(records.map((f) => [rec(f, 'eventType'), ctx(f, 'record')])).toEqual([['ncr.opened', 'opened'], ['ncr.dispositioned', 'dispositioned']]);
      const disposition = records[1]!;
      expect(rec(disposition, 'event.payload')).toMatchObject({
        disposition: 'use-as-is', customerApprovalRef: 'CA-7731',
        signature: { signerBadge: 'B-4001', meaning: 'dispositioned: use as is', reason: 'Cosmetic only' },
        concurrence: { signerBadge: 'B-5001', meaning: 'engineering concurrence: use as is' },
      });
      expect(verifyEvidence(pkg)[0]).toMatch(/^OK/);
      // A disposition's recorded signature that was changed is detected.
      const changed = structuredClone(pkg);
      ((changed.facts.nonconformances.find((f) => ctx(f, 'record') === 'dispositioned')!.recorded as Record<string, { customerApprovalRef?: string }>)['event.payload']!).customerApprovalRef = 'CA-0000';
      expect(() => verifyEvidence(changed)).toThrow(/event\.payload/);
      const report = evidenceReport(pkg);
      expect(report).toContain('Chatter marks on the face');
      expect(report).toContain('use as is');
      expect(report).toContain('CA-7731');
      expect(report).toContain('Form, fit and function unaffected');
    });

    it('[S20] answers a unit of a program the station is not cleared for exactly as a unit that does not exist', async () => {
      const secret = await evidence(commercial, 'serial=SN-WO-EV-1');
      const unknown = await evidence(commercial, 'serial=SN-WO-XX-1');
      expect(secret.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect((secret.body as unknown as ApiError).message.replace('SN-WO-EV-1', 'X')).toBe((unknown.body as unknown as ApiError).message.replace('SN-WO-XX-1', 'X'));
      expect(Object.keys(secret.body as object).sort()).toEqual(Object.keys(unknown.body as object).sort());
      expect((await evidence(commercial, 'workOrder=WO-EV')).status).toBe(404);
      expect((await evidence(cleared, 'serial=SN-WO-XX-1')).status).toBe(404);
    });

    it('[S20] keeps another program\'s work out of a shared lot\'s package, carrying its entries as hashes, and the package still verifies', async () => {
      const pkg = await ok(commercial, 'lot=L-920-A');
      const text = JSON.stringify(pkg);
      expect(text).not.toContain('WO-EV"');
      expect(text).not.toContain('SN-WO-EV-');
      expect(text).not.toContain('F-35');
      // The station that recorded the commercial consumption is cleared for F-35-ACT too: its
      // enrollment entry (which lists its programs, and its name) is withheld, so is its name.
      expect(text).not.toContain('Program cell');
      expect(pkg.facts.whereUsed.map((f) => ctx(f, 'into'))).toEqual(['serial:SN-WO-EVC-1']);
      expect(pkg.withheld.length).toBeGreaterThan(0);
      const summary = verifyEvidence(pkg);
      expect(summary.join('\n')).toMatch(/WITHHELD: \d+ entries/);
      // The cleared station sees both consumptions of the lot.
      const whole = await ok(cleared, 'lot=L-920-A');
      expect(whole.facts.whereUsed.map((f) => ctx(f, 'into')).sort()).toEqual(['serial:SN-WO-EV-1', 'serial:SN-WO-EVC-1']);
      expect(verifyEvidence(whole)[0]).toMatch(/^OK/);
    });

    it('answers a work order with every unit of it', async () => {
      const pkg = await ok(cleared, 'workOrder=WO-EV');
      expect(pkg.subjects.map((s) => s.subject)).toEqual(expect.arrayContaining(['work-order:WO-EV', 'serial:SN-WO-EV-1', 'serial:SN-WO-EV-2']));
      expect(pkg.facts.units).toHaveLength(2);
      expect(verifyEvidence(pkg)[0]).toMatch(/^OK/);
    });

    it('refuses bad input with a clear error, and answers nothing without a credential', async () => {
      for (const query of ['', 'serial=', 'serial=SN-1&lot=L-1', `serial=${'x'.repeat(81)}`, 'serial=SN%0A1', 'part=P-100']) {
        const answer = await evidence(cleared, query);
        expect(answer.status, query).toBe(400);
        expect(answer.body).toMatchObject({ code: 'invalid-request', message: expect.any(String) });
      }
      expect((await send(server.url, '/api/evidence?serial=SN-WO-EV-1')).status).toBe(401);
    });

    it('npm run evidence writes the package over HTTP, and npm run evidence:verify accepts it with the pinned key', async () => {
      const dir = await makeTempDir('evidence');
      try {
        const out = join(dir.path, 'SN-WO-EV-1.json');
        const html = join(dir.path, 'SN-WO-EV-1.html');
        const made = await npmRun(['evidence', '--', '--serial', 'SN-WO-EV-1', '--url', server.url, '--credential', cleared.credential, '--out', out, '--html', html]);
        expect(made.code, made.stderr).toBe(0);
        const pkg = JSON.parse(readFileSync(out, 'utf8')) as EvidencePackage;
        expect(pkg.query).toEqual({ kind: 'serial', id: 'SN-WO-EV-1' });
        expect(readFileSync(html, 'utf8')).toContain(`Checkpoint of the audit log at <strong>${pkg.checkpoint.size} entries</strong>`);
        const key = Buffer.from(server.auditKey.publicKey).toString('base64');
        const verified = await npmRun(['evidence:verify', '--', out, '--key', key]);
        expect(verified.code, verified.stdout + verified.stderr).toBe(0);
        expect(verified.stdout).toMatch(/^OK: evidence for serial SN-WO-EV-1/);
        const unknown = await npmRun(['evidence', '--', '--serial', 'SN-WO-XX-1', '--url', server.url, '--credential', cleared.credential]);
        expect(unknown.code).toBe(1);
      } finally {
        await dir.remove();
      }
    }, 120_000);
  });
}
