import { photoRefSchema } from '../attachment.ts';
import { identifierSchema, signatureSchema, unitRefSchema } from '../common.ts';

/** The five MRB dispositions (shared/DOMAIN.md). */
export const DISPOSITIONS = ['use-as-is', 'rework', 'repair', 'scrap', 'return-to-supplier'] as const;
export const dispositionSchema = { type: 'string', enum: DISPOSITIONS } as const;

/** What an NCR names: one serial (quantity 1) or a quantity of one lot. */
export const ncrItemSchema = {
  type: 'object',
  properties: {
    itemId: identifierSchema,
    unit: unitRefSchema,
    quantity: { type: 'integer', minimum: 1, maximum: 1000000000 },
  },
  required: ['itemId', 'unit', 'quantity'],
  additionalProperties: false,
} as const;

/**
 * `ncr.opened`: a red tag put on by hand at a step (operator, inspector, supervisor or quality): what
 * is wrong and on which units or lot quantities. The NCR's id is `NCR-<event id>`, so a station offline
 * and the server name it alike. `photo` (protocol 8) names a photo taken with it by its SHA-256, so
 * the signature covers the image (schemas/attachment.ts).
 */
export const ncrOpenedSchema = {
  type: 'object',
  properties: {
    workOrderId: identifierSchema,
    operationId: identifierSchema,
    items: { type: 'array', items: ncrItemSchema, minItems: 1, maxItems: 50 },
    description: { type: 'string', minLength: 1, maxLength: 2000 },
    photo: photoRefSchema,
  },
  required: ['workOrderId', 'items', 'description'],
  additionalProperties: false,
} as const;

/** An approved instruction and its revision: the repair instruction a repair disposition names. */
export const instructionRefSchema = {
  type: 'object',
  properties: { ref: identifierSchema, revision: identifierSchema },
  required: ['ref', 'revision'],
  additionalProperties: false,
} as const;

/**
 * `ncr.dispositioned`: an MRB disposition of a quantity of one item of an NCR, under quality's
 * electronic signature; use as is and repair also carry engineering's (`concurrence`), and a
 * customer approval reference where the work order's program requires one. `workOrderId` and `unit`
 * repeat the item's, so the audit entry names its subjects by itself (src/audit/subjects.ts).
 * Rework and repair insert operations into the unit's traveler (docs/ncr.md): `operationId` names
 * the routing operation whose work center (and, for rework, instruction) the rework is done to
 * (default: the NCR's operation); a repair names its approved repair `instruction` (rule C32);
 * `reinspect` names characteristics to re-inspect beyond the one the NCR is about.
 */
export const ncrDispositionedSchema = {
  type: 'object',
  properties: {
    ncrId: identifierSchema,
    itemId: identifierSchema,
    workOrderId: identifierSchema,
    unit: unitRefSchema,
    disposition: dispositionSchema,
    quantity: { type: 'integer', minimum: 1, maximum: 1000000000 },
    customerApprovalRef: { type: 'string', minLength: 1, maxLength: 120 },
    signature: signatureSchema,
    concurrence: signatureSchema,
    operationId: identifierSchema,
    instruction: instructionRefSchema,
    reinspect: { type: 'array', items: identifierSchema, maxItems: 50, uniqueItems: true },
  },
  required: ['ncrId', 'itemId', 'workOrderId', 'unit', 'disposition', 'quantity', 'signature'],
  additionalProperties: false,
} as const;

/**
 * `ncr.rework-recorded`: the rework or repair a disposition called for was done on an item that has
 * no traveler to insert operations into (material: a lot or serial that is not a unit of the NCR's
 * work order). A unit of the work order is reworked through the operations inserted in its traveler.
 */
export const ncrReworkRecordedSchema = {
  type: 'object',
  properties: {
    ncrId: identifierSchema,
    itemId: identifierSchema,
    workOrderId: identifierSchema,
    unit: unitRefSchema,
    note: { type: 'string', minLength: 1, maxLength: 2000 },
  },
  required: ['ncrId', 'itemId', 'workOrderId', 'unit', 'note'],
  additionalProperties: false,
} as const;

/**
 * `ncr.containment-extended`: quality extends an NCR's containment through genealogy under
 * e-signature (meaning `contained: made from suspect material`): every unit that consumed the suspect
 * lot `lotId` (a lot the NCR names), transitively through the where-used walk, and the rest of the lot
 * and of lots split or merged from it. `units` are the ones the signer's station showed; the plant
 * applying the event recomputes from what it knows and contains those too (docs/ncr.md, C37, C38).
 */
export const ncrContainmentExtendedSchema = {
  type: 'object',
  properties: {
    ncrId: identifierSchema,
    workOrderId: identifierSchema,
    lotId: identifierSchema,
    units: { type: 'array', items: unitRefSchema, maxItems: 2000 },
    signature: signatureSchema,
  },
  required: ['ncrId', 'workOrderId', 'lotId', 'units', 'signature'],
  additionalProperties: false,
} as const;
