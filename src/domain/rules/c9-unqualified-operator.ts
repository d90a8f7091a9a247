import type { Rule } from './types.ts';
import { checkQualified } from '../qualification.ts';
import { stepKey } from '../plant.ts';
import { operationOf } from './helpers.ts';

/**
 * C9: an operator not qualified, or whose qualification had expired, at the time the event was
 * recorded. Recorded (it happened), flagged `unqualified-operator` for a supervisor.
 */
export const unqualifiedOperator: Rule = ({ state, event }) => {
  if (event.type !== 'op.started' && event.type !== 'op.completed' && event.type !== 'measurement.recorded') return [];
  const { workOrderId, operationId, unit } = event.payload;
  const found = operationOf(state, workOrderId, operationId);
  const operator = state.operators.get(event.actor);
  if (found === undefined || operator === undefined) return [];
  const check = checkQualified(operator, found.operation.operationType, new Date(event.deviceTime));
  if (check.ok) return [];
  return [{
    rule: 'C9',
    flag: 'unqualified-operator',
    description: `${check.message} (at ${event.deviceTime}, ${event.type} at ${operationId})`,
    subject: unit,
    workOrderId,
    stepKey: stepKey(workOrderId, unit, operationId),
  }];
};
