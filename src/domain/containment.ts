/**
 * NCR containment through genealogy (docs/ncr.md, *Containment through genealogy*; rules C37, C38).
 * Quality extends an NCR that names a suspect lot, in one signed action, to every unit that consumed
 * the lot (transitively, through the where-used walk of ./genealogy.ts) and to the rest of the lot
 * (and of lots split or merged from it). Each becomes an item of the NCR, so ncrStopOn stops it at
 * the station, naming the NCR, until quality dispositions it.
 *
 * The event (`ncr.containment-extended`) names the units the signer's station showed. Whoever applies
 * it (the station's reducer, the server's) recomputes the walk from the plant it has and contains the
 * union: the server also contains units whose consumption reached it from other stations before the
 * containment did. A consumption that reaches the server after it (a station offline) is caught by
 * C38: material an NCR still contains, consumed into a unit, contains that unit too.
 *
 * Programs (S20): an NCR is seen by the stations cleared for its work order's program. A unit of
 * another program is not added to it but to a companion NCR of that program
 * (its id derived from the NCR's and the program, so station and server agree), which names the
 * suspect lot and not the other program's NCR.
 */
import type { UnitRef } from '../../schemas/common.ts';
import type { EventOf } from '../../schemas/event.ts';
import type { NcrItemRecord, Nonconformance } from '../../schemas/nonconformance.ts';
import type { Operator } from '../../schemas/operator.ts';
import { finishedUnits, flatten, whereUsed } from './genealogy.ts';
import { DISPOSITION_ROLE, containedQuantity, isActive, itemsOf, ncrLabel, statusOfItems, undispositionedQuantity, wholeQuantity } from './ncr.ts';
import type { PlantDraft, PlantState } from './plant.ts';
import { unitKey, unitLabel } from './plant.ts';
import type { Resolved } from './refusal.ts';
import { refuse } from './refusal.ts';
import { findOperator } from './roster.ts';

/** The meaning of quality's signature on a containment (21 CFR 11.50). */
export const CONTAINMENT_MEANING = 'contained: made from suspect material' as const;
/** Who signs a containment: quality, as for a disposition. */
export const CONTAINMENT_ROLE: Operator['role'] = DISPOSITION_ROLE;
/** Most units one containment may name (the event's schema). */
export const MAX_CONTAINED_UNITS = 2000;

/** One thing a containment holds: a unit made from the lot, or what remains of a lot. */
export interface ContainmentTarget {
  unit: UnitRef;
  quantity: number;
  /** `made`: the unit consumed the material (transitively); `rest`: the lot's remaining quantity. */
  kind: 'made' | 'rest';
  /** Lot and unit ids from the suspect lot to this one. */
  path: string[];
  workOrderId?: string;
  partNumber?: string;
}

/** What a containment of `lotId` on an NCR would hold now, in this plant. */
export interface ContainmentPlan {
  lotId: string;
  targets: ContainmentTarget[];
  /** Whether the walk stopped short (too many units); the rest is not contained by this plan. */
  truncated: boolean;
}

/** The lots an NCR names (its suspect lots): the ones a containment may start from. */
export function suspectLots(state: PlantState, ncr: Nonconformance): string[] {
  const lots = new Set<string>();
  for (const item of itemsOf(state, ncr)) if (item.unit.kind === 'lot' && item.containedBy === undefined) lots.add(item.unit.lotId);
  return [...lots];
}

/** 32-bit FNV-1a of `text` from `seed`. */
function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The companion NCR's id for units of `program`: `NCR-` and a UUID-shaped digest of the NCR's id and
 * the program, so station and server derive the same id offline, its short id reads like any NCR's,
 * and it does not carry the other program's NCR id (S20).
 */
