import type { HoldSubject, UnitRef } from '../../schemas/common.ts';
import type { EventOf, StationEvent } from '../../schemas/event.ts';
import type { Conflict } from '../../schemas/conflict.ts';
import type { Hold } from '../../schemas/hold.ts';
import type { IdentifierFormat } from '../../schemas/identifier-format.ts';
import type { Lot } from '../../schemas/lot.ts';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import type { Operator } from '../../schemas/operator.ts';
import type { Part } from '../../schemas/part.ts';
import type { Operation, Routing } from '../../schemas/routing.ts';
import type { SerialUnit } from '../../schemas/serial-unit.ts';
import type { StepView } from '../../schemas/step.ts';
import type { ViewData, ViewDoc, ViewKind } from '../../schemas/view-doc.ts';
import type { WorkCenter } from '../../schemas/work-center.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import { measurementResult } from './inspection.ts';
import { applyNcrEvent, openNcrFromEvent } from './ncr.ts';
import { carryOutOnCompletion, findOperation } from './rework.ts';
import { applyContainment } from './containment.ts';
import { carryGenealogy } from './genealogy.ts';
import { applyShipped } from './shipping.ts';

/** Who did a step and when, as the event recorded it. */
export interface StepMark {
  eventId: string;
  actor: string;
  at: string;
}

/** The execution record of one operation on one unit of a traveler. */
export interface StepRecord {
  started?: StepMark;
  completed?: StepMark;
}

export interface MeasurementRecord extends StepMark {
  event: EventOf<'measurement.recorded'>;
  result: 'pass' | 'fail';
}

/** A quantity of a consumption taken back unconsumed (`material.returned`). */
export interface ReturnRecord extends StepMark {
  stationId: string;
  quantity: number;
  reason: string;
}

export interface ConsumptionRecord extends StepMark {
  material: EventOf<'material.consumed'>['payload']['material'];
  /** The station that recorded it; absent in views written before protocol 6. */
  stationId?: string;
  /** What was taken back unconsumed since, in server order. */
  returned?: readonly ReturnRecord[];
}

/** What a consumption still builds in: its quantity (1 for a serial) less what was returned. */
export function netQuantity(record: Pick<ConsumptionRecord, 'material' | 'returned'>): number {
  const quantity = record.material.kind === 'lot' ? record.material.quantity : 1;
  return quantity - (record.returned ?? []).reduce((sum, r) => sum + r.quantity, 0);
}

/**
 * Everything a screen or a rule needs to know about the plant: master data as the server last sent
 * it, and what events have done since. Built by {@link plantFromViews} and {@link reduceEvents};
 * treat it as immutable.
 */
export interface PlantState {
  workCenters: ReadonlyMap<string, WorkCenter>;
  parts: ReadonlyMap<string, Part>;
  /** Keyed by {@link routingKey}. */
  routings: ReadonlyMap<string, Routing>;
  workOrders: ReadonlyMap<string, WorkOrder>;
  operators: ReadonlyMap<string, Operator>;
  lots: ReadonlyMap<string, Lot>;
  serials: ReadonlyMap<string, SerialUnit>;
  holds: ReadonlyMap<string, Hold>;
  nonconformances: ReadonlyMap<string, Nonconformance>;
  /** Keyed by {@link stepKey}. */
  steps: ReadonlyMap<string, StepRecord>;
  /** Every result for a characteristic, oldest first; keyed by {@link characteristicKey}. */
  measurements: ReadonlyMap<string, readonly MeasurementRecord[]>;
  /** Material built in at a step, keyed by {@link stepKey}. */
  consumptions: ReadonlyMap<string, readonly ConsumptionRecord[]>;
  /** Work items the server's conflict rules raised, keyed by conflict id. */
  conflicts: ReadonlyMap<string, Conflict>;
  /** The shapes of the plant's own identifiers, for the scan parser; keyed by id. */
  identifierFormats: ReadonlyMap<string, IdentifierFormat>;
}

export function routingKey(partNumber: string, partRevision: string): string {
  return `${partNumber}@${partRevision}`;
}

export function unitKey(unit: UnitRef): string {
  return unit.kind === 'serial' ? `serial:${unit.serial}` : `lot:${unit.lotId}`;
}

/** The identifier an operator reads on the unit: its serial or its lot. */
export function unitLabel(unit: UnitRef | HoldSubject): string {
  if (unit.kind === 'serial') return unit.serial;
  if (unit.kind === 'lot') return unit.lotId;
  return unit.workOrderId;
}

export function stepKey(workOrderId: string, unit: UnitRef, operationId: string): string {
  return `${workOrderId}|${unitKey(unit)}|${operationId}`;
}

