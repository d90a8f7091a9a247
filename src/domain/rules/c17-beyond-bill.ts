import type { Rule } from './types.ts';
import { stepKey, unitLabel } from '../plant.ts';
import { consumedByPart, requiredQuantity } from '../traveler.ts';
import { operationOf } from './helpers.ts';

/**
 * C17: material consumed on a unit beyond what the operation's bill calls for, counted in server
 * order over every station (two stations each built the bill in while one was offline). Recorded as
 * consumed (evidence is never dropped), flagged `beyond-bill`; a supervisor voids the extra
 * consumption under signature, which returns it to its lot (or frees the serial), or accepts it.
 * A part the bill does not call for at all is the same finding (the bill calls for none of it).
 */
export const beyondBill: Rule = ({ state, event }) => {
  if (event.type !== 'material.consumed') return [];
  const { workOrderId, unit, operationId, material } = event.payload;
  const found = operationOf(state, workOrderId, operationId);
  // An unknown work order or operation is C13's refusal.
  if (found === undefined) return [];
  const line = found.operation.bill.find((l) => l.partNumber === material.partNumber);
  const required = line === undefined ? 0 : requiredQuantity(found.workOrder, line.quantityPer);
  const key = stepKey(workOrderId, unit, operationId);
  const earlier = (state.consumptions.get(key) ?? []).filter((c) => c.material.partNumber === material.partNumber && c.eventId !== event.id);
  const before = consumedByPart(earlier).get(material.partNumber) ?? 0;
  const quantity = material.kind === 'lot' ? material.quantity : 1;
  if (before + quantity <= required) return [];
  const what = material.kind === 'lot' ? `${quantity} × ${material.partNumber} from lot ${material.lotId}` : `serial ${material.serial} (${material.partNumber})`;
  // A part the bill does not call for at all: the station refuses it (substitution needs an
  // authorized deviation), but a station that did not know (an old roster, a stale bill) recorded
  // it, and evidence is never dropped: the server keeps it and asks a supervisor, as for any extra.
  const description = line === undefined
    ? `${operationId} on ${unitLabel(unit)} does not call for ${material.partNumber}; ${event.actor} consumed ${what} ` +
      '(a substitution needs an authorized deviation)'
    : `${operationId} on ${unitLabel(unit)} calls for ${required} × ${material.partNumber}; ${before} already built in, ` +
      `and ${event.actor} consumed ${what} more`;
  return [{
    rule: 'C17',
    flag: 'beyond-bill',
    description,
    related: earlier.map((c) => c.eventId),
    subject: unit,
    workOrderId,
    stepKey: key,
  }];
};
