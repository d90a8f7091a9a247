import type { PullRequest, PullResponse } from '../../schemas/pull.ts';
import { currentPlant } from '../audit/clearance.ts';
import { EVERY_PROGRAM } from '../store/view-keys.ts';
import type { Station, Store } from '../store/store.ts';
import type { PlantService } from './plant-service.ts';
import { withholdForeign } from './program-tokens.ts';
import { plantPrograms, programIndex } from './scope.ts';

/** The protocol version from which a pull answer may carry `dropped`. */
const DROPPED_SINCE = 5;

/** Views per batch when the station does not ask for a limit. */
export const DEFAULT_PULL_LIMIT = 1000;

/** Who is pulling: what a pull may see depends on the station's program clearance. */
export interface PullContext {
  store: Store;
  station: Station;
  /** The plant, to tell whether the station is cleared for every program and what to blank if not. */
  plant: PlantService;
  /** Where the plant's MRB decides (MRB_DECIDES), told to the station with every page (protocol 8). */
  mrbDecides?: 'travelog' | 'qms';
}

/**
 * The views changed since the station's checkpoint that it may see, in server sequence order, and
 * its receipts that became visible up to the new checkpoint. The station stores them, keeps
 * `checkpoint` and asks again while `hasMore` is true. Views of programs the station is not cleared
 * for never leave the server; with `workCenterIds`, neither do the travelers of other work centers.
 * Views only a station cleared for every program may see (refused input that cannot be classified,
 * S12) go only to such a station; to any other, an identifier or name of a program it is not cleared
 * for inside a view it may see is sent as "(withheld)" (S10).
 * When a program was taken off the station's clearance within the page's range, the page names the
 * views of that program for the station to drop (S22); a station older than version 5 would not
 * know the field, and is not sent it.
 */
export async function pull(context: PullContext, request: PullRequest): Promise<PullResponse> {
  const { store, station, plant } = context;
  // The plant as this process has it: a program another server added since is known to it at its
  // next batch (and a station is rarely cleared for a program no work order names yet).
  const everyProgram = plantPrograms(plant.state()).every((program) => station.programs.includes(program));
  const programs = everyProgram ? [...station.programs, EVERY_PROGRAM] : station.programs;
  const page = await store.viewsSince(request.checkpoint, request.limit ?? DEFAULT_PULL_LIMIT, {
    programs,
    workCenterIds: request.workCenterIds,
  });
  const receipts = await store.receiptsFor(station.id, request.checkpoint, page.checkpoint);
  const dropped = request.protocolVersion >= DROPPED_SINCE ? await store.viewsToDrop(station.id, request.checkpoint, page.checkpoint, programs) : [];
  let documents = page.documents;
  if (!everyProgram && documents.length > 0) {
    // The plant at least as new as the page, so an identifier the page names is known to it.
    const index = programIndex(await currentPlant(plant, store));
    documents = documents.map((doc) => {
      const data = withholdForeign(doc.data, index, station.programs);
      return data === doc.data ? doc : ({ ...doc, data } as typeof doc);
    });
  }
  return {
    documents, receipts, checkpoint: page.checkpoint, hasMore: page.hasMore,
    ...(dropped.length === 0 ? {} : { dropped }),
    mrbDecides: context.mrbDecides ?? 'travelog',
  };
}
