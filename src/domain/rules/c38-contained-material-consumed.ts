import type { Rule } from './types.ts';
import { containInto, containmentHolding } from '../containment.ts';
import { ncrLabel, wholeQuantity } from '../ncr.ts';
import { stepKey, unitLabel } from '../plant.ts';

/**
 * C38: containment follows the material. A consumption, in server order, of a serial or lot that an
 * NCR contains through genealogy (a containment's suspect lot, its rest, or a unit made from it, not
 * yet dispositioned) contains the unit it went into too, on the same NCR (or its program's companion),
 * naming the suspect lot. This is how a unit built on another station offline, whose consumption the
 * signer's station could not know, is held once it reaches the server. The consumption is recorded as
 * evidence; C30 flags it as work under an NCR for a supervisor; C38 adds no flag of its own.
 */
export const containedMaterialConsumed: Rule = ({ state, event }) => {
  if (event.type !== 'material.consumed') return [];
  const { material, unit, workOrderId, operationId } = event.payload;
  const ref = material.kind === 'serial' ? { kind: 'serial' as const, serial: material.serial } : { kind: 'lot' as const, lotId: material.lotId };
  const found = containmentHolding(state, ref);
  if (found === undefined) return [];
  const description = `${unitLabel(unit)} consumed ${unitLabel(ref)}, which ${ncrLabel(found.ncr)} contains (made from suspect lot ${found.lotId}): ${unitLabel(unit)} is contained too`;
  return [{
    rule: 'C38',
    description,
    subject: unit,
    workOrderId,
    stepKey: stepKey(workOrderId, unit, operationId),
    effect: (draft) => {
      const ncr = draft.nonconformances.get(found.ncr.ncrId);
      if (ncr === undefined) return;
      containInto(draft, ncr, [{ unit, quantity: wholeQuantity(draft, unit, workOrderId), kind: 'made', path: [found.lotId, unitLabel(ref), unitLabel(unit)], workOrderId }], {
        eventId: event.id, lotId: found.lotId, actor: event.actor, at: event.deviceTime,
      });
    },
  }];
};
