import type { Rule } from './types.ts';
import { containedQuantity, describeStop, ncrContainingLot, ncrLabel, ncrStopOn } from '../ncr.ts';
import { stepKey, unitLabel } from '../plant.ts';
import { stepTarget } from './helpers.ts';
import { ncrStopAt } from '../rework.ts';

/**
 * C30: work recorded (offline) on a unit that an NCR earlier in server order stops: it contains the
 * unit, its rework or repair is not recorded yet, or the unit was scrapped or returned; or material
 * consumed that such an NCR stops (a serial, or a lot quantity it contains). Evidence is never
 * dropped: recorded, flagged `worked-under-ncr`, a supervisor's work item; the NCR stays as it is.
 */
export const workedUnderNcr: Rule = ({ state, event }) => {
  if (event.type !== 'op.started' && event.type !== 'op.completed' && event.type !== 'material.consumed') return [];
  const target = stepTarget(event);
  if (target === undefined) return [];
  const base = { rule: 'C30' as const, flag: 'worked-under-ncr' as const, workOrderId: target.workOrderId, stepKey: stepKey(target.workOrderId, target.unit, target.operationId) };
  // The operations a rework or repair inserted are the way out of its stop, not work under it.
  const stop = ncrStopAt(state, target.workOrderId, target.unit, target.operationId);
  if (stop !== undefined) {
    return [{ ...base, subject: target.unit, related: [stop.ncr.sourceEventId], description: `${event.type} at ${target.operationId} while ${describeStop(stop, target.unit, state)}` }];
  }
  if (event.type !== 'material.consumed') return [];
  const material = event.payload.material;
  if (material.kind === 'serial') {
    const unit = { kind: 'serial', serial: material.serial } as const;
    const materialStop = ncrStopOn(state, unit);
    if (materialStop === undefined) return [];
    return [{ ...base, subject: unit, related: [materialStop.ncr.sourceEventId], description: `Serial ${material.serial} consumed into ${unitLabel(target.unit)} while ${describeStop(materialStop, unit, state)}` }];
  }
  const lot = state.lots.get(material.lotId);
  const contained = containedQuantity(state, material.lotId);
  if (lot === undefined || contained === 0 || material.quantity <= lot.remaining - contained) return [];
  const ncr = ncrContainingLot(state, material.lotId);
  return [{
    ...base,
    subject: { kind: 'lot', lotId: material.lotId },
    related: ncr === undefined ? [] : [ncr.sourceEventId],
    description: `${material.quantity} of lot ${material.lotId} consumed into ${unitLabel(target.unit)} while ${contained} of its ${lot.remaining} were held by ${ncr === undefined ? 'an NCR' : ncrLabel(ncr)}`,
  }];
};
