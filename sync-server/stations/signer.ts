/**
 * A badge and PIN checked at the server, for the actions a station cannot decide offline: enrolling
 * a station, revoking one, changing its programs. All share one wrong-PIN record per badge (the
 * store's `enrollmentLockout`): five wrong PINs at any of them lock the badge for all for five
 * minutes, so no route buys an attacker extra guesses. A caller may be told of each refusal
 * ({@link SignerRefusal}) to record it as attempted unauthorized use (./refusals.ts).
 */
import type { Role } from '../../schemas/common.ts';
import type { LockoutRecord } from '../../src/domain/lockout.ts';
import type { Operator, PinHash } from '../../schemas/operator.ts';
import { verifyPin } from '../../src/auth/pin.ts';
import { afterFailure, afterSuccess, lockedFor } from '../../src/domain/lockout.ts';
import { ApiFailure } from '../api-error.ts';
import type { Store } from '../store/store.ts';

/** Roles whose badge and PIN may enroll or revoke a station. */
export const STATION_ADMIN_ROLES: readonly Role[] = ['supervisor', 'quality'];

/** Why a signer was refused, as the refusal hook of {@link withSigner} is told (never the PIN). */
export type SignerRefusal =
  /** A wrong PIN, or a badge the roster does not have (the answer does not tell them apart). */
  | { kind: 'wrong-pin'; badge: string; lockout: LockoutRecord; lockedNow: boolean }
  /** The badge was already locked out: its PIN was not checked. */
  | { kind: 'locked-out'; badge: string; lockout: LockoutRecord }
  /** The right PIN, but a role that may not do the action. */
  | { kind: 'role'; badge: string; role: Role };

/** What checking a signer needs. */
export interface SignerContext {
  store: Store;
  now: () => Date;
  /**
   * A hash to check PINs of unknown badges against, so an unknown badge costs the same time as
   * a known one and the answer does not tell which badges exist.
   */
  decoyPinHash: () => Promise<PinHash>;
  /** Runs attempts for one badge one at a time; make one with {@link oneAtATimePerBadge} per server. */
  oneAtATime: <T>(badge: string, attempt: () => Promise<T>) => Promise<T>;
}

/**
 * Serializes work per key. Without it, wrong PINs sent in parallel would all read the same
 * failure count, and an attacker would get many guesses per lockout instead of five.
 */
export function oneAtATimePerBadge(): <T>(badge: string, attempt: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (badge, attempt) => {
    const previous = tails.get(badge) ?? Promise.resolve();
    const run = previous.then(attempt, attempt);
    const tail = run.catch(() => undefined);
    tails.set(badge, tail);
    void tail.then(() => {
      if (tails.get(badge) === tail) tails.delete(badge);
    });
    return run;
  };
}

function lockedOut(badge: string, ms: number, action: string): ApiFailure {
  const seconds = Math.ceil(ms / 1000);
  const minutes = Math.ceil(seconds / 60);
  return new ApiFailure(
    429,
    'locked-out',
    `Too many wrong PINs for badge ${badge}; it cannot ${action} for ${minutes} more minute${minutes === 1 ? '' : 's'}`,
    { 'retry-after': String(seconds) },
  );
}

/**
 * Checks `badge` and `pin` against the roster and that the badge's role is one of `roles`, then runs
 * `act` with the signer, one attempt per badge at a time (so the action sees the check it follows).
 * Throws {@link ApiFailure}: 429 while locked out, 401 for a wrong PIN or unknown badge (the same
 * answer), 403 for a role that may not `action`. A refusal changes nothing but the wrong-PIN record
 * and what `onRefused` records; it is told before the refusal is thrown, so the caller sees the same
 * answer, recorded or not.
 */
export function withSigner<T>(
  context: SignerContext,
  signer: { badge: string; pin: string },
  options: { roles: readonly Role[]; action: string; onRefused?: (refusal: SignerRefusal) => Promise<void> },
  act: (operator: Operator) => Promise<T>,
): Promise<T> {
  // Badges are matched without regard to case (b-1001 is B-1001), as the station matches them.
  const typed = signer.badge.trim();
  return context.oneAtATime(typed.toUpperCase(), async () => {
    const { store, now } = context;
    const operator = (await store.getView('operator', typed))?.data ?? (await store.getView('operator', typed.toUpperCase()))?.data;
    // The roster's spelling, so every spelling of a badge shares one wrong-PIN record.
    const badge = operator?.badge ?? typed.toUpperCase();
    const lockout = await store.enrollmentLockout(badge);
    const locked = lockedFor(lockout, now().getTime());
    if (locked > 0) {
      await options.onRefused?.({ kind: 'locked-out', badge, lockout });
      throw lockedOut(badge, locked, options.action);
    }

    const pinMatches = await verifyPin(signer.pin, operator?.pin ?? (await context.decoyPinHash()));
    if (operator === undefined || !pinMatches) {
      const at = now().getTime();
      const next = afterFailure(lockout, at);
      await store.saveEnrollmentLockout(next);
      const lockedNow = lockedFor(next, at);
      await options.onRefused?.({ kind: 'wrong-pin', badge, lockout: next, lockedNow: lockedNow > 0 });
      if (lockedNow > 0) throw lockedOut(badge, lockedNow, options.action);
      throw new ApiFailure(401, 'invalid-credentials', 'Badge or PIN is wrong');
    }
    if (lockout.failures > 0) await store.saveEnrollmentLockout(afterSuccess(lockout));

    if (!options.roles.includes(operator.role)) {
      await options.onRefused?.({ kind: 'role', badge, role: operator.role });
      throw new ApiFailure(403, 'forbidden', `Badge ${badge} has role ${operator.role}; only a supervisor or quality engineer can ${options.action}`);
    }
    return act(operator);
  });
}
