import { randomUUID } from 'node:crypto';
import type { Role } from '../../schemas/common.ts';
import type { EnrollRequest, EnrollResponse } from '../../schemas/enroll.ts';
import type { PinHash } from '../../schemas/operator.ts';
import { verifyPin } from '../../src/auth/pin.ts';
import { afterFailure, afterSuccess, lockedFor } from '../../src/domain/lockout.ts';
import { ApiFailure } from '../api-error.ts';
import type { NewStation, Station, Store } from '../store/store.ts';
import { stationPublicKey } from '../audit/station-signatures.ts';
import { credentialHash, newCredential } from './credentials.ts';

/** Roles whose badge and PIN may enroll a station. */
export const ENROLLING_ROLES: readonly Role[] = ['supervisor', 'quality'];

/** What enrollment needs besides the store. */
export interface EnrollContext {
  store: Store;
  now: () => Date;
  /**
   * A hash to check PINs of unknown badges against, so an unknown badge costs the same time as
   * a known one and the answer does not tell which badges exist.
   */
  decoyPinHash: () => Promise<PinHash>;
  /** Runs attempts for one badge one at a time; make one with {@link oneAtATimePerBadge} per server. */
  oneAtATime: <T>(badge: string, attempt: () => Promise<T>) => Promise<T>;
  /** The programs a new station is cleared for (see ServerOptions.defaultPrograms). */
  defaultPrograms: () => Promise<string[]>;
  /** Records the station with its enrollment and approval audit entries (PlantService.enrollStation). */
  addStation: (station: NewStation, approver: { badge: string; role: string; printedName: string }) => Promise<Station>;
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

function lockedOut(badge: string, ms: number): ApiFailure {
  const seconds = Math.ceil(ms / 1000);
  const minutes = Math.ceil(seconds / 60);
  return new ApiFailure(
    429,
    'locked-out',
    `Too many wrong PINs for badge ${badge}; enrollment with it is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}`,
    { 'retry-after': String(seconds) },
  );
}

/**
 * Enrolls a station on a supervisor's (or quality engineer's) badge and PIN, checked against the
 * roster. Five wrong PINs in a row lock the badge for enrollment (src/domain/lockout.ts). Throws
 * {@link ApiFailure} for every refusal; the protocol version is checked by the caller.
 */
export function enrollStation(context: EnrollContext, request: EnrollRequest): Promise<EnrollResponse> {
  return context.oneAtATime(request.supervisorBadge, () => attemptEnrollment(context, request));
}

async function attemptEnrollment(context: EnrollContext, request: EnrollRequest): Promise<EnrollResponse> {
  const { store, now } = context;
  const badge = request.supervisorBadge;
  const lockout = await store.enrollmentLockout(badge);
  const locked = lockedFor(lockout, now().getTime());
  if (locked > 0) throw lockedOut(badge, locked);

  const operator = (await store.getView('operator', badge))?.data;
  const pinMatches = await verifyPin(request.pin, operator?.pin ?? (await context.decoyPinHash()));
  if (operator === undefined || !pinMatches) {
    const at = now().getTime();
    const next = afterFailure(lockout, at);
    await store.saveEnrollmentLockout(next);
    const lockedNow = lockedFor(next, at);
    if (lockedNow > 0) throw lockedOut(badge, lockedNow);
    throw new ApiFailure(401, 'invalid-credentials', 'Badge or PIN is wrong');
  }
  if (lockout.failures > 0) await store.saveEnrollmentLockout(afterSuccess(lockout));

  if (!ENROLLING_ROLES.includes(operator.role)) {
    throw new ApiFailure(403, 'forbidden', `Badge ${badge} has role ${operator.role}; only a supervisor or quality engineer can enroll a station`);
  }

  try {
    const key = stationPublicKey(request.publicKey);
    const type = key.asymmetricKeyType;
    const fits = request.keyAlg === 'Ed25519' ? type === 'ed25519' : type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    if (!fits) throw new Error('wrong type');
  } catch {
    throw new ApiFailure(400, 'invalid-request', `publicKey is not an ${request.keyAlg} public key (SPKI, base64url)`);
  }

  const credential = newCredential();
  const station = await context.addStation(
    {
      id: randomUUID(),
      name: request.stationName,
      credentialHash: credentialHash(credential),
      enrolledBy: badge,
      enrolledAt: now(),
      programs: await context.defaultPrograms(),
      publicKey: request.publicKey,
      keyAlg: request.keyAlg,
    },
    { badge, role: operator.role, printedName: operator.name },
  );
  return { stationId: station.id, credential };
}
