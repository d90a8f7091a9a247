/**
 * Rework and repair as operations in the unit's traveler (docs/ncr.md "Rework and repair"). A rework
 * or repair disposition of an item that is a unit of the NCR's work order inserts, on that unit:
 *
 * * the work: "Rework n for NCR-…" (to the instruction of the routing operation the disposition
 *   names, by default the NCR's) or "Repair n for NCR-…" (to the approved repair instruction the
 *   disposition names), at that operation's work center, by someone qualified for it;
 * * "Re-inspection n for NCR-…" of the affected characteristics: the one the NCR is about (an
 *   out-of-tolerance reading's) and any the disposition names, at the work center that inspects them.
 *
 * They are derived from the NCR (nothing but the disposition is recorded), so the station and the
 * server insert the same operations with the same ids (`NCR-2026-7K3QM2-RW1`, `-RP1`, `-RI1`), and
 * are done with the ordinary `op.started`, `measurement.recorded` and `op.completed` events. The
 * disposition is carried out when the last of them completes; until then the unit's regular
 * operations are stopped (ncrStopOn, why `rework-pending`), the inserted ones are not. A failing
 * re-inspection reading opens an NCR as any out-of-tolerance reading does (C3), and that NCR stops
 * the unit until it is dispositioned and carried out in turn.
 */
import type { UnitRef } from '../../schemas/common.ts';
import type { EventOf } from '../../schemas/event.ts';
import type { NcrDispositionRecord, NcrItemRecord, Nonconformance } from '../../schemas/nonconformance.ts';
import type { Characteristic, Operation, Routing } from '../../schemas/routing.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { PlantDraft, PlantState } from './plant.ts';
import type { NcrStop } from './ncr.ts';
import type { Check } from './refusal.ts';
import { itemsOf, markCarriedOut, ncrLabel, ncrStopsOn, describeStop, needsRework } from './ncr.ts';
import { operationsInOrder, routingOf, stepKey, unitKey, unitLabel } from './plant.ts';
import { allowed, refuse } from './refusal.ts';

export type InsertedKind = 'rework' | 'repair' | 'reinspection';

/** One operation a rework or repair disposition inserted into a unit's traveler. */
export interface InsertedOperation {
  operation: Operation;
  kind: InsertedKind;
  ncr: Nonconformance;
  item: NcrItemRecord;
  disposition: NcrDispositionRecord;
  /** The regular operation it is inserted before: the one the NCR stopped. */
  before: string;
  /** The inserted operations of the same disposition, in order (this one among them). */
  siblings: readonly string[];
}

/** The work order and routing an NCR item's rework goes into, when the item is a unit of the NCR's work order. */
export function travelerOfItem(state: PlantState, ncr: Nonconformance, unit: UnitRef): { workOrder: WorkOrder; routing: Routing } | undefined {
  if (ncr.workOrderId === undefined) return undefined;
  const workOrder = state.workOrders.get(ncr.workOrderId);
  if (workOrder === undefined || !workOrder.units.some((u) => unitKey(u) === unitKey(unit))) return undefined;
  const routing = routingOf(state, workOrder);
  return routing === undefined ? undefined : { workOrder, routing };
}

/** The routing operation that owns a characteristic, preferring `preferred`. */
function ownerOf(routing: Routing, characteristicId: string, preferred: string | undefined): { operation: Operation; characteristic: Characteristic } | undefined {
  const ordered = operationsInOrder(routing);
  const first = ordered.find((op) => op.id === preferred && op.characteristics.some((c) => c.id === characteristicId)) ?? ordered.find((op) => op.characteristics.some((c) => c.id === characteristicId));
  const characteristic = first?.characteristics.find((c) => c.id === characteristicId);
  return first === undefined || characteristic === undefined ? undefined : { operation: first, characteristic };
}

