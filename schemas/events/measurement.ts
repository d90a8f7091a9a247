import { identifierSchema, lengthUnitSchema, unitRefSchema } from '../common.ts';

/**
 * `measurement.recorded`: an inspector's result for one characteristic. A variable value keeps both
 * what was entered (value and unit) and the value in the characteristic's unit; `result` is what the
 * station showed, the server recomputes it.
 */
export const measurementRecordedSchema = {
  type: 'object',
  properties: {
    workOrderId: identifierSchema,
    operationId: identifierSchema,
    unit: unitRefSchema,
    characteristicId: identifierSchema,
    characteristicRevision: identifierSchema,
    instructionRevision: identifierSchema,
    measured: {
      oneOf: [
        {
          type: 'object',
          properties: {
            kind: { const: 'variable' },
            entered: {
              type: 'object',
              properties: { value: { type: 'number' }, unit: lengthUnitSchema, text: { type: 'string', maxLength: 40 } },
              required: ['value', 'unit', 'text'],
              additionalProperties: false,
            },
            value: { type: 'number' },
            unit: lengthUnitSchema,
          },
          required: ['kind', 'entered', 'value', 'unit'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { kind: { const: 'attribute' }, verdict: { type: 'string', enum: ['pass', 'fail'] } },
          required: ['kind', 'verdict'],
          additionalProperties: false,
        },
      ],
    },
    gaugeId: identifierSchema,
    result: { type: 'string', enum: ['pass', 'fail'] },
  },
  required: [
    'workOrderId',
    'operationId',
    'unit',
    'characteristicId',
    'characteristicRevision',
    'instructionRevision',
    'measured',
    'result',
  ],
  additionalProperties: false,
} as const;
