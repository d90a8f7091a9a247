import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoDateSchema } from './common.ts';
import { shipmentMarkSchema } from './events/shipping.ts';

/**
 * Where a lot of bought material came from (master data, from receiving): the supplier, the supplier's
 * own lot or heat number, the certificate that goes with it (a certificate of conformance or a mill
 * test report) and the day it was received. A lot made in the plant (a work order's lot, a split or a
 * merge) has none of its own: its provenance is its genealogy.
 */
export const lotProvenanceSchema = {
  type: 'object',
  properties: {
    supplier: { type: 'string', minLength: 1, maxLength: 120 },
    /** The supplier's lot number, as printed on the packing slip. */
    supplierLot: identifierSchema,
    /** The melt (heat) number of metal stock, as the mill test report states it. */
    heatNumber: identifierSchema,
    /** The certificate's reference: a CoC or mill test report number. */
    certificate: { type: 'string', minLength: 1, maxLength: 120 },
    receivedDate: isoDateSchema,
  },
  required: ['supplier', 'certificate', 'receivedDate'],
  additionalProperties: false,
} as const;


/** Who recorded a genealogy change, where and when, and by which event. */
export const genealogyMarkProperties = {
  eventId: identifierSchema,
  actor: identifierSchema,
  at: { type: 'string', format: 'date-time', maxLength: 40 },
  stationId: identifierSchema,
} as const;

const lotQuantityRef = {
  type: 'object',
  properties: { lotId: identifierSchema, quantity: { type: 'number' } },
  required: ['lotId', 'quantity'],
  additionalProperties: false,
} as const;

/** A material lot tracked by quantity. `remaining` is what the server last knew was left. */
export const lotSchema = {
  type: 'object',
  properties: {
    lotId: identifierSchema,
    partNumber: identifierSchema,
    quantity: { type: 'number', minimum: 0 },
    remaining: { type: 'number' },
    /** Bought material only (optional: lots recorded before it, and lots made in the plant, have none). */
    provenance: lotProvenanceSchema,
    /** A lot made by a split of another lot, a merge of several or a repack (`lot.split`, `lot.merged`, `lot.repacked`). */
    origin: {
      type: 'object',
      properties: { ...genealogyMarkProperties, kind: { type: 'string', enum: ['split', 'merged', 'repacked'] }, from: { type: 'array', items: lotQuantityRef } },
      required: ['eventId', 'actor', 'at', 'stationId', 'kind', 'from'],
      additionalProperties: false,
    },
    /** Quantities moved out of this lot into child lots by a split, a merge or a repack, in server order. */
    movedOut: {
      type: 'array',
      items: {
        type: 'object',
        properties: { ...genealogyMarkProperties, kind: { type: 'string', enum: ['split', 'merged', 'repacked'] }, quantity: { type: 'number' }, into: { type: 'array', items: identifierSchema } },
        required: ['eventId', 'actor', 'at', 'stationId', 'kind', 'quantity', 'into'],
        additionalProperties: false,
      },
    },
    /** Quantities of this lot scrapped (`unit.scrapped`), in server order. */
    scrapped: {
      type: 'array',
      items: {
        type: 'object',
        properties: { ...genealogyMarkProperties, quantity: { type: 'number' }, reason: { type: 'string', maxLength: 500 } },
        required: ['eventId', 'actor', 'at', 'stationId', 'quantity', 'reason'],
        additionalProperties: false,
      },
    },
    /** Quantities of this lot shipped (`unit.shipped`, protocol 8), in server order. */
    shipped: { type: 'array', items: shipmentMarkSchema },
  },
  required: ['lotId', 'partNumber', 'quantity', 'remaining'],
  additionalProperties: false,
} as const;

export type Lot = FromSchema<typeof lotSchema>;
export type LotProvenance = FromSchema<typeof lotProvenanceSchema>;
