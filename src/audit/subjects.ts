/**
 * What an audit entry is about: its subjects, each a key like `serial:SN-1001-03`, `lot:L-920-A`,
 * `work-order:WO-1001` or `part:P-920` (docs/audit.md, *Trail subjects* and *Format 6*). One notion
 * of subject for everything that needs one, decided here once:
 *
 * - the server indexes every entry by its subjects as it appends it (audit_units; migration 5 for
 *   entries appended before) and answers a trail look-up from that index (sync-server/audit/routes.ts),
 * - each entry of format 6 names, for every subject, the previous entry about it (`prev`), so the
 *   entries about one subject form a chain a checkpoint covers: completeness, not only integrity
 *   (shared/DESIGN.md §3); the subject strings are part of the signed log format,
 * - the verifiers (sync-server/audit/verify.ts, src/audit/trail-verify.ts) check those chains, and
 *   the station checks that a trail holds only entries about what it asked for.
 *
 * A subject is derived from the entry's own text only, so anyone holding the entry derives the same,
 * without master data. A part's work is found through its work orders: the server turns a part
 * number into the `work-order:` subjects of its work orders and the part's own `part:` subject when
 * it answers a look-up (sync-server/audit/trail-query.ts).
 */
import type { AuditEntry } from '../../schemas/audit-entry.ts';

/** The kinds of subject and their key prefixes (in the signed format 6: never change them). */
export const SUBJECT_PREFIXES = { serial: 'serial:', lot: 'lot:', workOrder: 'work-order:', part: 'part:' } as const;

export type SubjectKind = keyof typeof SUBJECT_PREFIXES;

/** A subject key: `serial:…`, `lot:…`, `work-order:…` or `part:…`. */
export type Subject = string;

const KIND_WORDS: Record<SubjectKind, string> = { serial: 'serial', lot: 'lot', workOrder: 'work order', part: 'part' };

export function subjectKey(kind: SubjectKind, id: string): Subject {
  return `${SUBJECT_PREFIXES[kind]}${id}`;
}

/** The kind and id of a subject key, or null when it is none. */
export function parseSubject(key: string): { kind: SubjectKind; id: string } | null {
  for (const [kind, prefix] of Object.entries(SUBJECT_PREFIXES) as Array<[SubjectKind, string]>) {
    if (key.startsWith(prefix) && key.length > prefix.length) return { kind, id: key.slice(prefix.length) };
  }
  return null;
}

/** A subject in words: "serial SN-1001-03", "lot L-920-A", "work order WO-1001", "part P-920". */
export function describeSubjectKey(key: string): string {
  const subject = parseSubject(key);
  return subject === null ? key : `${KIND_WORDS[subject.kind]} ${subject.id}`;
}

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The unit, hold subject or material reference `ref` names, and the part number it names, as subjects. */
function refSubjects(ref: unknown, out: Set<Subject>): void {
  if (!isObj(ref)) return;
  if (ref['kind'] === 'serial' && str(ref['serial'])) out.add(subjectKey('serial', ref['serial']));
  else if (ref['kind'] === 'lot' && str(ref['lotId'])) out.add(subjectKey('lot', ref['lotId']));
  else if (ref['kind'] === 'workOrder' && str(ref['workOrderId'])) out.add(subjectKey('workOrder', ref['workOrderId']));
  if (str(ref['partNumber'])) out.add(subjectKey('part', ref['partNumber']));
}

/**
 * The subjects a station event is about: its unit, its work order, a hold's subject, the serial or
 * lot and part number of material it consumed or returned, and every lot or serial a split, merge or
 * scrap names. Sorted, without repeats.
 */
export function eventSubjects(event: unknown): Subject[] {
  const out = new Set<Subject>();
  if (isObj(event) && isObj(event['payload'])) {
    const payload = event['payload'];
    refSubjects(payload['unit'], out);
    refSubjects(payload['subject'], out);
    refSubjects(payload['material'], out);
    // An NCR opened by hand names its units and lot quantities as items (schemas/events/ncr.ts).
    if (Array.isArray(payload['items'])) for (const item of payload['items']) if (isObj(item)) refSubjects(item['unit'], out);
    // The genealogy events (schemas/events/genealogy.ts): a split's lot and children, a merge's
    // sources and new lot, a scrapped serial or lot. Fields no earlier event has, so the subjects of
    // entries already written do not change.
    refSubjects(payload['lot'], out);
    refSubjects(payload['into'], out);
    refSubjects(payload['item'], out);
    for (const list of [payload['children'], payload['sources']]) if (Array.isArray(list)) for (const ref of list) refSubjects(ref, out);
    // A containment through genealogy (ncr.containment-extended): its suspect lot and the units it names.
    if (event['type'] === 'ncr.containment-extended') {
      if (str(payload['lotId'])) out.add(subjectKey('lot', payload['lotId']));
      if (Array.isArray(payload['units'])) for (const ref of payload['units']) refSubjects(ref, out);
    }
    if (str(payload['workOrderId'])) out.add(subjectKey('workOrder', payload['workOrderId']));
  }
  return [...out].sort();
}

/**
 * The subjects of an audit entry, sorted, without repeats: the unit the entry names (`unit`, of any
 * kind of entry: every entry that names a unit belongs to that unit's chain; the server writes it for
 * receipts, including a hold release or a resolution that names only its hold or conflict item), and
 * a receipt's event's subjects. Only a receipt's event is read: a quarantine entry's event is refused
 * input nobody vouches for, and an event too large to keep whole leaves the entry its unit only.
 */
export function entrySubjects(entry: Pick<AuditEntry, 'kind' | 'unit' | 'event'> | { kind?: unknown; unit?: unknown; event?: unknown }): Subject[] {
  const out = new Set<Subject>(entry.kind === 'receipt' ? eventSubjects(entry.event) : []);
  if (str(entry.unit)) out.add(entry.unit);
  return [...out].sort();
}
