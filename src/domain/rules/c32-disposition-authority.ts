import type { Rule } from './types.ts';
import { DISPOSITION_NAMES, dispositionAuthorityProblem, ncrItemRef, ncrLabel } from '../ncr.ts';
import { unitLabel } from '../plant.ts';

/**
 * C32: a disposition signed by someone whose role may not sign it (quality signs every disposition;
 * engineering concurs with use as is and repair; a customer approval reference where the program
 * requires it), or with a signature that does not fit. Recorded without effect (the item stays
 * contained), flagged `unauthorized-disposition`, a supervisor's work item.
 */
export const dispositionAuthority: Rule = ({ state, event }) => {
  if (event.type !== 'ncr.dispositioned') return [];
  const found = ncrItemRef(state, event.payload);
  if (typeof found === 'string') return [];
  const problem = dispositionAuthorityProblem(state, event);
  if (problem === null) return [];
  return [{
    rule: 'C32',
    flag: 'unauthorized-disposition',
    description: `${DISPOSITION_NAMES[event.payload.disposition]} of ${unitLabel(found.item.unit)} on ${ncrLabel(found.ncr)} not applied: ${problem}`,
    subject: found.item.unit,
    workOrderId: event.payload.workOrderId,
  }];
};