export function characteristicKey(workOrderId: string, unit: UnitRef, operationId: string, characteristicId: string): string {
  return `${stepKey(workOrderId, unit, operationId)}|${characteristicId}`;
}

/** Hold and NCR ids derived from the measurement that caused them, so station and server agree. */
export function holdIdForMeasurement(eventId: string): string {
  return `H-${eventId}`;
}
export function ncrIdForMeasurement(eventId: string): string {
  return `NCR-${eventId}`;
}

/** The keys of every map in a plant, so that whole-plant operations are written once. */
const PLANT_MAPS = [
  'workCenters', 'parts', 'routings', 'workOrders', 'operators', 'lots', 'serials', 'holds',
  'nonconformances', 'steps', 'measurements', 'consumptions', 'conflicts', 'identifierFormats',
] as const satisfies readonly (keyof PlantState)[];

/** Fails to compile when a map is added to PlantState but not to PLANT_MAPS. */
export type UnlistedPlantMaps = Exclude<keyof PlantState, (typeof PLANT_MAPS)[number]>;
export const ALL_PLANT_MAPS_LISTED: [UnlistedPlantMaps] extends [never] ? true : never = true;

export function emptyPlant(): PlantState {
  return Object.fromEntries(PLANT_MAPS.map((key) => [key, new Map()])) as unknown as PlantState;
}

/** Below this many entries a map of the plant is simply copied when written: cheap, and one lookup per read. */
const SMALL_MAP = 1024;

/** One native map holding `base` then `overlay`, in the order a native map would have them. */
function merged<K, V>(base: ReadonlyMap<K, V>, overlay: ReadonlyMap<K, V>): Map<K, V> {
  const map = new Map(base);
  for (const [key, value] of overlay) map.set(key, value);
  return map;
}

/**
 * A large map of a plant state that shares its entries with the state it was made from: a base map
 * left untouched, and the entries written since (`overlay`). Applying one event to a plant of a
 * hundred thousand then copies the few entries written lately instead of the whole map; once the
 * overlay outgrows √n it is folded into a new base, so it stays small and reads take two lookups at
 * most. Iterates exactly as a native map would (insertion order; an updated key keeps its place).
 */
class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  /** The entries as one native map, made on first iteration and kept (a state never changes). */
  private flatMap: Map<K, V> | null = null;
  constructor(
    readonly base: ReadonlyMap<K, V>,
    readonly overlay: ReadonlyMap<K, V>,
    readonly size: number,
  ) {}
  get(key: K): V | undefined {
    const value = this.overlay.get(key);
    return value !== undefined || this.overlay.has(key) ? value : this.base.get(key);
  }
  has(key: K): boolean {
    return this.overlay.has(key) || this.base.has(key);
  }
  /** The whole map flattened, or null if it has not been needed yet. */
  flattened(): ReadonlyMap<K, V> | null {
    return this.flatMap;
  }
  private flat(): ReadonlyMap<K, V> {
    this.flatMap ??= merged(this.base, this.overlay);
    return this.flatMap;
  }
  keys(): MapIterator<K> {
    return this.flat().keys();
  }
  values(): MapIterator<V> {
    return this.flat().values();
  }
  entries(): MapIterator<[K, V]> {
    return this.flat().entries();
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    this.flat().forEach((value, key) => callback(value, key, this));
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.flat().entries();
  }
}

/**
 * A map of a plant being changed. It reads through to the state it was made from until written.
 * Writes to a large map go to an overlay (a copy of the source's overlay: √n entries at most), not to
 * a copy of the whole map, and {@link DraftMap.result} hands back a {@link LayeredMap}. A small map,
 * or one whose overlay outgrows √n (a large batch), is copied once and written in place, as a native
 * map. Remembers the keys written: what a batch changed.
 */
