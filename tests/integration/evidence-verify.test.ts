/**
 * `evidence:verify` against packages the real server made (PGlite, over HTTP), tampered with one way
 * per failure class (docs/evidence.md, *Checks*): a changed value, an entry removed, added or
 * reordered, a proof that does not reach the checkpoint, a checkpoint not signed by the given key,
 * and an event whose station signature does not verify. Each names the first failure; the command
 * exits 1 with it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidencePackage } from '../../schemas/evidence.ts';
import { toBase64Url } from '../../src/audit/canonical.ts';
import { signedBytes } from '../../src/audit/event-signing.ts';
import { entrySubjects as verifierSubjects, verifyEvidence } from '../../sync-server/evidence/evidence-verify.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import { startServer, type RunningServer } from '../../sync-server/main.ts';
import { hashPin } from '../../src/auth/pin.ts';
import { eventHashSync, signBytes, testKey } from '../helpers/signing.ts';
import { npmRun } from './evidence.contract.ts';
import { makeTempDir, send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, startSyncServer, type SyncFixture, type TestStation } from './sync-fixture.ts';

const serial = (s: string) => ({ kind: 'serial', serial: s }) as const;

/** The verdict: "OK", or the failure's class and message. */
function verdict(pkg: unknown, key?: string): string {
  try {
    verifyEvidence(pkg, key);
    return 'OK';
  } catch (error) {
    return `${(error as { what?: string }).what ?? 'error'}: ${(error as Error).message}`;
  }
}

const copy = (pkg: EvidencePackage): EvidencePackage => structuredClone(pkg);

