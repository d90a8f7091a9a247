/**
 * The trail subjects of an audit entry: what a person may look its trail up by (docs/audit.md,
 * "Trail subjects"). An entry about an event belongs to
 *
 * - the serial or lot the event is about (`serial:SN-1001-03`, `lot:L-2001`: the entry's `unit`),
 * - its work order (`wo:WO-1001`, from the event's `workOrderId`, or a hold placed on a work order),
 * - the material it consumed (`lot:L-920-A`, or `serial:BRG-1` for a serialized component).
 *
 * A part's trail is the trail of its work orders: the part is master data, not in the entry, so the
 * server turns a part number into the `wo:` subjects of its work orders when it answers a look-up
 * (sync-server/audit/routes.ts) and the station checks each entry against those subjects.
 *
 * Derived from the entry alone, so the server (which indexes entries by subject as it appends them,
 * and a migration for entries appended before) and the station (which checks that a trail holds
 * only entries about what it asked for) agree without master data. One module, so that what belongs
 * to a subject's trail or chain is decided once.
 */
import type { AuditEntry } from '../../schemas/audit-entry.ts';

/** The kinds of trail subject and their key prefixes. */
export const SUBJECT_PREFIXES = { serial: 'serial:', lot: 'lot:', workOrder: 'wo:' } as const;

export type SubjectKind = keyof typeof SUBJECT_PREFIXES;

export function subjectKey(kind: SubjectKind, id: string): string {
  return `${SUBJECT_PREFIXES[kind]}${id}`;
}

/** The kind and id of a subject key, or null when it is none. */
export function parseSubject(key: string): { kind: SubjectKind; id: string } | null {
  for (const [kind, prefix] of Object.entries(SUBJECT_PREFIXES) as Array<[SubjectKind, string]>) {
    if (key.startsWith(prefix) && key.length > prefix.length) return { kind, id: key.slice(prefix.length) };
  }
  return null;
}

/** A subject in words: "serial SN-1001-03", "lot L-920-A", "work order WO-1001". */
export function describeSubjectKey(key: string): string {
  const subject = parseSubject(key);
  if (subject === null) return key;
  return `${subject.kind === 'workOrder' ? 'work order' : subject.kind} ${subject.id}`;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const obj = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** The serial or lot of a unit reference (`{ kind: 'serial', serial }`, `{ kind: 'lot', lotId }`). */
function unitSubject(value: unknown): string | undefined {
  const unit = obj(value);
  if (unit === undefined) return undefined;
  if (unit['kind'] === 'serial' && str(unit['serial']) !== undefined) return subjectKey('serial', str(unit['serial'])!);
  if (unit['kind'] === 'lot' && str(unit['lotId']) !== undefined) return subjectKey('lot', str(unit['lotId'])!);
  if (unit['kind'] === 'workOrder' && str(unit['workOrderId']) !== undefined) return subjectKey('workOrder', str(unit['workOrderId'])!);
  return undefined;
}

/**
 * The subjects of an entry, each once, in a fixed order (its unit first). Only a receipt's event is
 * read; an entry whose event was too large to keep whole has its unit only.
 */
export function subjectsOf(entry: Pick<AuditEntry, 'kind' | 'unit' | 'event'>): string[] {
  const subjects = new Set<string>();
  if (entry.unit !== undefined && parseSubject(entry.unit) !== null) subjects.add(entry.unit);
  if (entry.kind === 'receipt') {
    const payload = obj(obj(entry.event)?.['payload']);
    if (payload !== undefined) {
      const unit = unitSubject(payload['unit']);
      if (unit !== undefined) subjects.add(unit);
      const workOrderId = str(payload['workOrderId']);
      if (workOrderId !== undefined) subjects.add(subjectKey('workOrder', workOrderId));
      const material = unitSubject(payload['material']);
      if (material !== undefined) subjects.add(material);
      const held = unitSubject(payload['subject']);
      if (held !== undefined) subjects.add(held);
    }
  }
  return [...subjects];
}
