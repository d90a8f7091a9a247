/**
 * Who may see each view, and which program an event concerns. A work order's program and the work
 * centers of its routing carry over to everything about it: its serials and lots, the steps of its
 * traveler, holds, NCRs and conflict items. Master data, the roster and stock material are
 * plant-wide. Quarantine is scoped by what its content says (docs/sync-spec.md S12): a refused event
 * to the program it records work on and every program its raw content or reason names; one naming
 * several programs, one about something the server does not have, and raw content that is not an
 * event at all (it cannot be classified) only to stations cleared for every program. Scopes are
 * computed when a view is written and stored beside it, so a pull filters in SQL.
 */
import type { HoldSubject } from '../../schemas/common.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { validateEvent } from '../../schemas/validate.ts';
import type { ViewData, ViewKind } from '../../schemas/view-doc.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import { routingOf } from '../../src/domain/plant.ts';
import type { QuarantineEntry } from '../../schemas/quarantine.ts';
import { EVERY_PROGRAM_SCOPE, PLANT_WIDE, type ViewScope } from '../store/view-keys.ts';
import { programsNamedIn, type ProgramIndex } from './program-tokens.ts';

const workOrderScopes = new WeakMap<WorkOrder, { routing: unknown; scope: ViewScope }>();
const lotOwners = new WeakMap<PlantState['workOrders'], Map<string, string>>();

/** The scope of a work order: its program and the work centers its routing passes through. */
export function workOrderScope(state: PlantState, workOrderId: string): ViewScope {
  const workOrder = state.workOrders.get(workOrderId);
  if (workOrder === undefined) return PLANT_WIDE;
  const routing = routingOf(state, workOrder);
  const cached = workOrderScopes.get(workOrder);
  if (cached !== undefined && cached.routing === routing) return cached.scope;
  const workCenterIds = routing === undefined ? null : [...new Set(routing.operations.map((op) => op.workCenterId))].sort();
  const scope: ViewScope = { program: workOrder.program, workCenterIds };
  workOrderScopes.set(workOrder, { routing, scope });
  return scope;
}

/** The work order whose traveler runs on this lot, if any (a lot-tracked order's unit). */
function lotOwner(state: PlantState, lotId: string): string | undefined {
  let owners = lotOwners.get(state.workOrders);
  if (owners === undefined) {
    owners = new Map();
    for (const workOrder of state.workOrders.values()) {
      for (const unit of workOrder.units) if (unit.kind === 'lot') owners.set(unit.lotId, workOrder.id);
    }
    lotOwners.set(state.workOrders, owners);
  }
  return owners.get(lotId);
}

function subjectScope(state: PlantState, subject: HoldSubject): ViewScope {
  switch (subject.kind) {
    case 'workOrder':
      return workOrderScope(state, subject.workOrderId);
    case 'serial': {
      const owner = state.serials.get(subject.serial)?.workOrderId;
      return owner === undefined ? PLANT_WIDE : workOrderScope(state, owner);
    }
    case 'lot':
      return lotScope(state, subject.lotId, 0);
  }
}

/** How many splits and merges back a lot's program is looked for. */
const MAX_LOT_ORIGINS = 32;

/**
 * The scope of a lot: its work order's, if a work order runs on it; else, for a lot made by a split or
 * a merge, the program of the lots it was made from (a lot split off a program's production lot is
 * that program's; one merged from several programs' lots only stations cleared for every program
 * see); else plant-wide (stock material).
 */
function lotScope(state: PlantState, lotId: string, depth: number): ViewScope {
  const owner = lotOwner(state, lotId);
  if (owner !== undefined) return workOrderScope(state, owner);
  const origin = state.lots.get(lotId)?.origin;
  if (origin === undefined || depth >= MAX_LOT_ORIGINS) return PLANT_WIDE;
  const programs = new Set<string>();
  for (const from of origin.from) {
    const scope = lotScope(state, from.lotId, depth + 1);
    if (scope === EVERY_PROGRAM_SCOPE) return EVERY_PROGRAM_SCOPE;
    if (scope.program !== null) programs.add(scope.program);
  }
  const [only, ...more] = programs;
  if (only === undefined) return PLANT_WIDE;
  return more.length === 0 ? { program: only, workCenterIds: null } : EVERY_PROGRAM_SCOPE;
}

