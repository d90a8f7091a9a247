/**
 * Wrong-PIN lockout, per badge on one station: five wrong PINs lock the badge for five minutes.
 * Pure: the caller keeps the record and passes the time in.
 */
export const MAX_PIN_FAILURES = 5;
export const LOCKOUT_MS = 5 * 60 * 1000;

export interface LockoutRecord {
  badge: string;
  failures: number;
  lockedUntil: number | null;
}

export function freshLockout(badge: string): LockoutRecord {
  return { badge, failures: 0, lockedUntil: null };
}

/** Milliseconds the badge stays locked at `now`, or 0. */
export function lockedFor(record: LockoutRecord, now: number): number {
  return record.lockedUntil !== null && record.lockedUntil > now ? record.lockedUntil - now : 0;
}

/** The record after a wrong PIN: the fifth in a row locks the badge. */
export function afterFailure(record: LockoutRecord, now: number): LockoutRecord {
  const expired = record.lockedUntil !== null && record.lockedUntil <= now;
  const failures = (expired ? 0 : record.failures) + 1;
  if (failures >= MAX_PIN_FAILURES) return { badge: record.badge, failures, lockedUntil: now + LOCKOUT_MS };
  return { badge: record.badge, failures, lockedUntil: null };
}

/** The record after a right PIN. */
export function afterSuccess(record: LockoutRecord): LockoutRecord {
  return freshLockout(record.badge);
}