class DraftMap<K, V> implements ReadonlyMap<K, V> {
  private readonly base: ReadonlyMap<K, V>;
  /** The source's own overlay, if it has one: the draft's overlay starts as a copy of it. */
  private readonly baseOverlay: ReadonlyMap<K, V> | null;
  /** After the first write to a large map: the source's overlay and this draft's writes. */
  private overlay: Map<K, V> | null = null;
  /** After the first write to a small map, or once the overlay grew past √n: the whole map, own. */
  private own: Map<K, V> | null = null;
  /** The size while writes go to the overlay. */
  private count: number;
  /** Keys written since the draft was made: what a batch changed. */
  readonly written = new Set<K>();
  constructor(private readonly source: ReadonlyMap<K, V>) {
    const layered = source instanceof LayeredMap ? (source as LayeredMap<K, V>) : null;
    const flat = layered?.flattened() ?? null;
    this.base = layered === null ? source : (flat ?? layered.base);
    this.baseOverlay = layered === null || flat !== null ? null : layered.overlay;
    this.count = source.size;
  }
  get size(): number {
    return this.own?.size ?? (this.overlay === null ? this.source.size : this.count);
  }
  get(key: K): V | undefined {
    if (this.own !== null) return this.own.get(key);
    if (this.overlay === null) return this.source.get(key);
    const value = this.overlay.get(key);
    return value !== undefined || this.overlay.has(key) ? value : this.base.get(key);
  }
  has(key: K): boolean {
    if (this.own !== null) return this.own.has(key);
    if (this.overlay === null) return this.source.has(key);
    return this.overlay.has(key) || this.base.has(key);
  }
  /** The whole map made native and own, from here on. */
  private ownMap(): Map<K, V> {
    if (this.own === null) {
      this.own = this.overlay === null ? new Map(this.source) : merged(this.base, this.overlay);
      this.overlay = null;
    }
    return this.own;
  }
  /** What iteration reads: the source while unwritten, else the whole map. */
  private current(): ReadonlyMap<K, V> {
    return this.overlay === null && this.own === null ? this.source : this.ownMap();
  }
  keys(): MapIterator<K> {
    return this.current().keys();
  }
  values(): MapIterator<V> {
    return this.current().values();
  }
  entries(): MapIterator<[K, V]> {
    return this.current().entries();
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    this.current().forEach((value, key) => callback(value, key, this));
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.current().entries();
  }
  set(key: K, value: V): void {
    this.written.add(key);
    if (this.own === null && this.base.size >= SMALL_MAP) {
      const overlay = (this.overlay ??= this.baseOverlay === null ? new Map() : new Map(this.baseOverlay));
      if (overlay.size * overlay.size <= this.base.size) {
        if (!overlay.has(key) && !this.base.has(key)) this.count += 1;
        overlay.set(key, value);
        return;
      }
    }
    this.ownMap().set(key, value);
  }
  result(): ReadonlyMap<K, V> {
    if (this.own !== null) return this.own;
    if (this.overlay === null) return this.source;
    return new LayeredMap(this.base, this.overlay, this.count);
  }
}

/**
 * A plant being changed: maps take writes without copying what they share with the state the draft
 * was made from, and remember what was written. A draft reads like a plant, so rules can judge the
 * next event of a batch on the draft the batch built.
 */
export type PlantDraft = { [K in keyof PlantState]: PlantState[K] extends ReadonlyMap<infer Key, infer Value> ? DraftMap<Key, Value> : never };

/** The plant each draft was made from (a draft reads like a plant; see {@link draftOrigin}). */
const draftSources = new WeakMap<object, PlantState>();

function draftOf(state: PlantState): PlantDraft {
  const draft = Object.fromEntries(PLANT_MAPS.map((key) => [key, new DraftMap<unknown, unknown>(state[key])])) as unknown as PlantDraft;
  draftSources.set(draft, state);
  return draft;
}

/**
 * Where a plant being changed came from: the plant its draft was made from and the keys written to
 * each map so far; undefined for a plant that is not a draft. An index kept beside the plant (the
 * genealogy's) follows a draft from its source's index instead of being built again for it.
 */
export function draftOrigin(state: PlantState): { from: PlantState; written: (map: keyof PlantState) => ReadonlySet<unknown> } | undefined {
  const from = draftSources.get(state);
  if (from === undefined) return undefined;
  const draft = state as unknown as PlantDraft;
  return { from, written: (map) => draft[map].written };
}

/**
 * A map made from `source` by a few writes, sharing everything else with it as the plant's own maps
 * do (an overlay of at most √n entries over a shared base): for indexes kept beside a plant.
 */
export function editMap<K, V>(source: ReadonlyMap<K, V>): { get(key: K): V | undefined; set(key: K, value: V): void; result(): ReadonlyMap<K, V> } {
  return new DraftMap(source);
}

/** The plant a draft made; an index built for `from` is carried over to it (src/domain/genealogy.ts). */
function finish(draft: PlantDraft, from?: PlantState): PlantState {
  const state = Object.fromEntries(PLANT_MAPS.map((key) => [key, draft[key].result()])) as unknown as PlantState;
  if (from !== undefined) carryGenealogy(from, state, (map) => draft[map].written);
  return state;
}

/** View kinds that are one document in one map of the plant (a step gathers three maps; quarantine none). */
type DocumentKind = Exclude<ViewKind, 'step' | 'quarantine'>;

