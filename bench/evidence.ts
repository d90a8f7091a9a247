/**
 * The evidence package (docs/evidence.md): a serial with 500 entries of its own (starts,
 * completions, measurements and lot consumptions into it) among many other entries of the plant
 * (BENCH_EVIDENCE_ENTRIES, 50,000 by default), written with the audit log's own append into a PGlite
 * store; then the package built (`buildEvidence`, what `GET /api/evidence` and `npm run evidence --
 * --data` run) and checked (`verifyEvidence`, what `npm run evidence:verify` runs). Wall and CPU time
 * of each (CPU says more on a shared machine). Printed, never asserted.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StationEvent } from '../schemas/event.ts';
import { emptyPlant } from '../src/domain/plant.ts';
import { AUDIT_ORIGIN } from '../sync-server/app.ts';
import { createAuditLog, type EntryDraft } from '../sync-server/audit/audit-log.ts';
import { programIndex } from '../sync-server/audit/clearance.ts';
import { loadOrCreateServerKey } from '../sync-server/audit/server-key.ts';
import { verifyEvidence } from '../sync-server/evidence/evidence-verify.ts';
import { plantGenealogy } from '../sync-server/evidence/genealogy-source.ts';
import { buildEvidence } from '../sync-server/evidence/package.ts';
import { openStore } from '../sync-server/store/store.ts';
import { TestChain, testKey } from '../tests/helpers/signing.ts';
import { machine } from './ingest.ts';

const ENTRIES = Number(process.env['BENCH_EVIDENCE_ENTRIES'] ?? 50_000);
const OWN = 500;
const PER_APPEND = 1000;
const RUNS = 3;
const SERIAL = 'SN-EVIDENCE-1';

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'travelog-bench-evidence-'));
  const store = await openStore({ dataDir });
  try {
    const key = loadOrCreateServerKey({ dataDir, keyName: AUDIT_ORIGIN });
    const log = createAuditLog({ key, now: () => new Date() });
    await store.locked((tx) => log.open(tx.sql));
    const station = { id: randomUUID(), chain: new TestChain(testKey('Ed25519')), seq: 0 };
    const at = new Date().toISOString();
    await store.locked((tx) =>
      log.append(tx.sql, [{ kind: 'station.enrolled', recordedAt: at, actor: 'B-3001', role: 'supervisor', stationId: station.id, subject: { name: 'Bench', publicKey: station.chain.key.publicKey, keyAlg: 'Ed25519', programs: [] } }]),
    );
    const written = performance.now();
    // One in every ENTRIES / OWN entries is about the serial; a tenth of those consume a lot.
    const every = Math.max(1, Math.floor(ENTRIES / OWN));
    let own = 0;
    for (let done = 0; done < ENTRIES; done += PER_APPEND) {
      const drafts: EntryDraft[] = [];
      for (let i = done; i < Math.min(ENTRIES, done + PER_APPEND); i++) {
        const mine = i % every === 0 && own < OWN;
        if (mine) own++;
        const seq = ++station.seq;
        const time = new Date(Date.now() - 3_600_000 + seq);
        const unit = { kind: 'serial', serial: mine ? SERIAL : `SN-BENCH-${Math.floor(i / 8)}` } as const;
        const base = { id: randomUUID(), stationId: station.id, seq, actor: 'B-1001', deviceTime: time.toISOString(), hlc: `${time.getTime().toString().padStart(15, '0')}:000000:${station.id}` };
        const event: StationEvent =
          mine && own % 10 === 0
            ? station.chain.sign({ ...base, type: 'material.consumed', payload: { workOrderId: 'WO-1001', operationId: 'OP10', unit, material: { kind: 'lot', lotId: `L-BENCH-${own % 3}`, partNumber: 'P-920', quantity: 1 }, scanned: 'L' } })
            : station.chain.sign({ ...base, type: seq % 2 === 1 ? 'op.started' : 'op.completed', payload: { workOrderId: 'WO-1001', operationId: 'OP10', unit, instructionRevision: 'D' } });
        drafts.push({
          kind: 'receipt', recordedAt: new Date().toISOString(), actor: event.actor, role: 'operator', stationId: station.id, eventId: event.id, eventType: event.type,
          serverSeq: seq, outcome: 'accepted', flags: [], deviceTime: event.deviceTime, hlc: event.hlc, unit: `serial:${unit.serial}`, event,
        });
      }
      await store.locked((tx) => log.append(tx.sql, drafts));
    }
    process.stdout.write(`evidence bench on ${machine()}\nwrote ${ENTRIES + 2} entries (${own} about ${SERIAL}) in ${((performance.now() - written) / 1000).toFixed(1)} s\n`);

    const plant = emptyPlant();
    const build = { wall: [] as number[], cpu: [] as number[] };
    const check = { wall: [] as number[], cpu: [] as number[] };
    let summary: string[] = [];
    let size = 0;
    for (let run = 0; run < RUNS; run++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const pkg = await buildEvidence(
        { kind: 'serial', id: SERIAL },
        { sql: store.sql, audit: log, plant, programs: programIndex(plant), cleared: null, genealogy: plantGenealogy(() => plant), key, now: () => new Date() },
      );
      build.wall.push(performance.now() - started);
      build.cpu.push(cpuMs(cpu));
      if (pkg === null) throw new Error('no package');
      const text = JSON.stringify(pkg);
      size = text.length;
      const cpu2 = process.cpuUsage();
      const started2 = performance.now();
      summary = verifyEvidence(JSON.parse(text));
      check.wall.push(performance.now() - started2);
      check.cpu.push(cpuMs(cpu2));
    }
    process.stdout.write(
      [
        `package of ${SERIAL}: ${(size / 1024).toFixed(0)} KiB; ${summary[1] ?? ''}`,
        `build (buildEvidence on PGlite): median ${median(build.wall).toFixed(0)} ms wall, ${median(build.cpu).toFixed(0)} ms CPU (${RUNS} runs)`,
        `verify (evidence:verify's check, parse included): median ${median(check.wall).toFixed(0)} ms wall, ${median(check.cpu).toFixed(0)} ms CPU (${RUNS} runs)`,
        '',
      ].join('\n'),
    );
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
