/**
 * Genealogy (docs/genealogy.md): every serial and lot of the plant with its relations, each carrying
 * the event, station, operation and quantity that made it, and the two walks an auditor asks for:
 * where-used (a lot or serial → every unit it went into, up to finished units and their work orders:
 * the recall answer) and where-from (a unit → every input, down to bought lots and their
 * certificates: the investigation). Pure: built from a {@link PlantState}, the same on the station
 * (from its views and pending events) and on the server (from its authoritative plant). The evidence
 * package uses the same walks.
 */
import type { Lot, LotProvenance } from '../../schemas/lot.ts';
import type { UnitRef } from '../../schemas/common.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { ConsumptionRecord, PlantState } from './plant.ts';
import { draftOrigin, editMap, netQuantity, operationsInOrder, parseStepKey, routingOf, stepKey, unitKey } from './plant.ts';

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


/**
 * The relations of a plant indexed both ways, and which work orders name each unit. Kept beside a
 * plant state; carried to the next state by what a change wrote (see {@link carryGenealogy}).
 */
interface GenealogyIndex {
  /** Item key → the relations where it is the material, in {@link relationOrder}. */
  usedIn: ReadonlyMap<string, readonly Relation[]>;
  /** Item key → the relations where it is what was made or filled, in {@link relationOrder}. */
  inputs: ReadonlyMap<string, readonly Relation[]>;
  /** Unit key → the ids of the work orders naming it, sorted (one, unless master data says otherwise). */
  producers: ReadonlyMap<string, readonly string[]>;
}

/**
 * Where a relation stands in the lists of the index: by device time, then event id, then its place in
 * the event (a merge's sources in the order the event names them), then its two ends. The same for a
 * plant however it was reached (from views, or by one change after another), so a walk answers the
 * same on the station and the server, and an index carried over equals one built anew.
 */
const relationOrder = new WeakMap<Relation, string>();

function ordered(relation: Relation, place: number): Relation {
  relationOrder.set(relation, `${relation.at}\u0001${relation.eventId}\u0001${String(place).padStart(6, '0')}\u0001${itemKey(relation.from)}\u0001${itemKey(relation.into)}`);
  return relation;
}

function orderOf(relation: Relation): string {
  return relationOrder.get(relation) ?? '';
}