export function companionNcrId(ncrId: string, program: string): string {
  const text = `${ncrId}\u0000${program}`;
  const hex = [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b].map((seed) => fnv1a(text, seed).toString(16).padStart(8, '0')).join('');
  return `NCR-${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function programOfUnit(state: PlantState, unit: UnitRef): string | undefined {
  if (unit.kind === 'serial') {
    const owner = state.serials.get(unit.serial)?.workOrderId;
    if (owner !== undefined) return state.workOrders.get(owner)?.program;
  }
  for (const workOrder of state.workOrders.values()) if (workOrder.units.some((u) => unitKey(u) === unitKey(unit))) return workOrder.program;
  return undefined;
}

function workOrderOfUnit(state: PlantState, unit: UnitRef): string | undefined {
  if (unit.kind === 'serial') {
    const owner = state.serials.get(unit.serial)?.workOrderId;
    if (owner !== undefined) return owner;
  }
  for (const workOrder of state.workOrders.values()) if (workOrder.units.some((u) => unitKey(u) === unitKey(unit))) return workOrder.id;
  return undefined;
}

/** Whether an NCR (or its companions) already holds this unit with something not yet dispositioned. */
function alreadyHeld(state: PlantState, ncrId: string, unit: UnitRef): boolean {
  const key = unitKey(unit);
  const unitProgram = programOfUnit(state, unit);
  const companion = unitProgram === undefined ? undefined : companionNcrId(ncrId, unitProgram);
  for (const ncr of state.nonconformances.values()) {
    if (ncr.ncrId !== ncrId && ncr.ncrId !== companion) continue;
    if (itemsOf(state, ncr).some((i) => unitKey(i.unit) === key && undispositionedQuantity(i) > 0)) return true;
  }
  return false;
}

/**
 * Every unit made from `lotId` (the where-used walk: consumptions, through splits, merges and
 * assemblies; material returned whole is not in a unit), and the remaining quantity of the lot and
 * of lots split or merged from it that no NCR contains yet. Units this NCR already holds are left out.
 */
export function containmentPlan(state: PlantState, ncr: Nonconformance, lotId: string): ContainmentPlan {
  const walk = whereUsed(state, { kind: 'lot', lotId }, { maxNodes: MAX_CONTAINED_UNITS });
  const targets: ContainmentTarget[] = [];
  const seen = new Set<string>();
  const rest = (id: string, path: string[]): void => {
    const lot = state.lots.get(id);
    if (lot === undefined || seen.has(`lot:${id}`)) return;
    seen.add(`lot:${id}`);
    const free = lot.remaining - containedQuantity(state, id);
    if (free >= 1) targets.push({ unit: { kind: 'lot', lotId: id }, quantity: Math.floor(free), kind: 'rest', path, partNumber: lot.partNumber });
  };
  rest(lotId, [lotId]);
  for (const { node, path } of flatten(walk)) {
    if (node.returned === true || node.via === undefined) continue;
    const ref = node.item.ref;
    if (node.via.kind !== 'consumed') {
      if (ref.kind === 'lot') rest(ref.lotId, path);
      continue;
    }
    const key = unitKey(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    if (alreadyHeld(state, ncr.ncrId, ref)) continue;
    const workOrderId = node.item.producedBy?.workOrderId ?? node.via.workOrderId;
    targets.push({
      unit: ref, quantity: wholeQuantity(state, ref, workOrderId), kind: 'made', path, workOrderId,
      ...(node.item.partNumber === undefined ? {} : { partNumber: node.item.partNumber }),
    });
  }
  return { lotId, targets, truncated: walk.truncated };
}

/** The finished units of a plan's walk (the recall answer), for the screen's summary. */
export function finishedCount(state: PlantState, lotId: string): number {
  return finishedUnits(whereUsed(state, { kind: 'lot', lotId }, { maxNodes: MAX_CONTAINED_UNITS })).length;
}

/** Why a containment may not be recorded or applied (rule C37), or null. */
export function containmentProblem(state: PlantState, event: Pick<EventOf<'ncr.containment-extended'>, 'actor' | 'payload'>): string | null {
  const { ncrId, lotId, signature, workOrderId } = event.payload;
  const ncr = state.nonconformances.get(ncrId);
  if (ncr === undefined) return `ncr.containment-extended names an NCR the server does not have`;
  if (!isActive(ncr)) return `${ncrLabel(ncr)} is closed; open a new NCR to contain more`;
  if (ncr.workOrderId !== undefined && ncr.workOrderId !== workOrderId) return `${ncrLabel(ncr)} is about ${ncr.workOrderId}, not ${workOrderId}`;
  if (!suspectLots(state, ncr).includes(lotId)) return `${ncrLabel(ncr)} does not name lot ${lotId}; only a lot the NCR names can be contained through genealogy`;
  if (signature.signerBadge !== event.actor) return `the signature names ${signature.signerBadge} but the event was recorded by ${event.actor}`;
  const signer = state.operators.get(signature.signerBadge);
  if (signer === undefined) return `the containment signer ${signature.signerBadge} is not on the roster`;
  if (signer.role !== CONTAINMENT_ROLE) return `${signer.name} is ${signer.role}; quality signs a containment`;
  if (signature.printedName !== signer.name) return `the containment signature's printed name "${signature.printedName}" is not ${signer.name}`;
  if (signature.meaning !== CONTAINMENT_MEANING) return `the containment signature's meaning "${signature.meaning}" does not match (${CONTAINMENT_MEANING})`;
  if (signature.reason.trim() === '') return 'the containment signature has no reason';
  for (const unit of event.payload.units) {
    const known = unit.kind === 'serial' ? state.serials.has(unit.serial) || workOrderOfUnit(state, unit) !== undefined : state.lots.has(unit.lotId) || workOrderOfUnit(state, unit) !== undefined;
    if (!known) return `the containment names ${unitLabel(unit)}, which the server does not have`;
  }
  return null;
}