interface DocumentView<K extends DocumentKind> {
  map: keyof PlantState;
  key: (data: ViewData[K]) => string;
}

/** Where each kind of document lives in the plant, and its key: one table for station and server. */
const DOCUMENT_VIEWS: { [K in DocumentKind]: DocumentView<K> } = {
  workCenter: { map: 'workCenters', key: (d) => d.id },
  part: { map: 'parts', key: (d) => d.partNumber },
  routing: { map: 'routings', key: (d) => routingKey(d.partNumber, d.partRevision) },
  workOrder: { map: 'workOrders', key: (d) => d.id },
  operator: { map: 'operators', key: (d) => d.badge },
  lot: { map: 'lots', key: (d) => d.lotId },
  serial: { map: 'serials', key: (d) => d.serial },
  hold: { map: 'holds', key: (d) => d.holdId },
  nonconformance: { map: 'nonconformances', key: (d) => d.ncrId },
  conflict: { map: 'conflicts', key: (d) => d.conflictId },
  identifierFormat: { map: 'identifierFormats', key: (d) => d.id },
};

/** The plant as the server's views describe it. */
export function plantFromViews(docs: Iterable<ViewDoc>): PlantState {
  const draft = draftOf(emptyPlant());
  for (const doc of docs) {
    if (doc.kind === 'step') setStep(draft, doc.data);
    else if (doc.kind !== 'quarantine') {
      const view = DOCUMENT_VIEWS[doc.kind] as DocumentView<typeof doc.kind>;
      (draft[view.map] as unknown as DraftMap<string, unknown>).set(view.key(doc.data), doc.data);
    }
  }
  return finish(draft);
}

/** The routing a work order runs, if the plant has it. */
export function routingOf(state: PlantState, workOrder: WorkOrder): Routing | undefined {
  return state.routings.get(routingKey(workOrder.partNumber, workOrder.partRevision));
}

/** A routing's operations in sequence order. */
export function operationsInOrder(routing: Routing): Operation[] {
  return [...routing.operations].sort((a, b) => a.sequence - b.sequence);
}

/** The effect of events on the plant, in the order given. Pure: `state` is not changed. */
export function reduceEvents(state: PlantState, events: Iterable<StationEvent>): PlantState {
  const draft = draftOf(state);
  for (const event of events) applyEventToDraft(draft, event);
  return finish(draft, state);
}

/** A view the server keeps, named by kind and key (its id is `kind:key`). */
export interface ViewRef {
  kind: ViewKind;
  key: string;
}

/** The kind of view each map of the plant is published as; steps, measurements and consumptions make one `step` view. */
const VIEW_KIND_OF_MAP: { [K in keyof PlantState]: ViewKind } = {
  workCenters: 'workCenter',
  parts: 'part',
  routings: 'routing',
  workOrders: 'workOrder',
  operators: 'operator',
  lots: 'lot',
  serials: 'serial',
  holds: 'hold',
  nonconformances: 'nonconformance',
  steps: 'step',
  measurements: 'step',
  consumptions: 'step',
  conflicts: 'conflict',
  identifierFormats: 'identifierFormat',
};

/** The step a measurement key belongs to: the characteristic id is its last segment. */
function stepKeyOfCharacteristicKey(key: string): string {
  return key.slice(0, key.lastIndexOf('|'));
}

/**
 * Applies a change to the plant and says which views it touched, so the server writes only those.
 * `change` gets a draft to work on; see {@link applyEventToDraft} and the rules in ./rules/.
 */
export function changePlant(state: PlantState, change: (draft: PlantDraft) => void): { state: PlantState; changed: ViewRef[] } {
  const draft = draftOf(state);
  change(draft);
  const changed = new Map<string, ViewRef>();
  for (const map of PLANT_MAPS) {
    const kind = VIEW_KIND_OF_MAP[map];
    for (const written of draft[map].written) {
      const key = map === 'measurements' ? stepKeyOfCharacteristicKey(String(written)) : String(written);
      changed.set(`${kind}:${key}`, { kind, key });
    }
  }
  return { state: finish(draft, state), changed: [...changed.values()] };
}

/** The data of a view as the plant holds it now, or undefined if the plant has no such document. */
export function viewData(state: PlantState, ref: ViewRef): ViewData[ViewKind] | undefined {
  if (ref.kind === 'step') return stepViewOf(state, ref.key);
  if (ref.kind === 'quarantine') return undefined;
  return (state[DOCUMENT_VIEWS[ref.kind].map] as ReadonlyMap<string, ViewData[ViewKind]>).get(ref.key);
}

