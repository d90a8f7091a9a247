import { holdSubjectSchema, identifierSchema, signatureSchema } from '../common.ts';

/** `hold.placed`: a person stopped a serial, lot or work order. */
export const holdPlacedSchema = {
  type: 'object',
  properties: {
    holdId: identifierSchema,
    subject: holdSubjectSchema,
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
  },
  required: ['holdId', 'subject', 'reason'],
  additionalProperties: false,
} as const;

/** `hold.released`: a supervisor released the one hold it names, under an electronic signature. */
export const holdReleasedSchema = {
  type: 'object',
  properties: { holdId: identifierSchema, signature: signatureSchema },
  required: ['holdId', 'signature'],
  additionalProperties: false,
} as const;

/**
 * `conflict.resolved`: a supervisor's e-signed decision on a conflict item: accept the event as
 * recorded, void it (it stays in the record, marked void, with the reason), or open an NCR.
 */
export const conflictResolvedSchema = {
  type: 'object',
  properties: {
    conflictId: identifierSchema,
    action: { type: 'string', enum: ['accept', 'void', 'open-ncr'] },
    signature: signatureSchema,
  },
  required: ['conflictId', 'action', 'signature'],
  additionalProperties: false,
} as const;
