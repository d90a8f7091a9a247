/**
 * The answer of every check in the domain: allowed, or refused with a stable code and a message
 * an operator can act on (what was expected, what was found).
 */
export type Check = { ok: true } | Refusal;

/** A check that also hands back what it resolved (the lot a scan named, the value a measurement has). */
export type Resolved<T> = { ok: true; value: T } | Refusal;

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
}

export type RefusalCode =
  | 'unknown-work-order'
  | 'unknown-operation'
  | 'unknown-unit'
  | 'unknown-operator'
  | 'unknown-identifier'
  | 'unknown-characteristic'
  | 'unknown-hold'
  | 'wrong-work-center'
  | 'out-of-sequence'
  | 'already-started'
  | 'already-completed'
  | 'not-started'
  | 'not-qualified'
  | 'qualification-expired'
  | 'on-hold'
  | 'wrong-part'
  | 'not-on-bill'
  | 'bill-satisfied'
  | 'already-consumed'
  | 'insufficient-quantity'
  | 'material-missing'
  | 'inspection-missing'
  | 'not-a-number'
  | 'unit-mismatch'
  | 'gauge-required'
  | 'role-not-allowed'
  | 'hold-not-active'
  | 'reason-required'
  | 'signature-mismatch'
  | 'unknown-conflict'
  | 'conflict-resolved'
  | 'under-ncr'
  | 'rework-pending'
  | 'left-production'
  | 'unknown-ncr'
  | 'already-dispositioned'
  | 'nothing-to-contain'
  | 'concurrence-required'
  | 'customer-approval-required'
  | 'no-rework-pending'
  | 'wrong-tracking'
  | 'scrapped'
  | 'lot-exists'
  | 'invalid-quantity'
  | 'not-a-photo'
  | 'traveler-incomplete'
  | 'already-shipped';

export function refuse(code: RefusalCode, message: string): Refusal {
  return { ok: false, code, message };
}

export const allowed = { ok: true } as const;
