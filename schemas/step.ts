import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoTimeSchema, unitRefSchema } from './common.ts';

const markSchema = {
  type: 'object',
  properties: { eventId: identifierSchema, actor: identifierSchema, at: isoTimeSchema },
  required: ['eventId', 'actor', 'at'],
  additionalProperties: false,
} as const;

/**
 * The execution record of one operation on one unit as the server decided it: who started and
 * completed it, the material built in and every inspection result, each naming its event.
 */
export const stepViewSchema = {
  type: 'object',
  properties: {
    workOrderId: identifierSchema,
    unit: unitRefSchema,
    operationId: identifierSchema,
    started: markSchema,
    completed: markSchema,
    consumptions: {
      type: 'array',
      items: {
        type: 'object',
        // stationId: the station that recorded it (protocol 6), so a void of its duplicate completion finds it.
        properties: {
          ...markSchema.properties,
          stationId: identifierSchema,
          material: { type: 'object' },
          /** Quantities taken back unconsumed (`material.returned`), in server order. */
          returned: {
            type: 'array',
            items: {
              type: 'object',
              properties: { ...markSchema.properties, stationId: identifierSchema, quantity: { type: 'number' }, reason: { type: 'string', maxLength: 500 } },
              required: ['eventId', 'actor', 'at', 'stationId', 'quantity', 'reason'],
              additionalProperties: false,
            },
          },
        },
        required: ['eventId', 'actor', 'at', 'material'],
        additionalProperties: false,
      },
    },
    measurements: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...markSchema.properties,
          characteristicId: identifierSchema,
          result: { type: 'string', enum: ['pass', 'fail'] },
          event: { type: 'object' },
        },
        required: ['eventId', 'actor', 'at', 'characteristicId', 'result', 'event'],
        additionalProperties: false,
      },
    },
  },
  required: ['workOrderId', 'unit', 'operationId', 'consumptions', 'measurements'],
  additionalProperties: false,
} as const;

export type StepView = FromSchema<typeof stepViewSchema>;
