/**
 * What the queue says about each work order at a work center (issue 12 item 11): the holds on it,
 * how many units have work here and how many of those can be started now, and whether it is past
 * its due date. The queue lists work ready now first, then by due date.
 */
import type { Hold } from '../../schemas/hold.ts';
import type { PlantState } from './plant.ts';
import { operationsInOrder, stepKey } from './plant.ts';
import type { Traveler } from './traveler.ts';
import { activeHoldsOn, statusOf } from './traveler.ts';

export interface QueueMarks {
  /** Active holds on the work order or any of its units. */
  holds: Hold[];
  /** Units with an operation of this work center not yet complete. */
  waiting: number;
  /** Of those, units not held whose next operation here has every earlier operation complete. */
  ready: number;
  /** The due date is before `today`. */
  overdue: boolean;
}

/** The marks of one traveler at `workCenterId`; `today` is the station's local date, `YYYY-MM-DD`. */
export function queueMarks(state: PlantState, traveler: Traveler, workCenterId: string, today: string): QueueMarks {
  const { workOrder, routing } = traveler;
  const ordered = operationsInOrder(routing);
  const holds = new Map<string, Hold>();
  let waiting = 0;
  let ready = 0;
  for (const unit of workOrder.units) {
    const held = activeHoldsOn(state, workOrder.id, unit);
    for (const hold of held) holds.set(hold.holdId, hold);
    const done = (opId: string) => statusOf(state.steps.get(stepKey(workOrder.id, unit, opId))) === 'complete';
    const next = ordered.find((op) => op.workCenterId === workCenterId && !done(op.id));
    if (next === undefined) continue;
    waiting++;
    const earlierDone = ordered.filter((op) => op.sequence < next.sequence).every((op) => done(op.id));
    if (earlierDone && held.length === 0) ready++;
  }
  return { holds: [...holds.values()], waiting, ready, overdue: workOrder.dueDate < today };
}

/** The queue in the order it is shown: work ready now first, then soonest due, then by id. */
export function orderQueue<T extends { traveler: Traveler; marks: QueueMarks }>(rows: readonly T[]): T[] {
  return [...rows].sort(
    (a, b) =>
      Number(b.marks.ready > 0) - Number(a.marks.ready > 0) ||
      a.traveler.workOrder.dueDate.localeCompare(b.traveler.workOrder.dueDate) ||
      a.traveler.workOrder.id.localeCompare(b.traveler.workOrder.id),
  );
}

/** A date as the station's local `YYYY-MM-DD`. */
export function localDate(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}
