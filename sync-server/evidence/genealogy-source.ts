/**
 * Where the evidence package learns a unit's genealogy: which serials and lots were consumed into
 * it (where-from) and which units it was consumed into (where-used), with each link's event, and a
 * lot's provenance. A small interface on purpose: today it is read from the `material.consumed`
 * receipts of the audit log ({@link consumptionGenealogy}); the shared genealogy model (issue 14,
 * src/domain/genealogy.ts, built beside this) can stand behind it without the builder changing.
 */
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import type { SqlClient } from '../store/sql-client.ts';

/** A value as text: strings as they are, anything else as JSON ('' for nothing). */
const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));


/** A subject key: `serial:…` or `lot:…` (src/audit/subjects.ts). */
export type UnitSubject = string;

/** One consumption: `material` was built into `into` at an operation of a work order. */
export interface GenealogyLink {
  into: UnitSubject;
  material: UnitSubject;
  partNumber: string;
  /** For a lot: the quantity consumed. */
  quantity?: number;
  workOrderId: string;
  operationId: string;
  /** The event that recorded it: the evidence package cites its audit entry. */
  eventId: string;
  stationId: string;
}

/** What the plant knows of a lot's origin (master data). Fields the plant does not hold are absent. */
export interface LotProvenance {
  lotId: string;
  partNumber?: string;
  supplier?: string;
  supplierLot?: string;
  heatNumber?: string;
  certificate?: string;
  receivedDate?: string;
}

/** The genealogy the evidence package walks. */
export interface GenealogySource {
  /** What was consumed into `subject`. */
  whereFrom(subject: UnitSubject): Promise<GenealogyLink[]>;
  /** What `subject` was consumed into. */
  whereUsed(subject: UnitSubject): Promise<GenealogyLink[]>;
  /** A lot's provenance, or null when the plant does not know the lot. */
  provenance(lotId: string): Promise<LotProvenance | null>;
}

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

function refKey(ref: unknown): string | null {
  if (!isObj(ref)) return null;
  if (ref['kind'] === 'serial' && typeof ref['serial'] === 'string') return `serial:${ref['serial']}`;
  if (ref['kind'] === 'lot' && typeof ref['lotId'] === 'string') return `lot:${ref['lotId']}`;
  return null;
}

/** The consumption a receipt entry's text records, or null (not an accepted `material.consumed`). */
export function linkOfEntry(entry: AuditEntry): GenealogyLink | null {
  if (entry.kind !== 'receipt' || entry.eventType !== 'material.consumed' || entry.outcome === 'rejected') return null;
  const event = entry.event;
  if (!isObj(event) || !isObj(event['payload'])) return null;
  const payload = event['payload'];
  const into = refKey(payload['unit']);
  const material = refKey(payload['material']);
  const m = payload['material'];
  if (into === null || material === null || !isObj(m)) return null;
  return {
    into,
    material,
    partNumber: str(m['partNumber'] ?? ''),
    ...(typeof m['quantity'] === 'number' ? { quantity: m['quantity'] } : {}),
    workOrderId: str(payload['workOrderId'] ?? ''),
    operationId: str(payload['operationId'] ?? ''),
    eventId: str(event['id'] ?? ''),
    stationId: str(event['stationId'] ?? ''),
  };
}

const PROVENANCE_FIELDS = ['supplier', 'supplierLot', 'heatNumber', 'certificate', 'receivedDate'] as const;

/**
 * Genealogy from the `material.consumed` receipts the audit log indexes under both the unit and the
 * material (audit_units), and provenance from the plant's lots: the fields of LotProvenance the lot
 * record holds (the shared genealogy model adds them to lot master data).
 */
export function consumptionGenealogy(sql: SqlClient, plant: () => PlantState): GenealogySource {
  async function links(subject: UnitSubject): Promise<GenealogyLink[]> {
    const rows = await sql.query<{ entry: string }>(
      `SELECT e.entry FROM audit_units u JOIN audit_entries e ON e.idx = u.idx
       WHERE u.unit = $1 AND e.kind = 'receipt' ORDER BY u.idx`,
      [subject],
    );
    const found: GenealogyLink[] = [];
    for (const row of rows) {
      const link = linkOfEntry(JSON.parse(row.entry) as AuditEntry);
      if (link !== null) found.push(link);
    }
    return found;
  }
  return {
    async whereFrom(subject) {
      return (await links(subject)).filter((link) => link.into === subject);
    },
    async whereUsed(subject) {
      return (await links(subject)).filter((link) => link.material === subject);
    },
    provenance(lotId) {
      const lot = plant().lots.get(lotId) as (Record<string, unknown> & { lotId: string; partNumber: string }) | undefined;
      if (lot === undefined) return Promise.resolve(null);
      const out: LotProvenance = { lotId, partNumber: lot.partNumber };
      for (const field of PROVENANCE_FIELDS) if (typeof lot[field] === 'string') out[field] = lot[field];
      return Promise.resolve(out);
    },
  };
}
