/**
 * Who may see each view, and which program an event concerns. A work order's program and the work
 * centers of its routing carry over to everything about it: its serials and lots, the steps of its
 * traveler, holds, NCRs and conflict items. Master data, the roster and stock material are
 * plant-wide; so is quarantine, except that a refused event about a program's work is scoped to that
 * program, since its raw content names the program's work orders and units. Scopes are computed when a view is written and stored beside it, so a pull filters
 * in SQL.
 */
import type { HoldSubject } from '../../schemas/common.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { validateEvent } from '../../schemas/validate.ts';
import type { ViewData, ViewKind } from '../../schemas/view-doc.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import { routingOf } from '../../src/domain/plant.ts';
import { PLANT_WIDE, type ViewScope } from '../store/view-keys.ts';

const workOrderScopes = new WeakMap<WorkOrder, { routing: unknown; scope: ViewScope }>();
const lotOwners = new WeakMap<PlantState['workOrders'], Map<string, string>>();

/** The scope of a work order: its program and the work centers its routing passes through. */
export function workOrderScope(state: PlantState, workOrderId: string): ViewScope {
  const workOrder = state.workOrders.get(workOrderId);
  if (workOrder === undefined) return PLANT_WIDE;
  const routing = routingOf(state, workOrder);
  const cached = workOrderScopes.get(workOrder);
  if (cached !== undefined && cached.routing === routing) return cached.scope;
  const workCenterIds = routing === undefined ? null : [...new Set(routing.operations.map((op) => op.workCenterId))].sort();
  const scope: ViewScope = { program: workOrder.program, workCenterIds };
  workOrderScopes.set(workOrder, { routing, scope });
  return scope;
}

/** The work order whose traveler runs on this lot, if any (a lot-tracked order's unit). */
function lotOwner(state: PlantState, lotId: string): string | undefined {
  let owners = lotOwners.get(state.workOrders);
  if (owners === undefined) {
    owners = new Map();
    for (const workOrder of state.workOrders.values()) {
      for (const unit of workOrder.units) if (unit.kind === 'lot') owners.set(unit.lotId, workOrder.id);
    }
    lotOwners.set(state.workOrders, owners);
  }
  return owners.get(lotId);
}

function subjectScope(state: PlantState, subject: HoldSubject): ViewScope {
  switch (subject.kind) {
    case 'workOrder':
      return workOrderScope(state, subject.workOrderId);
    case 'serial': {
      const owner = state.serials.get(subject.serial)?.workOrderId;
      return owner === undefined ? PLANT_WIDE : workOrderScope(state, owner);
    }
    case 'lot': {
      const owner = lotOwner(state, subject.lotId);
      return owner === undefined ? PLANT_WIDE : workOrderScope(state, owner);
    }
  }
}

/** Who may see a view of this kind and data, in this plant. */
export function scopeOf<K extends ViewKind>(state: PlantState, kind: K, data: ViewData[K]): ViewScope {
  switch (kind) {
    case 'workOrder':
      return workOrderScope(state, (data as ViewData['workOrder']).id);
    case 'step':
      return workOrderScope(state, (data as ViewData['step']).workOrderId);
    case 'serial': {
      const owner = (data as ViewData['serial']).workOrderId;
      return owner === undefined ? PLANT_WIDE : workOrderScope(state, owner);
    }
    case 'lot':
      return subjectScope(state, { kind: 'lot', lotId: (data as ViewData['lot']).lotId });
    case 'hold':
      return subjectScope(state, (data as ViewData['hold']).subject);
    case 'nonconformance': {
      const ncr = data as ViewData['nonconformance'];
      return ncr.workOrderId === undefined ? subjectScope(state, ncr.subject) : workOrderScope(state, ncr.workOrderId);
    }
    case 'conflict': {
      const conflict = data as ViewData['conflict'];
      if (conflict.workOrderId !== undefined) return workOrderScope(state, conflict.workOrderId);
      return conflict.subject === undefined ? PLANT_WIDE : subjectScope(state, conflict.subject);
    }
    case 'quarantine': {
      // A refused event still carries its program's data: only stations cleared for it may read it.
      const raw = validateEvent((data as ViewData['quarantine']).raw);
      return raw.ok ? { program: programOfEvent(state, raw.value), workCenterIds: null } : PLANT_WIDE;
    }
    default:
      return PLANT_WIDE;
  }
}

/** The program an event records work on, or null for one that concerns no program (a sign-in). */
export function programOfEvent(state: PlantState, event: StationEvent): string | null {
  switch (event.type) {
    case 'op.started':
    case 'op.completed':
    case 'material.consumed':
    case 'measurement.recorded':
      return workOrderScope(state, event.payload.workOrderId).program;
    case 'hold.placed':
      return subjectScope(state, event.payload.subject).program;
    case 'hold.released': {
      const hold = state.holds.get(event.payload.holdId);
      return hold === undefined ? null : scopeOf(state, 'hold', hold).program;
    }
    case 'conflict.resolved': {
      const conflict = state.conflicts.get(event.payload.conflictId);
      return conflict === undefined ? null : scopeOf(state, 'conflict', conflict).program;
    }
    case 'session.signed-in':
    case 'session.signed-out':
      return null;
  }
}

/** Whether two scopes say the same. */
export function sameScope(a: ViewScope, b: ViewScope): boolean {
  if (a.program !== b.program) return false;
  if (a.workCenterIds === null || b.workCenterIds === null) return a.workCenterIds === b.workCenterIds;
  return a.workCenterIds.length === b.workCenterIds.length && a.workCenterIds.every((id, i) => id === b.workCenterIds?.[i]);
}
