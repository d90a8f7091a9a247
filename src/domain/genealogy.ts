/**
 * Genealogy (docs/genealogy.md): every serial and lot of the plant with its relations, each carrying
 * the event, station, operation and quantity that made it, and the two walks an auditor asks for:
 * where-used (a lot or serial → every unit it went into, up to finished units and their work orders:
 * the recall answer) and where-from (a unit → every input, down to bought lots and their
 * certificates: the investigation). Pure: built from a {@link PlantState}, the same on the station
 * (from its views and pending events) and on the server (from its authoritative plant). The evidence
 * package uses the same walks.
 */
import type { LotProvenance } from '../../schemas/lot.ts';
import type { UnitRef } from '../../schemas/common.ts';
import type { PlantState } from './plant.ts';
import { netQuantity, operationsInOrder, parseStepKey, routingOf, stepKey, unitKey } from './plant.ts';

/** A serial or a lot, as genealogy names it. */
export type ItemRef = UnitRef;

/** Who recorded a relation, where and when, and by which event. */
export interface RelationMark {
  eventId: string;
  actor: string;
  /** The device time of the event. */
  at: string;
  /** The station that recorded it (absent for consumptions in views written before protocol 6). */
  stationId?: string;
}

/** A quantity of a consumption taken back unconsumed. */
export interface ReturnMark extends RelationMark {
  quantity: number;
  reason: string;
}

/**
 * One edge of the genealogy: material `from` went into `into`.
 * - `consumed`: built in at an operation of a work order (`quantity` as recorded, 1 for a serial;
 *   `returns` taken back since, `net` what is still built in);
 * - `split`: a quantity of a lot divided off into a child lot;
 * - `merged`: a quantity of a lot put into a merged lot;
 * - `repacked`: a quantity of a lot put into new packaging as a new lot (provenance carried over).
 */
export type Relation =
  | ({ kind: 'consumed'; from: ItemRef; into: ItemRef; partNumber: string; workOrderId: string; operationId: string; quantity: number; net: number; returns: ReturnMark[] } & RelationMark)
  | ({ kind: 'split' | 'merged' | 'repacked'; from: ItemRef; into: ItemRef; partNumber: string; quantity: number } & RelationMark);

/** What the plant knows of one serial or lot itself. */
export interface ItemFacts {
  ref: ItemRef;
  /** `serial:…` or `lot:…`. */
  key: string;
  /** The serial or lot id people read. */
  label: string;
  partNumber?: string;
  partDescription?: string;
  /** The work order that made it, and its last operation (with its completion, once signed off). */
  producedBy?: { workOrderId: string; program: string; operationId?: string; completed?: { eventId: string; actor: string; at: string } };
  /** A lot: its quantity, what remains, and where bought material came from. */
  quantity?: number;
  remaining?: number;
  provenance?: LotProvenance;
  /** A serial or lot quantities scrapped. */
  scrapped?: Array<RelationMark & { quantity: number; reason: string }>;
  /** Shipments of a finished serial or lot (`unit.shipped`): to whom, under which shipment, when. */
  shipped?: Array<RelationMark & { quantity: number; customer: string; shipmentRef: string }>;
  /** Whether the plant has it at all (a consumption may name material it does not have). */
  known: boolean;
}

/** The relations of a plant, indexed both ways. Build with {@link genealogyOf}. */
export interface Genealogy {
  /** Item key → the relations where it is the material (`from`). */
  readonly usedIn: ReadonlyMap<string, readonly Relation[]>;
  /** Item key → the relations where it is what was made or filled (`into`). */
  readonly inputs: ReadonlyMap<string, readonly Relation[]>;
  /** Everything known about one serial or lot. */
  facts(ref: ItemRef): ItemFacts;
}

/** `serial:…` or `lot:…`. */
export function itemKey(ref: ItemRef): string {
  return unitKey(ref);
}

