import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoTimeSchema } from './common.ts';
import { lotMergedSchema, lotRepackedSchema, lotSplitSchema, materialReturnedSchema, unitScrappedSchema } from './events/genealogy.ts';
import { conflictResolvedSchema, holdPlacedSchema, holdReleasedSchema } from './events/hold.ts';
import { materialConsumedSchema } from './events/material.ts';
import { measurementRecordedSchema } from './events/measurement.ts';
import { ncrContainmentExtendedSchema, ncrDispositionedSchema, ncrOpenedSchema, ncrReworkRecordedSchema } from './events/ncr.ts';
import { opCompletedSchema, opStartedSchema } from './events/operation.ts';
import { sessionSignedInSchema, sessionSignedOutSchema } from './events/session.ts';
import { unitShippedSchema } from './events/shipping.ts';

/** The payload schema of every event type. An event whose type is not here is unknown and refused. */
export const eventPayloadSchemas = {
  'session.signed-in': sessionSignedInSchema,
  'session.signed-out': sessionSignedOutSchema,
  'op.started': opStartedSchema,
  'op.completed': opCompletedSchema,
  'material.consumed': materialConsumedSchema,
  'measurement.recorded': measurementRecordedSchema,
  'hold.placed': holdPlacedSchema,
  'hold.released': holdReleasedSchema,
  'conflict.resolved': conflictResolvedSchema,
  'ncr.opened': ncrOpenedSchema,
  'ncr.dispositioned': ncrDispositionedSchema,
  'ncr.rework-recorded': ncrReworkRecordedSchema,
  'ncr.containment-extended': ncrContainmentExtendedSchema,
  'lot.split': lotSplitSchema,
  'lot.merged': lotMergedSchema,
  'lot.repacked': lotRepackedSchema,
  'unit.scrapped': unitScrappedSchema,
  'material.returned': materialReturnedSchema,
  'unit.shipped': unitShippedSchema,
} as const;

export type EventType = keyof typeof eventPayloadSchemas;
export const eventTypes = Object.keys(eventPayloadSchemas) as EventType[];

/**
 * The envelope of every event a station records. Immutable once written; a correction is a new
 * event. `seq` is gapless per station; `hlc` is the station's hybrid logical clock. Each event is
 * signed by the station's key when captured and names the hash of the station's previous event, so
 * a station's events form a hash chain (docs/audit.md).
 * This is also the RxDB `events` collection schema (see src/db/).
 */
export const eventSchema = {
  title: 'event',
  version: 1,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid', maxLength: 36 },
    type: { type: 'string', enum: Object.keys(eventPayloadSchemas) as EventType[], maxLength: 40 },
    stationId: identifierSchema,
    seq: { type: 'integer', minimum: 1, maximum: 1e15, multipleOf: 1 },
    actor: identifierSchema,
    deviceTime: isoTimeSchema,
    hlc: { type: 'string', minLength: 1, maxLength: 120 },
    payload: { type: 'object' },
    /** SHA-256 (hex) of the station's previous event (RFC 8785 encoding, signature included); 64 zeros before the first. */
    prevHash: { type: 'string', minLength: 64, maxLength: 64, pattern: '^[0-9a-f]{64}$' },
    /** The station key's algorithm; the key enrolled for the station when absent. */
    keyAlg: { type: 'string', enum: ['Ed25519', 'ECDSA-P256'], maxLength: 12 },
    /** The station's signature (base64url) over the RFC 8785 encoding of every other field. */
    signature: { type: 'string', minLength: 16, maxLength: 200 },
  },
  required: ['id', 'type', 'stationId', 'seq', 'actor', 'deviceTime', 'hlc', 'payload', 'prevHash', 'signature'],
  additionalProperties: false,
  indexes: ['seq'],
} as const;

type Envelope = Omit<FromSchema<typeof eventSchema>, 'type' | 'payload'>;

/**
 * The payload type of every event type, one property each (derived from its schema) so that the
 * compiler computes each once; a mapped type over `eventPayloadSchemas` is too deep for it.
 */
export interface EventPayloads {
  'session.signed-in': FromSchema<typeof sessionSignedInSchema>;
  'session.signed-out': FromSchema<typeof sessionSignedOutSchema>;
  'op.started': FromSchema<typeof opStartedSchema>;
  'op.completed': FromSchema<typeof opCompletedSchema>;
  'material.consumed': FromSchema<typeof materialConsumedSchema>;
  'measurement.recorded': FromSchema<typeof measurementRecordedSchema>;
  'hold.placed': FromSchema<typeof holdPlacedSchema>;
  'hold.released': FromSchema<typeof holdReleasedSchema>;
  'conflict.resolved': FromSchema<typeof conflictResolvedSchema>;
  'ncr.opened': FromSchema<typeof ncrOpenedSchema>;
  'ncr.dispositioned': FromSchema<typeof ncrDispositionedSchema>;
  'ncr.rework-recorded': FromSchema<typeof ncrReworkRecordedSchema>;
  'ncr.containment-extended': FromSchema<typeof ncrContainmentExtendedSchema>;
  'lot.split': FromSchema<typeof lotSplitSchema>;
  'lot.merged': FromSchema<typeof lotMergedSchema>;
  'lot.repacked': FromSchema<typeof lotRepackedSchema>;
  'unit.scrapped': FromSchema<typeof unitScrappedSchema>;
  'material.returned': FromSchema<typeof materialReturnedSchema>;
  'unit.shipped': FromSchema<typeof unitShippedSchema>;
}

/** The payload type of event type `T`. */
export type EventPayload<T extends EventType> = EventPayloads[T];

/** A station event: the envelope with a payload typed by its `type`. */
export type StationEvent = { [T in EventType]: Envelope & { type: T; payload: EventPayload<T> } }[EventType];

/** An event of one type. */
export type EventOf<T extends EventType> = Extract<StationEvent, { type: T }>;
