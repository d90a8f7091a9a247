import type { Rule } from './types.ts';
import { containmentProblem } from '../containment.ts';

/**
 * C37: an `ncr.containment-extended` that cannot stand: it names an NCR the server does not have (or
 * one of a program the station is not cleared for, which reads the same, S10), a closed NCR, a lot
 * the NCR does not name, a unit the server does not have, or it is not signed by quality as the
 * person recording it with the containment's meaning and a reason. Refused into quarantine with the
 * reason; a refusal changes nothing (docs/ncr.md).
 */
export const containmentAuthority: Rule = ({ state, event }) => {
  if (event.type !== 'ncr.containment-extended') return [];
  const problem = containmentProblem(state, event);
  return problem === null ? [] : [{ rule: 'C37', reject: problem, description: problem }];
};