function itemLabel(ref: ItemRef): string {
  return ref.kind === 'serial' ? ref.serial : ref.lotId;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** A shipment as genealogy tells it. */
function shipmentFact(s: { eventId: string; actor: string; at: string; stationId: string; quantity: number; customer: string; shipmentRef: string }): NonNullable<ItemFacts['shipped']>[number] {
  return { eventId: s.eventId, actor: s.actor, at: s.at, stationId: s.stationId, quantity: s.quantity, customer: s.customer, shipmentRef: s.shipmentRef };
}

/** Where a finished unit went, in the words of a recall: "shipped to Acme Aero on 2026-11-21 (PS-4471)"; several for a lot. */
export function shippedWords(item: Pick<ItemFacts, 'ref' | 'shipped'>): string {
  return (item.shipped ?? [])
    .map((s) => `${item.ref.kind === 'lot' ? `${s.quantity} ` : ''}shipped to ${s.customer} on ${s.at.slice(0, 10)} (${s.shipmentRef})`)
    .join('; ');
}

const cache = new WeakMap<PlantState, Genealogy>();

/** The genealogy of a plant (built once per plant state: a state never changes). */
export function genealogyOf(state: PlantState): Genealogy {
  const cached = cache.get(state);
  if (cached !== undefined) return cached;
  const usedIn = new Map<string, Relation[]>();
  const inputs = new Map<string, Relation[]>();
  const add = (relation: Relation): void => {
    push(usedIn, itemKey(relation.from), relation);
    push(inputs, itemKey(relation.into), relation);
  };
  for (const [key, records] of state.consumptions) {
    const step = parseStepKey(key);
    if (step === undefined) continue;
    for (const c of records) {
      const from: ItemRef = c.material.kind === 'serial' ? { kind: 'serial', serial: c.material.serial } : { kind: 'lot', lotId: c.material.lotId };
      add({
        kind: 'consumed', from, into: step.unit, partNumber: c.material.partNumber, workOrderId: step.workOrderId, operationId: step.operationId,
        quantity: c.material.kind === 'lot' ? c.material.quantity : 1, net: netQuantity(c),
        returns: (c.returned ?? []).map((r) => ({ eventId: r.eventId, actor: r.actor, at: r.at, stationId: r.stationId, quantity: r.quantity, reason: r.reason })),
        eventId: c.eventId, actor: c.actor, at: c.at, ...(c.stationId === undefined ? {} : { stationId: c.stationId }),
      });
    }
  }
  for (const lot of state.lots.values()) {
    const origin = lot.origin;
    if (origin === undefined) continue;
    for (const from of origin.from) {
      add({
        kind: origin.kind, from: { kind: 'lot', lotId: from.lotId }, into: { kind: 'lot', lotId: lot.lotId }, partNumber: lot.partNumber, quantity: from.quantity,
        eventId: origin.eventId, actor: origin.actor, at: origin.at, stationId: origin.stationId,
      });
    }
  }
  const producers = new Map<string, string>();
  for (const workOrder of state.workOrders.values()) for (const unit of workOrder.units) producers.set(unitKey(unit), workOrder.id);

  const facts = (ref: ItemRef): ItemFacts => {
    const key = itemKey(ref);
    const out: ItemFacts = { ref, key, label: itemLabel(ref), known: false };
    const workOrderId = producers.get(key) ?? (ref.kind === 'serial' ? state.serials.get(ref.serial)?.workOrderId : undefined);
    const workOrder = workOrderId === undefined ? undefined : state.workOrders.get(workOrderId);
    if (workOrder !== undefined) {
      out.known = true;
      const routing = routingOf(state, workOrder);
      const last = routing === undefined ? undefined : operationsInOrder(routing).at(-1);
      const completed = last === undefined ? undefined : state.steps.get(stepKey(workOrder.id, ref, last.id))?.completed;
      out.producedBy = {
        workOrderId: workOrder.id, program: workOrder.program,
        ...(last === undefined ? {} : { operationId: last.id }),
        ...(completed === undefined ? {} : { completed }),
      };
      out.partNumber = workOrder.partNumber;
    }
    if (ref.kind === 'serial') {
      const serial = state.serials.get(ref.serial);
      if (serial !== undefined) {
        out.known = true;
        out.partNumber = serial.partNumber;
        if (serial.scrapped !== undefined) {
          const s = serial.scrapped;
          out.scrapped = [{ eventId: s.eventId, actor: s.actor, at: s.at, stationId: s.stationId, quantity: 1, reason: s.reason }];
        }
        if (serial.shipped !== undefined) out.shipped = [shipmentFact(serial.shipped)];
      }
    } else {
      const lot = state.lots.get(ref.lotId);
      if (lot !== undefined) {
        out.known = true;
        out.partNumber = lot.partNumber;
        out.quantity = lot.quantity;
        out.remaining = lot.remaining;
        if (lot.provenance !== undefined) out.provenance = lot.provenance;
        if (lot.scrapped !== undefined && lot.scrapped.length > 0) out.scrapped = lot.scrapped.map((s) => ({ ...s }));
        if (lot.shipped !== undefined && lot.shipped.length > 0) out.shipped = lot.shipped.map(shipmentFact);
      }
    }
    const description = out.partNumber === undefined ? undefined : state.parts.get(out.partNumber)?.description;
    if (description !== undefined) out.partDescription = description;
    return out;
  };
  const genealogy: Genealogy = { usedIn, inputs, facts };
  cache.set(state, genealogy);
  return genealogy;
}

/** One serial or lot reached by a walk, with the relation that led to it. */
export interface GenealogyNode {
  item: ItemFacts;
  /** How many relations from the start (0 for the start). */
  depth: number;
  /** The relation that led here (absent at the start). */
  via?: Relation;
  /** What it went into (where-used) or came from (where-from), as far as the walk went. */
  children: GenealogyNode[];
  /**
   * Reached again by another path: shown, not followed again (its relations are under its first
   * appearance).
   */
  repeated?: true;
  /** Material taken back whole: it is not in the unit, and the walk does not follow it further. */
  returned?: true;
}

/** How far a walk may go, and what it may show. */
export interface WalkOptions {
  /** Most serials and lots a walk visits (default 5,000). */
  maxNodes?: number;
  /** Most relations from the start (default 25). */
  maxDepth?: number;
  /**
   * Whether the caller may see this item (program clearance, S20). An item it may not see is left
   * out with everything beyond it, and counted in `withheld`. Everything is shown when absent.
   */
  visible?: (item: ItemFacts) => boolean;
}

/** The answer of a walk. */
export interface WalkResult {
  direction: 'where-used' | 'where-from';
  root: GenealogyNode;
  /** Whether the walk stopped at `maxNodes` or `maxDepth` with more to follow. */
  truncated: boolean;
  /** Items left out because the caller may not see them. */
  withheld: number;
  /** Serials and lots visited. */
  visited: number;
}

export const DEFAULT_MAX_NODES = 5000;
export const DEFAULT_MAX_DEPTH = 25;

function walk(state: PlantState, start: ItemRef, direction: WalkResult['direction'], options: WalkOptions): WalkResult {
  const genealogy = genealogyOf(state);
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const visible = options.visible ?? (() => true);
  const root: GenealogyNode = { item: genealogy.facts(start), depth: 0, children: [] };
  const seen = new Set<string>([root.item.key]);
  let truncated = false;
  let withheld = 0;
  let visited = 1;
  // Breadth first, so a cut-short walk has every item nearest the start.
  const queue: GenealogyNode[] = [root];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as GenealogyNode;
    const relations = (direction === 'where-used' ? genealogy.usedIn : genealogy.inputs).get(node.item.key) ?? [];
    if (relations.length > 0 && node.depth >= maxDepth) {
      truncated = true;
      continue;
    }
    for (const relation of relations) {
      const next = direction === 'where-used' ? relation.into : relation.from;
      const item = genealogy.facts(next);
      if (!visible(item)) {
        withheld += 1;
        continue;
      }
      if (visited >= maxNodes) {
        truncated = true;
        break;
      }
      visited += 1;
      const child: GenealogyNode = { item, depth: node.depth + 1, via: relation, children: [] };
      node.children.push(child);
      if (relation.kind === 'consumed' && relation.net <= 0) {
        child.returned = true;
        continue;
      }
      if (seen.has(item.key)) {
        child.repeated = true;
        continue;
      }
      seen.add(item.key);
      queue.push(child);
    }
  }
  return { direction, root, truncated, withheld, visited };
}

