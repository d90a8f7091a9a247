/**
 * The QMS link, in (docs/ncr.md, *The QMS link*): a disposition the QMS posts with an integration
 * credential. Decided against the plant without the programs the integration is not cleared for
 * (S10: another program's NCR reads exactly as an unknown one), applied as a station's signed
 * disposition would be (src/domain/ncr.ts `writeItems`: the item is decided, a lot's scrap or return
 * reduces it, the NCR's own hold is released once nothing is undecided), and recorded as an entry
 * of the signed audit log in the same transaction. Idempotent on the QMS's reference: the same
 * content answers the same result; other content under it is refused.
 */
import { DISPOSITIONS } from '../../schemas/events/ncr.ts';
import type { Disposition } from '../../src/domain/ncr.ts';
import {
  CONCURRENCE_MEANINGS, DISPOSITION_MEANINGS, DISPOSITION_NAMES, itemsOf, ncrLabel, needsConcurrence, needsCustomerApproval, statusOfItems, undispositionedQuantity, writeItems,
} from '../../src/domain/ncr.ts';
import type { PlantDraft, PlantState } from '../../src/domain/plant.ts';
import { unitKey, unitLabel } from '../../src/domain/plant.ts';
import { shortNcrId } from '../../src/domain/short-id.ts';
import type { NcrDispositionRecord, NcrItemRecord, Nonconformance } from '../../schemas/nonconformance.ts';
import type { EntryDraft } from '../audit/audit-log.ts';
import { programIndex } from '../sync/scope.ts';
import type { Integration } from './integrations.ts';

/** The body of `POST /api/qms/dispositions`. */
export const qmsDispositionRequestSchema = {
  type: 'object',
  properties: {
    /** The NCR's id (`NCR-<uuid>`) or its short id (`NCR-2026-7K3QM2`). */
    ncrId: { type: 'string', minLength: 1, maxLength: 120 },
    itemId: { type: 'string', minLength: 1, maxLength: 80 },
    disposition: { type: 'string', enum: DISPOSITIONS },
    quantity: { type: 'integer', minimum: 1, maximum: 1000000000 },
    /** The QMS's own id of this decision; a replay under it with the same content answers the same. */
    qmsReference: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
    /** The approver's name as the QMS records it. */
    approver: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
    reason: { type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S' },
    customerApprovalRef: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
    /**
     * Engineering's concurrence as the QMS recorded it: required for use as is and repair (as a
     * station's disposition needs engineering's signature, rule C32), refused with any other.
     */
    concurrence: {
      type: 'object',
      properties: {
        approver: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
        reference: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
      },
      required: ['approver', 'reference'],
      additionalProperties: false,
    },
  },
  required: ['ncrId', 'itemId', 'disposition', 'quantity', 'qmsReference', 'approver', 'reason'],
  additionalProperties: false,
} as const;

export interface QmsDispositionRequest {
  ncrId: string;
  itemId: string;
  disposition: Disposition;
  quantity: number;
  qmsReference: string;
  approver: string;
  reason: string;
  customerApprovalRef?: string;
  concurrence?: { approver: string; reference: string };
}

/** What the QMS is answered: the NCR's state after its disposition. */
export interface QmsDispositionAnswer {
  ncrId: string;
  ncrShortId: string;
  itemId: string;
  disposition: Disposition;
  quantity: number;
  qmsReference: string;
  status: Nonconformance['status'];
  /** True when this reference was taken before with the same content: nothing changed now. */
  replay: boolean;
}

export type QmsRefusalCode = 'unknown-ncr' | 'unknown-item' | 'insufficient-quantity' | 'disposition-not-allowed' | 'qms-reference-reused';

export type QmsDecision =
  | { ok: true; answer: QmsDispositionAnswer; change?: (draft: PlantDraft) => void; entry?: EntryDraft }
  | { ok: false; status: number; code: QmsRefusalCode; message: string };

/** Whether an NCR belongs to a program the integration is not cleared for. */
export function isForeign(state: PlantState, ncrId: string, programs: readonly string[]): boolean {
  const program = programIndex(state).owners.get(ncrId);
  return program !== undefined && !programs.includes(program);
}

/** The NCRs an integration (or a station) cleared for `programs` may see, oldest first. */
export function visibleNcrs(state: PlantState, programs: readonly string[]): Nonconformance[] {
  return [...state.nonconformances.values()]
    .filter((ncr) => !isForeign(state, ncr.ncrId, programs))
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.ncrId.localeCompare(b.ncrId));
}

