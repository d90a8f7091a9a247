import type { PushRequest, PushResponse } from '../../schemas/push.ts';
import { validateEvent } from '../../schemas/validate.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { ApiFailure } from '../api-error.ts';
import type { Station } from '../store/store.ts';
import type { PlantService, QuarantineDraft } from './plant-service.ts';
import type { SignatureVerifier } from '../audit/verifier-pool.ts';

/** What a push needs besides the request. */
export interface PushContext {
  plant: PlantService;
  station: Station;
  now: () => Date;
  /** Checks station signatures (a worker pool on the server). */
  verifier: SignatureVerifier;
}

/** Longest event id a quarantine entry keeps (the schema's limit). */
const MAX_EVENT_ID = 200;

/** Failures named in one 400 message; the quarantine keeps every one. */
const NAMED_FAILURES = 5;

/**
 * A station's batch: refused whole, into quarantine, if it names another station or if any event
 * fails its schema (nothing else changes); otherwise decided by the plant's rules, one receipt per
 * event in the order sent. The envelope and the protocol version are checked by the route.
 */
export async function push(context: PushContext, request: PushRequest): Promise<PushResponse> {
  const { plant, station, now } = context;
  if (station.revokedAt !== null) {
    const reason = `Station ${station.name} was revoked at ${station.revokedAt}; its pushes are refused`;
    await plant.quarantine([{ eventId: '(whole push)', stationId: station.id, reason, flags: ['security:revoked-station'], raw: request }], now());
    throw new ApiFailure(401, 'unauthenticated', 'This station was revoked; enroll it again');
  }
  if (request.stationId !== station.id) {
    const reason = `The push names station ${request.stationId} but carries the credential of station ${station.id}`;
    await plant.quarantine([{ eventId: '(whole push)', stationId: station.id, reason, flags: ['security:station-mismatch'], raw: request }], now());
    throw new ApiFailure(403, 'station-mismatch', reason);
  }

  const valid: StationEvent[] = [];
  const failures: Array<QuarantineDraft & { message: string }> = [];
  request.events.forEach((candidate, index) => {
    const result = validateEvent(candidate, `events/${index}`);
    if (result.ok) {
      valid.push(result.value);
      return;
    }
    const id = (candidate as { id?: unknown }).id;
    const eventId = typeof id === 'string' && id.length > 0 ? id.slice(0, MAX_EVENT_ID) : `events/${index}`;
    failures.push({ eventId, stationId: station.id, reason: result.message, flags: ['schema'], raw: candidate, message: result.message });
  });
  if (failures.length > 0) {
    await plant.quarantine(failures.map(({ message: _message, ...draft }) => draft), now());
    const named = failures.slice(0, NAMED_FAILURES).map((failure) => failure.message);
    const more = failures.length > NAMED_FAILURES ? `; and ${failures.length - NAMED_FAILURES} more` : '';
    throw new ApiFailure(400, 'invalid-event', `${named.join('; ')}${more}`, {}, { eventIds: failures.map((failure) => failure.eventId) });
  }

  // Verified before the batch takes the lock, on every core: the costliest step of a push.
  const signatures =
    station.publicKey === null || station.keyAlg === null
      ? valid.map(() => false)
      : await context.verifier.verify(station.publicKey, station.keyAlg, valid);
  const receipts = await plant.ingest({ station, events: valid, sentAt: request.sentAt, signatures });
  return { receipts };
}