/** The routing operation an NCR is about: its own, or, for an NCR opened at an inserted operation, the one that was inserted before. */
function regularOperationOfNcr(state: PlantState, ncr: Nonconformance, routing: Routing, unit: UnitRef): Operation | undefined {
  if (ncr.operationId === undefined) return undefined;
  const own = routing.operations.find((op) => op.id === ncr.operationId);
  if (own !== undefined) return own;
  const inserted = findInserted(state, ncr.workOrderId ?? '', unit, ncr.operationId);
  return inserted === undefined ? undefined : routing.operations.find((op) => op.id === inserted.before);
}

/**
 * The routing operation a new rework or repair disposition is done to, resolved when it is applied
 * (and kept on the disposition): the one it names, else the NCR's, else the unit's first operation
 * not yet complete (else its last).
 */
export function resolveReworkOperation(state: PlantState, ncr: Nonconformance, unit: UnitRef, named: string | undefined): string | undefined {
  const target = travelerOfItem(state, ncr, unit);
  if (target === undefined) return undefined;
  const { workOrder, routing } = target;
  if (named !== undefined && routing.operations.some((op) => op.id === named)) return named;
  const own = regularOperationOfNcr(state, ncr, routing, unit);
  if (own !== undefined) return own.id;
  const ordered = operationsInOrder(routing);
  const open = ordered.find((op) => state.steps.get(stepKey(workOrder.id, unit, op.id))?.completed === undefined);
  return (open ?? ordered.at(-1))?.id;
}

/** The characteristics a rework's re-inspection covers: the NCR's own and those the disposition names. */
function affectedCharacteristics(ncr: Nonconformance, disposition: NcrDispositionRecord): string[] {
  const ids = [...(ncr.characteristicId === undefined ? [] : [ncr.characteristicId]), ...(disposition.reinspect ?? [])];
  return [...new Set(ids)];
}

/**
 * What a rework or repair disposition of `unit` may re-inspect (the disposition dialog's choice): the
 * characteristics of the operation whose inspection is repeated, that is the one owning the NCR's own
 * characteristic (always re-inspected: `fixed`), else the NCR's operation, else the operation the
 * rework is done to (`reworkOperationId`). Only that operation's, so the re-inspection is one step at
 * one work center. Undefined when the unit has no traveler or the operation no characteristics.
 */
export function reinspectionChoices(
  state: PlantState,
  ncr: Nonconformance,
  unit: UnitRef,
  reworkOperationId?: string,
): { operation: Operation; characteristics: Characteristic[]; fixed: string[] } | undefined {
  const target = travelerOfItem(state, ncr, unit);
  if (target === undefined) return undefined;
  const { routing } = target;
  const regular = regularOperationOfNcr(state, ncr, routing, unit);
  const owner = ncr.characteristicId === undefined ? undefined : ownerOf(routing, ncr.characteristicId, regular?.id);
  const reworked = routing.operations.find((op) => op.id === resolveReworkOperation(state, ncr, unit, reworkOperationId));
  const operation = owner?.operation ?? (regular !== undefined && regular.characteristics.length > 0 ? regular : reworked);
  if (operation === undefined || operation.characteristics.length === 0) return undefined;
  return { operation, characteristics: [...operation.characteristics], fixed: owner === undefined ? [] : [owner.characteristic.id] };
}

