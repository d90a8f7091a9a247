/**
 * Nonconformance (NCR) and MRB disposition: the lifecycle, who may sign what, and what a unit under
 * an NCR may still do (docs/ncr.md). Shared by the station (checks before it records, the overlay)
 * and the server (the reducer, rules C13 and C30–C32).
 *
 * Lifecycle: an NCR is opened by a rule (C2, C3, an `open-ncr` resolution) or by hand
 * (`ncr.opened`) and contains what it names; each item is dispositioned, per quantity, under
 * quality's signature (and engineering's, and a customer approval reference, where needed); it is
 * closed when every item's disposition was carried out (rework and repair: when recorded).
 */
import type { HoldSubject, Signature, UnitRef } from '../../schemas/common.ts';
import type { EventOf, StationEvent } from '../../schemas/event.ts';
import type { DISPOSITIONS } from '../../schemas/events/ncr.ts';
import type { NcrDispositionRecord, NcrItemRecord, Nonconformance } from '../../schemas/nonconformance.ts';
import type { Operator } from '../../schemas/operator.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { PlantDraft, PlantState } from './plant.ts';
import type { Check, Resolved } from './refusal.ts';
import { allowed, refuse } from './refusal.ts';
import { findOperator } from './roster.ts';
import { shortNcrId } from './short-id.ts';
import { insertedOperationsOf, resolveReworkOperation, travelerOfItem } from './rework.ts';

export type Disposition = (typeof DISPOSITIONS)[number];

/** The words people read for each disposition. */
export const DISPOSITION_NAMES: Record<Disposition, string> = {
  'use-as-is': 'use as is',
  rework: 'rework',
  repair: 'repair',
  scrap: 'scrap',
  'return-to-supplier': 'return to supplier',
};

/** The meaning quality's signature carries for each disposition (21 CFR 11.50); rule C32 checks it. */
export const DISPOSITION_MEANINGS = {
  'use-as-is': 'dispositioned: use as is',
  rework: 'dispositioned: rework',
  repair: 'dispositioned: repair',
  scrap: 'dispositioned: scrap',
  'return-to-supplier': 'dispositioned: return to supplier',
} as const satisfies Record<Disposition, Signature['meaning']>;

/** Dispositions that accept a departure from the drawing: engineering concurs, and the customer where the program says so. */
export const CONCURRENCE_MEANINGS = {
  'use-as-is': 'engineering concurrence: use as is',
  repair: 'engineering concurrence: repair',
} as const satisfies Partial<Record<Disposition, Signature['meaning']>>;

/** The role that signs every disposition, and the one that concurs with use as is and repair. */
export const DISPOSITION_ROLE = 'quality';
export const CONCURRENCE_ROLE = 'engineering';

/** Who may open an NCR by hand (a red tag at the step). */
export const OPEN_NCR_ROLES: readonly Operator['role'][] = ['operator', 'inspector', 'supervisor', 'quality', 'engineering'];

