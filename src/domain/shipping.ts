/**
 * Shipping (docs/shipping.md): a finished unit of a work order, or a quantity of its lot, leaves the
 * plant for a customer under a shipment reference (`unit.shipped`). Nonconforming product must not
 * ship: the station refuses a shipment while the unit or quantity is under an open NCR, on hold, or
 * its traveler is not complete (the operations an NCR's rework inserted included), and says which
 * NCR, hold or operation. The server records a shipment a station made offline as it came (the goods
 * left) and flags what the same checks find on its plant (rule C39). Shared by station and server.
 */
import type { UnitRef } from '../../schemas/common.ts';
import type { EventOf, EventPayload } from '../../schemas/event.ts';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { PlantDraft, PlantState } from './plant.ts';
import type { Refusal, Resolved } from './refusal.ts';
import { containedQuantity, describeStop, ncrContainingLot, ncrLabel, ncrStopsOn } from './ncr.ts';
import { operationsInOrder, routingOf, stepKey, unitKey, unitLabel } from './plant.ts';
import { refuse } from './refusal.ts';
import { insertedOperationsOn } from './rework.ts';
import { findOperator } from './roster.ts';
import { shortHoldId } from './short-id.ts';
import { activeHoldsOn } from './traveler.ts';

/** A shipment as a serial or lot records it. */
export type ShipmentMark = NonNullable<NonNullable<ReturnType<PlantState['serials']['get']>>['shipped']>;

export interface ShipRequest {
  workOrderId: string;
  unit: UnitRef;
  /** A lot: how many of it ship; a serial ships whole (1). */
  quantity?: number;
  customer: string;
  shipmentRef: string;
  actor: string;
}

/** Why a unit cannot ship, with the NCR that stops it (if one does). */
export type ShipProblem = Refusal & { ncr?: Nonconformance };

/** The work order's operations on this unit that are not completed: the routing's and those an NCR inserted, in traveler order. */
export function openOperations(state: PlantState, workOrder: WorkOrder, unit: UnitRef): Array<{ id: string; name: string }> {
  const routing = routingOf(state, workOrder);
  if (routing === undefined) return [];
  const done = (id: string) => state.steps.get(stepKey(workOrder.id, unit, id))?.completed !== undefined;
  const inserted = insertedOperationsOn(state, workOrder.id, unit).filter((i) => i.disposition.carriedOut === undefined);
  const open: Array<{ id: string; name: string }> = [];
  for (const op of operationsInOrder(routing)) {
    for (const i of inserted) if (i.before === op.id && !done(i.operation.id)) open.push({ id: i.operation.id, name: i.operation.name });
    if (!done(op.id)) open.push({ id: op.id, name: op.name });
  }
  return open;
}

/** What of a work order's lot is shipped already. */
export function shippedQuantity(state: PlantState, lotId: string): number {
  return (state.lots.get(lotId)?.shipped ?? []).reduce((sum, s) => sum + s.quantity, 0);
}

/** How much of a work order's lot is left to ship: what remains (scrap, consumption and shipments taken off). */
function lotLeft(state: PlantState, workOrder: WorkOrder, lotId: string): number {
  return state.lots.get(lotId)?.remaining ?? workOrder.quantity;
}

/**
 * Why this unit or quantity may not ship from this plant, first found, or null. The same answer on the
 * station (which refuses) and the server (rule C39, which flags). Checked in the order that tells the
 * person most: the NCR (which, and why), a hold, the traveler, then what already left.
 */