/** The operations each rework or repair disposition of an NCR item inserts into its unit's traveler. */
export function insertedOperationsOf(state: PlantState, ncr: Nonconformance, item: NcrItemRecord): InsertedOperation[] {
  const target = travelerOfItem(state, ncr, item.unit);
  if (target === undefined) return [];
  const { routing } = target;
  const label = ncrLabel(ncr);
  const found: InsertedOperation[] = [];
  let n = 0;
  for (const disposition of item.dispositions) {
    if (!needsRework(disposition.disposition)) continue;
    n += 1;
    const base = routing.operations.find((op) => op.id === disposition.operationId);
    if (base === undefined) continue;
    const before = regularOperationOfNcr(state, ncr, routing, item.unit) ?? base;
    const repair = disposition.disposition === 'repair';
    // A lot's steps are the whole lot's; the name says which quantity the disposition sent to rework
    // (one NCR may rework 3 of a lot and use the rest as is), on the traveler, the step and the evidence.
    const of = item.unit.kind === 'lot' ? ` (${disposition.quantity} of lot ${item.unit.lotId})` : '';
    const work: Operation = {
      id: `${label}-${repair ? 'RP' : 'RW'}${n}`,
      sequence: before.sequence,
      name: `${repair ? 'Repair' : 'Rework'} ${n} for ${label}${of}`,
      workCenterId: base.workCenterId,
      operationType: base.operationType,
      instruction: repair && disposition.instruction !== undefined ? { ...disposition.instruction } : base.instruction,
      characteristics: [],
      bill: [],
    };
    const owned = affectedCharacteristics(ncr, disposition)
      .map((id) => ownerOf(routing, id, before.id))
      .filter((x): x is NonNullable<typeof x> => x !== undefined);
    const inspector = owned[0]?.operation;
    const ops: Array<{ operation: Operation; kind: InsertedKind }> = [{ operation: work, kind: repair ? 'repair' : 'rework' }];
    if (inspector !== undefined) {
      ops.push({
        kind: 'reinspection',
        operation: {
          id: `${label}-RI${n}`,
          sequence: before.sequence,
          name: `Re-inspection ${n} for ${label}${of}`,
          workCenterId: inspector.workCenterId,
          operationType: inspector.operationType,
          instruction: inspector.instruction,
          characteristics: owned.map((o) => o.characteristic),
          bill: [],
        },
      });
    }
    const siblings = ops.map((o) => o.operation.id);
    for (const o of ops) found.push({ ...o, ncr, item, disposition, before: before.id, siblings });
  }
  return found;
}

/** Every operation NCRs inserted into a unit's traveler. */
export function insertedOperationsOn(state: PlantState, workOrderId: string, unit: UnitRef): InsertedOperation[] {
  const key = unitKey(unit);
  const found: InsertedOperation[] = [];
  for (const ncr of state.nonconformances.values()) {
    if (ncr.workOrderId !== workOrderId) continue;
    for (const item of itemsOf(state, ncr)) {
      if (unitKey(item.unit) === key) found.push(...insertedOperationsOf(state, ncr, item));
    }
  }
  return found;
}

