import type { PullRequest, PullResponse } from '../../schemas/pull.ts';
import type { Station, Store } from '../store/store.ts';

/** The protocol version from which a pull answer may carry `dropped`. */
const DROPPED_SINCE = 5;

/** Views per batch when the station does not ask for a limit. */
export const DEFAULT_PULL_LIMIT = 1000;

/** Who is pulling: what a pull may see depends on the station's program clearance. */
export interface PullContext {
  store: Store;
  station: Station;
}

/**
 * The views changed since the station's checkpoint that it may see, in server sequence order, and
 * its receipts that became visible up to the new checkpoint. The station stores them, keeps
 * `checkpoint` and asks again while `hasMore` is true. Views of programs the station is not cleared
 * for never leave the server; with `workCenterIds`, neither do the travelers of other work centers.
 * When a program was taken off the station's clearance within the page's range, the page names the
 * views of that program for the station to drop (S22); a station older than version 5 would not
 * know the field, and is not sent it.
 */
export async function pull(context: PullContext, request: PullRequest): Promise<PullResponse> {
  const { store, station } = context;
  const page = await store.viewsSince(request.checkpoint, request.limit ?? DEFAULT_PULL_LIMIT, {
    programs: station.programs,
    workCenterIds: request.workCenterIds,
  });
  const receipts = await store.receiptsFor(station.id, request.checkpoint, page.checkpoint);
  const dropped = request.protocolVersion >= DROPPED_SINCE ? await store.viewsToDrop(station.id, request.checkpoint, page.checkpoint, station.programs) : [];
  return { documents: page.documents, receipts, checkpoint: page.checkpoint, hasMore: page.hasMore, ...(dropped.length === 0 ? {} : { dropped }) };
}
