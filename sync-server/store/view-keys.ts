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

/** The scope of master data, roster, stock material and quarantine: the whole plant. */
export const PLANT_WIDE: ViewScope = { program: null, workCenterIds: null };

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
