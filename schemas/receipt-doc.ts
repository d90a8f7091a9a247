import type { FromSchema } from 'json-schema-to-ts';
import { receiptSchema } from './receipt.ts';

/**
 * A receipt as a station stores it (the RxDB `receipts` collection, keyed by event id): the server's
 * receipt from a push answer or a pull, or, where the server refused the event outright with
 * `400 invalid-event` and so wrote no receipt, the station's note of that refusal (`origin:
 * 'invalid-event'`, outcome `rejected`, flag `schema`, the server's message as the reason). Either
 * way the event itself stays in the `events` collection: nothing recorded is ever lost.
 */
export const receiptDocSchema = {
  title: 'receipt',
  version: 0,
  primaryKey: 'eventId',
  type: 'object',
  properties: {
    ...receiptSchema.properties,
    eventId: { type: 'string', maxLength: 80 },
    // Indexed, so RxDB needs a bounded length.
    outcome: { type: 'string', enum: ['accepted', 'flagged', 'rejected'], maxLength: 10 },
    origin: { type: 'string', enum: ['receipt', 'invalid-event'] },
  },
  required: [...receiptSchema.required, 'origin'],
  additionalProperties: false,
  indexes: ['outcome'],
} as const;

export type ReceiptDoc = FromSchema<typeof receiptDocSchema>;
