import type { Rule } from './types.ts';
import { REVIEW_MEANINGS } from '../conflicts.ts';
import { RELEASE_MEANING, canRelease } from '../holds.ts';

/**
 * C7: a hold release or a conflict resolution without a supervisor's (or quality's) authority, or
 * without a valid e-signature: the signer must be the person who recorded the event, on the roster,
 * with their printed name, the meaning of this action and a reason. Refused into quarantine with a
 * security flag; the hold stays.
 */
export const releaseAuthority: Rule = ({ state, event }) => {
  if (event.type !== 'hold.released' && event.type !== 'conflict.resolved') return [];
  const { signature } = event.payload;
  const signer = state.operators.get(event.actor);
  const expectedMeaning = event.type === 'hold.released' ? RELEASE_MEANING : REVIEW_MEANINGS[event.payload.action];
  const problem =
    signer === undefined ? `${event.actor} is not on the roster`
    : !canRelease(signer) ? `${signer.name} is ${signer.role}; only a supervisor or quality may sign this`
    : signature.signerBadge !== event.actor ? `the signature names ${signature.signerBadge} but the event was recorded by ${event.actor}`
    : signature.printedName !== signer.name ? `the signature's printed name "${signature.printedName}" is not ${signer.name}`
    : signature.meaning !== expectedMeaning ? `the signature's meaning "${signature.meaning}" does not match the action (${expectedMeaning})`
    : signature.reason.trim() === '' ? 'the signature has no reason'
    : null;
  if (problem === null) return [];
  return [{
    rule: 'C7',
    flag: 'security:unauthorized-release',
    reject: `${event.type} refused: ${problem}`,
    description: `${event.type} refused: ${problem}`,
  }];
};
