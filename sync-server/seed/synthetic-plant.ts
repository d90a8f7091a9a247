/**
 * Synthetic work orders for benchmarks and load tests: many serialized orders of the demo part
 * P-100 rev C, so a run has units no one else touches. Written through the plant
 * (PlantService.putViews) they get their program scopes like any other.
 */
import type { SerialUnit } from '../../schemas/serial-unit.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import { viewOf, type ViewWrite } from '../store/view-keys.ts';

/** Options of {@link syntheticWorkOrders}. */
export interface SyntheticOptions {
  /** Prefix of the work order ids, so several runs on one plant do not collide. */
  prefix: string;
  orders: number;
  unitsPerOrder: number;
  program?: string;
}

/** The work orders and their serials, as views; serials are `SN-<order>-<n>`. */
export function syntheticWorkOrders(options: SyntheticOptions): { views: ViewWrite[]; workOrders: WorkOrder[] } {
  const views: ViewWrite[] = [];
  const workOrders: WorkOrder[] = [];
  for (let o = 1; o <= options.orders; o++) {
    const id = `${options.prefix}-${String(o).padStart(5, '0')}`;
    const serials: SerialUnit[] = Array.from({ length: options.unitsPerOrder }, (_, u) => ({ serial: `SN-${id}-${u + 1}`, partNumber: 'P-100', workOrderId: id }));
    const workOrder: WorkOrder = {
      id, partNumber: 'P-100', partRevision: 'C', quantity: options.unitsPerOrder, tracking: 'serial',
      units: serials.map((s) => ({ kind: 'serial', serial: s.serial })), program: options.program ?? 'COMMERCIAL', dueDate: '2027-06-30',
    };
    workOrders.push(workOrder);
    views.push(viewOf('workOrder', workOrder), ...serials.map((s) => viewOf('serial', s)));
  }
  return { views, workOrders };
}
