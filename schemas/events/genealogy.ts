/**
 * The genealogy events (issue 14): what happens to material besides being built in. Each names the
 * lots and serials it moves as references with a `kind`, so the audit log's subjects
 * (src/audit/subjects.ts) put the event in every one of their chains.
 */
import { identifierSchema, unitRefSchema } from '../common.ts';

/** A quantity of a lot. */
const lotQuantitySchema = {
  type: 'object',
  properties: { kind: { const: 'lot' }, lotId: identifierSchema, quantity: { type: 'number', exclusiveMinimum: 0 } },
  required: ['kind', 'lotId', 'quantity'],
  additionalProperties: false,
} as const;

/** A lot named with its part number. */
const lotOfPartSchema = {
  type: 'object',
  properties: { kind: { const: 'lot' }, lotId: identifierSchema, partNumber: identifierSchema },
  required: ['kind', 'lotId', 'partNumber'],
  additionalProperties: false,
} as const;

const reasonSchema = { type: 'string', minLength: 1, maxLength: 500 } as const;

/** `lot.split`: part of a lot (or all of it) divided into new child lots, each with its quantity. */
export const lotSplitSchema = {
  type: 'object',
  properties: {
    lot: lotOfPartSchema,
    children: { type: 'array', items: lotQuantitySchema, minItems: 1, maxItems: 50 },
    reason: reasonSchema,
  },
  required: ['lot', 'children'],
  additionalProperties: false,
} as const;

/** `lot.merged`: quantities of two or more lots of one part put together as one new lot. */
export const lotMergedSchema = {
  type: 'object',
  properties: {
    sources: { type: 'array', items: lotQuantitySchema, minItems: 2, maxItems: 50 },
    into: lotOfPartSchema,
    reason: reasonSchema,
  },
  required: ['sources', 'into'],
  additionalProperties: false,
} as const;

/**
 * `lot.repacked`: a quantity of a lot (or all of it) put into new packaging as one new lot: a new id,
 * the same part, the parent's provenance carried over (the supplier, heat and certificate still hold).
 */
export const lotRepackedSchema = {
  type: 'object',
  properties: {
    lot: lotOfPartSchema,
    into: lotQuantitySchema,
    reason: reasonSchema,
  },
  required: ['lot', 'into'],
  additionalProperties: false,
} as const;

/** `unit.scrapped`: a serialized unit, or a quantity of a lot, scrapped with the reason. */
export const unitScrappedSchema = {
  type: 'object',
  properties: {
    item: {
      oneOf: [
        {
          type: 'object',
          properties: { kind: { const: 'serial' }, serial: identifierSchema, partNumber: identifierSchema },
          required: ['kind', 'serial', 'partNumber'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { kind: { const: 'lot' }, lotId: identifierSchema, partNumber: identifierSchema, quantity: { type: 'number', exclusiveMinimum: 0 } },
          required: ['kind', 'lotId', 'partNumber', 'quantity'],
          additionalProperties: false,
        },
      ],
    },
    reason: reasonSchema,
  },
  required: ['item', 'reason'],
  additionalProperties: false,
} as const;

/**
 * `material.returned`: material consumed at a step taken back unconsumed (all of a serial, or part of
 * a lot quantity). Names the consumption it takes back; the quantity goes back to the lot, a serial
 * is free again.
 */
export const materialReturnedSchema = {
  type: 'object',
  properties: {
    workOrderId: identifierSchema,
    operationId: identifierSchema,
    unit: unitRefSchema,
    consumedEventId: identifierSchema,
    material: {
      oneOf: [
        {
          type: 'object',
          properties: { kind: { const: 'serial' }, serial: identifierSchema, partNumber: identifierSchema },
          required: ['kind', 'serial', 'partNumber'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { kind: { const: 'lot' }, lotId: identifierSchema, partNumber: identifierSchema, quantity: { type: 'number', exclusiveMinimum: 0 } },
          required: ['kind', 'lotId', 'partNumber', 'quantity'],
          additionalProperties: false,
        },
      ],
    },
    reason: reasonSchema,
  },
  required: ['workOrderId', 'operationId', 'unit', 'consumedEventId', 'material', 'reason'],
  additionalProperties: false,
} as const;