export interface ContainmentRequest {
  ncrId: string;
  lotId: string;
  signerBadge: string;
  reason: string;
}

/** Whether quality may sign this containment at the station now (the PIN is checked by the station), with what it will hold. */
export function checkContainment(state: PlantState, request: ContainmentRequest): Resolved<{ ncr: Nonconformance; plan: ContainmentPlan; signer: Operator }> {
  const ncr = state.nonconformances.get(request.ncrId);
  if (ncr === undefined) return refuse('unknown-ncr', 'That NCR is not known on this station');
  if (!isActive(ncr)) return refuse('unknown-ncr', `${ncrLabel(ncr)} is closed; open a new NCR to contain more`);
  if (!suspectLots(state, ncr).includes(request.lotId)) return refuse('unknown-unit', `${ncrLabel(ncr)} does not name lot ${request.lotId}`);
  const signer = findOperator(state, request.signerBadge);
  if (signer === undefined) return refuse('unknown-operator', `Badge ${request.signerBadge.trim()} is not on this station's roster`);
  if (signer.role !== CONTAINMENT_ROLE) return refuse('role-not-allowed', `${signer.name} is ${signer.role}; quality signs a containment`);
  if (request.reason.trim() === '') return refuse('reason-required', 'Type the reason for the containment; it is part of the signed record');
  const plan = containmentPlan(state, ncr, request.lotId);
  if (plan.targets.length === 0) return refuse('nothing-to-contain', `Nothing made from lot ${request.lotId} is left to contain: ${ncrLabel(ncr)} already holds it`);
  return { ok: true, value: { ncr, plan, signer } };
}

function nextItemId(items: readonly NcrItemRecord[]): number {
  return items.reduce((most, item) => Math.max(most, Number.parseInt(item.itemId, 10) || 0), 0) + 1;
}

/**
 * Adds `targets` to the NCR as items contained by `eventId` (units of another program to that
 * program's companion NCR); returns how many were added. Units already held by this NCR are skipped.
 */
