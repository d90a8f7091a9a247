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
import { programsNamedIn, type ProgramIndex } from '../sync/program-tokens.ts';
import type { Station, Store } from '../store/store.ts';

export { programIndex } from '../sync/scope.ts';
export type { ProgramIndex } from '../sync/program-tokens.ts';

/** The programs the entry with this stored text concerns; every program when it cannot be read. */
export function programsOfEntry(index: ProgramIndex, entryText: string): Set<string> {
  let entry: AuditEntry;
  try {
    entry = JSON.parse(entryText) as AuditEntry;
  } catch {
    return new Set(index.programs);
  }
  return programsNamedIn(index, entry);
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
