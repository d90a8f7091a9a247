import type { Rule } from './types.ts';
import { stepKey, unitLabel } from '../plant.ts';

/**
 * C1: two stations complete the same operation on the same unit. The first in server order wins;
 * the second is recorded, flagged `duplicate-completion`, and both records go to a supervisor.
 */
export const duplicateCompletion: Rule = ({ state, event }) => {
  if (event.type !== 'op.completed') return [];
  const { workOrderId, unit, operationId } = event.payload;
  const key = stepKey(workOrderId, unit, operationId);
  const first = state.steps.get(key)?.completed;
  if (first === undefined || first.eventId === event.id) return [];
  return [{
    rule: 'C1',
    flag: 'duplicate-completion',
    description: `${operationId} on ${unitLabel(unit)} was already completed by ${first.actor} at ${first.at}; this second completion by ${event.actor} is kept as evidence only`,
    related: [first.eventId],
    subject: unit,
    workOrderId,
    stepKey: key,
  }];
};
