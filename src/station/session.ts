/**
 * Sign-in on the station with badge and PIN, checked against the roster the station pulled (so it
 * works with the network off), with a per-badge lockout after five wrong PINs.
 */
import type { Role } from '../../schemas/common.ts';
import type { Operator } from '../../schemas/operator.ts';
import { verifyPin } from '../auth/pin.ts';
import type { LockoutRecord } from '../domain/lockout.ts';
import { afterFailure, afterSuccess, freshLockout, lockedFor, MAX_PIN_FAILURES } from '../domain/lockout.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import type { StationRuntime } from './runtime.ts';
import { findOperator } from '../domain/roster.ts';

export interface Session {
  badge: string;
  name: string;
  role: Role;
  signedInAt: string;
}

export type Verified = { ok: true; operator: Operator } | { ok: false; message: string; lockedForMs: number };

const lockoutId = (badge: string) => `lockout:${badge}`;

function minutesText(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/**
 * Checks a badge and PIN against the roster: both components of an electronic signature, and the
 * sign-in. Counts wrong PINs per badge on this station.
 */
export async function verifyBadgeAndPin(rt: StationRuntime, badge: string, pin: string): Promise<Verified> {
  const operator = findOperator(rt.plant.get(), badge);
  if (operator === undefined) return { ok: false, message: `Badge ${badge.trim()} is not on this station's roster`, lockedForMs: 0 };
  // The roster's spelling from here on, so b-1001 and B-1001 share one wrong-PIN count.
  const id = operator.badge;
  const nowMs = rt.now().getTime();
  const record = (await readSetting<LockoutRecord>(rt.db, lockoutId(id))) ?? freshLockout(id);
  const locked = lockedFor(record, nowMs);
  if (locked > 0) {
    return { ok: false, message: `Badge ${id} is locked on this station for ${minutesText(locked)} after ${MAX_PIN_FAILURES} wrong PINs`, lockedForMs: locked };
  }
  if (await verifyPin(pin, operator.pin)) {
    if (record.failures > 0) await writeSetting(rt.db, lockoutId(id), afterSuccess(record));
    return { ok: true, operator };
  }
  const next = afterFailure(record, nowMs);
  await writeSetting(rt.db, lockoutId(id), next);
  const nowLocked = lockedFor(next, nowMs);
  if (nowLocked > 0) {
    return { ok: false, message: `Wrong PIN (${next.failures} of ${MAX_PIN_FAILURES}): badge ${id} is locked on this station for ${minutesText(nowLocked)}`, lockedForMs: nowLocked };
  }
  return { ok: false, message: `Wrong PIN (${next.failures} of ${MAX_PIN_FAILURES})`, lockedForMs: 0 };
}

export async function signIn(rt: StationRuntime, badge: string, pin: string): Promise<{ ok: true; session: Session } | { ok: false; message: string; lockedForMs: number }> {
  const workCenterId = rt.config?.workCenterId ?? '';
  if (workCenterId === '') return { ok: false, message: 'Set this station to a work center first', lockedForMs: 0 };
  const verified = await verifyBadgeAndPin(rt, badge, pin);
  if (!verified.ok) return verified;
  const event = await rt.recorder().record({ type: 'session.signed-in', actor: verified.operator.badge, payload: { workCenterId } });
  const { operator } = verified;
  return { ok: true, session: { badge: operator.badge, name: operator.name, role: operator.role, signedInAt: event.deviceTime } };
}

export async function signOut(rt: StationRuntime, session: Session, cause: 'manual' | 'idle'): Promise<void> {
  await rt.recorder().record({
    type: 'session.signed-out',
    actor: session.badge,
    payload: { workCenterId: rt.config?.workCenterId ?? 'unassigned', cause },
  });
}
