import { shortHoldId } from './short-id.ts';
import type { UnitRef } from '../../schemas/common.ts';
import type { Hold } from '../../schemas/hold.ts';
import type { Operation, Routing } from '../../schemas/routing.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { ConsumptionRecord, MeasurementRecord, PlantState, StepRecord } from './plant.ts';
import type { Check, Resolved } from './refusal.ts';
import { characteristicKey, netQuantity, operationsInOrder, routingOf, stepKey, unitKey, unitLabel } from './plant.ts';
import type { InsertedOperation } from './rework.ts';
import { findInserted, insertedOperationsOn, insertedSequenceRefusal, ncrRefusalAt, openInsertedAt } from './rework.ts';
import { checkQualified } from './qualification.ts';
import { allowed, refuse } from './refusal.ts';

export type StepStatus = 'not-started' | 'in-progress' | 'complete';

/** One operation of a traveler on one unit, as the traveler screen shows it. */
export interface TravelerStep {
  operation: Operation;
  unit: UnitRef;
  status: StepStatus;
  record: StepRecord;
  measurements: ReadonlyMap<string, readonly MeasurementRecord[]>;
  consumptions: readonly ConsumptionRecord[];
}

export interface Traveler {
  workOrder: WorkOrder;
  routing: Routing;
  operations: Operation[];
}

/** The context every step check needs: the work order, its routing and the operation. */
export interface StepContext {
  workOrder: WorkOrder;
  routing: Routing;
  operation: Operation;
  unit: UnitRef;
}

export function statusOf(record: StepRecord | undefined): StepStatus {
  if (record?.completed !== undefined) return 'complete';
  if (record?.started !== undefined) return 'in-progress';
  return 'not-started';
}

export function travelerOf(state: PlantState, workOrderId: string): Resolved<Traveler> {
  const workOrder = state.workOrders.get(workOrderId);
  if (workOrder === undefined) return refuse('unknown-work-order', `Work order ${workOrderId} is not known on this station`);
  const routing = routingOf(state, workOrder);
  if (routing === undefined) {
    return refuse('unknown-operation', `No routing for ${workOrder.partNumber} rev ${workOrder.partRevision}`);
  }
  return { ok: true, value: { workOrder, routing, operations: operationsInOrder(routing) } };
}

/** The state of one operation on one unit. */
export function stepOf(state: PlantState, workOrderId: string, unit: UnitRef, operation: Operation): TravelerStep {
  const key = stepKey(workOrderId, unit, operation.id);
  const record = state.steps.get(key) ?? {};
  const measurements = new Map<string, readonly MeasurementRecord[]>();
  for (const characteristic of operation.characteristics) {
    const results = state.measurements.get(characteristicKey(workOrderId, unit, operation.id, characteristic.id));
    if (results !== undefined) measurements.set(characteristic.id, results);
  }
  return {
    operation,
    unit,
    status: statusOf(record),
    record,
    measurements,
    consumptions: state.consumptions.get(key) ?? [],
  };
}

/** Resolves a work order, unit and operation, refusing what the station does not know. */
export function resolveStep(state: PlantState, workOrderId: string, unit: UnitRef, operationId: string): Resolved<StepContext> {
  const traveler = travelerOf(state, workOrderId);
  if (!traveler.ok) return traveler;
  const { workOrder, routing } = traveler.value;
  // An operation a rework or repair inserted into this unit's traveler resolves like a routing operation.
  const operation = routing.operations.find((op) => op.id === operationId) ?? findInserted(state, workOrderId, unit, operationId)?.operation;
  if (operation === undefined) {
    return refuse('unknown-operation', `${operationId} is not an operation of ${workOrder.partNumber} rev ${workOrder.partRevision}`);
  }
  if (!workOrder.units.some((u) => unitKey(u) === unitKey(unit))) {
    return refuse('unknown-unit', `${unitLabel(unit)} is not a unit of work order ${workOrder.id}`);
  }
  return { ok: true, value: { workOrder, routing, operation, unit } };
}

/** The holds in force on a unit: on its serial or lot, or on its whole work order. */
export function activeHoldsOn(state: PlantState, workOrderId: string, unit: UnitRef): Hold[] {
  return [...state.holds.values()].filter((hold) => {
    if (hold.status !== 'active') return false;
    const subject = hold.subject;
    if (subject.kind === 'workOrder') return subject.workOrderId === workOrderId;
    return unitKey(subject) === unitKey(unit);
  });
}

function holdRefusal(holds: Hold[], what: string): Check {
  const hold = holds[0];
  if (hold === undefined) return allowed;
  return refuse('on-hold', `${what} is on hold (${hold.reason}); a supervisor must release hold ${shortHoldId(hold.holdId)} first`);
}

