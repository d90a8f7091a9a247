/**
 * One pull request: the server's views changed since a checkpoint, and this station's receipts up to
 * the new checkpoint. The receipts are stored here; the views go back to the replication
 * (src/sync/replication.ts), which writes them to the `views` collection.
 */
import type { PullResponse } from '../../schemas/pull.ts';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { validateView } from '../db/validators.ts';
import type { StationDb } from '../db/database.ts';
import { storeReceipts } from '../db/receipts.ts';
import { readPlantPolicy, writePlantPolicy } from '../db/settings.ts';
import type { Restart } from './restart.ts';
import { isNewRestart } from './restart.ts';
import type { RequestOptions, Transport } from './transport.ts';

export const PULL_PATH = '/api/sync/pull';

export interface PulledPage {
  documents: ViewDoc[];
  /** Ids of views to drop: their program was taken off this station's clearance (docs/sync-spec.md S22). */
  dropped: string[];
  checkpoint: number;
  hasMore: boolean;
  /**
   * The server's log was restored from a backup, under another restart than the one the request was
   * made under (docs/sync-spec.md S23): the page is of a numbering the station does not hold, so
   * nothing of it is stored or returned; the station follows the restart and pulls from 0.
   */
  restart?: Restart;
}

/**
 * Asks for one page and stores its receipts. A document that fails its schema fails the whole page
 * before anything is written: the station never stores a view it cannot read.
 */
export async function pullPage(
  db: StationDb,
  transport: Transport,
  request: { credential: string; checkpoint: number; limit: number; workCenterIds?: readonly string[]; epoch?: string | undefined },
  options: RequestOptions = {},
): Promise<PulledPage> {
  const scope = request.workCenterIds === undefined || request.workCenterIds.length === 0 ? {} : { workCenterIds: [...request.workCenterIds] };
  const answer = await transport.post<PullResponse>(
    PULL_PATH,
    { protocolVersion: PROTOCOL_VERSION, checkpoint: request.checkpoint, limit: request.limit, ...scope },
    request.credential,
    options,
  );
  if (isNewRestart(request.epoch, answer.restart)) return { documents: [], dropped: [], checkpoint: request.checkpoint, hasMore: false, restart: answer.restart };
  for (const doc of answer.documents) {
    const valid = await validateView(doc, `pull/documents/${doc.id}`);
    if (!valid.ok) throw new Error(`The server sent a document this station cannot read: ${valid.message}`);
  }
  options.signal?.throwIfAborted();
  await storeReceipts(db, answer.receipts);
  if (answer.mrbDecides !== undefined && (await readPlantPolicy(db))?.mrbDecides !== answer.mrbDecides) await writePlantPolicy(db, { mrbDecides: answer.mrbDecides });
  return { documents: answer.documents, dropped: answer.dropped ?? [], checkpoint: answer.checkpoint, hasMore: answer.hasMore };
}
