import type { Rule } from './types.ts';
import { unitKey } from '../plant.ts';

/**
 * C8: a release clears only the hold it names. A release of a hold placed meanwhile by someone else
 * (H2) leaves H2 in force; a release of a hold already released is recorded and flagged
 * `release-not-active`; a release of a hold the server never had is refused.
 */
export const releaseNamesHold: Rule = ({ state, event }) => {
  if (event.type !== 'hold.released') return [];
  const hold = state.holds.get(event.payload.holdId);
  if (hold === undefined) {
    return [{ rule: 'C8', reject: `hold.released names hold ${event.payload.holdId}, which the server does not have`, description: 'unknown hold' }];
  }
  if (hold.status !== 'active') {
    return [{
      rule: 'C8',
      flag: 'release-not-active',
      description: `Hold ${hold.holdId} was already released (event ${hold.release?.eventId ?? 'unknown'}); this release changes nothing`,
      related: hold.release === undefined ? [] : [hold.release.eventId],
      subject: hold.subject,
    }];
  }
  const subjectKey = hold.subject.kind === 'workOrder' ? `wo:${hold.subject.workOrderId}` : unitKey(hold.subject);
  const others = [...state.holds.values()].filter((h) => {
    if (h.holdId === hold.holdId || h.status !== 'active') return false;
    return (h.subject.kind === 'workOrder' ? `wo:${h.subject.workOrderId}` : unitKey(h.subject)) === subjectKey;
  });
  if (others.length === 0) return [];
  return [{ rule: 'C8', description: `Release of ${hold.holdId} leaves ${others.map((h) => h.holdId).join(', ')} in force`, subject: hold.subject }];
};
