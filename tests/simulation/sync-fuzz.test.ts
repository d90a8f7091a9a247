/**
 * Seeded simulation of several stations against the real server over HTTP (docs/sync-spec.md).
 * Every seed must converge: each event has exactly one receipt, none is lost or duplicated, and
 * every station's views equal the server's. Across the seeds every conflict rule must fire. A seed
 * that once failed stays in FAILED_BEFORE as a named test.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RuleId } from '../../src/domain/rules/index.ts';
import { plantFromViews } from '../../src/domain/plant.ts';
import { startServer } from '../../sync-server/main.ts';
import { makeTempDir } from '../integration/harness.ts';
import { runSimulation } from './run-simulation.ts';
import { enroll, pullAll } from './sim-station.ts';

// Every rule fires in at least two of these seeds (C19 in 1 and 9, C32 in 1 and 4, C6 in six). A
// change to the domain or the simulation changes the runs: probe the seeds again and say so.
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/** Seeds that once failed, kept with what they caught. */
const FAILED_BEFORE: Array<{ seed: number; caught: string }> = [];
const TICKS = 400;

const fired = new Set<RuleId>();

async function simulate(seed: number): Promise<void> {
  const dir = await makeTempDir(`sim-${seed}`);
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: dir.path });
  try {
    const result = await runSimulation({
      baseUrl: server.url,
      seed,
      ticks: TICKS,
      reviseInstruction: async (partNumber, partRevision, operationId, revision, effectiveFrom) => {
        await server.plant.reviseOperation(partNumber, partRevision, operationId, { instructionRevision: revision, effectiveFrom: effectiveFrom.toISOString() });
      },
    });
    for (const rule of result.fired) fired.add(rule);

    const observer = await enroll(server.url, `observer-${seed}`);
    const truth = await pullAll(server.url, observer.credential);
    const serverSeqs = new Set<number>();
    for (const station of result.stations) {
      for (const event of station.events) {
        const answers = station.receiptHistory.get(event.id) ?? [];
        expect(answers.length, `event ${event.seq} of ${station.stationId} has a receipt`).toBeGreaterThan(0);
        for (const answer of answers) expect(answer, `event ${event.seq} of ${station.stationId} got one answer`).toEqual(answers[0]);
        const receipt = answers[0];
        if (receipt !== undefined && receipt.outcome !== 'rejected') {
          expect(serverSeqs.has(receipt.serverSeq), `serverSeq ${receipt.serverSeq} given twice`).toBe(false);
          serverSeqs.add(receipt.serverSeq);
        }
        expect(station.isPending(event), `event ${event.seq} of ${station.stationId} still pending`).toBe(false);
      }
      // A retry after a lost answer gets the same receipts back.
      const again = await station.pushAgain(5);
      for (const receipt of again) expect(receipt).toEqual(station.receipts.get(receipt.eventId));

      expect([...station.views.keys()].sort(), `${station.stationId} holds the server's views`).toEqual([...truth.views.keys()].sort());
      for (const [id, doc] of truth.views) expect(station.views.get(id), `${station.stationId} view ${id}`).toEqual(doc);
      expect(station.plant().steps).toEqual(plantFromViews(truth.views.values()).steps);
    }
  } finally {
    await server.close();
    await dir.remove();
  }
}

describe('sync simulation', () => {
  for (const seed of SEEDS) {
    it(`[S6][S7][S8][S13] seed ${seed}: three stations converge with the server, one receipt per event`, () => simulate(seed), 120_000);
  }
  for (const { seed, caught } of FAILED_BEFORE) {
    it(`seed ${seed} (once caught: ${caught})`, () => simulate(seed), 120_000);
  }

  afterAll(() => {
    const all: RuleId[] = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10', 'C11', 'C12', 'C13', 'C17', 'C18', 'C19', 'C20', 'C30', 'C31', 'C32'];
    expect(all.filter((rule) => !fired.has(rule)), 'rules that never fired in the seed set').toEqual([]);
  });
});
