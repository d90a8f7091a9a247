/**
 * Where the evidence package learns a unit's genealogy: the relations of the shared genealogy model
 * (src/domain/genealogy.ts, docs/genealogy.md) on the server's plant: consumed into, split, merged,
 * with what was returned of a consumption and what was scrapped of a serial or lot, each with the
 * event that recorded it (the package cites its audit entry), and a lot's provenance. A small
 * interface on purpose: the package builder walks it without knowing where it comes from.
 */
import { genealogyOf, type ItemRef, type Relation } from '../../src/domain/genealogy.ts';
import type { PlantState } from '../../src/domain/plant.ts';

/** A subject key: `serial:…` or `lot:…` (src/audit/subjects.ts). */
export type UnitSubject = string;

/** A quantity taken back unconsumed, or scrapped: the event, how much, why. */
export interface GenealogyMark {
  eventId: string;
  quantity: number;
  reason: string;
}

/**
 * One relation: `material` went into `into` by a consumption at an operation of a work order, or
 * by a split of a lot into a child lot, or by a merge of lots into a new one.
 */
export interface GenealogyLink {
  relation: 'consumed' | 'split' | 'merged' | 'repacked';
  into: UnitSubject;
  material: UnitSubject;
  partNumber: string;
  /** A lot's quantity consumed, split off or merged (1 for a serial consumed). */
  quantity?: number;
  /** A consumption: where it was built in. */
  workOrderId?: string;
  operationId?: string;
  /** A consumption: what was taken back since (`material.returned`), and what is still built in. */
  returns?: GenealogyMark[];
  net?: number;
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
  /** What went into `subject` (consumed into it, or the lots it was split or merged from). */
  whereFrom(subject: UnitSubject): Promise<GenealogyLink[]>;
  /** What `subject` went into. */
  whereUsed(subject: UnitSubject): Promise<GenealogyLink[]>;
  /** What was scrapped of a serial (the whole) or a lot (quantities). */
  scrapped(subject: UnitSubject): Promise<GenealogyMark[]>;
  /** A lot's provenance, or null when the plant does not know the lot. */
  provenance(lotId: string): Promise<LotProvenance | null>;
}

function refOf(subject: UnitSubject): ItemRef | null {
  if (subject.startsWith('serial:')) return { kind: 'serial', serial: subject.slice(7) };
  if (subject.startsWith('lot:')) return { kind: 'lot', lotId: subject.slice(4) };
  return null;
}

const keyOf = (ref: ItemRef): UnitSubject => (ref.kind === 'serial' ? `serial:${ref.serial}` : `lot:${ref.lotId}`);

function linkOf(relation: Relation): GenealogyLink {
  const base = {
    relation: relation.kind,
    into: keyOf(relation.into),
    material: keyOf(relation.from),
    partNumber: relation.partNumber,
    quantity: relation.quantity,
    eventId: relation.eventId,
    stationId: relation.stationId ?? '',
  };
  if (relation.kind !== 'consumed') return base;
  return {
    ...base,
    workOrderId: relation.workOrderId,
    operationId: relation.operationId,
    net: relation.net,
    returns: relation.returns.map((r) => ({ eventId: r.eventId, quantity: r.quantity, reason: r.reason })),
  };
}

/** The genealogy of the plant `plant()` answers (the shared model, built once per plant state). */
export function plantGenealogy(plant: () => PlantState): GenealogySource {
  const relations = (subject: UnitSubject, way: 'inputs' | 'usedIn'): GenealogyLink[] => {
    const ref = refOf(subject);
    if (ref === null) return [];
    return (genealogyOf(plant())[way].get(keyOf(ref)) ?? []).map(linkOf);
  };
  return {
    whereFrom: (subject) => Promise.resolve(relations(subject, 'inputs')),
    whereUsed: (subject) => Promise.resolve(relations(subject, 'usedIn')),
    scrapped(subject) {
      const ref = refOf(subject);
      if (ref === null) return Promise.resolve([]);
      const marks = genealogyOf(plant()).facts(ref).scrapped ?? [];
      return Promise.resolve(marks.map((m) => ({ eventId: m.eventId, quantity: m.quantity, reason: m.reason })));
    },
    provenance(lotId) {
      const facts = genealogyOf(plant()).facts({ kind: 'lot', lotId });
      if (!facts.known) return Promise.resolve(null);
      return Promise.resolve({ lotId, ...(facts.partNumber === undefined ? {} : { partNumber: facts.partNumber }), ...(facts.provenance ?? {}) });
    },
  };
}
