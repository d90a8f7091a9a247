/**
 * What a person typed or scanned on the Genealogy screen, as the serial or lot a walk starts from, and
 * the words the screen shows for a walk's relations (docs/genealogy.md). Pure, so it is unit-tested.
 */
import type { GenealogyNode, ItemRef, WalkResult } from '../../domain/genealogy.ts';
import type { PlantState } from '../../domain/plant.ts';

export { scannedItem } from '../scan/scanned-item.ts';

/** The plant's own spelling of what was typed (in any case), and whether this station holds it. */
export function genealogyRefOf(plant: PlantState, typed: string, kind?: ItemRef['kind']): { ref: ItemRef; held: boolean } {
  const id = typed.trim();
  const key = id.toLowerCase();
  for (const lot of plant.lots.keys()) if (lot.toLowerCase() === key) return { ref: { kind: 'lot', lotId: lot }, held: true };
  for (const serial of plant.serials.keys()) if (serial.toLowerCase() === key) return { ref: { kind: 'serial', serial }, held: true };
  for (const workOrder of plant.workOrders.values()) {
    for (const unit of workOrder.units) {
      const label = unit.kind === 'serial' ? unit.serial : unit.lotId;
      if (label.toLowerCase() === key) return { ref: unit, held: true };
    }
  }
  // Not held here: ask the server. As the scan said, or else a lot id looks like L-… or LOT-…, anything else is taken as a serial.
  const upper = id.toUpperCase();
  const lot = (kind ?? (/^(L|LOT)-/.test(upper) ? 'lot' : 'serial')) === 'lot';
  return { ref: lot ? { kind: 'lot', lotId: upper } : { kind: 'serial', serial: upper }, held: false };
}

/** The id people read. */
export function refLabel(ref: ItemRef): string {
  return ref.kind === 'serial' ? ref.serial : ref.lotId;
}

/** The file name the recall answer downloads as. */
export function recallFileName(result: WalkResult): string {
  return `${result.direction}-${result.root.item.label.replace(/[^A-Za-z0-9._-]/g, '_')}.csv`;
}

/**
 * How a node came to be in the walk, in words: "consumed 2 at OP40 of WO-1001", "split off 10",
 * "merged 5", "repacked 20", with "(returned)" where it was taken back.
 */
export function relationWords(node: GenealogyNode, direction: WalkResult['direction']): string {
  const via = node.via;
  if (via === undefined) return '';
  const used = direction === 'where-used';
  switch (via.kind) {
    case 'consumed': {
      const quantity = via.from.kind === 'lot' ? `${via.quantity} ` : '';
      const returned = via.returns.reduce((sum, r) => sum + r.quantity, 0);
      const back = returned === 0 ? '' : via.net <= 0 ? ', all returned' : `, ${returned} returned`;
      return used
        ? `built ${quantity === '' ? 'in' : `${quantity.trim()} in`} at ${via.operationId} of ${via.workOrderId}${back}`
        : `consumed ${quantity}at ${via.operationId} of ${via.workOrderId}${back}`;
    }
    case 'split':
      return used ? `split into this lot: ${via.quantity}` : `split off from this lot: ${via.quantity}`;
    case 'merged':
      return used ? `merged into this lot: ${via.quantity}` : `merged from this lot: ${via.quantity}`;
    case 'repacked':
      return used ? `repacked as this lot: ${via.quantity}` : `repacked from this lot: ${via.quantity}`;
  }
}
