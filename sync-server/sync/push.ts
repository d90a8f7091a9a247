import type { PushRequest, PushResponse } from '../../schemas/push.ts';
import { validateEvent } from '../../schemas/validate.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { ApiFailure } from '../api-error.ts';
import type { Station } from '../store/store.ts';
import type { PlantService, QuarantineDraft } from './plant-service.ts';
import type { SignatureVerifier } from '../audit/verifier-pool.ts';
import { prepareEvent, type PreparedEvent } from '../audit/prepared-event.ts';
import { attestRuns } from '../audit/station-signatures.ts';

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

  const { publicKey, keyAlg } = station;
  const valid: StationEvent[] = [];
  const prepared: PreparedEvent[] = [];
  const failures: Array<QuarantineDraft & { message: string }> = [];
  request.events.forEach((candidate, index) => {
    const result = validateEvent(candidate, `events/${index}`);
    if (result.ok) {
      valid.push(result.value);
      if (failures.length === 0) prepared.push(prepareEvent(result.value));
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

  // Attested per unbroken run before the batch takes the lock (the signature of each run's last
  // event; one by one only to find a bad event); a station without a key attests nothing.
  const signatures =
    publicKey === null || keyAlg === null
      ? valid.map(() => false)
      : (await attestRuns(prepared, station.id, (indexes) => context.verifier.verify(publicKey, keyAlg, indexes.map((i) => prepared[i] as PreparedEvent)))).attested;
  const receipts = await plant.ingest({ station, events: valid, prepared, sentAt: request.sentAt, signatures });
  return { receipts };
}
