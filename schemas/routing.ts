import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, lengthUnitSchema } from './common.ts';

/**
 * A characteristic of the drawing that an operation inspects. Variable characteristics carry a
 * nominal with tolerances (`tolMinus`/`tolPlus`, both positive) or absolute limits; either side may
 * be open (a surface finish has only an upper limit). Attribute characteristics are pass/fail.
 */
export const characteristicSchema = {
  type: 'object',
  properties: {
    id: identifierSchema,
    name: { type: 'string', minLength: 1, maxLength: 120 },
    revision: identifierSchema,
    kind: { type: 'string', enum: ['variable', 'attribute'] },
    unit: lengthUnitSchema,
    nominal: { type: 'number' },
    tolMinus: { type: 'number', minimum: 0 },
    tolPlus: { type: 'number', minimum: 0 },
    lowerLimit: { type: 'number' },
    upperLimit: { type: 'number' },
    gaugeRequired: { type: 'boolean' },
    method: { type: 'string', maxLength: 200 },
    /** When this revision took effect; work to an earlier revision after it is stale. */
    effectiveFrom: { type: 'string', format: 'date-time', maxLength: 40 },
  },
  required: ['id', 'name', 'revision', 'kind', 'gaugeRequired'],
  additionalProperties: false,
} as const;

/** A line of an operation's bill of materials: which part it consumes, and how many per unit built. */
export const billLineSchema = {
  type: 'object',
  properties: {
    partNumber: identifierSchema,
    quantityPer: { type: 'number', exclusiveMinimum: 0 },
  },
  required: ['partNumber', 'quantityPer'],
  additionalProperties: false,
} as const;

/** One step of a routing, run at a work center under a controlled work instruction revision. */
export const operationSchema = {
  type: 'object',
  properties: {
    id: identifierSchema,
    sequence: { type: 'integer', minimum: 1 },
    name: { type: 'string', minLength: 1, maxLength: 120 },
    workCenterId: identifierSchema,
    operationType: identifierSchema,
    instruction: {
      type: 'object',
      properties: {
        ref: identifierSchema,
        revision: identifierSchema,
        /** When this revision took effect; work to an earlier revision after it is stale. */
        effectiveFrom: { type: 'string', format: 'date-time', maxLength: 40 },
      },
      required: ['ref', 'revision'],
      additionalProperties: false,
    },
    characteristics: { type: 'array', items: characteristicSchema },
    bill: { type: 'array', items: billLineSchema },
  },
  required: ['id', 'sequence', 'name', 'workCenterId', 'operationType', 'instruction', 'characteristics', 'bill'],
  additionalProperties: false,
} as const;

/** The ordered operations that make a part at a revision. */
export const routingSchema = {
  type: 'object',
  properties: {
    partNumber: identifierSchema,
    partRevision: identifierSchema,
    operations: { type: 'array', items: operationSchema, minItems: 1 },
  },
  required: ['partNumber', 'partRevision', 'operations'],
  additionalProperties: false,
} as const;

export type Characteristic = FromSchema<typeof characteristicSchema>;
export type BillLine = FromSchema<typeof billLineSchema>;
export type Operation = FromSchema<typeof operationSchema>;
export type Routing = FromSchema<typeof routingSchema>;
