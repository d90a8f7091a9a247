import { shortHoldId } from './short-id.ts';
import type { Hold } from '../../schemas/hold.ts';
import type { Operator } from '../../schemas/operator.ts';
import type { PlantState } from './plant.ts';
import type { Resolved } from './refusal.ts';
import { routingOf, unitKey } from './plant.ts';
import { refuse } from './refusal.ts';
import { findOperator } from './roster.ts';

/** Roles with authority to release a hold. Operators and inspectors cannot. */
export const RELEASE_ROLES = ['supervisor', 'quality'] as const;

/** The meaning a release signature carries, shown and recorded with it (21 CFR 11.50). */
export const RELEASE_MEANING = 'released for further processing';

export function canRelease(operator: Operator): boolean {
  return (RELEASE_ROLES as readonly string[]).includes(operator.role);
}

/** The work centers whose work a hold stops: where the held unit's or work order's routing runs. */
export function workCentersOfHold(state: PlantState, hold: Hold): Set<string> {
  const centers = new Set<string>();
  for (const workOrder of state.workOrders.values()) {
    const covers =
      hold.subject.kind === 'workOrder'
        ? hold.subject.workOrderId === workOrder.id
        : workOrder.units.some((u) => unitKey(u) === unitKey(hold.subject as Parameters<typeof unitKey>[0]));
    if (!covers) continue;
    for (const op of routingOf(state, workOrder)?.operations ?? []) centers.add(op.workCenterId);
  }
  return centers;
}

/** Active holds a supervisor sees: those at any of their work centers, or on material anywhere. */
export function holdsFor(state: PlantState, supervisor: Operator): Hold[] {
  const mine = new Set(supervisor.workCenterIds);
  return [...state.holds.values()]
    .filter((hold) => hold.status === 'active')
    .filter((hold) => {
      const centers = workCentersOfHold(state, hold);
      return centers.size === 0 || [...centers].some((c) => mine.has(c));
    })
    .sort((a, b) => a.placedAt.localeCompare(b.placedAt));
}

export interface ReleaseRequest {
  holdId: string;
  signerBadge: string;
  reason: string;
}

/** Whether a signer may release the one hold named: a supervisor or quality, an active hold, a reason. */
export function checkRelease(state: PlantState, request: ReleaseRequest): Resolved<{ hold: Hold; signer: Operator }> {
  const signer = findOperator(state, request.signerBadge);
  if (signer === undefined) return refuse('unknown-operator', `Badge ${request.signerBadge.trim()} is not on this station's roster`);
  if (!canRelease(signer)) {
    return refuse('role-not-allowed', `${signer.name} is signed in as ${signer.role}; only a supervisor or quality may release a hold`);
  }
  const hold = state.holds.get(request.holdId);
  if (hold === undefined) return refuse('unknown-hold', `Hold ${shortHoldId(request.holdId)} is not known on this station`);
  if (hold.status !== 'active') return refuse('hold-not-active', `Hold ${shortHoldId(request.holdId)} was already released`);
  if (request.reason.trim() === '') return refuse('reason-required', 'Type the reason for the release; it is part of the signed record');
  return { ok: true, value: { hold, signer } };
}
