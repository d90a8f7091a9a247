/** Shared JSON Schema fragments. Every schema is written `as const` so its TypeScript type is derived, never written twice. */
import type { FromSchema } from 'json-schema-to-ts';

export const identifierSchema = { type: 'string', minLength: 1, maxLength: 80 } as const;
export const isoTimeSchema = { type: 'string', format: 'date-time', maxLength: 40 } as const;
export const isoDateSchema = { type: 'string', format: 'date', maxLength: 10 } as const;
/**
 * A unit a length is measured in: millimetres, inches, micrometres (`um`, shown µm) and microinches
 * (`uin`, shown µin) — the last two for surface finish. ASCII ids, so scanners and keyboards type them.
 */
export const lengthUnitSchema = { type: 'string', enum: ['mm', 'in', 'um', 'uin'] } as const;
export const roleSchema = { type: 'string', enum: ['operator', 'inspector', 'supervisor', 'quality', 'engineering'] } as const;

/** A unit of production a traveler operation runs on: one serial, or one lot tracked by quantity. */
export const unitRefSchema = {
  oneOf: [
    {
      type: 'object',
      properties: { kind: { const: 'serial' }, serial: identifierSchema },
      required: ['kind', 'serial'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { kind: { const: 'lot' }, lotId: identifierSchema },
      required: ['kind', 'lotId'],
      additionalProperties: false,
    },
  ],
} as const;

/** What a hold stops: a serial, a lot, or a whole work order. */
export const holdSubjectSchema = {
  oneOf: [
    ...unitRefSchema.oneOf,
    {
      type: 'object',
      properties: { kind: { const: 'workOrder' }, workOrderId: identifierSchema },
      required: ['kind', 'workOrderId'],
      additionalProperties: false,
    },
  ],
} as const;

/**
 * An electronic signature as recorded (21 CFR 11.50): who signed (badge and printed name),
 * when, and what the signature means, with the signer's typed reason.
 */
export const signatureSchema = {
  type: 'object',
  properties: {
    signerBadge: identifierSchema,
    printedName: { type: 'string', minLength: 1, maxLength: 120 },
    meaning: {
      type: 'string',
      enum: [
        'released for further processing',
        'reviewed: accepted as recorded',
        'reviewed: voided',
        'reviewed: nonconformance opened',
        'dispositioned: use as is',
        'dispositioned: rework',
        'dispositioned: repair',
        'dispositioned: scrap',
        'dispositioned: return to supplier',
        'engineering concurrence: use as is',
        'engineering concurrence: repair',
        'contained: made from suspect material',
      ],
    },
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    signedAt: isoTimeSchema,
    components: { type: 'string', enum: ['badge+pin'] },
  },
  required: ['signerBadge', 'printedName', 'meaning', 'reason', 'signedAt', 'components'],
  additionalProperties: false,
} as const;

export type Role = FromSchema<typeof roleSchema>;
export type LengthUnit = FromSchema<typeof lengthUnitSchema>;
export type UnitRef = FromSchema<typeof unitRefSchema>;
export type HoldSubject = FromSchema<typeof holdSubjectSchema>;
export type Signature = FromSchema<typeof signatureSchema>;
