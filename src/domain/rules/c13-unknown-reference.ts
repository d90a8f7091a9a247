import type { Rule } from './types.ts';
import { unitKey, unitLabel } from '../plant.ts';
import { operationOf, stepTarget } from './helpers.ts';

/**
 * C13: an event about a work order, operation, unit or characteristic the server does not have. It
 * cannot be applied to anything: refused into quarantine (kept, never deleted) with the reason.
 */
export const unknownReference: Rule = ({ state, event }) => {
  const target = stepTarget(event);
  if (target === undefined) return [];
  const found = operationOf(state, target.workOrderId, target.operationId);
  const reason =
    found === undefined ? `${event.type} names work order ${target.workOrderId} / operation ${target.operationId}, which the server does not have`
    : !found.workOrder.units.some((u) => unitKey(u) === unitKey(target.unit)) ? `${unitLabel(target.unit)} is not a unit of ${target.workOrderId}`
    : event.type === 'measurement.recorded' && !found.operation.characteristics.some((c) => c.id === event.payload.characteristicId)
      ? `${event.payload.characteristicId} is not a characteristic of ${target.operationId}`
    : null;
  return reason === null ? [] : [{ rule: 'C13', reject: reason, description: reason }];
};
