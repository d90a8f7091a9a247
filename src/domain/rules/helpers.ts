import type { HoldSubject, UnitRef } from '../../../schemas/common.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import type { Operation } from '../../../schemas/routing.ts';
import type { WorkOrder } from '../../../schemas/work-order.ts';
import type { PlantDraft, PlantState } from '../plant.ts';
import { findOperation } from '../rework.ts';
import { openNcrFromEvent } from '../ncr.ts';

/** The traveler step an event acts on, if it acts on one. */
export function stepTarget(event: StationEvent): { workOrderId: string; unit: UnitRef; operationId: string } | undefined {
  switch (event.type) {
    case 'op.started':
    case 'op.completed':
    case 'material.consumed':
    case 'measurement.recorded':
      return { workOrderId: event.payload.workOrderId, unit: event.payload.unit, operationId: event.payload.operationId };
    default:
      return undefined;
  }
}

/** A work order's operation: of its routing, or one an NCR's rework or repair inserted (on `unit`, if named). */
export function operationOf(state: PlantState, workOrderId: string, operationId: string, unit?: UnitRef): { workOrder: WorkOrder; operation: Operation } | undefined {
  const workOrder = state.workOrders.get(workOrderId);
  if (workOrder === undefined) return undefined;
  const operation = findOperation(state, workOrderId, operationId, unit);
  return operation === undefined ? undefined : { workOrder, operation };
}

/** Places a hold the server derived from an event; its id is derived too, so it is placed once. */
export function placeHold(draft: PlantDraft, holdId: string, subject: HoldSubject, reason: string, event: StationEvent): void {
  if (draft.holds.has(holdId)) return;
  draft.holds.set(holdId, { holdId, subject, reason, placedBy: 'server', placedAt: event.deviceTime, sourceEventId: event.id, status: 'active' });
}

/** Opens an NCR the server derived from an event: it contains the subject until dispositioned (src/domain/ncr.ts). */
export function openNcrDraft(draft: PlantDraft, ncrId: string, subject: HoldSubject, description: string, event: StationEvent, workOrderId?: string): void {
  openNcrFromEvent(draft, ncrId, subject, description, event, workOrderId === undefined ? {} : { workOrderId });
}
