import type { EventType } from '../../schemas/event.ts';

/**
 * Each kind of station event in the words people read on the audit trail and conflict cards. Typed
 * by every event type, so a new event cannot reach the screens as "Record".
 */
export const EVENT_NAMES: Record<EventType, string> = {
  'session.signed-in': 'Signed in',
  'session.signed-out': 'Signed out',
  'op.started': 'Operation started',
  'op.completed': 'Operation completed',
  'material.consumed': 'Material consumed',
  'measurement.recorded': 'Measurement recorded',
  'hold.placed': 'Hold placed',
  'hold.released': 'Hold released',
  'conflict.resolved': 'Conflict resolved',
  'ncr.opened': 'Nonconformance opened',
  'ncr.dispositioned': 'Nonconformance dispositioned',
  'ncr.rework-recorded': 'Rework recorded',
  'ncr.containment-extended': 'Containment extended through genealogy',
  'lot.split': 'Lot split',
  'lot.merged': 'Lots merged',
  'lot.repacked': 'Lot repacked',
  'unit.scrapped': 'Scrapped',
  'material.returned': 'Material returned',
  'unit.shipped': 'Shipped',
};

/** An event type in words ("Operation completed"), never the type name; "Record" when unknown. */
export function eventName(type: string | undefined): string {
  return type === undefined ? 'Record' : ((EVENT_NAMES as Record<string, string>)[type] ?? 'Record');
}
