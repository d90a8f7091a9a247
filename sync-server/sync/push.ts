import type { PushRequest, PushResponse } from '../../schemas/push.ts';
import { validateEvent } from '../../schemas/validate.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { ApiFailure } from '../api-error.ts';
import type { Station } from '../store/store.ts';
import type { PlantService, QuarantineDraft } from './plant-service.ts';
import type { SignatureVerifier } from '../audit/verifier-pool.ts';
import { prepareEvent, type PreparedEvent } from '../audit/prepared-event.ts';

/** What a push needs besides the request. */
export interface PushContext {
  plant: PlantService;
  station: Station;
  now: () => Date;
  /** Checks station signatures and signs the receipts' audit entries (a worker pool on the server). */
  verifier: SignatureVerifier;
}

/** Longest event id a quarantine entry keeps (the schema's limit). */
const MAX_EVENT_ID = 200;

/**
 * Events validated, encoded and handed to the verifier at a time: small enough that the workers
 * start early, large enough for a worker job (verifier-pool.ts) to be worth its round trip.
 */
const VERIFY_SLICE = 128;

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

  // Each slice of the batch is validated, encoded once and handed to the verifier before the next
  // is looked at, so the workers verify (the costliest step of a push) while this thread goes on.
  const { publicKey, keyAlg } = station;
  const valid: StationEvent[] = [];
  const prepared: PreparedEvent[] = [];
  const verifying: Array<Promise<boolean[]>> = [];
  const failures: Array<QuarantineDraft & { message: string }> = [];
  for (let start = 0; start < request.events.length; start += VERIFY_SLICE) {
    const slice: PreparedEvent[] = [];
    request.events.slice(start, start + VERIFY_SLICE).forEach((candidate, offset) => {
      const index = start + offset;
      const result = validateEvent(candidate, `events/${index}`);
      if (result.ok) {
        valid.push(result.value);
        if (failures.length === 0) slice.push(prepareEvent(result.value));
        return;
      }
      const id = (candidate as { id?: unknown }).id;
      const eventId = typeof id === 'string' && id.length > 0 ? id.slice(0, MAX_EVENT_ID) : `events/${index}`;
      failures.push({ eventId, stationId: station.id, reason: result.message, flags: ['schema'], raw: candidate, message: result.message });
    });
    if (failures.length > 0 || slice.length === 0) continue;
    prepared.push(...slice);
    if (publicKey === null || keyAlg === null) continue;
    const verified = context.verifier.verify(publicKey, keyAlg, slice);
    // Left unawaited if a later event fails its schema: that must not surface as an unhandled rejection.
    verified.catch(() => undefined);
    verifying.push(verified);
  }
  if (failures.length > 0) {
    await plant.quarantine(failures.map(({ message: _message, ...draft }) => draft), now());
    const named = failures.slice(0, NAMED_FAILURES).map((failure) => failure.message);
    const more = failures.length > NAMED_FAILURES ? `; and ${failures.length - NAMED_FAILURES} more` : '';
    throw new ApiFailure(400, 'invalid-event', `${named.join('; ')}${more}`, {}, { eventIds: failures.map((failure) => failure.eventId) });
  }

  // Verified before the batch takes the lock; a station without a key has no valid signature.
  const signatures = publicKey === null || keyAlg === null ? valid.map(() => false) : (await Promise.all(verifying)).flat();
  const receipts = await plant.ingest({ station, events: valid, prepared, sentAt: request.sentAt, signatures, signer: context.verifier });
  return { receipts };
}
