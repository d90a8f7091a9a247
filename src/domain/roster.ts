/**
 * The roster as people use it at the station: badges typed or scanned in any case, and what an
 * operator is qualified for at the work center the station stands at.
 */
import type { Operator } from '../../schemas/operator.ts';
import type { PlantState } from './plant.ts';
import { routingOf } from './plant.ts';
import { dayOf } from './qualification.ts';

/**
 * The operator a typed or scanned badge names. Badges are matched without regard to case or the
 * spaces around them (`b-1001` is B-1001): people and scanners set to lower case type them so. An
 * exact match wins if two badges differ only in case.
 */
export function findOperator(state: PlantState, badge: string): Operator | undefined {
  const typed = badge.trim();
  const exact = state.operators.get(typed);
  if (exact !== undefined) return exact;
  const folded = typed.toUpperCase();
  for (const operator of state.operators.values()) if (operator.badge.toUpperCase() === folded) return operator;
  return undefined;
}

/** What an operator holds of the operation types done at a work center, as of a day. */
export interface QualificationsHere {
  /** Operation types of the routings' operations at this work center, in name order. */
  typesHere: string[];
  /** Those the operator holds a current qualification for. */
  current: string[];
  /** Those the operator held once: the type and the day the last qualification expired. */
  expired: Array<{ operationType: string; expires: string }>;
  /** The work center is among the operator's assigned work centers. */
  assigned: boolean;
}

/** The operation types done at a work center, and which of them an operator may do there today. */
export function qualificationsAt(state: PlantState, operator: Operator, workCenterId: string, at: Date): QualificationsHere {
  const types = new Set<string>();
  for (const workOrder of state.workOrders.values()) {
    const routing = routingOf(state, workOrder);
    for (const operation of routing?.operations ?? []) if (operation.workCenterId === workCenterId) types.add(operation.operationType);
  }
  const typesHere = [...types].sort();
  const today = dayOf(at);
  const current: string[] = [];
  const expired: QualificationsHere['expired'] = [];
  for (const operationType of typesHere) {
    const held = operator.qualifications.filter((q) => q.operationType === operationType);
    if (held.length === 0) continue;
    const latest = held.map((q) => q.expires).sort().at(-1) ?? '';
    if (latest >= today) current.push(operationType);
    else expired.push({ operationType, expires: latest });
  }
  return { typesHere, current, expired, assigned: operator.workCenterIds.includes(workCenterId) };
}
