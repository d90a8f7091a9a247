/**
 * A server restored from a backup tells its stations (docs/sync-spec.md S23): every pull answer
 * carries `restart` (the epoch, the id of the latest signed `log.restored` entry, and the asking
 * station's last sequence number the server holds), and a push naming another epoch is not taken:
 * it is answered with `restart` and no receipts, so the station catches up (re-pulls from 0 and
 * pushes again every event it holds after `lastSeq`) before anything else is stored.
 *
 * A restore runs while the server is stopped, so the epoch is read once per process.
 */
import type { PullRequest, PullResponse } from '../../schemas/pull.ts';
import type { PushRequest, PushResponse } from '../../schemas/push.ts';
import type { Station, Store } from '../store/store.ts';
import { readRestart } from './backup.ts';

/** The protocol version from which stations understand `restart` (and name their epoch in a push). */
export const RESTART_SINCE = 6;

export interface Restarts {
  /** Adds `restart` to a pull answer of a restored server. */
  pull(station: Station, request: PullRequest, run: () => Promise<PullResponse>): Promise<PullResponse>;
  /** Refuses, with `restart`, the push of a station that has not caught up with a restore; runs it otherwise. */
  push(station: Station, request: PushRequest, run: () => Promise<PushResponse>): Promise<PushResponse>;
}

export function createRestarts(store: Store): Restarts {
  let epoch: Promise<string | null> | undefined;
  const currentEpoch = (): Promise<string | null> => {
    epoch ??= readRestart(store.sql).then((restart) => restart?.restoreId ?? null);
    // A failed read is tried again at the next request.
    epoch.catch(() => {
      epoch = undefined;
    });
    return epoch;
  };
  const restartFor = async (station: Station): Promise<{ epoch: string; lastSeq: number } | null> => {
    const known = await currentEpoch();
    if (known === null) return null;
    const [row] = await store.sql.query<{ last_seq: string | number }>('SELECT last_seq FROM stations WHERE id = $1', [station.id]);
    return { epoch: known, lastSeq: Number(row?.last_seq ?? 0) };
  };
  return {
    async pull(station, request, run) {
      if (request.protocolVersion < RESTART_SINCE) return run();
      // Read before the page, so lastSeq never counts events the page's receipts do not.
      const restart = await restartFor(station);
      const answer = await run();
      return restart === null ? answer : { ...answer, restart };
    },
    async push(station, request, run) {
      if (request.protocolVersion < RESTART_SINCE || station.revokedAt !== null || request.stationId !== station.id) return run();
      const known = await currentEpoch();
      if (known === null || request.epoch === known) return run();
      const restart = await restartFor(station);
      return restart === null ? run() : { receipts: [], restart };
    },
  };
}
