import type { Operator } from '../../schemas/operator.ts';
import type { Check } from './refusal.ts';
import { allowed, refuse } from './refusal.ts';

/** The calendar day (UTC) of an instant, as qualifications expire at the end of a day. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * Whether an operator holds a current qualification for an operation type at a given time.
 * A qualification is valid through its expiry date.
 */
export function checkQualified(operator: Operator, operationType: string, at: Date): Check {
  const held = operator.qualifications.filter((q) => q.operationType === operationType);
  if (held.length === 0) {
    return refuse('not-qualified', `${operator.name} is not qualified for ${operationType}`);
  }
  const today = dayOf(at);
  const latest = held.map((q) => q.expires).sort().at(-1) ?? '';
  if (latest < today) {
    return refuse('qualification-expired', `${operator.name}'s qualification for ${operationType} expired on ${latest}`);
  }
  return allowed;
}
