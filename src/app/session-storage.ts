/**
 * Keeps the signed-in person across a reload of the same tab (sessionStorage dies with the tab).
 * A restored session is checked against the roster, so a badge removed from it is not let back in.
 */
import type { PlantState } from '../domain/plant.ts';
import type { Session } from '../station/session.ts';

const KEY = 'travelog.session';

export function rememberSession(session: Session): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Private mode or storage full: the person signs in again after a reload, nothing else is lost.
  }
}

export function forgetSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing was stored.
  }
}

export function restoreSession(plant: PlantState): Session | null {
  try {
    const text = sessionStorage.getItem(KEY);
    if (text === null) return null;
    const session = JSON.parse(text) as Session;
    const operator = plant.operators.get(session.badge);
    if (operator === undefined || operator.role !== session.role) return null;
    return session;
  } catch {
    return null;
  }
}
