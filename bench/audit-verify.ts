/**
 * Audit verification: how fast the offline verifier (`npm run audit:verify -- --data <DATA_DIR>`:
 * bundleFromDataDir, then verifyLog) gets through a large log. The log is written by the audit log's
 * own append function, in the server's store on PGlite in a temp DATA_DIR: 20 enrolled stations,
 * then receipts of station-signed, chained events (1,000 per append, as a push records a batch). Then
 * timed: reading the log from the data directory; hashes and Merkle only (every entry's RFC 8785
 * form, leaf and node hashes, every checkpoint's root and signature; the verifier's
 * skipEntrySignatures and skipStationSignatures options); plus the server signature on every
 * entry; the full run (plus every station signature). Entries per second and the time 1,000,000
 * entries would take at that rate. Printed, never asserted.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { AUDIT_ORIGIN } from '../sync-server/app.ts';
import { createAuditLog, type EntryDraft } from '../sync-server/audit/audit-log.ts';
import { loadOrCreateServerKey } from '../sync-server/audit/server-key.ts';
import { bundleFromDataDir } from '../sync-server/audit/verify-cli.ts';
import { verifyLog, type VerifyOptions } from '../sync-server/audit/verify.ts';
import { openStore } from '../sync-server/store/store.ts';
import { TestChain, testKey } from '../tests/helpers/signing.ts';
import { machine, median } from './ingest.ts';

// 50,000 keeps the file under ~90 s on 2 cores (writing costs two Ed25519 signatures per entry); BENCH_AUDIT_ENTRIES=200000 for a longer log.
const ENTRIES = Number(process.env['BENCH_AUDIT_ENTRIES'] ?? 50_000);
const STATIONS = 20;
const PER_APPEND = 1000;
const QUICK_RUNS = 3;
// The signature runs take seconds each: one run unless asked for more.
const SIGNED_RUNS = Number(process.env['BENCH_AUDIT_SIGNED_RUNS'] ?? 1);
const TARGET_SECONDS = 30;

/** Writes a log of about ENTRIES entries into a fresh store under `dataDir`. */
async function writeLog(dataDir: string): Promise<void> {
  const store = await openStore({ dataDir });
  try {
    const log = createAuditLog({ key: loadOrCreateServerKey({ dataDir, keyName: AUDIT_ORIGIN }), now: () => new Date() });
    await store.locked((tx) => log.open(tx.sql));
    const at = new Date().toISOString();
    const stations = Array.from({ length: STATIONS }, (_, i) => ({ id: randomUUID(), name: `Audit bench ${i}`, chain: new TestChain(testKey('Ed25519')), seq: 0 }));
    await store.locked((tx) =>
      log.append(
        tx.sql,
        stations.flatMap((s): EntryDraft[] => [
          { kind: 'station.enrolled', recordedAt: at, actor: 'B-3001', role: 'supervisor', stationId: s.id, subject: { name: s.name, publicKey: s.chain.key.publicKey, keyAlg: 'Ed25519', programs: [] } },
          {
            kind: 'station.approved', recordedAt: at, actor: 'B-3001', role: 'supervisor', stationId: s.id,
            signature: { signerBadge: 'B-3001', printedName: 'Sam Reyes', meaning: 'approved station enrollment', signedAt: at, reason: `Enrolled ${s.name}` },
          },
        ]),
      ),
    );
    let serverSeq = 0;
    const receipts = ENTRIES - 1 - 2 * STATIONS;
    for (let done = 0; done < receipts; done += PER_APPEND) {
      const station = stations[(done / PER_APPEND) % STATIONS] as (typeof stations)[number];
      const drafts: EntryDraft[] = [];
      for (let i = 0; i < Math.min(PER_APPEND, receipts - done); i++) {
        const seq = ++station.seq;
        const time = new Date(Date.now() - 3_600_000 + seq);
        const unit = { kind: 'serial', serial: `SN-AUDIT-${Math.floor(seq / 8)}` } as const;
        const event = station.chain.sign({
          id: randomUUID(), type: seq % 2 === 1 ? 'op.started' : 'op.completed', stationId: station.id, seq, actor: 'B-1001',
          deviceTime: time.toISOString(), hlc: `${time.getTime().toString().padStart(15, '0')}:000000:${station.id}`,
          payload: { workOrderId: 'WO-1001', operationId: 'OP10', unit, instructionRevision: 'D' },
        });
        drafts.push({
          kind: 'receipt', recordedAt: new Date().toISOString(), actor: event.actor, role: 'operator', stationId: station.id, eventId: event.id, eventType: event.type,
          serverSeq: ++serverSeq, outcome: 'accepted', flags: [], deviceTime: event.deviceTime, hlc: event.hlc, unit: `serial:${unit.serial}`, event,
        });
      }
      await store.locked((tx) => log.append(tx.sql, drafts));
    }
    await store.locked((tx) => log.checkpointIfBehind(tx.sql));
  } finally {
    await store.close();
  }
}