/** An inserted operation by id, on a unit (or on any unit of the work order). */
export function findInserted(state: PlantState, workOrderId: string, unit: UnitRef | undefined, operationId: string): InsertedOperation | undefined {
  for (const ncr of state.nonconformances.values()) {
    if (ncr.workOrderId !== workOrderId || !operationId.startsWith(ncrLabel(ncr))) continue;
    for (const item of itemsOf(state, ncr)) {
      if (unit !== undefined && unitKey(item.unit) !== unitKey(unit)) continue;
      const found = insertedOperationsOf(state, ncr, item).find((i) => i.operation.id === operationId);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The operation an NCR was opened at, for its work center on the NCRs screen and its filter: the one
 * it names (a red tag's step, an out-of-tolerance reading's; a routing operation or one an NCR
 * inserted), else the step of the event behind it (work under a hold, C2; a conflict resolved by
 * opening an NCR), which its conflict item names.
 */
export function ncrOperation(state: PlantState, ncr: Nonconformance, steps: ReadonlyMap<string, string> = conflictSteps(state)): Operation | undefined {
  const workOrderId = ncr.workOrderId;
  if (workOrderId === undefined) return undefined;
  const unit = itemsOf(state, ncr)[0]?.unit;
  if (ncr.operationId !== undefined) return findOperation(state, workOrderId, ncr.operationId, unit);
  const step = steps.get(ncr.sourceEventId);
  return step === undefined ? undefined : findOperation(state, workOrderId, step.slice(step.lastIndexOf('|') + 1), unit);
}

/** The step key of each conflict item's event (built once for a list of NCRs, see {@link ncrOperation}). */
export function conflictSteps(state: PlantState): Map<string, string> {
  const steps = new Map<string, string>();
  for (const conflict of state.conflicts.values()) if (conflict.stepKey !== undefined && !steps.has(conflict.eventId)) steps.set(conflict.eventId, conflict.stepKey);
  return steps;
}

/** A work order's operation by id: a routing operation, or one an NCR inserted. */
export function findOperation(state: PlantState, workOrderId: string, operationId: string, unit?: UnitRef): Operation | undefined {
  const workOrder = state.workOrders.get(workOrderId);
  if (workOrder === undefined) return undefined;
  const regular = routingOf(state, workOrder)?.operations.find((op) => op.id === operationId);
  return regular ?? findInserted(state, workOrderId, unit, operationId)?.operation;
}

/**
 * What stops this operation on this unit because of an NCR: any stop for a regular operation; for an
 * operation a rework or repair inserted (not yet carried out), only containment or the unit having
 * left production, not a rework still open (its own or another NCR's).
 */
export function ncrStopAt(state: PlantState, workOrderId: string, unit: UnitRef, operationId: string): NcrStop | undefined {
  const stops = ncrStopsOn(state, unit);
  const inserted = findInserted(state, workOrderId, unit, operationId);
  if (inserted === undefined || inserted.disposition.carriedOut !== undefined) return stops[0];
  return stops.find((s) => s.why !== 'rework-pending');
}

/** The station's refusal to start or complete an operation an NCR stops, saying which NCR and why. */
export function ncrRefusalAt(state: PlantState, workOrderId: string, unit: UnitRef, operationId: string): Check {
  const stop = ncrStopAt(state, workOrderId, unit, operationId);
  if (stop === undefined) return allowed;
  return refuse(stop.why === 'contained' ? 'under-ncr' : stop.why, describeStop(stop, unit, state));
}

/** An inserted operation's order: the ones before it of the same disposition are complete first. */
export function insertedSequenceRefusal(state: PlantState, workOrderId: string, unit: UnitRef, inserted: InsertedOperation, verb: string): Check {
  for (const id of inserted.siblings) {
    if (id === inserted.operation.id) return allowed;
    if (state.steps.get(stepKey(workOrderId, unit, id))?.completed === undefined) {
      const name = findInserted(state, workOrderId, unit, id)?.operation.name ?? id;
      return refuse('out-of-sequence', `Cannot ${verb} ${inserted.operation.name}: ${name} must be completed first on ${unitLabel(unit)}`);
    }
  }
  return allowed;
}

/** The open rework, repair and re-inspection operations at a work center on a unit (for the queue). */
export function openInsertedAt(state: PlantState, workOrderId: string, unit: UnitRef, workCenterId: string): InsertedOperation[] {
  return insertedOperationsOn(state, workOrderId, unit).filter(
    (i) => i.operation.workCenterId === workCenterId && i.disposition.carriedOut === undefined && state.steps.get(stepKey(workOrderId, unit, i.operation.id))?.completed === undefined,
  );
}

/**
 * After an `op.completed` is applied: when it completes the last operation a rework or repair
 * inserted (and the ones before it are complete), the disposition is carried out; the NCR closes
 * when nothing else is left.
 */
export function carryOutOnCompletion(draft: PlantDraft, event: EventOf<'op.completed'>): void {
  const { workOrderId, unit, operationId } = event.payload;
  const inserted = findInserted(draft, workOrderId, unit, operationId);
  if (inserted === undefined || inserted.disposition.carriedOut !== undefined) return;
  if (inserted.siblings.at(-1) !== operationId) return;
  if (inserted.siblings.some((id) => draft.steps.get(stepKey(workOrderId, unit, id))?.completed === undefined)) return;
  markCarriedOut(draft, inserted.ncr, inserted.item.itemId, inserted.disposition.eventId, {
    eventId: event.id,
    actor: event.actor,
    at: event.deviceTime,
    note: `${inserted.operation.name} completed`,
  });
}
