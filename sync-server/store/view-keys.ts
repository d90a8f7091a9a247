import type { ViewData, ViewKind } from '../../schemas/view-doc.ts';
import { viewKeyOf } from '../../src/domain/plant.ts';

/**
 * Who may see a view. `program` null: every station; otherwise only stations cleared for it.
 * `workCenterIds` null: every work center; otherwise only pulls naming one of them.
 */
export interface ViewScope {
  program: string | null;
  workCenterIds: string[] | null;
}

/** The scope of master data, roster and stock material: the whole plant. */
export const PLANT_WIDE: ViewScope = { program: null, workCenterIds: null };

/**
 * The `program` of a view only a station cleared for every program of the plant may see: refused
 * input that cannot be classified, or that names several programs (docs/sync-spec.md S12). Longer
 * than any program name may be (80), so no work order or station can name it.
 */
export const EVERY_PROGRAM = '(every program of the plant: only a station cleared for all of them may see this view)';

/** The scope of {@link EVERY_PROGRAM}. */
export const EVERY_PROGRAM_SCOPE: ViewScope = { program: EVERY_PROGRAM, workCenterIds: null };

/**
 * A view to write: the store assigns its server sequence number. Without `scope` it is plant-wide;
 * writes that go through the plant (sync/plant-service.ts) always carry one.
 */
export type ViewWrite = { [K in ViewKind]: { kind: K; key: string; data: ViewData[K]; scope?: ViewScope } }[ViewKind];

/**
 * The view to write for a document, keyed the way `plantFromViews` (src/domain/plant.ts) indexes
 * it, so `id` = `kind:key` is stable across server and station.
 */
export function viewOf<K extends ViewKind>(kind: K, data: ViewData[K], scope?: ViewScope): ViewWrite {
  return { kind, key: viewKeyOf(kind, data), data, ...(scope === undefined ? {} : { scope }) } as ViewWrite;
}