/** Who may see a view of this kind and data, in this plant. */
export function scopeOf<K extends ViewKind>(state: PlantState, kind: K, data: ViewData[K]): ViewScope {
  switch (kind) {
    case 'workOrder':
      return workOrderScope(state, (data as ViewData['workOrder']).id);
    case 'step':
      return workOrderScope(state, (data as ViewData['step']).workOrderId);
    case 'serial': {
      const owner = (data as ViewData['serial']).workOrderId;
      return owner === undefined ? PLANT_WIDE : workOrderScope(state, owner);
    }
    case 'lot':
      return subjectScope(state, { kind: 'lot', lotId: (data as ViewData['lot']).lotId });
    case 'hold':
      return subjectScope(state, (data as ViewData['hold']).subject);
    case 'nonconformance': {
      const ncr = data as ViewData['nonconformance'];
      return ncr.workOrderId === undefined ? subjectScope(state, ncr.subject) : workOrderScope(state, ncr.workOrderId);
    }
    case 'conflict': {
      const conflict = data as ViewData['conflict'];
      if (conflict.workOrderId !== undefined) return workOrderScope(state, conflict.workOrderId);
      return conflict.subject === undefined ? PLANT_WIDE : subjectScope(state, conflict.subject);
    }
    case 'quarantine':
      return quarantineScope(state, data as ViewData['quarantine']);
    default:
      return PLANT_WIDE;
  }
}

/**
 * A refused event still carries its program's data, and refused input may name any program: only
 * stations cleared for all it names may read it, and input that cannot be classified (not an event,
 * or about something the server does not have, which may be another program's) only stations
 * cleared for every program.
 */
function quarantineScope(state: PlantState, entry: QuarantineEntry): ViewScope {
  const raw = validateEvent(entry.raw);
  if (!raw.ok) return EVERY_PROGRAM_SCOPE;
  const own = programOfEvent(state, raw.value);
  if (own === null && refersToUnknown(state, raw.value)) return EVERY_PROGRAM_SCOPE;
  const programs = programsNamedIn(programIndex(state), [entry.raw, entry.reason]);
  if (own !== null) programs.add(own);
  const [only, ...more] = programs;
  if (only === undefined) return PLANT_WIDE;
  return more.length === 0 ? { program: only, workCenterIds: null } : EVERY_PROGRAM_SCOPE;
}

/** Whether an event names a work order, hold subject, hold or conflict item the plant does not have. */
function refersToUnknown(state: PlantState, event: StationEvent): boolean {
  switch (event.type) {
    case 'op.started':
    case 'op.completed':
    case 'material.consumed':
    case 'measurement.recorded':
      return !state.workOrders.has(event.payload.workOrderId);
    case 'hold.placed': {
      const { subject } = event.payload;
      if (subject.kind === 'workOrder') return !state.workOrders.has(subject.workOrderId);
      if (subject.kind === 'serial' ? state.serials.has(subject.serial) : state.lots.has(subject.lotId)) return false;
      return programIndex(state).owners.get(subject.kind === 'serial' ? subject.serial : subject.lotId) === undefined;
    }
    case 'hold.released':
      return !state.holds.has(event.payload.holdId);
    case 'conflict.resolved':
      return !state.conflicts.has(event.payload.conflictId);
    case 'ncr.opened':
      return !state.workOrders.has(event.payload.workOrderId);
    case 'ncr.dispositioned':
    case 'ncr.rework-recorded':
    case 'ncr.containment-extended':
      return !state.nonconformances.has(event.payload.ncrId);
    case 'lot.split':
    case 'lot.repacked':
      return unknownUnit(state, { kind: 'lot', lotId: event.payload.lot.lotId });
    case 'lot.merged':
      return event.payload.sources.some((source) => unknownUnit(state, { kind: 'lot', lotId: source.lotId }));
    case 'unit.scrapped':
      return unknownUnit(state, event.payload.item);
    case 'material.returned':
    case 'unit.shipped':
      return !state.workOrders.has(event.payload.workOrderId);
    case 'session.signed-in':
    case 'session.signed-out':
      return false;
  }
}

/** Whether the plant has neither this serial or lot nor a work order unit of that name. */
function unknownUnit(state: PlantState, unit: { kind: 'serial'; serial: string } | { kind: 'lot'; lotId: string }): boolean {
  if (unit.kind === 'serial' ? state.serials.has(unit.serial) : state.lots.has(unit.lotId)) return false;
  return programIndex(state).owners.get(unit.kind === 'serial' ? unit.serial : unit.lotId) === undefined;
}

const programLists = new WeakMap<PlantState['workOrders'], string[]>();

