import { identifierSchema } from '../common.ts';

/** `session.signed-in`: a person signed in at a station with badge and PIN. */
export const sessionSignedInSchema = {
  type: 'object',
  properties: { workCenterId: identifierSchema },
  required: ['workCenterId'],
  additionalProperties: false,
} as const;

/** `session.signed-out`: one tap, or the station's idle timer. */
export const sessionSignedOutSchema = {
  type: 'object',
  properties: { workCenterId: identifierSchema, cause: { type: 'string', enum: ['manual', 'idle'] } },
  required: ['workCenterId', 'cause'],
  additionalProperties: false,
} as const;
