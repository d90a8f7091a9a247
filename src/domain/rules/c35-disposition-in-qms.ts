import type { Rule } from './types.ts';
import { DISPOSITION_NAMES, ncrItemRef, ncrLabel } from '../ncr.ts';
import { unitLabel } from '../plant.ts';

/**
 * C35: a disposition signed at a station while the plant's MRB decides in the QMS (`MRB_DECIDES=qms`).
 * The QMS is then the one place MRB decides, and it posts its dispositions to the server
 * (docs/ncr.md, The QMS link); a second authority on the floor could contradict it. Refused into
 * quarantine with the reason (flag `disposition-in-qms`), so it changes nothing: the item stays
 * contained until the QMS's disposition arrives. The quarantine entry is a supervisor's to read.
 */
export const dispositionInQms: Rule = ({ state, event, mrbDecides }) => {
  if (event.type !== 'ncr.dispositioned' || mrbDecides !== 'qms') return [];
  const found = ncrItemRef(state, event.payload);
  const what = typeof found === 'string' ? `item ${event.payload.itemId}` : `${unitLabel(found.item.unit)} on ${ncrLabel(found.ncr)}`;
  const reason = `${DISPOSITION_NAMES[event.payload.disposition]} of ${what} not applied: this plant's MRB decides in the QMS, which posts its dispositions to Travelog; the item stays contained until it does`;
  return [{ rule: 'C35', flag: 'disposition-in-qms', reject: reason, description: reason, subject: event.payload.unit, workOrderId: event.payload.workOrderId }];
};