function byOrder(a: Relation, b: Relation): number {
  const x = orderOf(a);
  const y = orderOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The relations consumptions recorded at a step made (each record its own, so some of a step's may be asked for). */
function consumedRelations(key: string, records: readonly ConsumptionRecord[]): Relation[] {
  const step = parseStepKey(key);
  if (step === undefined) return [];
  return records.map((c) => {
    const from: ItemRef = c.material.kind === 'serial' ? { kind: 'serial', serial: c.material.serial } : { kind: 'lot', lotId: c.material.lotId };
    return ordered({
      kind: 'consumed', from, into: step.unit, partNumber: c.material.partNumber, workOrderId: step.workOrderId, operationId: step.operationId,
      quantity: c.material.kind === 'lot' ? c.material.quantity : 1, net: netQuantity(c),
      returns: (c.returned ?? []).map((r) => ({ eventId: r.eventId, actor: r.actor, at: r.at, stationId: r.stationId, quantity: r.quantity, reason: r.reason })),
      eventId: c.eventId, actor: c.actor, at: c.at, ...(c.stationId === undefined ? {} : { stationId: c.stationId }),
    }, 0);
  });
}

/** The relations that made a lot by a split, merge or repack: one from each lot it came from. */
function originRelations(lot: Lot | undefined): Relation[] {
  const origin = lot?.origin;
  if (lot === undefined || origin === undefined) return [];
  return origin.from.map((from, place) =>
    ordered({
      kind: origin.kind, from: { kind: 'lot', lotId: from.lotId }, into: { kind: 'lot', lotId: lot.lotId }, partNumber: lot.partNumber, quantity: from.quantity,
      eventId: origin.eventId, actor: origin.actor, at: origin.at, stationId: origin.stationId,
    }, place),
  );
}

function unitKeysOf(workOrder: WorkOrder | undefined): string[] {
  return (workOrder?.units ?? []).map(unitKey);
}

/** The index of a whole plant. */
function buildIndex(state: PlantState): GenealogyIndex {
  const usedIn = new Map<string, Relation[]>();
  const inputs = new Map<string, Relation[]>();
  const add = (relation: Relation): void => {
    push(usedIn, itemKey(relation.from), relation);
    push(inputs, itemKey(relation.into), relation);
  };
  for (const [key, records] of state.consumptions) for (const relation of consumedRelations(key, records)) add(relation);
  for (const lot of state.lots.values()) for (const relation of originRelations(lot)) add(relation);
  for (const list of usedIn.values()) list.sort(byOrder);
  for (const list of inputs.values()) list.sort(byOrder);
  const producers = new Map<string, string[]>();
  for (const workOrder of state.workOrders.values()) for (const key of unitKeysOf(workOrder)) push(producers, key, workOrder.id);
  for (const list of producers.values()) list.sort();
  return { usedIn, inputs, producers };
}

/** Where `item` goes in a list sorted by `compare`: before the first that is not less. */
function lowerBound<T>(list: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(list[mid] as T, item) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Removals and additions to the sorted lists of one map of the index, applied once per key. */
class ListEdits<T> {
  private readonly edits = new Map<string, { remove: T[]; add: T[] }>();
  constructor(private readonly compare: (a: T, b: T) => number) {}
  private of(key: string): { remove: T[]; add: T[] } {
    let edit = this.edits.get(key);
    if (edit === undefined) this.edits.set(key, (edit = { remove: [], add: [] }));
    return edit;
  }
  remove(key: string, item: T): void {
    this.of(key).remove.push(item);
  }
  add(key: string, item: T): void {
    this.of(key).add.push(item);
  }
  /** `source` with the edits: only the lists edited are copied (a list emptied stays, empty). */
  apply(source: ReadonlyMap<string, readonly T[]>): ReadonlyMap<string, readonly T[]> {
    if (this.edits.size === 0) return source;
    const map = editMap(source);
    for (const [key, { remove, add }] of this.edits) {
      const list = [...(map.get(key) ?? [])];
      for (const item of remove) {
        const at = lowerBound(list, item, this.compare);
        if (at < list.length && this.compare(list[at] as T, item) === 0) list.splice(at, 1);
      }
      for (const item of add) list.splice(lowerBound(list, item, this.compare), 0, item);
      map.set(key, list);
    }
    return map.result();
  }
}

/** The keys a change wrote to a map of the plant. */
type Written = (map: keyof PlantState) => ReadonlySet<unknown>;

/**
 * The index of `to`, made from the index of `from` by what the change from one to the other wrote:
 * only the consumptions of the steps written, the origins of the lots written and the units of the
 * work orders written are looked at, and only the lists they touch are copied.
 */
function advanceIndex(index: GenealogyIndex, from: PlantState, to: PlantState, written: Written): GenealogyIndex {
  const usedIn = new ListEdits<Relation>(byOrder);
  const inputs = new ListEdits<Relation>(byOrder);
  const producers = new ListEdits<string>(byText);
  const move = (relations: readonly Relation[], edit: 'remove' | 'add'): void => {
    for (const relation of relations) {
      usedIn[edit](itemKey(relation.from), relation);
      inputs[edit](itemKey(relation.into), relation);
    }
  };
  for (const key of written('consumptions') as ReadonlySet<string>) {
    const before = from.consumptions.get(key) ?? [];
    const after = to.consumptions.get(key) ?? [];
    if (before === after) continue;
    // Records are never changed in place: one kept is the same object, with the same relation.
    const kept = new Set(after);
    const had = new Set(before);
    move(consumedRelations(key, before.filter((record) => !kept.has(record))), 'remove');
    move(consumedRelations(key, after.filter((record) => !had.has(record))), 'add');
  }
  for (const lotId of written('lots') as ReadonlySet<string>) {
    const before = from.lots.get(lotId);
    const after = to.lots.get(lotId);
    if (before?.origin === after?.origin && before?.partNumber === after?.partNumber) continue;
    move(originRelations(before), 'remove');
    move(originRelations(after), 'add');
  }
  for (const workOrderId of written('workOrders') as ReadonlySet<string>) {
    const before = from.workOrders.get(workOrderId);
    const after = to.workOrders.get(workOrderId);
    if (before?.units === after?.units) continue;
    for (const key of unitKeysOf(before)) producers.remove(key, workOrderId);
    for (const key of unitKeysOf(after)) producers.add(key, workOrderId);
  }
  return { usedIn: usedIn.apply(index.usedIn), inputs: inputs.apply(index.inputs), producers: producers.apply(index.producers) };
}

/** Indexes of plant states, built once per state (a state never changes) or carried over from the one before. */
const indexes = new WeakMap<PlantState, GenealogyIndex>();
const genealogies = new WeakMap<PlantState, Genealogy>();

/**
 * Carries the genealogy index of `from`, if one was built, over to `to`, which a change made from it
 * writing the keys `written` names (src/domain/plant.ts calls this for every change). So once a walk
 * has been asked for, the index follows the plant change by change, and the first walk after a push
 * costs no more than any other; a state reached otherwise (loaded from views) builds its own on the
 * first walk.
 */
export function carryGenealogy(from: PlantState, to: PlantState, written: Written): void {
  const index = indexes.get(from);
  if (index !== undefined && !indexes.has(to)) indexes.set(to, advanceIndex(index, from, to, written));
}

/** The index of a plant: cached, carried over, or built; a draft's follows its source's and is not kept (it changes). */
function indexOf(state: PlantState): GenealogyIndex {
  const origin = draftOrigin(state);
  if (origin !== undefined) return advanceIndex(indexOf(origin.from), origin.from, state, origin.written);
  let index = indexes.get(state);
  if (index === undefined) indexes.set(state, (index = buildIndex(state)));
  return index;
}

/** The genealogy of a plant (see {@link carryGenealogy} for how its index is kept). */
export function genealogyOf(state: PlantState): Genealogy {
  const cached = genealogies.get(state);
  if (cached !== undefined) return cached;
  const { usedIn, inputs, producers } = indexOf(state);

  const facts = (ref: ItemRef): ItemFacts => {
    const key = itemKey(ref);
    const out: ItemFacts = { ref, key, label: itemLabel(ref), known: false };
    const workOrderId = producers.get(key)?.[0] ?? (ref.kind === 'serial' ? state.serials.get(ref.serial)?.workOrderId : undefined);
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
  // A draft changes as its batch goes on: its genealogy is made for each walk, never kept.
  if (draftOrigin(state) === undefined) genealogies.set(state, genealogy);
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
