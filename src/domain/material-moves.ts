/**
 * The station's checks before it records a genealogy event (docs/genealogy.md): a split, a merge, a
 * repack, a scrap, a return. Each says exactly why not, or hands back the payload to record. The server decides
 * the same events by rules C18–C20 in server order, where another station may have moved first.
 */
import type { EventPayload } from '../../schemas/event.ts';
import type { PlantState } from './plant.ts';
import type { Resolved } from './refusal.ts';
import { netQuantity, stepKey, unitLabel } from './plant.ts';
import { refuse } from './refusal.ts';
import { containedQuantity, ncrContainingLot, ncrLabel, ncrRefusal } from './ncr.ts';
import type { UnitRef } from '../../schemas/common.ts';

function activeLotHold(state: PlantState, lotId: string) {
  return [...state.holds.values()].find((h) => h.status === 'active' && h.subject.kind === 'lot' && h.subject.lotId === lotId);
}

function newLotIdRefusal(state: PlantState, ids: readonly string[]) {
  const seen = new Set<string>();
  for (const raw of ids) {
    const id = raw.trim();
    if (id === '') return refuse('reason-required', 'Give each new lot its id');
    if (seen.has(id)) return refuse('lot-exists', `Lot ${id} is named twice`);
    seen.add(id);
    if (state.lots.has(id) || state.serials.has(id)) return refuse('lot-exists', `Lot ${id} already exists; give the new lot an id of its own`);
  }
  return null;
}

/** A split of `lotId` into new lots with these quantities. */
export function checkSplit(state: PlantState, lotId: string, children: ReadonlyArray<{ lotId: string; quantity: number }>, reason: string): Resolved<EventPayload<'lot.split'>> {
  const lot = state.lots.get(lotId.trim());
  if (lot === undefined) return refuse('unknown-identifier', `Lot ${lotId.trim()} is not a known lot`);
  const hold = activeLotHold(state, lot.lotId);
  if (hold !== undefined) return refuse('on-hold', `Lot ${lot.lotId} is on hold: ${hold.reason}`);
  if (children.length === 0) return refuse('invalid-quantity', 'Name at least one new lot and its quantity');
  const bad = children.find((c) => !(c.quantity > 0));
  if (bad !== undefined) return refuse('invalid-quantity', `The quantity for ${bad.lotId} must be more than 0`);
  const total = children.reduce((sum, c) => sum + c.quantity, 0);
  if (total > lot.remaining) return refuse('insufficient-quantity', `Lot ${lot.lotId} has ${lot.remaining} remaining; the split takes ${total}`);
  const named = newLotIdRefusal(state, children.map((c) => c.lotId));
  if (named !== null) return named;
  return {
    ok: true,
    value: {
      lot: { kind: 'lot', lotId: lot.lotId, partNumber: lot.partNumber },
      children: children.map((c) => ({ kind: 'lot', lotId: c.lotId.trim(), quantity: c.quantity })),
      ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
    },
  };
}

/** A repack of a quantity of `lotId` (all of what remains when none is given) into one new lot. */
export function checkRepack(state: PlantState, lotId: string, into: { lotId: string; quantity?: number }, reason: string): Resolved<EventPayload<'lot.repacked'>> {
  const lot = state.lots.get(lotId.trim());
  if (lot === undefined) return refuse('unknown-identifier', `Lot ${lotId.trim()} is not a known lot`);
  const hold = activeLotHold(state, lot.lotId);
  if (hold !== undefined) return refuse('on-hold', `Lot ${lot.lotId} is on hold: ${hold.reason}`);
  const quantity = into.quantity ?? lot.remaining;
  if (!(quantity > 0)) return refuse('invalid-quantity', 'The quantity repacked must be more than 0');
  if (quantity > lot.remaining) return refuse('insufficient-quantity', `Lot ${lot.lotId} has ${lot.remaining} remaining; the repack takes ${quantity}`);
  const named = newLotIdRefusal(state, [into.lotId]);
  if (named !== null) return named;
  return {
    ok: true,
    value: {
      lot: { kind: 'lot', lotId: lot.lotId, partNumber: lot.partNumber },
      into: { kind: 'lot', lotId: into.lotId.trim(), quantity },
      ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
    },
  };
}

