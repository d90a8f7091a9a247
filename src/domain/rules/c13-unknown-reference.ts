import type { HoldSubject } from '../../../schemas/common.ts';
import type { EventOf } from '../../../schemas/event.ts';
import type { PlantState } from '../plant.ts';
import type { Rule } from './types.ts';
import { unitKey, unitLabel } from '../plant.ts';
import { ncrItemRef, openNcrProblem, reworkProblem, reworkReferenceProblem } from '../ncr.ts';
import { operationOf, stepTarget } from './helpers.ts';

/** Whether the plant has the work order, serial or lot a hold names. */
function hasSubject(state: PlantState, subject: HoldSubject): boolean {
  switch (subject.kind) {
    case 'workOrder':
      return state.workOrders.has(subject.workOrderId);
    case 'serial':
      if (state.serials.has(subject.serial)) return true;
      break;
    case 'lot':
      if (state.lots.has(subject.lotId)) return true;
      break;
  }
  const key = unitKey(subject);
  for (const workOrder of state.workOrders.values()) if (workOrder.units.some((unit) => unitKey(unit) === key)) return true;
  return false;
}

/**
 * C13: an event about a work order, operation, unit, characteristic, hold subject or conflict item
 * the server does not have. It cannot be applied to anything: refused into quarantine (kept, never
 * deleted) with the reason. (A release of an unknown hold is C8's.)
 */
export const unknownReference: Rule = ({ state, event }) => {
  if (event.type === 'hold.placed') {
    const { subject } = event.payload;
    if (hasSubject(state, subject)) return [];
    const reason = `hold.placed names ${subject.kind === 'workOrder' ? 'work order' : subject.kind} ${unitLabel(subject)}, which the server does not have`;
    return [{ rule: 'C13', reject: reason, description: reason }];
  }
  if (event.type === 'conflict.resolved') {
    if (state.conflicts.has(event.payload.conflictId)) return [];
    const reason = `conflict.resolved names conflict item ${event.payload.conflictId}, which the server does not have`;
    return [{ rule: 'C13', reject: reason, description: reason }];
  }
  if (event.type === 'ncr.opened' || event.type === 'ncr.dispositioned' || event.type === 'ncr.rework-recorded') {
    const reason = ncrReferenceProblem(state, event);
    return reason === null ? [] : [{ rule: 'C13', reject: reason, description: reason }];
  }
  const target = stepTarget(event);
  if (target === undefined) return [];
  const found = operationOf(state, target.workOrderId, target.operationId, target.unit);
  const reason =
    found === undefined ? `${event.type} names work order ${target.workOrderId} / operation ${target.operationId}, which the server does not have`
    : !found.workOrder.units.some((u) => unitKey(u) === unitKey(target.unit)) ? `${unitLabel(target.unit)} is not a unit of ${target.workOrderId}`
    : event.type === 'measurement.recorded' && !found.operation.characteristics.some((c) => c.id === event.payload.characteristicId)
      ? `${event.payload.characteristicId} is not a characteristic of ${target.operationId}`
    : null;
  return reason === null ? [] : [{ rule: 'C13', reject: reason, description: reason }];
};

/** What an NCR event names that the server does not have (or a quantity the item does not have). */
function ncrReferenceProblem(state: PlantState, event: EventOf<'ncr.opened' | 'ncr.dispositioned' | 'ncr.rework-recorded'>): string | null {
  if (event.type === 'ncr.opened') return openNcrProblem(state, event.payload);
  if (event.type === 'ncr.rework-recorded') return reworkProblem(state, event.payload);
  const found = ncrItemRef(state, event.payload);
  if (typeof found === 'string') return `ncr.dispositioned ${found}`;
  if (event.payload.quantity > found.item.quantity) {
    return `ncr.dispositioned names ${event.payload.quantity} of item ${found.item.itemId}, which has ${found.item.quantity}`;
  }
  const rework = reworkReferenceProblem(state, found.ncr, event.payload);
  return rework === null ? null : `ncr.dispositioned: ${rework}`;
}
