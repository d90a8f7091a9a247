/**
 * Station signatures checked per unbroken run (sync-server/audit/station-signatures.ts attestRuns,
 * docs/sync-spec.md S16): the signature of a run's last event attests the run; one by one only to
 * find a bad event, which never costs the good events before it.
 */
import { describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../schemas/event.ts';
import { prepareEvent, type PreparedEvent } from '../../../sync-server/audit/prepared-event.ts';
import { attestRuns, verifyStationBytes } from '../../../sync-server/audit/station-signatures.ts';
import { eventHashSync, TestChain, testKey } from '../../helpers/signing.ts';

const key = testKey();
const STATION = 'S-MILL';

/** `count` events of one station, signed and chained. */
function chained(count: number, chain = new TestChain(key), from = 1): StationEvent[] {
  return Array.from({ length: count }, (_, i) =>
    chain.sign({ id: `E-${from + i}`, type: 'op.started', stationId: STATION, seq: from + i, actor: 'B-1001', deviceTime: '2026-11-20T08:00:00.000Z', hlc: `0:${i}:${STATION}`, payload: { n: from + i } } as never),
  );
}

/** attestRuns with a verifier that counts what it checks. */
async function attest(events: readonly StationEvent[]): Promise<{ attested: boolean[]; checked: number[] }> {
  const prepared: PreparedEvent[] = events.map(prepareEvent);
  const checked: number[] = [];
  const { attested } = await attestRuns(prepared, STATION, (indexes) => {
    checked.push(...indexes);
    return Promise.resolve(indexes.map((i) => verifyStationBytes(Buffer.from(prepared[i]!.signedText ?? '', 'utf8'), prepared[i]!.event.signature, key.publicKey, key.alg)));
  });
  return { attested, checked };
}

describe('station signatures per unbroken run', () => {
  it('checks only the last signature of an unbroken run, and it attests every event of it', async () => {
    const { attested, checked } = await attest(chained(500));
    expect(attested.every(Boolean)).toBe(true);
    expect(checked).toEqual([499]);
  });

  it('a forged event in the middle of a run is refused, the events before it attested, the run after it by its own last signature', async () => {
    const events = chained(8);
    events[4] = { ...events[4]!, actor: 'B-1005' };
    const { attested, checked } = await attest(events);
    expect(attested).toEqual([true, true, true, true, false, true, true, true]);
    // Two runs (the forged event breaks the link the next one names): their last signatures, then the first run one by one.
    expect(checked.slice(0, 2)).toEqual([4, 7]);
    expect(checked.slice(2)).toEqual([0, 1, 2, 3]);
  });

  it('a bad signature on a run\'s last event costs only that event', async () => {
    const events = chained(5);
    events[4] = { ...events[4]!, signature: events[3]!.signature };
    expect((await attest(events)).attested).toEqual([true, true, true, true, false]);
  });

  it('a run ends at a gap and at another station\'s event: each run needs its own last signature', async () => {
    const chain = new TestChain(key);
    const first = chained(3, chain);
    // A gap: seq 5 follows seq 3 (its prevHash still names event 3, as a station that lost event 4 would not).
    const after = chained(2, chain, 5);
    const other = { ...chained(1)[0]!, stationId: 'S-OTHER', id: 'E-OTHER' };
    const { attested, checked } = await attest([...first, other, ...after]);
    expect(attested).toEqual([true, true, true, false, true, true]);
    expect(checked).toEqual([2, 5]);
  });

  it('an event signed with another key is not attested even when the chain links to it; later events of the run still are', async () => {
    const events = chained(4);
    // The whole run re-signed from the third event on by an intruder: its last signature fails, and so do the third's and fourth's.
    const intruder = new TestChain(testKey());
    intruder.last = eventHashSync(events[1]!);
    const forged = [...events.slice(0, 2), ...[2, 3].map((i) => intruder.sign({ ...events[i]!, prevHash: undefined } as never))];
    expect((await attest(forged)).attested).toEqual([true, true, false, false]);
  });
});
