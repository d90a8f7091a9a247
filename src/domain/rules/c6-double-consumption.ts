import type { UnitRef } from '../../../schemas/common.ts';
import type { Rule } from './types.ts';
import { stepKey, unitLabel } from '../plant.ts';
import { openNcrFromEvent } from '../ncr.ts';
import { placeHold } from './helpers.ts';

function unitOfKey(key: string): UnitRef | undefined {
  const [kind, ...rest] = key.split(':');
  const id = rest.join(':');
  if (kind === 'serial') return { kind: 'serial', serial: id };
  if (kind === 'lot') return { kind: 'lot', lotId: id };
  return undefined;
}

/**
 * C6: one serial consumed into two assemblies. The first in server order keeps it; the second is
 * recorded, flagged `double-consumption`, both assemblies go on hold, and each gets an NCR that
 * contains it until quality dispositions it (docs/ncr.md): `NCR-<event id>` on the second assembly,
 * `NCR-<first consumption's id>-C6` on the first (one NCR per assembly, so each stays with its own
 * work order and program). The disposition that decides an NCR's item releases its hold.
 */
export const doubleConsumption: Rule = ({ state, event }) => {
  if (event.type !== 'material.consumed' || event.payload.material.kind !== 'serial') return [];
  const { serial } = event.payload.material;
  const first = state.serials.get(serial)?.consumedInto;
  if (first === undefined || first.eventId === event.id) return [];
  const { unit, workOrderId, operationId } = event.payload;
  const firstUnit = unitOfKey(first.unitKey);
  const description = `Serial ${serial} was already built into ${firstUnit === undefined ? first.unitKey : unitLabel(firstUnit)} (${first.workOrderId}); consumed again into ${unitLabel(unit)} (${workOrderId})`;
  return [{
    rule: 'C6',
    flag: 'double-consumption',
    description,
    related: [first.eventId],
    subject: unit,
    workOrderId,
    stepKey: stepKey(workOrderId, unit, operationId),
    effect: (draft) => {
      placeHold(draft, `H-${event.id}-1`, unit, description, event);
      openNcrFromEvent(draft, `NCR-${event.id}`, unit, description, event, { workOrderId, operationId, holdId: `H-${event.id}-1` });
      if (firstUnit !== undefined) {
        placeHold(draft, `H-${event.id}-2`, firstUnit, description, event);
        openNcrFromEvent(draft, `NCR-${first.eventId}-C6`, firstUnit, description, event, { workOrderId: first.workOrderId, holdId: `H-${event.id}-2` });
      }
    },
  }];
};