export function containInto(
  draft: PlantDraft,
  ncr: Nonconformance,
  targets: readonly ContainmentTarget[],
  mark: { eventId: string; lotId: string; actor: string; at: string },
): number {
  const ownProgram = ncr.workOrderId === undefined ? undefined : draft.workOrders.get(ncr.workOrderId)?.program;
  const groups = new Map<string, ContainmentTarget[]>();
  for (const target of targets) {
    if (target.kind === 'made' && alreadyHeld(draft, ncr.ncrId, target.unit)) continue;
    const program = programOfUnit(draft, target.unit);
    const id = program === undefined || program === ownProgram ? ncr.ncrId : companionNcrId(ncr.ncrId, program);
    const list = groups.get(id) ?? [];
    list.push(target);
    groups.set(id, list);
  }
  let added = 0;
  for (const [id, list] of groups) {
    const first = list[0];
    if (first === undefined) continue;
    let target = draft.nonconformances.get(id);
    if (target === undefined) {
      const workOrderId = first.workOrderId ?? workOrderOfUnit(draft, first.unit);
      target = {
        ncrId: id,
        status: 'open',
        subject: first.unit,
        ...(workOrderId === undefined ? {} : { workOrderId }),
        description: `Made from suspect lot ${mark.lotId}: contained until quality dispositions it`,
        openedBy: mark.actor,
        openedAt: mark.at,
        sourceEventId: mark.eventId,
        containsFromLot: mark.lotId,
        items: [],
      };
    }
    const items = [...itemsOf(draft, target)];
    let next = nextItemId(items);
    for (const t of list) {
      items.push({ itemId: String(next++), unit: t.unit, quantity: t.quantity, dispositions: [], containedBy: { eventId: mark.eventId, lotId: mark.lotId } });
      added += 1;
    }
    draft.nonconformances.set(id, { ...target, status: statusOfItems(items), items });
  }
  return added;
}

/** The effect of `ncr.containment-extended`: recomputed here, with the units the signer saw. Refused ones (C37) have none. */
export function applyContainment(draft: PlantDraft, event: EventOf<'ncr.containment-extended'>): void {
  if (containmentProblem(draft, event) !== null) return;
  const ncr = draft.nonconformances.get(event.payload.ncrId);
  if (ncr === undefined || (ncr.containments ?? []).some((c) => c.eventId === event.id)) return;
  const plan = containmentPlan(draft, ncr, event.payload.lotId);
  const planned = new Set(plan.targets.map((t) => unitKey(t.unit)));
  const targets = [...plan.targets];
  for (const unit of event.payload.units) {
    if (planned.has(unitKey(unit)) || unit.kind === 'lot' && unit.lotId === event.payload.lotId) continue;
    planned.add(unitKey(unit));
    const workOrderId = workOrderOfUnit(draft, unit);
    targets.push({ unit, quantity: wholeQuantity(draft, unit, workOrderId), kind: 'made', path: [event.payload.lotId, unitLabel(unit)], ...(workOrderId === undefined ? {} : { workOrderId }) });
  }
  const added = containInto(draft, ncr, targets, { eventId: event.id, lotId: event.payload.lotId, actor: event.actor, at: event.deviceTime });
  const current = draft.nonconformances.get(ncr.ncrId) ?? ncr;
  const record = { eventId: event.id, lotId: event.payload.lotId, signature: event.payload.signature, seen: event.payload.units.length, added };
  draft.nonconformances.set(ncr.ncrId, { ...current, containments: [...(current.containments ?? []), record] });
}

/**
 * The NCR that contains material through genealogy, for rule C38: an active NCR (or companion) with
 * a containment, holding this serial or lot with quantity not yet dispositioned.
 */
export function containmentHolding(state: PlantState, material: UnitRef): { ncr: Nonconformance; lotId: string } | undefined {
  const key = unitKey(material);
  for (const ncr of state.nonconformances.values()) {
    if (!isActive(ncr)) continue;
    const lots = ncr.containsFromLot !== undefined ? [ncr.containsFromLot] : (ncr.containments ?? []).map((c) => c.lotId);
    const first = lots[0];
    if (first === undefined) continue;
    const item = itemsOf(state, ncr).find((i) => unitKey(i.unit) === key && undispositionedQuantity(i) > 0);
    if (item !== undefined) return { ncr, lotId: item.containedBy?.lotId ?? first };
  }
  return undefined;
}
