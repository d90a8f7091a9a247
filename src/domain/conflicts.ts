import type { Conflict } from '../../schemas/conflict.ts';
import type { Operator } from '../../schemas/operator.ts';
import type { PlantState } from './plant.ts';
import type { Resolved } from './refusal.ts';
import { canRelease } from './holds.ts';
import { refuse } from './refusal.ts';
import { findOperator } from './roster.ts';

/** What a supervisor decides about a conflict item. */
export type ResolveAction = 'accept' | 'void' | 'open-ncr';

/** The meaning each decision's signature carries (21 CFR 11.50); rule C7 checks it on the server. */
export const REVIEW_MEANINGS = {
  accept: 'reviewed: accepted as recorded',
  void: 'reviewed: voided',
  'open-ncr': 'reviewed: nonconformance opened',
} as const satisfies Record<ResolveAction, string>;

export interface ResolveRequest {
  conflictId: string;
  signerBadge: string;
  reason: string;
}

/** Whether a signer may resolve the conflict named: a supervisor or quality, an open item, a reason. */
export function checkResolve(state: PlantState, request: ResolveRequest): Resolved<{ conflict: Conflict; signer: Operator }> {
  const badge = request.signerBadge.trim();
  const signer = findOperator(state, badge);
  if (signer === undefined) return refuse('unknown-operator', `Badge ${badge} is not on this station's roster`);
  if (!canRelease(signer)) {
    return refuse('role-not-allowed', `${signer.name} is signed in as ${signer.role}; only a supervisor or quality may resolve a conflict`);
  }
  const conflict = state.conflicts.get(request.conflictId);
  if (conflict === undefined) return refuse('unknown-conflict', `Conflict ${request.conflictId} is not known on this station`);
  if (conflict.status !== 'open') return refuse('conflict-resolved', `Conflict ${request.conflictId} was already resolved`);
  if (request.reason.trim() === '') return refuse('reason-required', 'Type the reason for your decision; it is part of the signed record');
  return { ok: true, value: { conflict, signer } };
}
