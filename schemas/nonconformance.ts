import type { FromSchema } from 'json-schema-to-ts';
import { holdSubjectSchema, identifierSchema, isoTimeSchema } from './common.ts';

/** A nonconformance report. Travelog opens drafts; the QMS owns the formal NCR and its disposition. */
export const nonconformanceSchema = {
  type: 'object',
  properties: {
    ncrId: identifierSchema,
    status: { type: 'string', enum: ['draft'] },
    subject: holdSubjectSchema,
    workOrderId: identifierSchema,
    operationId: identifierSchema,
    characteristicId: identifierSchema,
    holdId: identifierSchema,
    description: { type: 'string', minLength: 1, maxLength: 2000 },
    openedBy: identifierSchema,
    openedAt: isoTimeSchema,
    sourceEventId: identifierSchema,
  },
  required: ['ncrId', 'status', 'subject', 'description', 'openedBy', 'openedAt', 'sourceEventId'],
  additionalProperties: false,
} as const;

export type Nonconformance = FromSchema<typeof nonconformanceSchema>;
