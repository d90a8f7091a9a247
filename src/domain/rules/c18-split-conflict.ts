import type { Rule } from './types.ts';
import { stepKey, unitLabel } from '../plant.ts';
import { placeHold } from './helpers.ts';

/**
 * C18: a lot split, merged or repacked on one station while another consumed from it offline (a repack
 * moves material out of the lot exactly as a split into one child does: the same collision). Whichever comes
 * second in server order takes more than the lot still holds: a consumption from the parent's label
 * after the split moved its material into child lots, or a split or merge of more than the
 * consumptions left. Recorded (the material moved as recorded), flagged `split-conflict`, the item
 * names the split or merge and where the material went, and the lot goes on hold `H-<event>` until
 * someone counts it. Takes the place of C5 for such a lot.
 */
export const splitConflict: Rule = ({ state, event }) => {
  if (event.type === 'material.consumed' && event.payload.material.kind === 'lot') {
    const { lotId, quantity } = event.payload.material;
    const lot = state.lots.get(lotId);
    const moves = lot?.movedOut ?? [];
    if (lot === undefined || moves.length === 0 || quantity <= lot.remaining) return [];
    const went = moves.map((m) => `${m.kind === 'split' ? 'split into' : m.kind === 'merged' ? 'merged into' : 'repacked as'} ${m.into.join(', ')}`).join('; ');
    const description = `Lot ${lotId} was ${went} (${lot.remaining} left in server order); ${quantity} consumed from it at ${event.payload.operationId} on ${unitLabel(event.payload.unit)}`;
    return [{
      rule: 'C18',
      flag: 'split-conflict',
      description,
      related: moves.map((m) => m.eventId),
      subject: { kind: 'lot', lotId },
      workOrderId: event.payload.workOrderId,
      stepKey: stepKey(event.payload.workOrderId, event.payload.unit, event.payload.operationId),
      effect: (draft) => placeHold(draft, `H-${event.id}`, { kind: 'lot', lotId }, description, event),
    }];
  }
  if (event.type === 'lot.split' || event.type === 'lot.merged' || event.type === 'lot.repacked') {
    const taken = event.type === 'lot.split'
      ? [{ lotId: event.payload.lot.lotId, quantity: event.payload.children.reduce((sum, c) => sum + c.quantity, 0) }]
      : event.type === 'lot.repacked'
        ? [{ lotId: event.payload.lot.lotId, quantity: event.payload.into.quantity }]
        : event.payload.sources;
    const what = event.type === 'lot.split' ? 'split' : event.type === 'lot.repacked' ? 'repacked' : 'merged';
    return taken.flatMap(({ lotId, quantity }) => {
      const lot = state.lots.get(lotId);
      // An unknown lot is C20's refusal.
      if (lot === undefined || quantity <= lot.remaining) return [];
      const description = `Lot ${lotId} had ${lot.remaining} remaining in server order; ${quantity} ${what} by ${event.actor}`;
      return [{
        rule: 'C18' as const,
        flag: 'split-conflict' as const,
        description,
        subject: { kind: 'lot' as const, lotId },
        effect: (draft) => placeHold(draft, `H-${event.id}-${lotId}`.slice(0, 80), { kind: 'lot', lotId }, description, event),
      }];
    });
  }
  return [];
};
