import type { Rule } from './types.ts';
import { stepKey } from '../plant.ts';
import { openNcrFromEvent } from '../ncr.ts';
import { placeHold } from './helpers.ts';

/**
 * C5: a lot consumed beyond what remains. Recorded as consumed (the material is in the part), flagged
 * `over-consumption`, the lot put on hold and an NCR (`NCR-<event id>`) opened on what the lot had left: it
 * contains the lot until quality dispositions it (docs/ncr.md); the disposition that decides the
 * last of it releases the hold, as for C3.
 */
export const overConsumption: Rule = ({ state, event }) => {
  if (event.type !== 'material.consumed' || event.payload.material.kind !== 'lot') return [];
  const { lotId, quantity } = event.payload.material;
  const lot = state.lots.get(lotId);
  if (lot === undefined || quantity <= lot.remaining) return [];
  // A lot split, merged or scrapped from: C18 or C19 says where the material went instead.
  if ((lot.movedOut?.length ?? 0) > 0 || (lot.scrapped?.length ?? 0) > 0) return [];
  const description = `Lot ${lotId} had ${lot.remaining} remaining in server order; ${quantity} consumed at ${event.payload.operationId}`;
  return [{
    rule: 'C5',
    flag: 'over-consumption',
    description,
    subject: { kind: 'lot', lotId },
    workOrderId: event.payload.workOrderId,
    stepKey: stepKey(event.payload.workOrderId, event.payload.unit, event.payload.operationId),
    effect: (draft) => {
      placeHold(draft, `H-${event.id}`, { kind: 'lot', lotId }, description, event);
      openNcrFromEvent(draft, `NCR-${event.id}`, { kind: 'lot', lotId }, description, event, {
        workOrderId: event.payload.workOrderId, operationId: event.payload.operationId, holdId: `H-${event.id}`,
      });
      // The NCR names what the lot had left to count (not its received size): that is in question.
      const ncr = draft.nonconformances.get(`NCR-${event.id}`);
      const counted = Math.max(1, Math.floor(lot.remaining));
      if (ncr?.items !== undefined) draft.nonconformances.set(ncr.ncrId, { ...ncr, items: ncr.items.map((item) => ({ ...item, quantity: counted })) });
    },
  }];
};