/** A merge of quantities of lots of one part into a new lot. */
export function checkMerge(state: PlantState, sources: ReadonlyArray<{ lotId: string; quantity: number }>, intoLotId: string, reason: string): Resolved<EventPayload<'lot.merged'>> {
  if (sources.length < 2) return refuse('invalid-quantity', 'A merge takes two lots or more');
  let partNumber: string | undefined;
  const seen = new Set<string>();
  for (const source of sources) {
    const lot = state.lots.get(source.lotId.trim());
    if (lot === undefined) return refuse('unknown-identifier', `Lot ${source.lotId.trim()} is not a known lot`);
    if (seen.has(lot.lotId)) return refuse('lot-exists', `Lot ${lot.lotId} is named twice`);
    seen.add(lot.lotId);
    partNumber ??= lot.partNumber;
    if (lot.partNumber !== partNumber) return refuse('wrong-part', `Lot ${lot.lotId} is part ${lot.partNumber}; the merge is of part ${partNumber}`);
    const hold = activeLotHold(state, lot.lotId);
    if (hold !== undefined) return refuse('on-hold', `Lot ${lot.lotId} is on hold: ${hold.reason}`);
    if (!(source.quantity > 0)) return refuse('invalid-quantity', `The quantity from ${lot.lotId} must be more than 0`);
    if (source.quantity > lot.remaining) return refuse('insufficient-quantity', `Lot ${lot.lotId} has ${lot.remaining} remaining; the merge takes ${source.quantity}`);
  }
  const named = newLotIdRefusal(state, [intoLotId]);
  if (named !== null) return named;
  return {
    ok: true,
    value: {
      sources: sources.map((s) => ({ kind: 'lot', lotId: s.lotId.trim(), quantity: s.quantity })),
      into: { kind: 'lot', lotId: intoLotId.trim(), partNumber: partNumber ?? '' },
      ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
    },
  };
}

/**
 * A scrap of a serial, or of a quantity of a lot. What an open NCR holds is not scrapped here: the
 * NCR's disposition (quality's, under signature) decides it, scrap included, so a serial an NCR stops
 * and the quantity of a lot it contains are refused with the NCR's words.
 */
export function checkScrap(state: PlantState, item: { kind: 'serial'; serial: string } | { kind: 'lot'; lotId: string; quantity: number }, reason: string): Resolved<EventPayload<'unit.scrapped'>> {
  if (item.kind === 'serial') {
    const serial = state.serials.get(item.serial.trim());
    if (serial === undefined) return refuse('unknown-identifier', `Serial ${item.serial.trim()} is not a known serial`);
    if (serial.scrapped !== undefined) return refuse('scrapped', `Serial ${serial.serial} was already scrapped`);
    if (serial.consumedInto !== undefined) {
      return refuse('already-consumed', `Serial ${serial.serial} is built into ${serial.consumedInto.unitKey.replace(/^(serial|lot):/, '')}; return it first`);
    }
    const ncr = ncrRefusal(state, { kind: 'serial', serial: serial.serial });
    if (!ncr.ok) return ncr;
    if (reason.trim() === '') return refuse('reason-required', 'Say why it is scrapped');
    return { ok: true, value: { item: { kind: 'serial', serial: serial.serial, partNumber: serial.partNumber }, reason: reason.trim() } };
  }
  const lot = state.lots.get(item.lotId.trim());
  if (lot === undefined) return refuse('unknown-identifier', `Lot ${item.lotId.trim()} is not a known lot`);
  if (!(item.quantity > 0)) return refuse('invalid-quantity', 'The quantity scrapped must be more than 0');
  if (item.quantity > lot.remaining) return refuse('insufficient-quantity', `Lot ${lot.lotId} has ${lot.remaining} remaining; ${item.quantity} to scrap`);
  const contained = containedQuantity(state, lot.lotId);
  if (contained > 0 && item.quantity > lot.remaining - contained) {
    const ncr = ncrContainingLot(state, lot.lotId);
    return refuse(
      'under-ncr',
      `Lot ${lot.lotId}: ${contained} of its ${lot.remaining} are held by ${ncr === undefined ? 'an NCR' : ncrLabel(ncr)} until quality dispositions them (scrap included); ${Math.max(0, lot.remaining - contained)} can be scrapped here`,
    );
  }
  if (reason.trim() === '') return refuse('reason-required', 'Say why it is scrapped');
  return { ok: true, value: { item: { kind: 'lot', lotId: lot.lotId, partNumber: lot.partNumber, quantity: item.quantity }, reason: reason.trim() } };
}

/** A return of material consumed at a step (by its consumption event), all of a serial or part of a lot quantity. */
export function checkReturn(
  state: PlantState,
  target: { workOrderId: string; unit: UnitRef; operationId: string; consumedEventId: string; quantity?: number },
  reason: string,
): Resolved<EventPayload<'material.returned'>> {
  if (reason.trim() === '') return refuse('reason-required', 'Say why the material goes back');
  const consumed = (state.consumptions.get(stepKey(target.workOrderId, target.unit, target.operationId)) ?? []).find((c) => c.eventId === target.consumedEventId);
  if (consumed === undefined) return refuse('unknown-identifier', `No such material was built in at ${target.operationId} on ${unitLabel(target.unit)}`);
  const left = netQuantity(consumed);
  const quantity = consumed.material.kind === 'lot' ? (target.quantity ?? left) : 1;
  if (left <= 0) return refuse('insufficient-quantity', 'That material was already returned');
  if (!(quantity > 0) || quantity > left) return refuse('invalid-quantity', `Between 0 and ${left} can go back`);
  const material = consumed.material.kind === 'lot' ? { ...consumed.material, quantity } : consumed.material;
  return {
    ok: true,
    value: { workOrderId: target.workOrderId, operationId: target.operationId, unit: target.unit, consumedEventId: consumed.eventId, material, reason: reason.trim() },
  };
}