/** The earlier operation of the routing that is not yet complete on this unit, if any. */
export function firstIncompleteBefore(state: PlantState, ctx: StepContext): Operation | undefined {
  return operationsInOrder(ctx.routing)
    .filter((op) => op.sequence < ctx.operation.sequence)
    .find((op) => statusOf(state.steps.get(stepKey(ctx.workOrder.id, ctx.unit, op.id))) !== 'complete');
}

function sequenceRefusal(state: PlantState, ctx: StepContext, verb: string): Check {
  const inserted = findInserted(state, ctx.workOrder.id, ctx.unit, ctx.operation.id);
  if (inserted !== undefined) return insertedSequenceRefusal(state, ctx.workOrder.id, ctx.unit, inserted, verb);
  const before = firstIncompleteBefore(state, ctx);
  if (before === undefined) return allowed;
  return refuse(
    'out-of-sequence',
    `Cannot ${verb} ${ctx.operation.id} ${ctx.operation.name}: ${before.id} ${before.name} must be completed first on ${unitLabel(ctx.unit)}`,
  );
}

function operatorCheck(state: PlantState, badge: string, operation: Operation, at: Date): Check {
  const operator = state.operators.get(badge);
  if (operator === undefined) return refuse('unknown-operator', `Badge ${badge} is not on this station's roster`);
  return checkQualified(operator, operation.operationType, at);
}

export interface StepRequest {
  workOrderId: string;
  unit: UnitRef;
  operationId: string;
  actor: string;
  at: Date;
  /**
   * The work center the station stands at. A station starts and completes only its own work
   * center's operations (docs/operations.md); the server, which does not stand anywhere, omits it.
   */
  workCenterId?: string;
}

/**
 * Whether an operation belongs to the work center a station stands at. Refused, naming where the
 * operation is done, so the operator takes the part there rather than recording it here.
 */
export function checkWorkCenter(state: PlantState, operation: Operation, workCenterId: string | undefined): Check {
  if (workCenterId === undefined || operation.workCenterId === workCenterId) return allowed;
  const name = (id: string) => {
    const center = state.workCenters.get(id);
    return center === undefined ? id : `${id} ${center.name}`;
  };
  return refuse(
    'wrong-work-center',
    `${operation.id} ${operation.name} is done at ${name(operation.workCenterId)}, not at this station (${name(workCenterId)}): record it at a ${operation.workCenterId} station`,
  );
}

/** Whether an operator may start an operation on a unit now. */
export function checkStart(state: PlantState, request: StepRequest): Resolved<StepContext> {
  const resolved = resolveStep(state, request.workOrderId, request.unit, request.operationId);
  if (!resolved.ok) return resolved;
  const ctx = resolved.value;
  const status = statusOf(state.steps.get(stepKey(ctx.workOrder.id, ctx.unit, ctx.operation.id)));
  if (status === 'complete') return refuse('already-completed', `${ctx.operation.id} is already complete on ${unitLabel(ctx.unit)}`);
  if (status === 'in-progress') return refuse('already-started', `${ctx.operation.id} is already started on ${unitLabel(ctx.unit)}`);
  const checks = [
    checkWorkCenter(state, ctx.operation, request.workCenterId),
    operatorCheck(state, request.actor, ctx.operation, request.at),
    // An NCR says more than the hold it placed: which NCR, and that quality must disposition it.
    ncrRefusalAt(state, ctx.workOrder.id, ctx.unit, ctx.operation.id),
    holdRefusal(activeHoldsOn(state, ctx.workOrder.id, ctx.unit), unitLabel(ctx.unit)),
    sequenceRefusal(state, ctx, 'start'),
  ];
  return checks.find((c) => !c.ok) ?? resolved;
}

/** Quantity of a bill line this unit needs: per unit built, times the lot's quantity for a lot. */
export function requiredQuantity(workOrder: WorkOrder, quantityPer: number): number {
  return workOrder.tracking === 'lot' ? quantityPer * workOrder.quantity : quantityPer;
}

/** How much of each part of the operation's bill is already built in. */
export function consumedByPart(consumptions: readonly ConsumptionRecord[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const c of consumptions) {
    // Material returned unconsumed is no longer built in (material.returned).
    const quantity = netQuantity(c);
    totals.set(c.material.partNumber, (totals.get(c.material.partNumber) ?? 0) + quantity);
  }
  return totals;
}

