/**
 * Which programs an audit entry concerns, so that the audit routes disclose to a station only what
 * it is cleared for (docs/sync-spec.md S10, S20), as pull does.
 *
 * An entry is read as the plant's identifiers it names: every string in it (the event as signed,
 * the unit, a refused push's raw body, a master-data entry's list of views, a reason) is cut into
 * tokens, and each token is looked up among the identifiers that belong to a program: work orders,
 * their serials and lots, and the holds, NCRs and conflict items scoped to them, and the program
 * names themselves. An entry concerns every program one of its tokens belongs to. This errs towards
 * withholding: an entry that merely mentions another program's serial in a reason is withheld too,
 * and an entry whose text cannot be read concerns every program.
 */
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import type { PlantService } from '../sync/plant-service.ts';
import { scopeOf } from '../sync/scope.ts';
import type { Station, Store } from '../store/store.ts';

/** The identifiers that belong to a program, and the programs of the plant. */
export interface ProgramIndex {
  /** Every program a work order of the plant names. */
  programs: ReadonlySet<string>;
  /** Work order, serial, lot, hold, NCR and conflict ids → the program they belong to. */
  owners: ReadonlyMap<string, string>;
}

const indexes = new WeakMap<PlantState, ProgramIndex>();

/** The index of a plant (computed once per plant state: a new state comes with each commit). */
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
  for (const hold of state.holds.values()) own(hold.holdId, scopeOf(state, 'hold', hold).program);
  for (const ncr of state.nonconformances.values()) own(ncr.ncrId, scopeOf(state, 'nonconformance', ncr).program);
  for (const conflict of state.conflicts.values()) own(conflict.conflictId, scopeOf(state, 'conflict', conflict).program);
  const index = { programs, owners };
  indexes.set(state, index);
  return index;
}

// Where identifiers meet other text: `serial:SN-1`, `WO-1|serial:SN-1|OP10`, sentences, lists.
const SEPARATORS = /[\s|:,;()[\]{}"'`<>=]+/;
const EDGE_PUNCTUATION = /^[.,;:!?]+|[.,;:!?]+$/g;

function tokensOf(text: string): string[] {
  const tokens = [text];
  for (const word of text.split(/\s+/)) tokens.push(word, word.replace(EDGE_PUNCTUATION, ''));
  for (const part of text.split(SEPARATORS)) tokens.push(part, part.replace(EDGE_PUNCTUATION, ''));
  return tokens;
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      collectStrings(item, into);
    }
  }
}

/** The programs the entry with this stored text concerns; every program when it cannot be read. */
export function programsOfEntry(index: ProgramIndex, entryText: string): Set<string> {
  let entry: AuditEntry;
  try {
    entry = JSON.parse(entryText) as AuditEntry;
  } catch {
    return new Set(index.programs);
  }
  const strings: string[] = [];
  collectStrings(entry, strings);
  const found = new Set<string>();
  for (const text of strings) {
    for (const token of tokensOf(text)) {
      if (token === '') continue;
      const owner = index.owners.get(token);
      if (owner !== undefined) found.add(owner);
      if (index.programs.has(token)) found.add(token);
    }
  }
  return found;
}

/** Whether a station cleared for `station.programs` may read something concerning `programs`. */
export function cleared(station: Station, programs: Iterable<string>): boolean {
  for (const program of programs) if (!station.programs.includes(program)) return false;
  return true;
}

/**
 * The program a unit (`serial:SN-…`, `lot:…`) belongs to, or null for a unit of no work order (stock
 * material, or a serial the plant does not have).
 */
export function programOfUnit(index: ProgramIndex, unit: string): string | null {
  const colon = unit.indexOf(':');
  return index.owners.get(colon < 0 ? unit : unit.slice(colon + 1)) ?? null;
}

/**
 * The plant at least as new as every entry committed so far: read it after reading the entries.
 * Entries are appended in the transaction of the views they record, and the plant service swaps its
 * plant in just after that commits (or, with several servers on one PostgreSQL, at its next batch),
 * so a plant older than the store is loaded again; without it a new work order's entries would be
 * classified against a plant that does not know its program yet, and disclosed.
 */
export async function currentPlant(plant: PlantService, store: Store): Promise<PlantState> {
  if (plant.sequence() < (await store.sequence())) await plant.load();
  return plant.state();
}
