import type { PlantState } from '../plant.ts';
import type { Finding, Rule } from './types.ts';
import { netQuantity, stepKey, unitKey, unitLabel } from '../plant.ts';
import { operationOf } from './helpers.ts';

function refusal(reason: string): Finding[] {
  return [{ rule: 'C20', reject: reason, description: reason }];
}

/** Why a lot reference does not hold (unknown, or of another part), or null. */
function lotProblem(state: PlantState, type: string, lotId: string, partNumber: string): string | null {
  const lot = state.lots.get(lotId);
  if (lot === undefined) return `${type} names lot ${lotId}, which the server does not have`;
  if (lot.partNumber !== partNumber) return `${type} says lot ${lotId} is part ${partNumber}; it is part ${lot.partNumber}`;
  return null;
}

/** Why a new lot's id cannot be used (a lot or serial already has it, or it is named twice), or null. */
function newLotProblem(state: PlantState, type: string, ids: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) return `${type} names new lot ${id} twice`;
    seen.add(id);
    if (state.lots.has(id) || state.serials.has(id)) return `${type} names new lot ${id}, which already exists`;
  }
  return null;
}

/**
 * C20: genealogy that does not hold together, refused into quarantine with the reason (a refusal
 * changes nothing):
 * - mixed tracking levels: a serialized part consumed as a lot quantity, or a lot-tracked part
 *   consumed by serial;
 * - a split, merge, repack or scrap naming a lot or serial the server does not have, or of another part; a
 *   split, merge or repack into a lot id already in use; a merge of lots of different parts;
 * - a return of a consumption the server does not have at that step, of other material, or of more
 *   than is still built in (two stations returned the same material).
 * About another program's lot or serial it reads exactly as about one the server does not have (S10).
 */
export const genealogyReference: Rule = ({ state, event }) => {
  switch (event.type) {
    case 'material.consumed': {
      const { material } = event.payload;
      const part = state.parts.get(material.partNumber);
      if (part === undefined || part.tracking === material.kind) return [];
      return refusal(part.tracking === 'serial'
        ? `Part ${part.partNumber} is serialized: it is consumed by its serial, never as a quantity of lot ${material.kind === 'lot' ? material.lotId : ''}`.trim()
        : `Part ${part.partNumber} is tracked by lot: it is consumed by lot and quantity, not as serial ${material.kind === 'serial' ? material.serial : ''}`.trim());
    }
    case 'lot.split': {
      const { lot, children } = event.payload;
      const problem = lotProblem(state, 'lot.split', lot.lotId, lot.partNumber) ?? newLotProblem(state, 'lot.split', children.map((c) => c.lotId));
      return problem === null ? [] : refusal(problem);
    }
    case 'lot.repacked': {
      const { lot, into } = event.payload;
      const problem = lotProblem(state, 'lot.repacked', lot.lotId, lot.partNumber) ?? newLotProblem(state, 'lot.repacked', [into.lotId]);
      return problem === null ? [] : refusal(problem);
    }
    case 'lot.merged': {
      const { sources, into } = event.payload;
      const named = new Set<string>();
      for (const source of sources) {
        if (named.has(source.lotId)) return refusal(`lot.merged names lot ${source.lotId} twice`);
        named.add(source.lotId);
        const problem = lotProblem(state, 'lot.merged', source.lotId, into.partNumber);
        if (problem !== null) return refusal(problem);
      }
      const problem = newLotProblem(state, 'lot.merged', [into.lotId]);
      return problem === null ? [] : refusal(problem);
    }
    case 'unit.scrapped': {
      const { item } = event.payload;
      if (item.kind === 'lot') {
        const problem = lotProblem(state, 'unit.scrapped', item.lotId, item.partNumber);
        return problem === null ? [] : refusal(problem);
      }
      const serial = state.serials.get(item.serial);
      if (serial === undefined) return refusal(`unit.scrapped names serial ${item.serial}, which the server does not have`);
      if (serial.partNumber !== item.partNumber) return refusal(`unit.scrapped says serial ${item.serial} is part ${item.partNumber}; it is part ${serial.partNumber}`);
      if (serial.scrapped !== undefined) return refusal(`Serial ${item.serial} was already scrapped`);
      return [];
    }
    case 'material.returned': {
      const { workOrderId, operationId, unit, consumedEventId, material } = event.payload;
      const found = operationOf(state, workOrderId, operationId);
      if (found === undefined) return refusal(`material.returned names work order ${workOrderId} / operation ${operationId}, which the server does not have`);
      if (!found.workOrder.units.some((u) => unitKey(u) === unitKey(unit))) return refusal(`${unitLabel(unit)} is not a unit of ${workOrderId}`);
      const consumed = (state.consumptions.get(stepKey(workOrderId, unit, operationId)) ?? []).find((c) => c.eventId === consumedEventId);
      if (consumed === undefined) return refusal(`material.returned names a consumption at ${operationId} on ${unitLabel(unit)} that the server does not have`);
      const same = consumed.material.kind === material.kind && (material.kind === 'lot'
        ? consumed.material.kind === 'lot' && consumed.material.lotId === material.lotId
        : consumed.material.kind === 'serial' && consumed.material.serial === material.serial);
      if (!same) return refusal(`material.returned names other material than the consumption it takes back`);
      const left = netQuantity(consumed);
      const quantity = material.kind === 'lot' ? material.quantity : 1;
      if (quantity > left) return refusal(`Only ${left} of that consumption is still built in on ${unitLabel(unit)}; ${quantity} returned (already returned)`);
      return [];
    }
    default:
      return [];
  }
};