/**
 * Where-used: every unit a lot or serial went into, transitively (through splits and merges, and
 * assemblies built into larger assemblies), up to the units nothing consumed.
 */
export function whereUsed(state: PlantState, start: ItemRef, options: WalkOptions = {}): WalkResult {
  return walk(state, start, 'where-used', options);
}

/** Where-from: every input of a unit or lot, transitively, down to bought lots and their provenance. */
export function whereFrom(state: PlantState, start: ItemRef, options: WalkOptions = {}): WalkResult {
  return walk(state, start, 'where-from', options);
}

/** Every node of a walk below its start, depth first, each with the path of ids from the start. */
export function flatten(result: WalkResult): Array<{ node: GenealogyNode; path: string[] }> {
  const out: Array<{ node: GenealogyNode; path: string[] }> = [];
  const visit = (node: GenealogyNode, path: string[]): void => {
    for (const child of node.children) {
      const childPath = [...path, child.item.label];
      out.push({ node: child, path: childPath });
      visit(child, childPath);
    }
  };
  visit(result.root, [result.root.item.label]);
  return out;
}

/** One line of the recall answer: a unit that contains the material, at the top of its path. */
export interface RecallLine {
  ref: ItemRef;
  label: string;
  partNumber?: string;
  workOrderId?: string;
  /** Relations from the material to this unit. */
  level: number;
  /** The ids from the material to this unit. */
  path: string[];
  /** Where it went from the plant, if it shipped (`unit.shipped`): the recall's "shipped to … on …". */
  shipped?: NonNullable<ItemFacts['shipped']>;
}