/** The key a view of this kind and data is stored under, the same on server and station. */
export function viewKeyOf<K extends ViewKind>(kind: K, data: ViewData[K]): string {
  const doc = { kind, data } as unknown as ViewDoc;
  if (doc.kind === 'step') return stepKey(doc.data.workOrderId, doc.data.unit, doc.data.operationId);
  if (doc.kind === 'quarantine') return doc.data.quarantineId;
  const view = DOCUMENT_VIEWS[doc.kind] as DocumentView<typeof doc.kind>;
  return view.key(doc.data);
}

/** The work order, unit and operation of a {@link stepKey}, or undefined for a key of another shape. */
export function parseStepKey(key: string): { workOrderId: string; unit: UnitRef; operationId: string } | undefined {
  const match = /^(.*)\|(serial|lot):(.*)\|([^|]*)$/.exec(key);
  if (match === null) return undefined;
  const [, workOrderId = '', kind, id = '', operationId = ''] = match;
  const unit: UnitRef = kind === 'serial' ? { kind: 'serial', serial: id } : { kind: 'lot', lotId: id };
  return { workOrderId, unit, operationId };
}

/**
 * The results recorded at a step, found through the operation's characteristics rather than by
 * scanning every measurement in the plant (the server builds step views for every batch).
 */
function measurementsOfStep(state: PlantState, key: string, workOrderId: string, operationId: string): Array<readonly MeasurementRecord[]> {
  const workOrder = state.workOrders.get(workOrderId);
  const operation = workOrder === undefined ? undefined : findOperation(state, workOrderId, operationId, parseStepKey(key)?.unit);
  if (operation === undefined) {
    return [...state.measurements].filter(([mapKey]) => stepKeyOfCharacteristicKey(mapKey) === key).map(([, results]) => results);
  }
  return operation.characteristics.map((c) => state.measurements.get(`${key}|${c.id}`)).filter((r): r is readonly MeasurementRecord[] => r !== undefined);
}

/** One step's execution record as the `step` view carries it. */
export function stepViewOf(state: PlantState, key: string): StepView | undefined {
  const parsed = parseStepKey(key);
  if (parsed === undefined) return undefined;
  const record = state.steps.get(key);
  const consumptions = state.consumptions.get(key) ?? [];
  const measurements: StepView['measurements'] = [];
  for (const results of measurementsOfStep(state, key, parsed.workOrderId, parsed.operationId)) {
    for (const r of results) {
      measurements.push({ eventId: r.eventId, actor: r.actor, at: r.at, characteristicId: r.event.payload.characteristicId, result: r.result, event: r.event });
    }
  }
  if (record === undefined && consumptions.length === 0 && measurements.length === 0) return undefined;
  return {
    ...parsed,
    ...(record?.started === undefined ? {} : { started: record.started }),
    ...(record?.completed === undefined ? {} : { completed: record.completed }),
    consumptions: consumptions.map((c) => ({
      eventId: c.eventId, actor: c.actor, at: c.at,
      ...(c.stationId === undefined ? {} : { stationId: c.stationId }),
      material: c.material,
      ...(c.returned === undefined ? {} : { returned: c.returned.map((r) => ({ ...r })) }),
    })),
    measurements,
  };
}

function setStep(draft: PlantDraft, view: StepView): void {
  const key = stepKey(view.workOrderId, view.unit, view.operationId);
  const record: StepRecord = {
    ...(view.started === undefined ? {} : { started: view.started }),
    ...(view.completed === undefined ? {} : { completed: view.completed }),
  };
  draft.steps.set(key, record);
  draft.consumptions.set(
    key,
    view.consumptions.map((c) => ({
      eventId: c.eventId,
      actor: c.actor,
      at: c.at,
      ...(c.stationId === undefined ? {} : { stationId: c.stationId }),
      material: c.material as unknown as ConsumptionRecord['material'],
      ...(c.returned === undefined ? {} : { returned: c.returned }),
    })),
  );
  for (const m of view.measurements) {
    const mKey = `${key}|${m.characteristicId}`;
    const record = { eventId: m.eventId, actor: m.actor, at: m.at, result: m.result, event: m.event as unknown as EventOf<'measurement.recorded'> };
    draft.measurements.set(mKey, [...(draft.measurements.get(mKey) ?? []), record]);
  }
}

/** The effect of one event on the plant. */
export function applyEvent(state: PlantState, event: StationEvent): PlantState {
  return reduceEvents(state, [event]);
}

function mark(event: StationEvent): StepMark {
  return { eventId: event.id, actor: event.actor, at: event.deviceTime };
}

