/**
 * What a person typed on the audit screen, as trail subjects (src/audit/subjects.ts): a serial, a
 * lot, a work order or a part number, matched against the plant's identifiers without regard to
 * case (`sn-1001-03` finds SN-1001-03). A part is the trail of its work orders and its own `part:`
 * subject (where material of that part number was consumed). What the plant does not know (a
 * component serial, a unit since archived) is looked up as typed, under each kind.
 */
import { subjectKey } from '../../src/audit/subjects.ts';
import type { PlantState } from '../../src/domain/plant.ts';

/** The subjects a query names, and the part when it named one. */
export interface TrailQuery {
  subjects: string[];
  part?: string;
}

interface QueryIndex {
  /** Lower-cased identifier → the subjects it names. */
  byId: Map<string, Set<string>>;
  /** Lower-cased part number → the part number as the plant writes it. */
  parts: Map<string, string>;
}

const indexes = new WeakMap<PlantState, QueryIndex>();

function indexOf(state: PlantState): QueryIndex {
  const cached = indexes.get(state);
  if (cached !== undefined) return cached;
  const byId = new Map<string, Set<string>>();
  const parts = new Map<string, string>();
  const add = (id: string, subject: string) => {
    const key = id.toLowerCase();
    const set = byId.get(key) ?? new Set<string>();
    set.add(subject);
    byId.set(key, set);
  };
  for (const workOrder of state.workOrders.values()) {
    add(workOrder.id, subjectKey('workOrder', workOrder.id));
    for (const unit of workOrder.units) add(unit.kind === 'serial' ? unit.serial : unit.lotId, unit.kind === 'serial' ? subjectKey('serial', unit.serial) : subjectKey('lot', unit.lotId));
    parts.set(workOrder.partNumber.toLowerCase(), workOrder.partNumber);
    add(workOrder.partNumber, subjectKey('workOrder', workOrder.id));
    add(workOrder.partNumber, subjectKey('part', workOrder.partNumber));
  }
  for (const part of state.parts.values()) {
    parts.set(part.partNumber.toLowerCase(), part.partNumber);
    add(part.partNumber, subjectKey('part', part.partNumber));
  }
  for (const serial of state.serials.keys()) add(serial, subjectKey('serial', serial));
  for (const lot of state.lots.keys()) add(lot, subjectKey('lot', lot));
  const index = { byId, parts };
  indexes.set(state, index);
  return index;
}

/**
 * The subjects `text` names in `state`, sorted; empty text names none. Only subjects `visible` lets
 * through are matched: an identifier of a program the asking station is not cleared for is answered
 * exactly as an identifier the plant does not know (its trail subjects as typed, which then find
 * nothing the station may see), so the answer does not tell that it exists.
 */
export function trailQuery(state: PlantState, text: string, visible: (subject: string) => boolean = () => true): TrailQuery {
  const typed = text.trim();
  if (typed === '') return { subjects: [] };
  const index = indexOf(state);
  const key = typed.toLowerCase();
  const known = [...(index.byId.get(key) ?? [])].filter(visible);
  if (known.length > 0) {
    const part = index.parts.get(key);
    return { subjects: known.sort(), ...(part === undefined ? {} : { part }) };
  }
  // Unknown to the plant: as typed, and in capitals (identifiers are written so), under each kind.
  const spellings = [...new Set([typed, typed.toUpperCase()])];
  const subjects = spellings.flatMap((id) => [subjectKey('serial', id), subjectKey('lot', id), subjectKey('workOrder', id), subjectKey('part', id)]);
  return { subjects: [...new Set(subjects)].sort() };
}