export function shipProblem(state: PlantState, workOrder: WorkOrder, unit: UnitRef, quantity: number): ShipProblem | null {
  const label = unitLabel(unit);
  if (unit.kind === 'serial') {
    const stop = ncrStopsOn(state, unit)[0];
    if (stop !== undefined) {
      const code = stop.why === 'contained' ? 'under-ncr' : stop.why;
      return { ...refuse(code, `${label} cannot ship: ${describeStop(stop, unit, state)}`), ncr: stop.ncr };
    }
  } else {
    const left = lotLeft(state, workOrder, unit.lotId);
    const contained = containedQuantity(state, unit.lotId);
    if (contained > 0 && quantity > left - contained) {
      const ncr = ncrContainingLot(state, unit.lotId);
      const by = ncr === undefined ? 'an NCR' : `${ncrLabel(ncr)} (${ncr.description})`;
      const free = Math.max(0, left - contained);
      return {
        ...refuse('under-ncr', `${quantity} of ${label} cannot ship: ${contained} of its ${left} are held by ${by}; ${free === 0 ? 'none is' : `${free} are`} free to ship until quality dispositions it`),
        ...(ncr === undefined ? {} : { ncr }),
      };
    }
  }
  const hold = activeHoldsOn(state, workOrder.id, unit)[0];
  if (hold !== undefined) return refuse('on-hold', `${label} cannot ship: it is on hold (${hold.reason}); a supervisor must release hold ${shortHoldId(hold.holdId)} first`);
  const open = openOperations(state, workOrder, unit);
  const first = open[0];
  if (first !== undefined) {
    const more = open.length > 1 ? ` and ${open.length - 1} more` : '';
    return refuse('traveler-incomplete', `${label} cannot ship: its traveler is not complete (${first.id} ${first.name}${more} not completed)`);
  }
  if (unit.kind === 'serial') {
    const serial = state.serials.get(unit.serial);
    if (serial?.shipped !== undefined) return refuse('already-shipped', `${label} was already shipped to ${serial.shipped.customer} on ${serial.shipped.at.slice(0, 10)} (${serial.shipped.shipmentRef})`);
    if (serial?.scrapped !== undefined) return refuse('scrapped', `${label} was scrapped (${serial.scrapped.reason})`);
    if (serial?.consumedInto !== undefined) return refuse('already-consumed', `${label} is built into ${serial.consumedInto.unitKey.replace(/^(serial|lot):/, '')}; it ships in that unit`);
    return null;
  }
  const left = lotLeft(state, workOrder, unit.lotId);
  if (quantity > left) return refuse('insufficient-quantity', `${quantity} of ${label} cannot ship: ${left} ${left === 1 ? 'is' : 'are'} left of it`);
  return null;
}

/** Whether this person may ship this unit or quantity now, and the event's payload if so. */
export function checkShip(state: PlantState, request: ShipRequest): Resolved<EventPayload<'unit.shipped'>> | ShipProblem {
  const person = findOperator(state, request.actor);
  if (person === undefined) return refuse('unknown-operator', `Badge ${request.actor} is not on this station's roster`);
  const workOrder = state.workOrders.get(request.workOrderId.trim());
  if (workOrder === undefined) return refuse('unknown-work-order', `Work order ${request.workOrderId.trim()} is not known on this station`);
  if (!workOrder.units.some((u) => unitKey(u) === unitKey(request.unit))) return refuse('unknown-unit', `${unitLabel(request.unit)} is not a unit of work order ${workOrder.id}`);
  const quantity = request.unit.kind === 'serial' ? 1 : (request.quantity ?? NaN);
  if (!Number.isInteger(quantity) || quantity < 1) return refuse('invalid-quantity', 'The quantity shipped is a whole number of at least 1');
  const customer = request.customer.trim();
  const shipmentRef = request.shipmentRef.trim();
  if (customer === '') return refuse('reason-required', 'Name the customer it ships to');
  if (shipmentRef === '') return refuse('reason-required', 'Type the packing slip or shipment reference');
  const problem = shipProblem(state, workOrder, request.unit, quantity);
  if (problem !== null) return problem;
  return { ok: true, value: { workOrderId: workOrder.id, unit: request.unit, partNumber: workOrder.partNumber, quantity, customer, shipmentRef } };
}

/** The work order and unit a shipment names, or why the server does not have them (rule C39 refuses it). */
export function shipmentReference(state: PlantState, payload: EventPayload<'unit.shipped'>): { workOrder: WorkOrder } | string {
  const workOrder = state.workOrders.get(payload.workOrderId);
  if (workOrder === undefined) return `names work order ${payload.workOrderId}, which the server does not have`;
  if (!workOrder.units.some((u) => unitKey(u) === unitKey(payload.unit))) return `names ${unitLabel(payload.unit)}, which is not a unit of ${workOrder.id}`;
  if (payload.unit.kind === 'serial' && payload.quantity !== 1) return `ships ${payload.quantity} of serial ${payload.unit.serial}; a serial ships whole (1)`;
  return { workOrder };
}

