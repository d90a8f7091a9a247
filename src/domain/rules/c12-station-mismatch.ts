import type { Rule } from './types.ts';

/**
 * C12: an event that claims to come from another station than the one whose credential pushed it.
 * Refused into quarantine with a security flag.
 */
export const stationMismatch: Rule = ({ event, pushedBy }) => {
  if (event.stationId === pushedBy) return [];
  const reason = `Event claims station ${event.stationId} but was pushed with the credential of ${pushedBy}`;
  return [{ rule: 'C12', flag: 'security:station-mismatch', reject: reason, description: reason }];
};