describe('evidence:verify on tampered packages', () => {
  const clock = testClock('2026-11-20T08:00:00.000Z');
  let fixture: SyncFixture;
  let server: RunningServer;
  let station: TestStation;
  let pkg: EvidencePackage;
  let other: EvidencePackage;
  let forged: EvidencePackage;
  let family: EvidencePackage;
  let neighbour: EvidencePackage;
  let key: string;

  const fetchPackage = async (query: string): Promise<EvidencePackage> => {
    const answer = await send<EvidencePackage>(server.url, `/api/evidence?${query}`, { credential: station.credential });
    expect(answer.status, answer.text).toBe(200);
    return answer.body;
  };
  /** The entry of `p` recording event type `type`. */
  const entryOf = (p: EvidencePackage, type: string) => p.entries.find((e) => (JSON.parse(e.entry) as { eventType?: string }).eventType === type)!;

  beforeAll(async () => {
    fixture = await startSyncServer('PGlite', { now: clock.now });
    server = fixture.server;
    key = Buffer.from(server.auditKey.publicKey).toString('base64');
    station = await enrollStation(server, clock, 'Mill tablet');
    await addWorkOrder(server, 'WO-EVT', { program: 'COMMERCIAL', units: 3 });
    const unit = serial('SN-WO-EVT-1');
    await station.pushOk([
      station.step('op.started', 'B-1001', 'WO-EVT', unit, 'OP10', 'D'),
      station.event('material.consumed', 'B-1001', { workOrderId: 'WO-EVT', operationId: 'OP10', unit, material: { kind: 'lot', lotId: 'L-910-A', partNumber: 'P-910', quantity: 4 }, scanned: 'L-910-A' }),
      station.step('op.completed', 'B-1001', 'WO-EVT', unit, 'OP10', 'D'),
      station.event('measurement.recorded', 'B-2001', {
        workOrderId: 'WO-EVT', operationId: 'OP30', unit, characteristicId: 'C1', characteristicRevision: 'A', instructionRevision: 'C',
        measured: { kind: 'variable', entered: { value: 12.7, unit: 'mm', text: '12.70' }, value: 12.7, unit: 'mm' }, gaugeId: 'G-17', result: 'pass',
      }),
      station.step('op.started', 'B-1001', 'WO-EVT', serial('SN-WO-EVT-2'), 'OP10', 'D'),
    ]);
    // A run whose middle event's own signature is not the station's: the server checks each link and
    // the run's last signature (DESIGN §3), so it accepts the run; the package checks each event's own.
    const good = station.step('op.started', 'B-1001', 'WO-EVT', serial('SN-WO-EVT-3'), 'OP10', 'D');
    const bad = { ...good, signature: toBase64Url(signBytes(testKey(), signedBytes(good))) };
    const next = station.step('op.completed', 'B-1001', 'WO-EVT', serial('SN-WO-EVT-3'), 'OP10', 'D');
    const relinked = station.resign({ ...next, prevHash: eventHashSync(bad) });
    const receipts = await station.pushOk([bad, relinked]);
    expect(receipts.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    pkg = await fetchPackage('serial=SN-WO-EVT-1');
    other = await fetchPackage('serial=SN-WO-EVT-2');
    forged = await fetchPackage('serial=SN-WO-EVT-3');
    expect(other.checkpoint.size).toBe(pkg.checkpoint.size);
    // A genealogy: a lot split, the child consumed into a serial; the parent's and the child's chains are in its package.
    await addWorkOrder(server, 'WO-EVG', { program: 'COMMERCIAL', units: 1 });
    const split = await station.pushOk([
      station.event('lot.split', 'B-1001', { lot: { kind: 'lot', lotId: 'L-920-A', partNumber: 'P-920' }, children: [{ kind: 'lot', lotId: 'L-920-A9', quantity: 5 }], reason: 'Kit' }),
      station.event('material.consumed', 'B-1001', { workOrderId: 'WO-EVG', operationId: 'OP10', unit: serial('SN-WO-EVG-1'), material: { kind: 'lot', lotId: 'L-920-A9', partNumber: 'P-920', quantity: 1 }, scanned: 'L-920-A9' }),
    ]);
    expect(split.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    family = await fetchPackage('serial=SN-WO-EVG-1');
    neighbour = await fetchPackage('serial=SN-WO-EVT-1');
    expect(neighbour.checkpoint.size).toBe(family.checkpoint.size);
  }, 120_000);

  afterAll(async () => {
    await fixture?.dispose();
  });

  it('accepts the package as made, with the server key pinned', () => {
    expect(verdict(pkg, key)).toBe('OK');
    expect(verdict(other, key)).toBe('OK');
  });

  it('names a changed value: a fact that is not what its entry records, or a changed subject list', () => {
    const changed = copy(pkg);
    const measurement = changed.facts.measurements[0]!;
    (measurement.recorded as Record<string, unknown>)['event.payload.gaugeId'] = 'G-99';
    expect(verdict(changed, key)).toMatch(/^changed value: facts\.measurements\[0\] says event\.payload\.gaugeId is "G-99", but entry \d+ records "G-17"/);
    const dropped = copy(pkg);
    dropped.subjects = dropped.subjects.filter((s) => !s.subject.startsWith('lot:'));
    expect(verdict(dropped, key)).toMatch(/^changed value: the subjects and heads listed differ from those the checkpoint signs/);
  });

  it('names an entry removed from a subject\'s chain, in the middle or at its head', () => {
    const middle = copy(pkg);
    const consumed = entryOf(middle, 'material.consumed').index;
    middle.entries = middle.entries.filter((e) => e.index !== consumed);
    expect(verdict(middle, key)).toMatch(new RegExp(`^entry removed: entry ${consumed} about (lot:L-910-A|serial:SN-WO-EVT-1) is not in the package`));
    const head = copy(pkg);
    const last = head.subjects.find((s) => s.subject === 'serial:SN-WO-EVT-1')!.head!;
    head.entries = head.entries.filter((e) => e.index !== last);
    expect(verdict(head, key)).toMatch(new RegExp(`^entry removed: entry ${last} about serial:SN-WO-EVT-1 is not in the package`));
  });

  it('names an entry added: a real, proven entry about another unit', () => {
    const added = copy(pkg);
    const foreign = entryOf(other, 'op.started');
    added.entries = [...added.entries, foreign].sort((a, b) => a.index - b.index);
    expect(verdict(added, key)).toMatch(new RegExp(`^entry added: entry ${foreign.index} is about none of the package's subjects`));
  });

  it('names entries reordered', () => {
    const swapped = copy(pkg);
    const [a, b] = [swapped.entries[1]!, swapped.entries[2]!];
    swapped.entries[1] = b;
    swapped.entries[2] = a;
    expect(verdict(swapped, key)).toMatch(/^entries reordered: entry \d+ comes after entry \d+/);
  });

  it('derives every entry\'s subjects as Travelog does (src/audit/subjects.ts), genealogy events included', () => {
    const texts = [...pkg.entries, ...family.entries].map((e) => JSON.parse(e.entry) as Record<string, unknown>);
    expect(texts.some((t) => t['eventType'] === 'lot.split')).toBe(true);
    for (const text of texts) expect(verifierSubjects(text as Parameters<typeof verifierSubjects>[0]), JSON.stringify(text).slice(0, 120)).toEqual(entrySubjects(text));
  });

  it('holds every lot of the genealogy complete: an entry about the split\'s parent or child left out, added or reordered is named', () => {
    expect(family.subjects.map((s) => s.subject)).toEqual(['lot:L-920-A', 'lot:L-920-A9', 'serial:SN-WO-EVG-1']);
    expect(verdict(family, key)).toBe('OK');
    // The split: the only link between the two lots.
    const removed = copy(family);
    const split = entryOf(removed, 'lot.split').index;
    removed.entries = removed.entries.filter((e) => e.index !== split);
    expect(verdict(removed, key)).toMatch(new RegExp(`^entry removed: entry ${split} about lot:L-920-A9? is not in the package`));
    // The parent lot's first entry (the log's own, before the split) at the foot of its chain.
    const parent = copy(family);
    const [first] = parent.entries.filter((e) => entrySubjects(JSON.parse(e.entry) as Record<string, unknown>).includes('lot:L-920-A'));
    expect(first).toBeDefined();
    parent.entries = parent.entries.filter((e) => e !== first);
    // Removing the foot of a chain leaves no dangling link when the chain started there; a fact then cites a missing entry.
    expect(verdict(parent, key)).toMatch(/^(entry removed|changed value): /);
    // An entry about another lot, proven, slipped in.
    const added = copy(family);
    const foreign = entryOf(neighbour, 'material.consumed');
    added.entries = [...added.entries, foreign].sort((a, b) => a.index - b.index);
    expect(verdict(added, key)).toMatch(new RegExp(`^entry added: entry ${foreign.index} is about none of the package's subjects`));
    // The split moved after the consumption it made possible.
    const moved = copy(family);
    const at = moved.entries.findIndex((e) => e.index === split);
    const [splitEntry] = moved.entries.splice(at, 1);
    moved.entries.push(splitEntry!);
    expect(verdict(moved, key)).toMatch(/^entries reordered: /);
  });

  it('names a proof that does not reach the checkpoint: a changed entry, or a changed proof', () => {
    const entry = copy(pkg);
    const target = entryOf(entry, 'measurement.recorded');
    target.entry = target.entry.replace('"gaugeId":"G-17"', '"gaugeId":"G-18"');
    expect(verdict(entry, key)).toBe(`proof: the inclusion proof of entry ${target.index} does not reach the checkpoint (size ${pkg.checkpoint.size})`);
    const proof = copy(pkg);
    const first = proof.entries[3]!;
    first.proof[0] = Buffer.alloc(32, 7).toString('base64');
    expect(verdict(proof, key)).toMatch(new RegExp(`^proof: the inclusion proof of entry ${first.index} does not reach`));
  });

  it('names a checkpoint not signed by the given key, or re-signed heads', () => {
    expect(verdict(pkg, Buffer.alloc(32, 1).toString('base64'))).toBe("checkpoint signature: the package's checkpoint is not signed by the given key");
    const heads = copy(pkg);
    const subject = heads.subjects.find((s) => s.subject === 'serial:SN-WO-EVT-1')!;
    const old = `evidence-head ${subject.head} "serial:SN-WO-EVT-1"`;
    subject.head = subject.head! - 1;
    heads.checkpoint.note = heads.checkpoint.note.replace(old, `evidence-head ${subject.head} "serial:SN-WO-EVT-1"`);
    expect(verdict(heads, key)).toBe("checkpoint signature: the package's checkpoint is not signed by the given key");
  });

  it('names an event whose station signature does not verify', () => {
    expect(verdict(forged, key)).toMatch(/^station signature: the station signature of event [0-9a-f-]+ \(entry \d+\) does not verify/);
  });

  it('exits 1 naming the first failure, 0 with a summary, 2 for a file it cannot read', async () => {
    const dir = await makeTempDir('evidence-verify');
    try {
      const good = join(dir.path, 'good.json');
      const bad = join(dir.path, 'bad.json');
      writeFileSync(good, JSON.stringify(pkg));
      writeFileSync(bad, JSON.stringify(forged));
      const ok = await npmRun(['evidence:verify', '--', good, '--key', key]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^OK: evidence for serial SN-WO-EVT-1, proven against checkpoint \d+ .* \(the given key\)\n\d+ entries proven by inclusion, 2 subjects complete/);
      const failed = await npmRun(['evidence:verify', '--', bad]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/^FAILED \(station signature\): /);
      expect((await npmRun(['evidence:verify', '--', join(dir.path, 'none.json')])).code).toBe(2);
    } finally {
      await dir.remove();
    }
  }, 60_000);
});

describe('npm run evidence -- --data', () => {
  it('builds the package from a stopped server\'s data directory, for every program, and evidence:verify accepts it', async () => {
    const clock = testClock('2026-11-21T08:00:00.000Z');
    const dir = await makeTempDir('evidence-data');
    try {
      const dataDir = join(dir.path, 'data');
      const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, hashPin: (pin) => hashPin(pin, 10_000), now: clock.now });
      let key: string;
      try {
        key = Buffer.from(server.auditKey.publicKey).toString('base64');
        const station = await enrollStation(server, clock, 'Data tablet');
        await station.pushOk([station.step('op.started', 'B-1001', 'WO-1001', serial('SN-1001-02'), 'OP10', 'D')]);
      } finally {
        await server.close();
      }
      const out = join(dir.path, 'SN-1001-02.json');
      const made = await npmRun(['evidence', '--', '--serial', 'SN-1001-02', '--data', dataDir, '--out', out]);
      expect(made.code, made.stderr).toBe(0);
      const verified = await npmRun(['evidence:verify', '--', out, '--key', key]);
      expect(verified.code, verified.stdout).toBe(0);
      expect(verified.stdout).toMatch(/^OK: evidence for serial SN-1001-02/);
      expect(verified.stdout).toMatch(/1 station signatures verified/);
      const unknown = await npmRun(['evidence', '--', '--serial', 'SN-NONE', '--data', dataDir]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Nothing is recorded about serial SN-NONE');
      expect((await npmRun(['evidence', '--', '--serial', 'SN-1001-02'])).code).toBe(2);
    } finally {
      await dir.remove();
    }
  }, 120_000);
});