/** A disposition's name at the start of a sentence: "Use as is". */
function sentenceName(disposition: Disposition): string {
  const name = DISPOSITION_NAMES[disposition];
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function needsConcurrence(disposition: Disposition): disposition is keyof typeof CONCURRENCE_MEANINGS {
  return disposition === 'use-as-is' || disposition === 'repair';
}

/** Whether this disposition needs the customer's approval reference on this work order. */
export function needsCustomerApproval(workOrder: WorkOrder | undefined, disposition: Disposition): boolean {
  return workOrder?.customerApprovalRequired === true && needsConcurrence(disposition);
}

/** Rework and repair are carried out when recorded; the others when signed. */
export function needsRework(disposition: Disposition): boolean {
  return disposition === 'rework' || disposition === 'repair';
}

function unitKeyOf(unit: UnitRef | HoldSubject): string {
  if (unit.kind === 'serial') return `serial:${unit.serial}`;
  if (unit.kind === 'lot') return `lot:${unit.lotId}`;
  return `workOrder:${unit.workOrderId}`;
}

function labelOf(unit: UnitRef): string {
  return unit.kind === 'serial' ? unit.serial : unit.lotId;
}

/** The quantity an NCR of a whole unit names: 1 for a serial, the lot's size for a lot. */
export function wholeQuantity(state: PlantState, unit: UnitRef, workOrderId?: string): number {
  if (unit.kind === 'serial') return 1;
  const workOrder = workOrderId === undefined ? undefined : state.workOrders.get(workOrderId);
  if (workOrder !== undefined && workOrder.units.some((u) => u.kind === 'lot' && u.lotId === unit.lotId)) return workOrder.quantity;
  return Math.max(1, Math.floor(state.lots.get(unit.lotId)?.quantity ?? 1));
}

/** The units an NCR about a subject names: the unit itself, or every unit of a work order. */
function unitsOfSubject(state: PlantState, subject: HoldSubject): UnitRef[] {
  if (subject.kind !== 'workOrder') return [subject];
  return [...(state.workOrders.get(subject.workOrderId)?.units ?? [])];
}

/**
 * The items of an NCR. An NCR written before protocol 7 (a `draft`) has none: it names its subject,
 * whole (every unit of a work order).
 */
export function itemsOf(state: PlantState, ncr: Nonconformance): NcrItemRecord[] {
  if (ncr.items !== undefined) return ncr.items;
  return unitsOfSubject(state, ncr.subject).map((unit, i) => ({
    itemId: String(i + 1),
    unit,
    quantity: wholeQuantity(state, unit, ncr.workOrderId),
    dispositions: [],
  }));
}

export function dispositionedQuantity(item: NcrItemRecord): number {
  return item.dispositions.reduce((sum, d) => sum + d.quantity, 0);
}

/** The quantity of an item no disposition covers yet. */
export function undispositionedQuantity(item: NcrItemRecord): number {
  return Math.max(0, item.quantity - dispositionedQuantity(item));
}

/** Dispositions of an item that still wait for their rework or repair to be recorded. */
export function pendingRework(item: NcrItemRecord): NcrDispositionRecord[] {
  return item.dispositions.filter((d) => needsRework(d.disposition) && d.carriedOut === undefined);
}

/** An NCR's status from its items: open until each is dispositioned, closed when each was carried out. */
export function statusOfItems(items: readonly NcrItemRecord[]): 'open' | 'dispositioned' | 'closed' {
  if (items.some((item) => undispositionedQuantity(item) > 0)) return 'open';
  if (items.some((item) => pendingRework(item).length > 0)) return 'dispositioned';
  return 'closed';
}

/** Whether an NCR is not closed (a draft counts as open). */
export function isActive(ncr: Nonconformance): boolean {
  return ncr.status !== 'closed';
}

/** The NCR id as people see it: NCR-2026-7K3QM2. */
export function ncrLabel(ncr: Nonconformance): string {
  return shortNcrId(ncr.ncrId, ncr.openedAt);
}

/** The id of an NCR opened by an event: derived from the event, so station and server agree. */
export function ncrIdOf(eventId: string): string {
  return `NCR-${eventId}`;
}

/** Why a unit may not move on because of an NCR. */
export interface NcrStop {
  ncr: Nonconformance;
  item: NcrItemRecord;
  why: 'contained' | 'rework-pending' | 'left-production';
}

/**
 * What stops a unit because of an NCR, first found: an item naming it not yet dispositioned (it is
 * contained), a rework or repair not yet recorded, or a serial scrapped or returned to its supplier
 * (it left production). A lot scrapped in part goes on with what is left (its quantity is reduced).
 */
export function ncrStopOn(state: PlantState, unit: UnitRef): NcrStop | undefined {
  return ncrStopsOn(state, unit)[0];
}

/** Every NCR stop on a unit (one per item naming it), in the order ncrStopOn finds the first. */
export function ncrStopsOn(state: PlantState, unit: UnitRef): NcrStop[] {
  const key = unitKeyOf(unit);
  const stops: NcrStop[] = [];
  for (const ncr of state.nonconformances.values()) {
    if (!isActive(ncr) && unit.kind === 'lot') continue;
    for (const item of itemsOf(state, ncr)) {
      if (unitKeyOf(item.unit) !== key) continue;
      if (undispositionedQuantity(item) > 0) stops.push({ ncr, item, why: 'contained' });
      else if (pendingRework(item).length > 0) stops.push({ ncr, item, why: 'rework-pending' });
      else if (unit.kind === 'serial' && item.dispositions.some((d) => d.disposition === 'scrap' || d.disposition === 'return-to-supplier')) {
        stops.push({ ncr, item, why: 'left-production' });
      }
    }
  }
  return stops;
}

/** The stop in words the operator reads: which NCR, and why. */
export function describeStop(stop: NcrStop, unit: UnitRef, state?: PlantState): string {
  const id = ncrLabel(stop.ncr);
  switch (stop.why) {
    case 'contained':
      return `${labelOf(unit)} is held by ${id} (${stop.ncr.description}); quality must disposition it first`;
    case 'rework-pending': {
      const pending = pendingRework(stop.item)[0];
      const what = pending === undefined ? 'rework' : DISPOSITION_NAMES[pending.disposition];
      const inserted = pending === undefined || state === undefined ? [] : insertedOperationsOf(state, stop.ncr, stop.item).filter((i) => i.disposition.eventId === pending.eventId);
      if (inserted.length === 0) return `${labelOf(unit)} is dispositioned ${what} under ${id}; record the ${what} before it continues`;
      return `${labelOf(unit)} is dispositioned ${what} under ${id}; ${inserted.map((i) => i.operation.name).join(' and ')} must be completed before it continues`;
    }
    case 'left-production': {
      const d = stop.item.dispositions.find((x) => x.disposition === 'scrap' || x.disposition === 'return-to-supplier');
      return `${labelOf(unit)} left production: ${d === undefined ? 'scrapped' : DISPOSITION_NAMES[d.disposition]} under ${id}`;
    }
  }
}

/** The station's refusal to start, complete or consume on a unit an NCR stops. */
export function ncrRefusal(state: PlantState, unit: UnitRef): Check {
  const stop = ncrStopOn(state, unit);
  if (stop === undefined) return allowed;
  const code = stop.why === 'contained' ? 'under-ncr' : stop.why;
  return refuse(code, describeStop(stop, unit, state));
}

/** How much of a material lot an NCR still contains (not dispositioned, or waiting for rework). */
export function containedQuantity(state: PlantState, lotId: string): number {
  let contained = 0;
  for (const ncr of state.nonconformances.values()) {
    if (!isActive(ncr)) continue;
    for (const item of itemsOf(state, ncr)) {
      if (item.unit.kind !== 'lot' || item.unit.lotId !== lotId) continue;
      contained += undispositionedQuantity(item) + pendingRework(item).reduce((sum, d) => sum + d.quantity, 0);
    }
  }
  return contained;
}

/** The first active NCR containing part of a lot, for the operator's message. */
export function ncrContainingLot(state: PlantState, lotId: string): Nonconformance | undefined {
  return [...state.nonconformances.values()].find(
    (ncr) => isActive(ncr) && itemsOf(state, ncr).some((i) => i.unit.kind === 'lot' && i.unit.lotId === lotId && (undispositionedQuantity(i) > 0 || pendingRework(i).length > 0)),
  );
}

/** The use-as-is concessions recorded on a unit: the traveler shows them. */
export function concessionsOn(state: PlantState, unit: UnitRef): Array<{ ncr: Nonconformance; disposition: NcrDispositionRecord }> {
  const key = unitKeyOf(unit);
  const found: Array<{ ncr: Nonconformance; disposition: NcrDispositionRecord }> = [];
  for (const ncr of state.nonconformances.values()) {
    for (const item of itemsOf(state, ncr)) {
      if (unitKeyOf(item.unit) !== key) continue;
      for (const d of item.dispositions) if (d.disposition === 'use-as-is') found.push({ ncr, disposition: d });
    }
  }
  return found;
}

/** Every NCR naming a unit, open ones first. */
export function ncrsOn(state: PlantState, unit: UnitRef): Nonconformance[] {
  const key = unitKeyOf(unit);
  return [...state.nonconformances.values()]
    .filter((ncr) => itemsOf(state, ncr).some((i) => unitKeyOf(i.unit) === key))
    .sort((a, b) => Number(isActive(b)) - Number(isActive(a)) || a.openedAt.localeCompare(b.openedAt));
}

// ——— opening ———

/** Opens an NCR the server or the reducer derived from an event, containing `subject` whole. */
export function openNcrFromEvent(
  draft: PlantDraft,
  ncrId: string,
  subject: HoldSubject,
  description: string,
  event: StationEvent,
  extra: Partial<Pick<Nonconformance, 'workOrderId' | 'operationId' | 'characteristicId' | 'holdId' | 'openedBy' | 'sourceEventId'>> = {},
): void {
  if (draft.nonconformances.has(ncrId)) return;
  const items = unitsOfSubject(draft, subject).map((unit, i) => ({
    itemId: String(i + 1),
    unit,
    quantity: wholeQuantity(draft, unit, extra.workOrderId ?? (subject.kind === 'workOrder' ? subject.workOrderId : undefined)),
    dispositions: [],
  }));
  draft.nonconformances.set(ncrId, {
    ncrId,
    status: 'open',
    subject,
    ...extra,
    description,
    openedBy: extra.openedBy ?? 'server',
    openedAt: event.deviceTime,
    sourceEventId: extra.sourceEventId ?? event.id,
    items,
  });
}

export interface OpenNcrRequest {
  workOrderId: string;
  operationId?: string;
  items: Array<{ unit: UnitRef; quantity: number }>;
  description: string;
  actor: string;
}

/** Why the items of an `ncr.opened` cannot be recorded, or null: each names a unit of the work order (or a known serial or lot) and a quantity it has. */
export function openNcrProblem(state: PlantState, payload: { workOrderId: string; operationId?: string; items: ReadonlyArray<{ itemId?: string; unit: UnitRef; quantity: number }> }): string | null {
  const workOrder = state.workOrders.get(payload.workOrderId);
  if (workOrder === undefined) return `ncr.opened names work order ${payload.workOrderId}, which the server does not have`;
  if (payload.operationId !== undefined) {
    const routing = state.routings.get(`${workOrder.partNumber}@${workOrder.partRevision}`);
    if (routing !== undefined && !routing.operations.some((op) => op.id === payload.operationId)) return `${payload.operationId} is not an operation of ${workOrder.id}`;
  }
  const ids = new Set<string>();
  for (const item of payload.items) {
    if (item.itemId !== undefined) {
      if (ids.has(item.itemId)) return `item ${item.itemId} is named twice`;
      ids.add(item.itemId);
    }
    const ofOrder = workOrder.units.some((u) => unitKeyOf(u) === unitKeyOf(item.unit));
    const known = ofOrder || (item.unit.kind === 'serial' ? state.serials.has(item.unit.serial) : state.lots.has(item.unit.lotId));
    if (!known) return `${labelOf(item.unit)} is not a unit of ${workOrder.id} nor a serial or lot the server has`;
    const most = wholeQuantity(state, item.unit, ofOrder ? workOrder.id : undefined);
    if (item.quantity > most) return `${labelOf(item.unit)} has ${most}; the NCR names ${item.quantity}`;
  }
  return null;
}

/** Whether a person may open this NCR at the station now. */
export function checkOpenNcr(state: PlantState, request: OpenNcrRequest): Resolved<{ items: Array<{ itemId: string; unit: UnitRef; quantity: number }> }> {
  const person = findOperator(state, request.actor);
  if (person === undefined) return refuse('unknown-operator', `Badge ${request.actor} is not on this station's roster`);
  if (!OPEN_NCR_ROLES.includes(person.role)) return refuse('role-not-allowed', `${person.name} may not open an NCR`);
  if (request.description.trim() === '') return refuse('reason-required', 'Say what is wrong: it is the NCR\'s description');
  if (request.items.length === 0) return refuse('unknown-unit', 'Name the unit or lot quantity that is nonconforming');
  const items = request.items.map((item, i) => ({ itemId: String(i + 1), unit: item.unit, quantity: item.unit.kind === 'serial' ? 1 : Math.floor(item.quantity) }));
  if (items.some((i) => !(i.quantity >= 1))) return refuse('not-a-number', 'A lot quantity is a whole number of at least 1');
  const problem = openNcrProblem(state, { workOrderId: request.workOrderId, ...(request.operationId === undefined ? {} : { operationId: request.operationId }), items });
  if (problem !== null) return refuse('unknown-unit', problem);
  return { ok: true, value: { items } };
}

function applyOpened(draft: PlantDraft, event: EventOf<'ncr.opened'>): void {
  const ncrId = ncrIdOf(event.id);
  if (draft.nonconformances.has(ncrId)) return;
  const { workOrderId, operationId, items, description, photo } = event.payload;
  const first = items[0];
  if (first === undefined) return;
  draft.nonconformances.set(ncrId, {
    ncrId,
    status: 'open',
    subject: items.length === 1 ? first.unit : { kind: 'workOrder', workOrderId },
    workOrderId,
    ...(operationId === undefined ? {} : { operationId }),
    description,
    openedBy: event.actor,
    openedAt: event.deviceTime,
    sourceEventId: event.id,
    items: items.map((item) => ({ ...item, dispositions: [] })),
    ...(photo === undefined ? {} : { photo }),
  });
}

// ——— disposition ———

/** The NCR and item an event names, with the problem if it names something that is not there. */
export function ncrItemRef(state: PlantState, payload: { ncrId: string; itemId: string; workOrderId: string; unit: UnitRef }): { ncr: Nonconformance; item: NcrItemRecord } | string {
  const ncr = state.nonconformances.get(payload.ncrId);
  if (ncr === undefined) return `names NCR ${shortNcrId(payload.ncrId)}, which the server does not have`;
  const item = itemsOf(state, ncr).find((i) => i.itemId === payload.itemId);
  if (item === undefined) return `names item ${payload.itemId} of ${ncrLabel(ncr)}, which it does not have`;
  if (unitKeyOf(item.unit) !== unitKeyOf(payload.unit) || (ncr.workOrderId !== undefined && ncr.workOrderId !== payload.workOrderId)) {
    return `item ${payload.itemId} of ${ncrLabel(ncr)} is ${labelOf(item.unit)}, not ${labelOf(payload.unit)} of ${payload.workOrderId}`;
  }
  return { ncr, item };
}

function signatureProblem(state: PlantState, signature: Signature, role: Operator['role'], meaning: string, what: string): string | null {
  const signer = state.operators.get(signature.signerBadge);
  if (signer === undefined) return `the ${what} signer ${signature.signerBadge} is not on the roster`;
  if (signer.role !== role) return `${signer.name} is ${signer.role}; the ${what} must be signed by ${role}`;
  if (signature.printedName !== signer.name) return `the ${what} signature's printed name "${signature.printedName}" is not ${signer.name}`;
  if (signature.meaning !== meaning) return `the ${what} signature's meaning "${signature.meaning}" does not match (${meaning})`;
  if (signature.reason.trim() === '') return `the ${what} signature has no reason`;
  return null;
}

/**
 * Why a disposition may not be applied for want of authority (rule C32), or null: quality signs
 * every disposition (as the person who recorded it), engineering concurs with use as is and repair,
 * and a customer approval reference is there where the work order's program requires one.
 */
export function dispositionAuthorityProblem(state: PlantState, event: EventOf<'ncr.dispositioned'>): string | null {
  const { signature, concurrence, disposition } = event.payload;
  if (signature.signerBadge !== event.actor) return `the signature names ${signature.signerBadge} but the event was recorded by ${event.actor}`;
  const own = signatureProblem(state, signature, DISPOSITION_ROLE, DISPOSITION_MEANINGS[disposition], 'disposition');
  if (own !== null) return own;
  if (disposition === 'repair' && event.payload.instruction === undefined) return 'Repair needs the approved repair instruction and its revision';
  if (needsConcurrence(disposition)) {
    if (concurrence === undefined) return `${sentenceName(disposition)} needs engineering's concurrence`;
    const other = signatureProblem(state, concurrence, CONCURRENCE_ROLE, CONCURRENCE_MEANINGS[disposition], 'engineering');
    if (other !== null) return other;
    if (needsCustomerApproval(state.workOrders.get(event.payload.workOrderId), disposition) && event.payload.customerApprovalRef === undefined) {
      return `${sentenceName(disposition)} on ${event.payload.workOrderId} needs the customer's approval reference`;
    }
  }
  return null;
}

export interface DispositionRequest {
  ncrId: string;
  itemId: string;
  disposition: Disposition;
  quantity: number;
  signerBadge: string;
  reason: string;
  concurrenceBadge?: string;
  customerApprovalRef?: string;
  /** Rework and repair: the routing operation it is done to (default the NCR's), the repair instruction, more characteristics to re-inspect. */
  operationId?: string;
  instruction?: { ref: string; revision: string };
  reinspect?: string[];
}

/** Whether this disposition may be signed at the station now (the PINs are checked by the station). */
export function checkDisposition(state: PlantState, request: DispositionRequest): Resolved<{ ncr: Nonconformance; item: NcrItemRecord; signer: Operator; concurrer?: Operator }> {
  const ncr = state.nonconformances.get(request.ncrId);
  if (ncr === undefined) return refuse('unknown-ncr', `NCR ${shortNcrId(request.ncrId)} is not known on this station`);
  const item = itemsOf(state, ncr).find((i) => i.itemId === request.itemId);
  if (item === undefined) return refuse('unknown-ncr', `${ncrLabel(ncr)} has no item ${request.itemId}`);
  const signer = findOperator(state, request.signerBadge);
  if (signer === undefined) return refuse('unknown-operator', `Badge ${request.signerBadge.trim()} is not on this station's roster`);
  if (signer.role !== DISPOSITION_ROLE) return refuse('role-not-allowed', `${signer.name} is ${signer.role}; quality signs a disposition`);
  const open = undispositionedQuantity(item);
  if (open === 0) return refuse('already-dispositioned', `${labelOf(item.unit)} on ${ncrLabel(ncr)} is already dispositioned`);
  if (!Number.isInteger(request.quantity) || request.quantity < 1 || request.quantity > open) {
    return refuse('insufficient-quantity', `${labelOf(item.unit)} on ${ncrLabel(ncr)} has ${open} to disposition; asked for ${request.quantity}`);
  }
  if (request.reason.trim() === '') return refuse('reason-required', 'Type the reason for the disposition; it is part of the signed record');
  if (request.disposition === 'repair' && ((request.instruction?.ref.trim() ?? '') === '' || (request.instruction?.revision.trim() ?? '') === '')) {
    return refuse('reason-required', 'Repair needs the approved repair instruction and its revision');
  }
  const reworkRef = needsRework(request.disposition) ? reworkReferenceProblem(state, ncr, request) : null;
  if (reworkRef !== null) return refuse('unknown-operation', reworkRef);
  let concurrer: Operator | undefined;
  if (needsConcurrence(request.disposition)) {
    const badge = request.concurrenceBadge?.trim() ?? '';
    if (badge === '') return refuse('concurrence-required', `${sentenceName(request.disposition)} needs engineering to sign too`);
    concurrer = findOperator(state, badge);
    if (concurrer === undefined) return refuse('unknown-operator', `Badge ${badge} is not on this station's roster`);
    if (concurrer.role !== CONCURRENCE_ROLE) return refuse('role-not-allowed', `${concurrer.name} is ${concurrer.role}; engineering concurs with ${DISPOSITION_NAMES[request.disposition]}`);
    const workOrder = state.workOrders.get(ncr.workOrderId ?? '');
    if (needsCustomerApproval(workOrder, request.disposition) && (request.customerApprovalRef?.trim() ?? '') === '') {
      return refuse('customer-approval-required', `${workOrder?.program ?? 'This'} program needs the customer's approval reference for ${DISPOSITION_NAMES[request.disposition]}`);
    }
  }
  return { ok: true, value: { ncr, item, signer, ...(concurrer === undefined ? {} : { concurrer }) } };
}

/** Why a rework's operation or re-inspected characteristics are not of the NCR's routing, or null. */
export function reworkReferenceProblem(state: PlantState, ncr: Nonconformance, payload: { operationId?: string | undefined; reinspect?: readonly string[] | undefined }): string | null {
  if (payload.operationId === undefined && (payload.reinspect ?? []).length === 0) return null;
  const workOrder = state.workOrders.get(ncr.workOrderId ?? '');
  const routing = workOrder === undefined ? undefined : state.routings.get(`${workOrder.partNumber}@${workOrder.partRevision}`);
  if (workOrder === undefined || routing === undefined) return `${ncrLabel(ncr)} has no traveler to rework in; leave out the operation and characteristics`;
  if (payload.operationId !== undefined && !routing.operations.some((op) => op.id === payload.operationId)) return `${payload.operationId} is not an operation of ${workOrder.id}`;
  const unknown = (payload.reinspect ?? []).filter((id) => !routing.operations.some((op) => op.characteristics.some((c) => c.id === id)));
  if (unknown.length > 0) return `${unknown.join(', ')} is not a characteristic of ${workOrder.partNumber} rev ${workOrder.partRevision}`;
  return null;
}

/** Writes the NCR with new items and the status they give; releases the NCR's own hold once nothing is left undecided. */
export function writeItems(draft: PlantDraft, ncr: Nonconformance, items: NcrItemRecord[], release?: { eventId: string; signature: Signature }): void {
  const status = statusOfItems(items);
  draft.nonconformances.set(ncr.ncrId, { ...ncr, status, items });
  if (status === 'open' || release === undefined || ncr.holdId === undefined) return;
  const hold = draft.holds.get(ncr.holdId);
  if (hold !== undefined && hold.status === 'active') draft.holds.set(hold.holdId, { ...hold, status: 'released', release });
}

/**
 * A disposition: applied only when it names an item with that much left to disposition and is signed
 * with authority (C31 and C32 flag the others, which stay in the record without effect). Scrap and
 * return to supplier of a lot's quantity take it off the lot.
 */
function applyDispositioned(draft: PlantDraft, event: EventOf<'ncr.dispositioned'>): void {
  const found = ncrItemRef(draft, event.payload);
  if (typeof found === 'string') return;
  const { ncr, item } = found;
  if (event.payload.quantity > undispositionedQuantity(item)) return;
  if (dispositionAuthorityProblem(draft, event) !== null) return;
  const { disposition, quantity, signature, concurrence, customerApprovalRef, instruction, reinspect } = event.payload;
  const operationId = needsRework(disposition) ? resolveReworkOperation(draft, ncr, item.unit, event.payload.operationId) : undefined;
  const record: NcrDispositionRecord = {
    eventId: event.id,
    disposition,
    quantity,
    signature,
    ...(concurrence === undefined ? {} : { concurrence }),
    ...(customerApprovalRef === undefined ? {} : { customerApprovalRef }),
    ...(operationId === undefined ? {} : { operationId }),
    ...(instruction === undefined || disposition !== 'repair' ? {} : { instruction }),
    ...(reinspect === undefined || reinspect.length === 0 || !needsRework(disposition) ? {} : { reinspect: [...reinspect] }),
  };
  const items = itemsOf(draft, ncr).map((i) => (i.itemId === item.itemId ? { ...i, dispositions: [...i.dispositions, record] } : i));
  writeItems(draft, ncr, items, { eventId: event.id, signature });
  if ((disposition === 'scrap' || disposition === 'return-to-supplier') && item.unit.kind === 'lot') {
    const lot = draft.lots.get(item.unit.lotId);
    if (lot !== undefined) draft.lots.set(lot.lotId, { ...lot, remaining: lot.remaining - quantity });
  }
}

// ——— rework and repair carried out ———

/** Why a rework record cannot be taken, or null: the item has a rework or repair waiting for it. */
export function reworkProblem(state: PlantState, payload: EventOf<'ncr.rework-recorded'>['payload']): string | null {
  const found = ncrItemRef(state, payload);
  if (typeof found === 'string') return `ncr.rework-recorded ${found}`;
  if (pendingRework(found.item).length === 0) return `${labelOf(found.item.unit)} on ${ncrLabel(found.ncr)} has no rework or repair waiting to be recorded`;
  if (travelerOfItem(state, found.ncr, found.item.unit) !== undefined) return `${labelOf(found.item.unit)} on ${ncrLabel(found.ncr)} is reworked through the operations inserted in its traveler, not by a rework record`;
  return null;
}

export interface ReworkRequest {
  ncrId: string;
  itemId: string;
  note: string;
  actor: string;
}

/** Whether a person may record the rework or repair of an item now. */
export function checkRework(state: PlantState, request: ReworkRequest): Resolved<{ ncr: Nonconformance; item: NcrItemRecord; workOrderId: string }> {
  const person = findOperator(state, request.actor);
  if (person === undefined) return refuse('unknown-operator', `Badge ${request.actor} is not on this station's roster`);
  const ncr = state.nonconformances.get(request.ncrId);
  if (ncr === undefined) return refuse('unknown-ncr', `NCR ${shortNcrId(request.ncrId)} is not known on this station`);
  const item = itemsOf(state, ncr).find((i) => i.itemId === request.itemId);
  if (item === undefined) return refuse('unknown-ncr', `${ncrLabel(ncr)} has no item ${request.itemId}`);
  if (pendingRework(item).length === 0) return refuse('no-rework-pending', `${labelOf(item.unit)} on ${ncrLabel(ncr)} has no rework or repair waiting`);
  if (travelerOfItem(state, ncr, item.unit) !== undefined) {
    return refuse('no-rework-pending', `${labelOf(item.unit)} is reworked through the operations inserted in its traveler: do them there`);
  }
  if (request.note.trim() === '') return refuse('reason-required', 'Say what was done and to which instruction');
  return { ok: true, value: { ncr, item, workOrderId: ncr.workOrderId ?? '' } };
}

function applyRework(draft: PlantDraft, event: EventOf<'ncr.rework-recorded'>): void {
  const found = ncrItemRef(draft, event.payload);
  if (typeof found === 'string') return;
  const { ncr, item } = found;
  if (travelerOfItem(draft, ncr, item.unit) !== undefined) return;
  const pending = pendingRework(item)[0];
  if (pending === undefined) return;
  markCarriedOut(draft, ncr, item.itemId, pending.eventId, { eventId: event.id, actor: event.actor, at: event.deviceTime, note: event.payload.note });
}

/** Marks one rework or repair disposition of an item carried out; the NCR closes when nothing else is left. */
export function markCarriedOut(draft: PlantDraft, ncr: Nonconformance, itemId: string, dispositionEventId: string, carriedOut: NonNullable<NcrDispositionRecord['carriedOut']>): void {
  const current = draft.nonconformances.get(ncr.ncrId) ?? ncr;
  const items = itemsOf(draft, current).map((i) =>
    i.itemId !== itemId ? i : { ...i, dispositions: i.dispositions.map((d) => (d.eventId === dispositionEventId && d.carriedOut === undefined ? { ...d, carriedOut } : d)) },
  );
  writeItems(draft, current, items);
}

/** The effect of an NCR event on the plant (called by the plant reducer). */
export function applyNcrEvent(draft: PlantDraft, event: EventOf<'ncr.opened' | 'ncr.dispositioned' | 'ncr.rework-recorded'>): void {
  if (event.type === 'ncr.opened') applyOpened(draft, event);
  else if (event.type === 'ncr.dispositioned') applyDispositioned(draft, event);
  else applyRework(draft, event);
}