/**
 * The recall answer of a where-used walk: the finished units that contain the material (units the
 * walk reached that went into nothing further; material returned whole is not in them), one line
 * each, in walk order.
 */
export function finishedUnits(result: WalkResult): RecallLine[] {
  const lines: RecallLine[] = [];
  const seen = new Set<string>();
  for (const { node, path } of flatten(result)) {
    if (node.children.length > 0 || node.returned === true || node.repeated === true || seen.has(node.item.key)) continue;
    if (node.via?.kind !== 'consumed') continue;
    seen.add(node.item.key);
    lines.push({
      ref: node.item.ref, label: node.item.label, level: node.depth, path,
      ...(node.item.partNumber === undefined ? {} : { partNumber: node.item.partNumber }),
      ...(node.item.producedBy === undefined ? {} : { workOrderId: node.item.producedBy.workOrderId }),
      ...(node.item.shipped === undefined ? {} : { shipped: node.item.shipped }),
    });
  }
  return lines;
}

/** A CSV field: quoted when it holds a comma, quote or line break; a leading formula character defused. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The recall answer as CSV (RFC 4180, CRLF): which finished units contain the material. */
export function recallCsv(result: WalkResult): string {
  const rows = [['unit', 'kind', 'part', 'work_order', 'level', 'path', 'material', 'truncated', 'shipped']];
  for (const line of finishedUnits(result)) {
    rows.push([line.label, line.ref.kind, line.partNumber ?? '', line.workOrderId ?? '', String(line.level), line.path.join(' > '), result.root.item.label, result.truncated ? 'yes' : 'no', shippedWords(line)]);
  }
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