/** The NCR a request names by id or short id, among those the caller may see. */
export function findVisibleNcr(state: PlantState, id: string, programs: readonly string[]): Nonconformance | undefined {
  const direct = state.nonconformances.get(id);
  if (direct !== undefined) return isForeign(state, direct.ncrId, programs) ? undefined : direct;
  const wanted = id.trim().toUpperCase();
  return visibleNcrs(state, programs).find((ncr) => ncrLabel(ncr).toUpperCase() === wanted);
}

function recordOf(item: NcrItemRecord, reference: string): NcrDispositionRecord | undefined {
  return item.dispositions.find((d) => d.qms?.reference === reference);
}

function sameContent(record: NcrDispositionRecord, request: QmsDispositionRequest, integration: Integration): boolean {
  return (
    record.disposition === request.disposition &&
    record.quantity === request.quantity &&
    record.qms?.approver === request.approver &&
    record.qms.integration === integration.name &&
    record.signature.reason === request.reason &&
    record.customerApprovalRef === request.customerApprovalRef &&
    record.qms.concurrence?.approver === request.concurrence?.approver &&
    record.qms.concurrence?.reference === request.concurrence?.reference
  );
}

/** The id a QMS disposition's record and audit entry carry: the integration and the reference, made safe for an identifier. */
function recordId(integration: Integration, reference: string): string {
  return `QMS-${integration.name}-${reference}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 80);
}

/** Decides a QMS disposition against the plant (pure; the route applies `change` and appends `entry`). */
export function decideQmsDisposition(state: PlantState, request: QmsDispositionRequest, integration: Integration, at: Date): QmsDecision {
  const ncr = findVisibleNcr(state, request.ncrId, integration.programs);
  if (ncr === undefined) return { ok: false, status: 404, code: 'unknown-ncr', message: `There is no NCR ${request.ncrId}` };
  const items = itemsOf(state, ncr);
  const answerOf = (status: Nonconformance['status'], replay: boolean): QmsDispositionAnswer => ({
    ncrId: ncr.ncrId, ncrShortId: ncrLabel(ncr), itemId: request.itemId, disposition: request.disposition, quantity: request.quantity,
    qmsReference: request.qmsReference, status, replay,
  });
  // A reference is the QMS's decision: taken once, on whichever item of whichever NCR it named.
  for (const other of state.nonconformances.values()) {
    if (isForeign(state, other.ncrId, integration.programs)) continue;
    for (const item of itemsOf(state, other)) {
      const earlier = recordOf(item, request.qmsReference);
      if (earlier === undefined || earlier.qms?.integration !== integration.name) continue;
      if (other.ncrId === ncr.ncrId && item.itemId === request.itemId && sameContent(earlier, request, integration)) return { ok: true, answer: answerOf(other.status, true) };
      return {
        ok: false, status: 409, code: 'qms-reference-reused',
        message: `QMS reference ${request.qmsReference} was already used for ${DISPOSITION_NAMES[earlier.disposition]} of ${earlier.quantity} on item ${item.itemId} of ${ncrLabel(other)}; a replay must carry the same content`,
      };
    }
  }
  const item = items.find((i) => i.itemId === request.itemId);
  if (item === undefined) {
    return { ok: false, status: 422, code: 'unknown-item', message: `${ncrLabel(ncr)} has no item ${request.itemId}; its items are ${items.map((i) => i.itemId).join(', ')}` };
  }
  const open = undispositionedQuantity(item);
  if (open === 0) return { ok: false, status: 409, code: 'insufficient-quantity', message: `Item ${item.itemId} (${unitLabel(item.unit)}) of ${ncrLabel(ncr)} is already dispositioned` };
  if (request.quantity > open) {
    return { ok: false, status: 422, code: 'insufficient-quantity', message: `Item ${item.itemId} (${unitLabel(item.unit)}) of ${ncrLabel(ncr)} has ${open} to disposition; the request asks for ${request.quantity}` };
  }
  const workOrder = ncr.workOrderId === undefined ? undefined : state.workOrders.get(ncr.workOrderId);
  if (needsConcurrence(request.disposition) && request.concurrence === undefined) {
    return {
      ok: false, status: 422, code: 'disposition-not-allowed',
      message: `${DISPOSITION_NAMES[request.disposition]} needs engineering's concurrence: send concurrence { approver, reference } as the QMS recorded it`,
    };
  }
  if (!needsConcurrence(request.disposition) && request.concurrence !== undefined) {
    return { ok: false, status: 422, code: 'disposition-not-allowed', message: `${DISPOSITION_NAMES[request.disposition]} takes no engineering concurrence; only use as is and repair do` };
  }
  if (needsCustomerApproval(workOrder, request.disposition) && request.customerApprovalRef === undefined) {
    return {
      ok: false, status: 422, code: 'disposition-not-allowed',
      message: `${DISPOSITION_NAMES[request.disposition]} on ${workOrder?.id ?? 'this work order'} (${workOrder?.program ?? ''}) needs the customer's approval reference (customerApprovalRef)`,
    };
  }
  if (request.disposition === 'return-to-supplier' && item.unit.kind === 'serial' && state.serials.get(item.unit.serial) !== undefined && workOrder !== undefined) {
    // A serial this plant builds (it is on one of its work orders) has no supplier to go back to.
    if (workOrder.units.some((u) => u.kind === 'serial' && u.serial === (item.unit as { serial: string }).serial)) {
      return { ok: false, status: 422, code: 'disposition-not-allowed', message: `${unitLabel(item.unit)} is built here on ${workOrder.id}; it cannot be returned to a supplier` };
    }
  }
  const signedAt = at.toISOString();
  const id = recordId(integration, request.qmsReference);
  const signature = {
    signerBadge: integration.name.slice(0, 80),
    printedName: request.approver,
    meaning: DISPOSITION_MEANINGS[request.disposition],
    reason: request.reason,
    signedAt,
  } as NcrDispositionRecord['signature'];
  // Engineering's concurrence as the QMS recorded it: printed name its approver, reason its reference.
  const concurrence = request.concurrence === undefined || !needsConcurrence(request.disposition)
    ? undefined
    : ({ signerBadge: integration.name.slice(0, 80), printedName: request.concurrence.approver, meaning: CONCURRENCE_MEANINGS[request.disposition], reason: `Concurred in the QMS: ${request.concurrence.reference}`, signedAt } as NcrDispositionRecord['signature']);
  const record: NcrDispositionRecord = {
    eventId: id,
    disposition: request.disposition,
    quantity: request.quantity,
    signature,
    ...(concurrence === undefined ? {} : { concurrence }),
    ...(request.customerApprovalRef === undefined ? {} : { customerApprovalRef: request.customerApprovalRef }),
    qms: {
      reference: request.qmsReference, integration: integration.name, approver: request.approver,
      ...(request.concurrence === undefined ? {} : { concurrence: { approver: request.concurrence.approver, reference: request.concurrence.reference } }),
    },
  };
  const nextItems = items.map((i) => (i.itemId === item.itemId ? { ...i, dispositions: [...i.dispositions, record] } : i));
  const change = (draft: PlantDraft): void => {
    writeItems(draft, ncr, nextItems, { eventId: id, signature });
    if ((request.disposition === 'scrap' || request.disposition === 'return-to-supplier') && item.unit.kind === 'lot') {
      const lot = draft.lots.get(item.unit.lotId);
      if (lot !== undefined) draft.lots.set(lot.lotId, { ...lot, remaining: lot.remaining - request.quantity });
    }
  };
  const entry: EntryDraft = {
    kind: 'ncr.qms-dispositioned',
    recordedAt: signedAt,
    actor: integration.name.slice(0, 80),
    role: 'integration',
    eventId: id,
    eventType: 'ncr.dispositioned',
    unit: unitKey(item.unit),
    reason: request.reason,
    signature: { signerBadge: signature.signerBadge, printedName: signature.printedName, meaning: signature.meaning, reason: signature.reason, signedAt },
    subject: {
      ncrId: ncr.ncrId, ncrShortId: shortNcrId(ncr.ncrId, ncr.openedAt), itemId: item.itemId, ...(ncr.workOrderId === undefined ? {} : { workOrderId: ncr.workOrderId }),
      disposition: request.disposition, quantity: request.quantity, qmsReference: request.qmsReference, approver: request.approver, integrationId: integration.id,
      ...(request.customerApprovalRef === undefined ? {} : { customerApprovalRef: request.customerApprovalRef }),
      ...(request.concurrence === undefined ? {} : { concurrence: { approver: request.concurrence.approver, reference: request.concurrence.reference } }),
    },
  };
  return { ok: true, answer: answerOf(statusOfItems(nextItems), false), change, entry };
}
