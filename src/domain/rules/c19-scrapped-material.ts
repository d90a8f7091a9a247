import type { UnitRef } from '../../../schemas/common.ts';
import type { Rule } from './types.ts';
import { stepKey, unitLabel } from '../plant.ts';
import { placeHold } from './helpers.ts';

function unitOfKey(key: string): UnitRef | undefined {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon);
  const id = key.slice(colon + 1);
  if (kind === 'serial') return { kind: 'serial', serial: id };
  if (kind === 'lot') return { kind: 'lot', lotId: id };
  return undefined;
}

/**
 * C19: scrapped material built in, either way round in server order: a serial scrapped on one
 * station and built into an assembly on another (or built in first, scrapped after), or a lot whose
 * scrapped quantity leaves less than is consumed or scrapped from it. Recorded (evidence is never
 * dropped), flagged `scrapped-material`; the assembly that holds the scrapped serial goes on hold
 * `H-<event>`, a lot too. Takes the place of C5 for a lot scrapped from.
 */
export const scrappedMaterial: Rule = ({ state, event }) => {
  if (event.type === 'material.consumed') {
    const { workOrderId, unit, operationId, material } = event.payload;
    const key = stepKey(workOrderId, unit, operationId);
    if (material.kind === 'serial') {
      const scrapped = state.serials.get(material.serial)?.scrapped;
      if (scrapped === undefined) return [];
      const description = `Serial ${material.serial} was scrapped (${scrapped.reason}); built into ${unitLabel(unit)} (${workOrderId}) at ${operationId}`;
      return [{
        rule: 'C19', flag: 'scrapped-material', description, related: [scrapped.eventId], subject: unit, workOrderId, stepKey: key,
        effect: (draft) => placeHold(draft, `H-${event.id}`, unit, description, event),
      }];
    }
    const lot = state.lots.get(material.lotId);
    if (lot === undefined || (lot.scrapped?.length ?? 0) === 0 || (lot.movedOut?.length ?? 0) > 0 || material.quantity <= lot.remaining) return [];
    const description = `Lot ${material.lotId} had ${lot.remaining} remaining after scrap in server order; ${material.quantity} built into ${unitLabel(unit)} at ${operationId}`;
    return [{
      rule: 'C19', flag: 'scrapped-material', description, related: (lot.scrapped ?? []).map((s) => s.eventId), subject: { kind: 'lot', lotId: lot.lotId }, workOrderId, stepKey: key,
      effect: (draft) => placeHold(draft, `H-${event.id}`, { kind: 'lot', lotId: lot.lotId }, description, event),
    }];
  }
  if (event.type === 'unit.scrapped') {
    const { item } = event.payload;
    if (item.kind === 'serial') {
      const into = state.serials.get(item.serial)?.consumedInto;
      if (into === undefined) return [];
      const assembly = unitOfKey(into.unitKey);
      const description = `Serial ${item.serial} scrapped by ${event.actor} (${event.payload.reason}) after it was built into ${assembly === undefined ? into.unitKey : unitLabel(assembly)} (${into.workOrderId})`;
      return [{
        rule: 'C19', flag: 'scrapped-material', description, related: [into.eventId], workOrderId: into.workOrderId,
        ...(assembly === undefined ? {} : { subject: assembly }),
        effect: (draft) => {
          if (assembly !== undefined) placeHold(draft, `H-${event.id}`, assembly, description, event);
        },
      }];
    }
    const lot = state.lots.get(item.lotId);
    if (lot === undefined || item.quantity <= lot.remaining) return [];
    const description = `Lot ${item.lotId} had ${lot.remaining} remaining in server order; ${item.quantity} scrapped by ${event.actor}`;
    return [{
      rule: 'C19', flag: 'scrapped-material', description, subject: { kind: 'lot', lotId: item.lotId },
      effect: (draft) => placeHold(draft, `H-${event.id}`, { kind: 'lot', lotId: item.lotId }, description, event),
    }];
  }
  return [];
};
