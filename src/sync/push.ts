/**
 * Pushing this station's events: in sequence order, at most {@link MAX_PUSH_EVENTS} a request, the
 * receipts stored as they come back. Events the server refuses as malformed (`400 invalid-event`)
 * are noted as refused and kept; the rest go on.
 */
import type { PushResponse } from '../../schemas/push.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { MAX_PUSH_EVENTS } from '../../schemas/push.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import type { StationDb, StoredEvent } from '../db/database.ts';
import { storeInvalidEventRefusals, storeReceipts } from '../db/receipts.ts';
import type { RetryContext } from './retry.ts';
import { classifyFailure, withRetry } from './retry.ts';
import type { Transport } from './transport.ts';
import { ApiFailure } from './transport.ts';

export const PUSH_PATH = '/api/sync/push';

export interface PushContext {
  db: StationDb;
  transport: Transport;
  stationId: string;
  credential: string;
  now: () => Date;
  retry: RetryContext;
  /** Told after each batch the server answered. */
  onPushed?: () => void;
}

/** The event as recorded, without what RxDB adds to a stored document. */
export function eventOfDocument(doc: StoredEvent): StationEvent {
  const { id, type, stationId, seq, actor, deviceTime, hlc, payload, prevHash, keyAlg, signature } = doc;
  return { id, type, stationId, seq, actor, deviceTime, hlc, payload, prevHash, ...(keyAlg === undefined ? {} : { keyAlg }), signature } as unknown as StationEvent;
}

type BatchAnswer = { receipts: PushResponse['receipts'] } | { invalid: string[]; message: string };

/** The events of a `400 invalid-event` answer that are in the batch; empty if it names none of them. */
function invalidIn(error: unknown, batch: readonly StationEvent[]): string[] {
  if (!(error instanceof ApiFailure) || classifyFailure(error) !== 'invalid-event') return [];
  const named = (error.body as { eventIds?: unknown } | null)?.eventIds;
  if (!Array.isArray(named)) return [];
  const ids = new Set(named.filter((id): id is string => typeof id === 'string'));
  return batch.filter((event) => ids.has(event.id)).map((event) => event.id);
}

/**
 * Pushes events and stores the server's receipts. Retries transient failures (see withRetry);
 * resolves once every event has a receipt or a refusal noted.
 */
export async function pushEvents(context: PushContext, events: readonly StationEvent[]): Promise<void> {
  let rest = [...events].sort((a, b) => a.seq - b.seq);
  const { signal } = context.retry;
  while (rest.length > 0) {
    const batch = rest.slice(0, MAX_PUSH_EVENTS);
    const answer = await withRetry<BatchAnswer>(async () => {
      try {
        const response = await context.transport.post<PushResponse>(
          PUSH_PATH,
          { protocolVersion: PROTOCOL_VERSION, stationId: context.stationId, sentAt: context.now().toISOString(), events: batch },
          context.credential,
          { signal },
        );
        return { receipts: response.receipts };
      } catch (error) {
        const invalid = invalidIn(error, batch);
        // An invalid-event answer that names none of these events cannot be acted on: it is
        // retried like any other failure rather than dropping or resending blindly.
        if (invalid.length > 0) return { invalid, message: (error as ApiFailure).message };
        throw error;
      }
    }, context.retry);
    signal.throwIfAborted();
    if ('invalid' in answer) {
      await storeInvalidEventRefusals(context.db, answer.invalid, answer.message, context.now());
      const refused = new Set(answer.invalid);
      rest = rest.filter((event) => !refused.has(event.id));
    } else {
      await storeReceipts(context.db, answer.receipts);
      rest = rest.slice(batch.length);
    }
    context.onPushed?.();
  }
}