function timeVerify(bundle: Awaited<ReturnType<typeof bundleFromDataDir>>, options: VerifyOptions, runs: number): number[] {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const verdict = verifyLog(bundle.entries, bundle.checkpoints, options);
    times.push(performance.now() - started);
    if (!verdict.ok) throw new Error(`the bench log does not verify: ${JSON.stringify(verdict)}`);
  }
  return times;
}

/** Runs the verification benchmark and prints the figures. */
export async function run(): Promise<void> {
  console.log(`audit verify (machine: ${machine()}); target: 1,000,000 entries fully verified in ≤ ${TARGET_SECONDS} s`);
  const dataDir = await mkdtemp(join(tmpdir(), 'travelog-bench-audit-'));
  try {
    let started = performance.now();
    await writeLog(dataDir);
    const writeMs = performance.now() - started;
    started = performance.now();
    const bundle = await bundleFromDataDir(dataDir);
    const readMs = performance.now() - started;
    const n = bundle.entries.length;
    console.log(`  log: ${n.toLocaleString('en')} entries, ${bundle.checkpoints.length.toLocaleString('en')} checkpoints (written through the log's append in ${(writeMs / 1000).toFixed(1)} s); read from the PGlite data directory in ${(readMs / 1000).toFixed(2)} s`);
    const row = (label: string, times: number[]): number => {
      const ms = median(times);
      const rate = n / (ms / 1000);
      console.log(
        `  ${label}: median ${(ms / 1000).toFixed(2)} s, ${Math.round(rate).toLocaleString('en')} entries/s (${times.length} run${times.length === 1 ? '' : 's'}: ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s) → 1,000,000 entries ≈ ${(1e6 / rate).toFixed(1)} s`,
      );
      return rate;
    };
    row('hashes and Merkle only (RFC 8785 form, leaf and node hashes, checkpoint roots and their signatures)', timeVerify(bundle, { skipEntrySignatures: true, skipStationSignatures: true }, QUICK_RUNS));
    row('plus the server signature on every entry', timeVerify(bundle, { skipStationSignatures: true }, SIGNED_RUNS));
    const full = row('full run (plus every station signature, as npm run audit:verify does)', timeVerify(bundle, {}, SIGNED_RUNS));
    const readRate = n / (readMs / 1000);
    const total = 1e6 / full + 1e6 / readRate;
    console.log(
      `  1,000,000 entries fully verified: ≈ ${(1e6 / full).toFixed(1)} s of verification (+ ≈ ${(1e6 / readRate).toFixed(1)} s reading the data directory = ${total.toFixed(1)} s), ` +
        `on one core (the verifier is single-threaded); target ≤ ${TARGET_SECONDS} s: ${1e6 / full <= TARGET_SECONDS ? 'met' : 'NOT met'} for verification alone, ${total <= TARGET_SECONDS ? 'met' : 'NOT met'} with reading`,
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