/** What the operation's bill still needs on this unit, by part number. */
export function outstandingMaterial(state: PlantState, ctx: StepContext): Map<string, number> {
  const consumed = consumedByPart(state.consumptions.get(stepKey(ctx.workOrder.id, ctx.unit, ctx.operation.id)) ?? []);
  const outstanding = new Map<string, number>();
  for (const line of ctx.operation.bill) {
    const need = requiredQuantity(ctx.workOrder, line.quantityPer) - (consumed.get(line.partNumber) ?? 0);
    if (need > 0) outstanding.set(line.partNumber, need);
  }
  return outstanding;
}

/** Whether an operator may sign an operation off: started, in sequence, material in, inspected, not on hold. */
export function checkComplete(state: PlantState, request: StepRequest): Resolved<StepContext> {
  const resolved = resolveStep(state, request.workOrderId, request.unit, request.operationId);
  if (!resolved.ok) return resolved;
  const ctx = resolved.value;
  const sequence = sequenceRefusal(state, ctx, 'complete');
  if (!sequence.ok) return sequence;
  const status = statusOf(state.steps.get(stepKey(ctx.workOrder.id, ctx.unit, ctx.operation.id)));
  if (status === 'complete') return refuse('already-completed', `${ctx.operation.id} is already complete on ${unitLabel(ctx.unit)}`);
  if (status === 'not-started') return refuse('not-started', `${ctx.operation.id} has not been started on ${unitLabel(ctx.unit)}`);
  const place = checkWorkCenter(state, ctx.operation, request.workCenterId);
  if (!place.ok) return place;
  const operator = operatorCheck(state, request.actor, ctx.operation, request.at);
  if (!operator.ok) return operator;
  const ncr = ncrRefusalAt(state, ctx.workOrder.id, ctx.unit, ctx.operation.id);
  if (!ncr.ok) return ncr;
  const hold = holdRefusal(activeHoldsOn(state, ctx.workOrder.id, ctx.unit), unitLabel(ctx.unit));
  if (!hold.ok) return hold;
  const missing = [...outstandingMaterial(state, ctx)].map(([part, qty]) => `${qty} × ${part}`);
  if (missing.length > 0) {
    return refuse('material-missing', `${ctx.operation.id} still needs material scanned in: ${missing.join(', ')}`);
  }
  const uninspected = ctx.operation.characteristics.filter(
    (c) => !state.measurements.has(characteristicKey(ctx.workOrder.id, ctx.unit, ctx.operation.id, c.id)),
  );
  if (uninspected.length > 0) {
    return refuse('inspection-missing', `${ctx.operation.id} still needs results for: ${uninspected.map((c) => c.name).join(', ')}`);
  }
  return resolved;
}

/** Work orders with work left at a work center, soonest due first. */
export function queueFor(state: PlantState, workCenterId: string): Traveler[] {
  const queue: Traveler[] = [];
  for (const workOrder of state.workOrders.values()) {
    const routing = routingOf(state, workOrder);
    if (routing === undefined) continue;
    const here = routing.operations.filter((op) => op.workCenterId === workCenterId);
    const workLeft =
      here.some((op) => workOrder.units.some((unit) => statusOf(state.steps.get(stepKey(workOrder.id, unit, op.id))) !== 'complete')) ||
      workOrder.units.some((unit) => openInsertedAt(state, workOrder.id, unit, workCenterId).length > 0);
    if (workLeft) queue.push({ workOrder, routing, operations: operationsInOrder(routing) });
  }
  return queue.sort((a, b) => a.workOrder.dueDate.localeCompare(b.workOrder.dueDate) || a.workOrder.id.localeCompare(b.workOrder.id));
}

/** A row of the traveler: a routing operation on every unit, or an operation an NCR inserted on the units it names. */
export interface TravelerRow {
  operation: Operation;
  /** Set for a rework, repair or re-inspection an NCR inserted. */
  inserted?: InsertedOperation;
  units: UnitRef[];
}

/**
 * The traveler's rows in order: each routing operation, preceded by the rework, repair and
 * re-inspection operations NCRs inserted before it (on the units they name).
 */
export function travelerRows(state: PlantState, traveler: Traveler): TravelerRow[] {
  const { workOrder, operations } = traveler;
  const inserted = new Map<string, TravelerRow>();
  for (const unit of workOrder.units) {
    for (const i of insertedOperationsOn(state, workOrder.id, unit)) {
      const row = inserted.get(i.operation.id);
      if (row === undefined) inserted.set(i.operation.id, { operation: i.operation, inserted: i, units: [unit] });
      else row.units.push(unit);
    }
  }
  const rows: TravelerRow[] = [];
  for (const operation of operations) {
    for (const row of inserted.values()) if (row.inserted?.before === operation.id) rows.push(row);
    rows.push({ operation, units: [...workOrder.units] });
  }
  return rows;
}