/** Every program a work order of the plant names, sorted (kept per work-order map: most batches leave it as it was). */
export function plantPrograms(state: PlantState): readonly string[] {
  let programs = programLists.get(state.workOrders);
  if (programs === undefined) {
    programs = [...new Set([...state.workOrders.values()].map((workOrder) => workOrder.program))].sort();
    programLists.set(state.workOrders, programs);
  }
  return programs;
}

const indexes = new WeakMap<PlantState, ProgramIndex>();

/** The program index of a plant (./program-tokens.ts), computed once per plant state: a new state comes with each commit. */
export function programIndex(state: PlantState): ProgramIndex {
  const cached = indexes.get(state);
  if (cached !== undefined) return cached;
  const programs = new Set<string>();
  const owners = new Map<string, string>();
  const own = (id: string | undefined, program: string | null | undefined): void => {
    if (id !== undefined && program !== null && program !== undefined) owners.set(id, program);
  };
  for (const workOrder of state.workOrders.values()) {
    programs.add(workOrder.program);
    own(workOrder.id, workOrder.program);
    for (const unit of workOrder.units) own(unit.kind === 'serial' ? unit.serial : unit.lotId, workOrder.program);
  }
  for (const serial of state.serials.values()) {
    if (serial.workOrderId !== undefined) own(serial.serial, state.workOrders.get(serial.workOrderId)?.program);
  }
  // Lots made by a split or merge of a program's lots belong to that program.
  for (const lot of state.lots.values()) if (lot.origin !== undefined) own(lot.lotId, lotScope(state, lot.lotId, 0).program);
  for (const hold of state.holds.values()) own(hold.holdId, scopeOf(state, 'hold', hold).program);
  for (const ncr of state.nonconformances.values()) own(ncr.ncrId, scopeOf(state, 'nonconformance', ncr).program);
  for (const conflict of state.conflicts.values()) own(conflict.conflictId, scopeOf(state, 'conflict', conflict).program);
  const index: ProgramIndex = {
    programs,
    owners,
    unclassifiable: (raw) => {
      const event = validateEvent(raw);
      return !event.ok || (programOfEvent(state, event.value) === null && refersToUnknown(state, event.value));
    },
  };
  indexes.set(state, index);
  return index;
}

/** The program an event records work on, or null for one that concerns no program (a sign-in). */
export function programOfEvent(state: PlantState, event: StationEvent): string | null {
  switch (event.type) {
    case 'op.started':
    case 'op.completed':
    case 'material.consumed':
    case 'measurement.recorded':
      return workOrderScope(state, event.payload.workOrderId).program;
    case 'hold.placed':
      return subjectScope(state, event.payload.subject).program;
    case 'hold.released': {
      const hold = state.holds.get(event.payload.holdId);
      return hold === undefined ? null : scopeOf(state, 'hold', hold).program;
    }
    case 'conflict.resolved': {
      const conflict = state.conflicts.get(event.payload.conflictId);
      return conflict === undefined ? null : scopeOf(state, 'conflict', conflict).program;
    }
    case 'ncr.opened':
      return workOrderScope(state, event.payload.workOrderId).program;
    case 'ncr.dispositioned':
    case 'ncr.rework-recorded':
    case 'ncr.containment-extended': {
      const ncr = state.nonconformances.get(event.payload.ncrId);
      return ncr === undefined ? workOrderScope(state, event.payload.workOrderId).program : scopeOf(state, 'nonconformance', ncr).program;
    }
    case 'lot.split':
    case 'lot.repacked':
      return subjectScope(state, { kind: 'lot', lotId: event.payload.lot.lotId }).program;
    case 'lot.merged': {
      // Every source's program: a merge across programs concerns each (S10 then refuses it to a station not cleared for all).
      for (const source of event.payload.sources) {
        const program = subjectScope(state, { kind: 'lot', lotId: source.lotId }).program;
        if (program !== null) return program;
      }
      return null;
    }
    case 'unit.scrapped':
      return subjectScope(state, event.payload.item).program;
    case 'material.returned':
    case 'unit.shipped':
      return workOrderScope(state, event.payload.workOrderId).program;
    case 'session.signed-in':
    case 'session.signed-out':
      return null;
  }
}

/** Whether two scopes say the same. */
export function sameScope(a: ViewScope, b: ViewScope): boolean {
  if (a.program !== b.program) return false;
  if (a.workCenterIds === null || b.workCenterIds === null) return a.workCenterIds === b.workCenterIds;
  return a.workCenterIds.length === b.workCenterIds.length && a.workCenterIds.every((id, i) => id === b.workCenterIds?.[i]);
}