/**
 * The effect of a shipment: a serial is marked shipped (the first shipment stands), a lot's quantity
 * leaves what remains. Applied even when flagged: the goods left, and the record says so.
 */
export function applyShipped(draft: PlantDraft, event: EventOf<'unit.shipped'>): void {
  const { workOrderId, unit, partNumber, quantity, customer, shipmentRef } = event.payload;
  const workOrder = draft.workOrders.get(workOrderId);
  if (workOrder === undefined || !workOrder.units.some((u) => unitKey(u) === unitKey(unit))) return;
  const mark: ShipmentMark = { eventId: event.id, actor: event.actor, at: event.deviceTime, stationId: event.stationId, workOrderId, quantity, customer, shipmentRef };
  if (unit.kind === 'serial') {
    const serial = draft.serials.get(unit.serial) ?? { serial: unit.serial, partNumber, workOrderId };
    if (serial.shipped === undefined) draft.serials.set(unit.serial, { ...serial, shipped: mark });
    return;
  }
  const lot = draft.lots.get(unit.lotId) ?? { lotId: unit.lotId, partNumber, quantity: workOrder.quantity, remaining: workOrder.quantity };
  draft.lots.set(unit.lotId, { ...lot, remaining: lot.remaining - quantity, shipped: [...(lot.shipped ?? []), mark] });
}

/** The shipments of a unit: a serial's one, a lot's each. */
export function shipmentsOf(state: PlantState, unit: UnitRef): ShipmentMark[] {
  if (unit.kind === 'serial') {
    const shipped = state.serials.get(unit.serial)?.shipped;
    return shipped === undefined ? [] : [shipped];
  }
  return [...(state.lots.get(unit.lotId)?.shipped ?? [])];
}

/** A unit of a work order as the shipping screen offers it. */
export interface ShippableUnit {
  workOrder: WorkOrder;
  unit: UnitRef;
  /** What is left to ship: 1 for a serial not shipped yet, a lot's remaining quantity. */
  left: number;
}

/** The work order unit a typed or scanned id names (in any case), or undefined. */
export function findUnitToShip(state: PlantState, typed: string): ShippableUnit | undefined {
  const key = typed.trim().toLowerCase();
  if (key === '') return undefined;
  for (const workOrder of state.workOrders.values()) {
    for (const unit of workOrder.units) {
      if (unitLabel(unit).toLowerCase() !== key) continue;
      const left = unit.kind === 'serial' ? (state.serials.get(unit.serial)?.shipped === undefined ? 1 : 0) : lotLeft(state, workOrder, unit.lotId);
      return { workOrder, unit, left };
    }
  }
  return undefined;
}

/** Units whose traveler is complete and that nothing stops from shipping, up to `limit`, in work order order. */
export function readyToShip(state: PlantState, limit = 20): ShippableUnit[] {
  const ready: ShippableUnit[] = [];
  for (const workOrder of state.workOrders.values()) {
    for (const unit of workOrder.units) {
      const found = findUnitToShip(state, unitLabel(unit));
      if (found === undefined || found.left <= 0) continue;
      const quantity = unit.kind === 'serial' ? 1 : Math.max(1, found.left - containedQuantity(state, unit.lotId));
      if (shipProblem(state, workOrder, unit, quantity) !== null) continue;
      ready.push({ ...found, left: unit.kind === 'serial' ? 1 : quantity });
      if (ready.length >= limit) return ready;
    }
  }
  return ready;
}

/** Shipments recorded in the plant, newest first, up to `limit`. */
export function recentShipments(state: PlantState, limit = 10): Array<ShipmentMark & { unit: UnitRef }> {
  const all: Array<ShipmentMark & { unit: UnitRef }> = [];
  for (const serial of state.serials.values()) if (serial.shipped !== undefined) all.push({ ...serial.shipped, unit: { kind: 'serial', serial: serial.serial } });
  for (const lot of state.lots.values()) for (const s of lot.shipped ?? []) all.push({ ...s, unit: { kind: 'lot', lotId: lot.lotId } });
  return all.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}