/** The plain effect of an event on a plant draft, as a station shows it before the server decides. */
export function applyEventToDraft(draft: PlantDraft, event: StationEvent): void {
  switch (event.type) {
    case 'op.started': {
      const key = stepKey(event.payload.workOrderId, event.payload.unit, event.payload.operationId);
      const step = draft.steps.get(key) ?? {};
      if (step.started === undefined) draft.steps.set(key, { ...step, started: mark(event) });
      return;
    }
    case 'op.completed': {
      const key = stepKey(event.payload.workOrderId, event.payload.unit, event.payload.operationId);
      const step = draft.steps.get(key) ?? {};
      if (step.completed === undefined) draft.steps.set(key, { ...step, completed: mark(event) });
      carryOutOnCompletion(draft, event);
      return;
    }
    case 'material.consumed': {
      const { workOrderId, unit, operationId, material } = event.payload;
      const key = stepKey(workOrderId, unit, operationId);
      draft.consumptions.set(key, [...(draft.consumptions.get(key) ?? []), { ...mark(event), stationId: event.stationId, material }]);
      if (material.kind === 'lot') {
        const lot = draft.lots.get(material.lotId);
        if (lot !== undefined) draft.lots.set(lot.lotId, { ...lot, remaining: lot.remaining - material.quantity });
      } else {
        const serial = draft.serials.get(material.serial);
        if (serial !== undefined && serial.consumedInto === undefined) {
          draft.serials.set(serial.serial, { ...serial, consumedInto: { workOrderId, unitKey: unitKey(unit), eventId: event.id } });
        }
      }
      return;
    }
    case 'measurement.recorded': {
      applyMeasurement(draft, event);
      return;
    }
    case 'hold.placed': {
      if (draft.holds.has(event.payload.holdId)) return;
      draft.holds.set(event.payload.holdId, {
        holdId: event.payload.holdId,
        subject: event.payload.subject,
        reason: event.payload.reason,
        placedBy: event.actor,
        placedAt: event.deviceTime,
        sourceEventId: event.id,
        status: 'active',
      });
      return;
    }
    case 'hold.released': {
      const hold = draft.holds.get(event.payload.holdId);
      if (hold === undefined || hold.status !== 'active') return;
      draft.holds.set(hold.holdId, {
        ...hold,
        status: 'released',
        release: { eventId: event.id, signature: event.payload.signature },
      });
      return;
    }
    case 'conflict.resolved': {
      applyResolution(draft, event);
      return;
    }
    case 'ncr.opened':
    case 'ncr.dispositioned':
    case 'ncr.rework-recorded':
      applyNcrEvent(draft, event);
      return;
    case 'ncr.containment-extended':
      applyContainment(draft, event);
      return;
    case 'lot.split':
    case 'lot.merged':
    case 'lot.repacked':
    case 'unit.scrapped':
    case 'material.returned':
      applyGenealogyEvent(draft, event);
      return;
    case 'unit.shipped':
      applyShipped(draft, event);
      return;
    case 'session.signed-in':
    case 'session.signed-out':
      return;
  }
}

/** Who recorded a genealogy change, where and when. */
function genealogyMark(event: StationEvent): { eventId: string; actor: string; at: string; stationId: string } {
  return { eventId: event.id, actor: event.actor, at: event.deviceTime, stationId: event.stationId };
}

/** Takes a quantity out of a lot by a split or a merge, remembering where it went. */
function moveOut(draft: PlantDraft, event: StationEvent, lotId: string, quantity: number, kind: 'split' | 'merged' | 'repacked', into: string[]): void {
  const lot = draft.lots.get(lotId);
  if (lot === undefined) return;
  draft.lots.set(lotId, { ...lot, remaining: lot.remaining - quantity, movedOut: [...(lot.movedOut ?? []), { ...genealogyMark(event), kind, quantity, into }] });
}

/**
 * Splits, merges, repacks, scrap and returns (docs/genealogy.md). A lot made by a split, merge or
 * repack is created once: a second event naming the same new lot leaves it as the first made it. A
 * repacked lot carries its parent's provenance.
 */
