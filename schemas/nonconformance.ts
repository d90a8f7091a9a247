import type { FromSchema } from 'json-schema-to-ts';
import { holdSubjectSchema, identifierSchema, isoTimeSchema, signatureSchema, unitRefSchema } from './common.ts';
import { photoRefSchema } from './attachment.ts';
import { dispositionSchema, instructionRefSchema } from './events/ncr.ts';

/** One disposition of a quantity of an NCR item, with its signatures and, for rework and repair, when it was carried out. */
export const ncrDispositionRecordSchema = {
  type: 'object',
  properties: {
    eventId: identifierSchema,
    disposition: dispositionSchema,
    quantity: { type: 'integer', minimum: 1 },
    signature: signatureSchema,
    concurrence: signatureSchema,
    customerApprovalRef: { type: 'string', minLength: 1, maxLength: 120 },
    /** Rework and repair: the routing operation it is done to (resolved when applied), the repair instruction, more characteristics to re-inspect. */
    operationId: identifierSchema,
    instruction: instructionRefSchema,
    reinspect: { type: 'array', items: identifierSchema },
    /**
     * Decided in the QMS and posted by an integration (docs/ncr.md, The QMS link): the QMS's reference,
     * the integration's name and the approver's name as the QMS gave it. `signature` repeats them
     * (signerBadge the integration, printedName the approver).
     */
    qms: {
      type: 'object',
      properties: {
        reference: { type: 'string', minLength: 1, maxLength: 120 },
        integration: identifierSchema,
        approver: { type: 'string', minLength: 1, maxLength: 120 },
        /** Use as is and repair (protocol 8): engineering's concurrence as the QMS recorded it, its approver and reference; `concurrence` repeats it. */
        concurrence: {
          type: 'object',
          properties: { approver: { type: 'string', minLength: 1, maxLength: 120 }, reference: { type: 'string', minLength: 1, maxLength: 120 } },
          required: ['approver', 'reference'],
          additionalProperties: false,
        },
      },
      required: ['reference', 'integration', 'approver'],
      additionalProperties: false,
    },
    /**
     * Rework or repair done: its last inserted operation (the re-inspection) completed on a unit of a
     * work order, or `ncr.rework-recorded` on material; a use as is, scrap or return is carried out when signed.
     */
    carriedOut: {
      type: 'object',
      properties: { eventId: identifierSchema, actor: identifierSchema, at: isoTimeSchema, note: { type: 'string', maxLength: 2000 } },
      required: ['eventId', 'actor', 'at', 'note'],
      additionalProperties: false,
    },
  },
  required: ['eventId', 'disposition', 'quantity', 'signature'],
  additionalProperties: false,
} as const;

/** What an NCR names and what was decided about it. */
export const ncrItemRecordSchema = {
  type: 'object',
  properties: {
    itemId: identifierSchema,
    unit: unitRefSchema,
    quantity: { type: 'integer', minimum: 1 },
    dispositions: { type: 'array', items: ncrDispositionRecordSchema },
    /** Contained through genealogy (`ncr.containment-extended`, rule C38): the event and the suspect lot it was made from. */
    containedBy: {
      type: 'object',
      properties: { eventId: identifierSchema, lotId: identifierSchema },
      required: ['eventId', 'lotId'],
      additionalProperties: false,
    },
  },
  required: ['itemId', 'unit', 'quantity', 'dispositions'],
  additionalProperties: false,
} as const;

/**
 * A nonconformance report (docs/ncr.md). Opened by a rule (C2, C3, an `open-ncr` resolution) or by
 * hand (`ncr.opened`); it contains the items it names until each is dispositioned (`open`), waits for
 * rework or repair to be recorded (`dispositioned`), and is `closed` when every item's disposition
 * was carried out. `draft` is what protocol 6 and older wrote: treated as `open` with one item, its
 * subject. The QMS stays the system of record for the formal NCR (shared/DOMAIN.md).
 */
export const nonconformanceSchema = {
  type: 'object',
  properties: {
    ncrId: identifierSchema,
    status: { type: 'string', enum: ['draft', 'open', 'dispositioned', 'closed'] },
    subject: holdSubjectSchema,
    workOrderId: identifierSchema,
    operationId: identifierSchema,
    characteristicId: identifierSchema,
    holdId: identifierSchema,
    description: { type: 'string', minLength: 1, maxLength: 2000 },
    openedBy: identifierSchema,
    openedAt: isoTimeSchema,
    sourceEventId: identifierSchema,
    items: { type: 'array', items: ncrItemRecordSchema, maxItems: 5000 },
    /** Containment extended through genealogy under quality's signature (docs/ncr.md): what was added, by whom. */
    containments: {
      type: 'array',
      maxItems: 200,
      items: {
        type: 'object',
        properties: {
          eventId: identifierSchema,
          lotId: identifierSchema,
          signature: signatureSchema,
          /** Units and lot remainders the signer's station showed, and how many the plant applying it added. */
          seen: { type: 'integer', minimum: 0 },
          added: { type: 'integer', minimum: 0 },
        },
        required: ['eventId', 'lotId', 'signature', 'seen', 'added'],
        additionalProperties: false,
      },
    },
    /** An NCR opened to contain another program's units made from a suspect lot: that lot (S20: it names no other NCR). */
    containsFromLot: identifierSchema,
    /** The photo the red tag that opened it names (its signed `ncr.opened`), by hash. */
    photo: photoRefSchema,
  },
  required: ['ncrId', 'status', 'subject', 'description', 'openedBy', 'openedAt', 'sourceEventId'],
  additionalProperties: false,
} as const;

export type Nonconformance = FromSchema<typeof nonconformanceSchema>;
export type NcrItemRecord = FromSchema<typeof ncrItemRecordSchema>;
export type NcrDispositionRecord = FromSchema<typeof ncrDispositionRecordSchema>;
