import type { FromSchema } from 'json-schema-to-ts';
import { flagSchema } from './flags.ts';
import { holdSubjectSchema, identifierSchema, isoTimeSchema, signatureSchema } from './common.ts';

/**
 * A work item for a supervisor: one flag the server put on one event, with the records it conflicts
 * with. Resolved by an e-signed `conflict.resolved` event: accept as recorded, void with a reason,
 * or open an NCR.
 */
export const conflictSchema = {
  type: 'object',
  properties: {
    conflictId: identifierSchema,
    flag: flagSchema,
    eventId: identifierSchema,
    stationId: identifierSchema,
    actor: identifierSchema,
    eventType: { type: 'string', maxLength: 40 },
    relatedEventIds: { type: 'array', items: identifierSchema },
    subject: holdSubjectSchema,
    workOrderId: identifierSchema,
    /** The traveler step the event acted on, where it acted on one. */
    stepKey: { type: 'string', maxLength: 300 },
    description: { type: 'string', minLength: 1, maxLength: 2000 },
    raisedAt: isoTimeSchema,
    status: { type: 'string', enum: ['open', 'resolved'] },
    resolution: {
      type: 'object',
      properties: {
        action: { type: 'string', enum: ['accept', 'void', 'open-ncr'] },
        eventId: identifierSchema,
        signature: signatureSchema,
      },
      required: ['action', 'eventId', 'signature'],
      additionalProperties: false,
    },
  },
  required: ['conflictId', 'flag', 'eventId', 'stationId', 'actor', 'eventType', 'relatedEventIds', 'description', 'raisedAt', 'status'],
  additionalProperties: false,
} as const;

export type Conflict = FromSchema<typeof conflictSchema>;