function applyGenealogyEvent(draft: PlantDraft, event: EventOf<'lot.split' | 'lot.merged' | 'lot.repacked' | 'unit.scrapped' | 'material.returned'>): void {
  const at = genealogyMark(event);
  switch (event.type) {
    case 'lot.split': {
      const { lot, children } = event.payload;
      const total = children.reduce((sum, c) => sum + c.quantity, 0);
      moveOut(draft, event, lot.lotId, total, 'split', children.map((c) => c.lotId));
      for (const child of children) {
        if (draft.lots.has(child.lotId)) continue;
        draft.lots.set(child.lotId, {
          lotId: child.lotId, partNumber: lot.partNumber, quantity: child.quantity, remaining: child.quantity,
          origin: { ...at, kind: 'split', from: [{ lotId: lot.lotId, quantity: child.quantity }] },
        });
      }
      return;
    }
    case 'lot.merged': {
      const { sources, into } = event.payload;
      for (const source of sources) moveOut(draft, event, source.lotId, source.quantity, 'merged', [into.lotId]);
      if (draft.lots.has(into.lotId)) return;
      const total = sources.reduce((sum, c) => sum + c.quantity, 0);
      draft.lots.set(into.lotId, {
        lotId: into.lotId, partNumber: into.partNumber, quantity: total, remaining: total,
        origin: { ...at, kind: 'merged', from: sources.map((s) => ({ lotId: s.lotId, quantity: s.quantity })) },
      });
      return;
    }
    case 'lot.repacked': {
      const { lot, into } = event.payload;
      const parent = draft.lots.get(lot.lotId);
      moveOut(draft, event, lot.lotId, into.quantity, 'repacked', [into.lotId]);
      if (draft.lots.has(into.lotId)) return;
      draft.lots.set(into.lotId, {
        lotId: into.lotId, partNumber: lot.partNumber, quantity: into.quantity, remaining: into.quantity,
        ...(parent?.provenance === undefined ? {} : { provenance: parent.provenance }),
        origin: { ...at, kind: 'repacked', from: [{ lotId: lot.lotId, quantity: into.quantity }] },
      });
      return;
    }
    case 'unit.scrapped': {
      const { item, reason } = event.payload;
      if (item.kind === 'serial') {
        const serial = draft.serials.get(item.serial);
        if (serial !== undefined && serial.scrapped === undefined) draft.serials.set(serial.serial, { ...serial, scrapped: { ...at, reason } });
        return;
      }
      const lot = draft.lots.get(item.lotId);
      if (lot === undefined) return;
      draft.lots.set(lot.lotId, { ...lot, remaining: lot.remaining - item.quantity, scrapped: [...(lot.scrapped ?? []), { ...at, quantity: item.quantity, reason }] });
      return;
    }
    case 'material.returned': {
      const { workOrderId, unit, operationId, consumedEventId, material, reason } = event.payload;
      const key = stepKey(workOrderId, unit, operationId);
      const consumptions = draft.consumptions.get(key) ?? [];
      const consumed = consumptions.find((c) => c.eventId === consumedEventId);
      if (consumed === undefined) return;
      const quantity = material.kind === 'lot' ? material.quantity : 1;
      const record: ReturnRecord = { eventId: event.id, actor: event.actor, at: event.deviceTime, stationId: event.stationId, quantity, reason };
      draft.consumptions.set(key, consumptions.map((c) => (c === consumed ? { ...c, returned: [...(c.returned ?? []), record] } : c)));
      if (consumed.material.kind === 'lot') {
        const lot = draft.lots.get(consumed.material.lotId);
        if (lot !== undefined) draft.lots.set(lot.lotId, { ...lot, remaining: lot.remaining + quantity });
      } else {
        const serial = draft.serials.get(consumed.material.serial);
        if (serial?.consumedInto?.eventId === consumedEventId) {
          draft.serials.set(serial.serial, {
            serial: serial.serial,
            partNumber: serial.partNumber,
            ...(serial.workOrderId === undefined ? {} : { workOrderId: serial.workOrderId }),
            ...(serial.scrapped === undefined ? {} : { scrapped: serial.scrapped }),
          });
        }
      }
      return;
    }
  }
}

/** Resolution of a conflict item; a void takes back what the voided event did to the traveler. */
function applyResolution(draft: PlantDraft, event: EventOf<'conflict.resolved'>): void {
  const conflict = draft.conflicts.get(event.payload.conflictId);
  if (conflict === undefined || conflict.status !== 'open') return;
  draft.conflicts.set(conflict.conflictId, {
    ...conflict,
    status: 'resolved',
    resolution: { action: event.payload.action, eventId: event.id, signature: event.payload.signature },
  });
  if (event.payload.action === 'open-ncr') {
    const subject = conflict.subject ?? { kind: 'workOrder', workOrderId: conflict.workOrderId ?? 'unknown' };
    openNcrFromEvent(draft, `NCR-${event.id}`, subject, `${conflict.description} (${event.payload.signature.reason})`, event, {
      ...(conflict.workOrderId === undefined ? {} : { workOrderId: conflict.workOrderId }),
      openedBy: event.actor,
      sourceEventId: conflict.eventId,
    });
  }
  if (event.payload.action !== 'void' || conflict.stepKey === undefined) return;
  voidOnStep(draft, conflict.stepKey, conflict.eventId);
  if (conflict.flag === 'duplicate-completion') voidMaterialOfDuplicate(draft, conflict, event);
}

