/**
 * What an audit entry is about: its subjects, each a key like `serial:SN-1001`, `lot:L-7`,
 * `work-order:WO-12` or `part:PN-4471` (docs/audit.md, *Format 6*). Each entry of format 6 names,
 * for every subject, the previous entry about it (`prev`), so the entries about one subject form a
 * chain a checkpoint covers: completeness, not only integrity (shared/DESIGN.md §3).
 *
 * One function for the server that writes `prev`, the verifiers that check it and the trail search:
 * a subject is derived from the entry's own text only, so anyone holding the entry derives the same.
 */

/** A subject key: `serial:…`, `lot:…`, `work-order:…` or `part:…`. */
export type Subject = string;

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The unit, hold subject or material reference `ref` names, as subjects. */
function refSubjects(ref: unknown, out: Set<Subject>): void {
  if (!isObj(ref)) return;
  if (ref['kind'] === 'serial' && str(ref['serial'])) out.add(`serial:${ref['serial']}`);
  else if (ref['kind'] === 'lot' && str(ref['lotId'])) out.add(`lot:${ref['lotId']}`);
  else if (ref['kind'] === 'workOrder' && str(ref['workOrderId'])) out.add(`work-order:${ref['workOrderId']}`);
  if (str(ref['partNumber'])) out.add(`part:${ref['partNumber']}`);
}

/**
 * The subjects a station event is about: its unit, its work order, a hold's subject, and the serial
 * or lot and part number of material it consumed. Sorted, without repeats.
 */
export function subjectsOf(event: unknown): Subject[] {
  const out = new Set<Subject>();
  if (isObj(event) && isObj(event['payload'])) {
    const payload = event['payload'];
    refSubjects(payload['unit'], out);
    refSubjects(payload['subject'], out);
    refSubjects(payload['material'], out);
    if (str(payload['workOrderId'])) out.add(`work-order:${payload['workOrderId']}`);
  }
  return [...out].sort();
}

/**
 * The subjects of an audit entry: a receipt's event's subjects and the unit the entry names (a hold
 * release names only its hold; the server writes the hold's unit in `unit`). Other kinds have none.
 */
export function entrySubjects(entry: { kind?: unknown; unit?: unknown; event?: unknown }): Subject[] {
  if (entry.kind !== 'receipt') return [];
  const out = new Set(subjectsOf(entry.event));
  if (str(entry.unit)) out.add(entry.unit);
  return [...out].sort();
}
