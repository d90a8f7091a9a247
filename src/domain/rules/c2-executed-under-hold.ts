import type { Rule } from './types.ts';
import { activeHoldsOn } from '../traveler.ts';
import { stepKey, unitLabel } from '../plant.ts';
import { openNcrDraft, stepTarget } from './helpers.ts';

/**
 * C2: work recorded (offline) on a unit that a hold earlier in server order covers. Evidence is
 * never dropped: the event is recorded and flagged `executed-under-hold`, the hold stays, and an NCR
 * draft is opened.
 */
export const executedUnderHold: Rule = ({ state, event }) => {
  if (event.type !== 'op.started' && event.type !== 'op.completed' && event.type !== 'material.consumed') return [];
  const target = stepTarget(event);
  if (target === undefined) return [];
  const hold = activeHoldsOn(state, target.workOrderId, target.unit).find((h) => h.sourceEventId !== event.id);
  if (hold === undefined) return [];
  const description = `${event.type} at ${target.operationId} on ${unitLabel(target.unit)} while hold ${hold.holdId} (${hold.reason}) was in force`;
  return [{
    rule: 'C2',
    flag: 'executed-under-hold',
    description,
    related: hold.sourceEventId === undefined ? [] : [hold.sourceEventId],
    subject: target.unit,
    workOrderId: target.workOrderId,
    stepKey: stepKey(target.workOrderId, target.unit, target.operationId),
    effect: (draft) => openNcrDraft(draft, `NCR-${event.id}`, target.unit, description, event, target.workOrderId),
  }];
};