/**
 * A void of a duplicate completion (C1) takes back the material the losing station recorded with it:
 * every consumption that station recorded on that step is voided too (returned to its lot, the serial
 * freed), and the open `beyond-bill` items (C17) about those consumptions are closed by the same
 * signed resolution. The winning station's consumptions stay (docs/sync-spec.md, Resolution).
 */
function voidMaterialOfDuplicate(draft: PlantDraft, conflict: Conflict, event: EventOf<'conflict.resolved'>): void {
  const key = conflict.stepKey;
  if (key === undefined) return;
  const voided = (draft.consumptions.get(key) ?? []).filter((c) => c.stationId === conflict.stationId).map((c) => c.eventId);
  for (const eventId of voided) voidOnStep(draft, key, eventId);
  const closed = new Set(voided);
  const items = [...draft.conflicts.values()].filter((c) => c.flag === 'beyond-bill' && c.status === 'open' && c.stepKey === key && closed.has(c.eventId));
  for (const other of items) {
    draft.conflicts.set(other.conflictId, {
      ...other,
      status: 'resolved',
      resolution: { action: 'void', eventId: event.id, signature: event.payload.signature },
    });
  }
}

function voidOnStep(draft: PlantDraft, key: string, eventId: string): void {
  const record = draft.steps.get(key);
  if (record !== undefined) {
    const kept: StepRecord = {
      ...(record.started !== undefined && record.started.eventId !== eventId ? { started: record.started } : {}),
      ...(record.completed !== undefined && record.completed.eventId !== eventId ? { completed: record.completed } : {}),
    };
    if (kept.started !== record.started || kept.completed !== record.completed) draft.steps.set(key, kept);
  }
  const consumptions = draft.consumptions.get(key) ?? [];
  const voided = consumptions.find((c) => c.eventId === eventId);
  if (voided !== undefined) {
    draft.consumptions.set(key, consumptions.filter((c) => c !== voided));
    const material = voided.material;
    if (material.kind === 'lot') {
      const lot = draft.lots.get(material.lotId);
      // What was returned already went back to the lot.
      if (lot !== undefined) draft.lots.set(lot.lotId, { ...lot, remaining: lot.remaining + netQuantity(voided) });
    } else {
      const serial = draft.serials.get(material.serial);
      if (serial?.consumedInto?.eventId === eventId) {
        draft.serials.set(serial.serial, {
          serial: serial.serial,
          partNumber: serial.partNumber,
          ...(serial.workOrderId === undefined ? {} : { workOrderId: serial.workOrderId }),
          ...(serial.scrapped === undefined ? {} : { scrapped: serial.scrapped }),
        });
      }
    }
  }
}

function applyMeasurement(draft: PlantDraft, event: EventOf<'measurement.recorded'>): void {
  const { workOrderId, unit, operationId, characteristicId } = event.payload;
  // A re-inspection an NCR's rework inserted is judged by the characteristic it copied from the routing.
  const characteristic = findOperation(draft, workOrderId, operationId, unit)?.characteristics.find((c) => c.id === characteristicId);
  // The rule decides from the characteristic it knows; the station's own verdict is kept in the event.
  const result = characteristic === undefined ? event.payload.result : measurementResult(characteristic, event.payload.measured);
  const key = characteristicKey(workOrderId, unit, operationId, characteristicId);
  draft.measurements.set(key, [...(draft.measurements.get(key) ?? []), { ...mark(event), event, result }]);
  if (result === 'pass') return;

  const holdId = holdIdForMeasurement(event.id);
  const name = characteristic?.name ?? characteristicId;
  const shown =
    event.payload.measured.kind === 'variable'
      ? `${event.payload.measured.value} ${event.payload.measured.unit}`
      : event.payload.measured.verdict;
  const description = `${name} on ${unitLabel(unit)} at ${operationId} measured ${shown}: outside tolerance`;
  draft.holds.set(holdId, {
    holdId,
    subject: unit,
    reason: description,
    placedBy: event.actor,
    placedAt: event.deviceTime,
    sourceEventId: event.id,
    status: 'active',
  });
  openNcrFromEvent(draft, ncrIdForMeasurement(event.id), unit, description, event, {
    workOrderId,
    operationId,
    characteristicId,
    holdId,
    openedBy: event.actor,
  });
}
