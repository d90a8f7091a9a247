import type { Rule } from './types.ts';
import { DISPOSITION_NAMES, ncrItemRef, ncrLabel, undispositionedQuantity } from '../ncr.ts';
import { unitLabel } from '../plant.ts';

/**
 * C31: a disposition of an item (or quantity of it) that another disposition, earlier in server
 * order, already decided: two stations signed the same item. The first stands; the second is recorded
 * without effect, flagged `duplicate-disposition`, with both in the supervisor's work item.
 */
export const duplicateDisposition: Rule = ({ state, event }) => {
  if (event.type !== 'ncr.dispositioned') return [];
  const found = ncrItemRef(state, event.payload);
  if (typeof found === 'string') return [];
  const { ncr, item } = found;
  const open = undispositionedQuantity(item);
  if (event.payload.quantity <= open) return [];
  const earlier = item.dispositions.map((d) => `${DISPOSITION_NAMES[d.disposition]} × ${d.quantity} by ${d.signature.printedName}`).join(', ');
  return [{
    rule: 'C31',
    flag: 'duplicate-disposition',
    description: `${DISPOSITION_NAMES[event.payload.disposition]} × ${event.payload.quantity} of ${unitLabel(item.unit)} on ${ncrLabel(ncr)} not applied: ${open} left to disposition; already ${earlier}`,
    related: item.dispositions.map((d) => d.eventId),
    subject: item.unit,
    workOrderId: event.payload.workOrderId,
  }];
};
