/**
 * What the Material screen checks as a person types (docs/genealogy.md, "The station's Material
 * screen"): the lot or serial looked up, quantities, new lot ids, and each move's request. Field by
 * field it says what is wrong in words; the move as a whole is judged by the domain's own checks
 * (`checkSplit`, `checkMerge`, `checkRepack`, `checkScrap`, `checkReturn`), so the station refuses
 * here exactly what its actions refuse. Pure, so it is unit-tested.
 */
import type { UnitRef } from '../../../schemas/common.ts';
import type { EventOf, EventPayload, StationEvent } from '../../../schemas/event.ts';
import type { Lot } from '../../../schemas/lot.ts';
import type { SerialUnit } from '../../../schemas/serial-unit.ts';
import { checkMerge, checkRepack, checkReturn, checkScrap, checkSplit } from '../../domain/material-moves.ts';
import type { ConsumptionRecord, PlantState } from '../../domain/plant.ts';
import { netQuantity, parseStepKey, unitLabel } from '../../domain/plant.ts';
import type { Resolved } from '../../domain/refusal.ts';

/** A lot or a serial the station holds. */
export type Found = { kind: 'lot'; lot: Lot } | { kind: 'serial'; serial: SerialUnit };

/** The moves a person records on the screen. */
export type Move = 'split' | 'merge' | 'repack' | 'scrap' | 'return';

/** The id a person reads: the lot's or the serial's. */
export function foundId(found: Found): string {
  return found.kind === 'lot' ? found.lot.lotId : found.serial.serial;
}

/**
 * The lot or serial typed or scanned, in the plant's own spelling (typed in any case), or null when
 * this station holds neither. A scan that said which it is (a GS1 lot or serial) is looked up as that.
 */
export function findMaterial(plant: PlantState, typed: string, kind?: 'lot' | 'serial'): Found | null {
  const id = typed.trim();
  if (id === '') return null;
  const exactLot = kind === 'serial' ? undefined : plant.lots.get(id);
  if (exactLot !== undefined) return { kind: 'lot', lot: exactLot };
  const exactSerial = kind === 'lot' ? undefined : plant.serials.get(id);
  if (exactSerial !== undefined) return { kind: 'serial', serial: exactSerial };
  const key = id.toLowerCase();
  if (kind !== 'serial') for (const lot of plant.lots.values()) if (lot.lotId.toLowerCase() === key) return { kind: 'lot', lot };
  if (kind !== 'lot') for (const serial of plant.serials.values()) if (serial.serial.toLowerCase() === key) return { kind: 'serial', serial };
  return null;
}

/** The same lot or serial as the plant holds it now (its quantity left changes as moves are recorded). */
export function refresh(plant: PlantState, found: Found): Found | null {
  if (found.kind === 'lot') {
    const lot = plant.lots.get(found.lot.lotId);
    return lot === undefined ? null : { kind: 'lot', lot };
  }
  const serial = plant.serials.get(found.serial.serial);
  return serial === undefined ? null : { kind: 'serial', serial };
}

/** A quantity typed: a number more than 0 ("12", "2.5"); `null` while nothing is typed. */
export function parseQuantity(text: string): { ok: true; value: number } | { ok: false; error: string } | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return { ok: false, error: 'Enter a number, like 12' };
  const value = Number(trimmed);
  if (!(value > 0)) return { ok: false, error: 'Enter more than 0' };
  return { ok: true, value };
}

/** The most characters a lot id may have (schemas/common.ts, identifiers). */
const MAX_ID = 80;

/**
 * Why a new lot id cannot be given, or null: it has spaces or is too long, the plant already has a
 * lot or serial by that id (in any case), or it is named twice in the same move (`others`).
 */
export function newLotError(plant: PlantState, typed: string, others: readonly string[] = []): string | null {
  const id = typed.trim();
  if (id === '') return null;
  if (/\s/.test(id)) return 'A lot id has no spaces';
  if (id.length > MAX_ID) return `At most ${MAX_ID} characters`;
  const key = id.toLowerCase();
  const lot = findMaterial(plant, id, 'lot');
  if (lot !== null) return `Lot ${foundId(lot)} already exists; give the new lot an id of its own`;
  const serial = findMaterial(plant, id, 'serial');
  if (serial !== null) return `${foundId(serial)} is a serial the plant already has; give the new lot an id of its own`;
  if (others.some((other) => other.trim().toLowerCase() === key)) return `${id} is named twice`;
  return null;
}

/** What a move's form says: an error per field (by name), what is still missing, and the domain's verdict once complete. */
export interface FormCheck<P> {
  errors: Readonly<Record<string, string | null>>;
  /** What still has to be typed before the move can be recorded, in words; null when nothing is. */
  missing: string | null;
  /** The domain's check of the complete request: its payload, or its refusal. Null while fields are wrong or missing. */
  check: Resolved<P> | null;
}

/** Why the move cannot be recorded yet (the record button's reason), or null when it can. */
export function blockedReason(form: FormCheck<unknown>): string | null {
  const fieldError = Object.values(form.errors).find((e) => e !== null && e !== undefined);
  if (fieldError !== undefined && fieldError !== null) return 'Correct the fields marked in red first';
  if (form.missing !== null) return form.missing;
  if (form.check !== null && !form.check.ok) return form.check.message;
  return null;
}

function quantityField(text: string, errors: Record<string, string | null>, name: string): number | undefined {
  const parsed = parseQuantity(text);
  if (parsed === null) {
    errors[name] = null;
    return undefined;
  }
  errors[name] = parsed.ok ? null : parsed.error;
  return parsed.ok ? parsed.value : undefined;
}

/** How a person reads a quantity left: "350 of 500". */
function left(lot: Lot): string {
  return `${lot.remaining} of ${lot.quantity}`;
}

/** The rows of a split: each new lot's id and quantity. */
export interface SplitRow {
  lotId: string;
  quantity: string;
}

/** A split of `lot` into the new lots typed. Fields: `lot-<i>`, `quantity-<i>`. */
export function checkSplitForm(plant: PlantState, lot: Lot, rows: readonly SplitRow[], reason: string): FormCheck<EventPayload<'lot.split'>> {
  const errors: Record<string, string | null> = {};
  const children: Array<{ lotId: string; quantity: number }> = [];
  let total = 0;
  let incomplete = false;
  rows.forEach((row, i) => {
    errors[`lot-${i}`] = newLotError(plant, row.lotId, rows.filter((_, j) => j < i).map((r) => r.lotId));
    const quantity = quantityField(row.quantity, errors, `quantity-${i}`);
    if (quantity !== undefined) {
      total += quantity;
      if (total > lot.remaining && errors[`quantity-${i}`] === null) errors[`quantity-${i}`] = `Only ${lot.remaining} left of ${lot.lotId}; the new lots take ${total}`;
    }
    if (row.lotId.trim() === '' || quantity === undefined) incomplete = true;
    else children.push({ lotId: row.lotId.trim(), quantity });
  });
  const missing = incomplete ? 'Give each new lot its id and its quantity' : null;
  const complete = missing === null && Object.values(errors).every((e) => e === null);
  return { errors, missing, check: complete ? checkSplit(plant, lot.lotId, children, reason) : null };
}

/** A repack of a quantity of `lot` (all that is left when none is typed) as one new lot. Fields: `into`, `quantity`. */
export function checkRepackForm(plant: PlantState, lot: Lot, into: string, quantityText: string, reason: string): FormCheck<EventPayload<'lot.repacked'>> {
  const errors: Record<string, string | null> = { into: newLotError(plant, into) };
  const typed = quantityField(quantityText, errors, 'quantity');
  const quantity = typed ?? (quantityText.trim() === '' ? lot.remaining : undefined);
  if (typed !== undefined && typed > lot.remaining) errors['quantity'] = `Only ${lot.remaining} left of ${lot.lotId}`;
  const missing = into.trim() === '' ? 'Give the new lot its id' : null;
  const complete = missing === null && quantity !== undefined && Object.values(errors).every((e) => e === null);
  return { errors, missing, check: complete ? checkRepack(plant, lot.lotId, { lotId: into.trim(), quantity }, reason) : null };
}

/** The lots of a merge after the first: each one's id and quantity. */
export interface MergeSource {
  lotId: string;
  quantity: string;
}

/**
 * Why a lot typed as a merge source cannot be merged with `first`, or null: not a lot the station
 * knows, a serial (a serialized part is never moved by quantity), another part, named twice.
 */
export function mergeSourceError(plant: PlantState, first: Lot, typed: string, others: readonly string[]): string | null {
  const id = typed.trim();
  if (id === '') return null;
  const found = findMaterial(plant, id);
  if (found === null) return `${id} is not a lot this station knows`;
  if (found.kind === 'serial') {
    const part = plant.parts.get(found.serial.partNumber);
    return `${found.serial.serial} is a serial of part ${found.serial.partNumber}${part === undefined ? '' : ` ${part.description}`}, which is serialized: it is never merged by quantity`;
  }
  if (found.lot.lotId === first.lotId || others.some((o) => o.trim().toLowerCase() === found.lot.lotId.toLowerCase())) return `Lot ${found.lot.lotId} is named twice`;
  if (found.lot.partNumber !== first.partNumber) return `Lot ${found.lot.lotId} is part ${found.lot.partNumber}; the merge is of part ${first.partNumber}`;
  return null;
}

/**
 * A merge of `first` (its quantity typed, all that is left by default) with the lots typed, into a
 * new lot. Fields: `first-quantity`, `source-<i>`, `source-quantity-<i>`, `into`.
 */
export function checkMergeForm(plant: PlantState, first: Lot, firstQuantity: string, sources: readonly MergeSource[], into: string, reason: string): FormCheck<EventPayload<'lot.merged'>> {
  const errors: Record<string, string | null> = {};
  const typedFirst = quantityField(firstQuantity, errors, 'first-quantity');
  if (typedFirst !== undefined && typedFirst > first.remaining) errors['first-quantity'] = `Only ${first.remaining} left of ${first.lotId}`;
  const all: Array<{ lotId: string; quantity: number }> = [{ lotId: first.lotId, quantity: typedFirst ?? first.remaining }];
  let incomplete = firstQuantity.trim() !== '' && typedFirst === undefined;
  sources.forEach((source, i) => {
    errors[`source-${i}`] = mergeSourceError(plant, first, source.lotId, sources.filter((_, j) => j < i).map((s) => s.lotId));
    const found = errors[`source-${i}`] === null ? findMaterial(plant, source.lotId, 'lot') : null;
    const lot = found?.kind === 'lot' ? found.lot : undefined;
    const typed = quantityField(source.quantity, errors, `source-quantity-${i}`);
    if (lot !== undefined && typed !== undefined && typed > lot.remaining) errors[`source-quantity-${i}`] = `Only ${lot.remaining} left of ${lot.lotId}`;
    const quantity = typed ?? (source.quantity.trim() === '' ? lot?.remaining : undefined);
    if (lot === undefined || quantity === undefined) incomplete = true;
    else all.push({ lotId: lot.lotId, quantity });
  });
  errors['into'] = newLotError(plant, into, [first.lotId, ...sources.map((s) => s.lotId)]);
  const missing = sources.length === 0 || sources.some((s) => s.lotId.trim() === '')
    ? 'Scan or type the other lots to merge'
    : into.trim() === ''
      ? 'Give the new lot its id'
      : incomplete
        ? 'Give each lot its quantity'
        : null;
  const complete = missing === null && Object.values(errors).every((e) => e === null);
  return { errors, missing, check: complete ? checkMerge(plant, all, into.trim(), reason) : null };
}

/** A scrap of the serial, or of a quantity of the lot, with the reason. Fields: `quantity`, `reason`. */
export function checkScrapForm(plant: PlantState, found: Found, quantityText: string, reason: string): FormCheck<EventPayload<'unit.scrapped'>> {
  const errors: Record<string, string | null> = {};
  let item: Parameters<typeof checkScrap>[1] | undefined;
  if (found.kind === 'serial') {
    item = { kind: 'serial', serial: found.serial.serial };
  } else {
    const quantity = quantityField(quantityText, errors, 'quantity');
    if (quantity !== undefined && quantity > found.lot.remaining) errors['quantity'] = `Only ${found.lot.remaining} left of ${found.lot.lotId}`;
    if (quantity !== undefined) item = { kind: 'lot', lotId: found.lot.lotId, quantity };
  }
  const missing = item === undefined ? 'Enter the quantity scrapped' : reason.trim() === '' ? 'Say why it is scrapped' : null;
  const complete = missing === null && item !== undefined && Object.values(errors).every((e) => e === null);
  return { errors, missing, check: complete && item !== undefined ? checkScrap(plant, item, reason) : null };
}

/** A consumption of the material looked up that is still built in, somewhere a return can take it back from. */
export interface BuiltIn {
  workOrderId: string;
  unit: UnitRef;
  operationId: string;
  record: ConsumptionRecord;
  /** What is still built in (its quantity less what was returned). */
  net: number;
}

/** Where the lot or serial is still built in, oldest first: what a return can take back. */
export function builtIn(plant: PlantState, found: Found): BuiltIn[] {
  const out: BuiltIn[] = [];
  for (const [key, records] of plant.consumptions) {
    for (const record of records) {
      const m = record.material;
      const same = found.kind === 'lot' ? m.kind === 'lot' && m.lotId === found.lot.lotId : m.kind === 'serial' && m.serial === found.serial.serial;
      if (!same) continue;
      const net = netQuantity(record);
      const step = parseStepKey(key);
      if (net > 0 && step !== undefined) out.push({ ...step, record, net });
    }
  }
  return out.sort((a, b) => a.record.at.localeCompare(b.record.at));
}

/** "2 in SN-1001-01 at OP40 of WO-1001": one place material is built in. */
export function builtInWords(place: BuiltIn): string {
  const quantity = place.record.material.kind === 'lot' ? `${place.net} ` : '';
  return `${quantity}in ${unitLabel(place.unit)} at ${place.operationId} of ${place.workOrderId}`;
}

/** A return from `place` of the quantity typed (all that is built in when none is). Fields: `quantity`, `reason`. */
export function checkReturnForm(plant: PlantState, place: BuiltIn | undefined, quantityText: string, reason: string): FormCheck<EventPayload<'material.returned'>> {
  const errors: Record<string, string | null> = {};
  if (place === undefined) return { errors, missing: 'Choose where it comes back from', check: null };
  let quantity: number | undefined;
  if (place.record.material.kind === 'lot') {
    const typed = quantityField(quantityText, errors, 'quantity');
    if (typed !== undefined && typed > place.net) errors['quantity'] = `Only ${place.net} ${place.net === 1 ? 'is' : 'are'} built in there`;
    quantity = typed ?? (quantityText.trim() === '' ? place.net : undefined);
  }
  const missing = reason.trim() === '' ? 'Say why it goes back' : null;
  const complete = missing === null && Object.values(errors).every((e) => e === null);
  const target = { workOrderId: place.workOrderId, unit: place.unit, operationId: place.operationId, consumedEventId: place.record.eventId, ...(quantity === undefined ? {} : { quantity }) };
  return { errors, missing, check: complete ? checkReturn(plant, target, reason) : null };
}

/**
 * Why the looked-up lot or serial cannot have this move at all, whatever is typed (on hold, held by
 * an NCR, already scrapped, built in, nothing left), in the domain's words; null when it can. It asks
 * the domain's own check with a request that passes every field check (a new lot id nobody has, one
 * of what is left), so what is refused is the item, never the probe.
 */
export function moveBlocker(plant: PlantState, found: Found, move: Move): string | null {
  const probeId = `${foundId(found)}-${'\u2063'}probe`;
  const probeReason = 'probe';
  let check: Resolved<unknown>;
  if (found.kind === 'serial') {
    if (move === 'return') return builtIn(plant, found).length === 0 ? `${found.serial.serial} is not built in anywhere this station knows` : null;
    if (move !== 'scrap') return serialByQuantity(plant, found.serial, move);
    check = checkScrap(plant, { kind: 'serial', serial: found.serial.serial }, probeReason);
  } else {
    const lot = found.lot;
    if (move === 'return') return builtIn(plant, found).length === 0 ? `Nothing of ${lot.lotId} is built in anywhere this station knows` : null;
    if (!(lot.remaining > 0)) return `Nothing is left of lot ${lot.lotId} (${left(lot)})`;
    const one = Math.min(1, lot.remaining);
    if (move === 'split') check = checkSplit(plant, lot.lotId, [{ lotId: probeId, quantity: one }], probeReason);
    else if (move === 'repack') check = checkRepack(plant, lot.lotId, { lotId: probeId, quantity: one }, probeReason);
    else if (move === 'scrap') check = checkScrap(plant, { kind: 'lot', lotId: lot.lotId, quantity: one }, probeReason);
    // A merge needs a second lot; the first one's own hold is what can block it already.
    else check = checkSplit(plant, lot.lotId, [{ lotId: probeId, quantity: one }], probeReason);
  }
  return check.ok ? null : check.message;
}

/** A serial asked to be split, merged or repacked: a serialized part never moves by quantity. */
function serialByQuantity(plant: PlantState, serial: SerialUnit, move: Move): string {
  const part = plant.parts.get(serial.partNumber);
  const verb = move === 'split' ? 'split' : move === 'merge' ? 'merged' : 'repacked';
  return `${serial.serial} is a serial of part ${serial.partNumber}${part === undefined ? '' : ` ${part.description}`}, which is serialized: it is never ${verb} by quantity, only scrapped or returned whole`;
}

/** The event types the Material screen records. */
export type MoveType = 'lot.split' | 'lot.merged' | 'lot.repacked' | 'unit.scrapped' | 'material.returned';

/** A move as recorded, or about to be: its event type and payload. */
export type MoveRecord = { [T in MoveType]: { type: T; payload: EventPayload<T> } }[MoveType];

const MOVE_TYPES: ReadonlySet<string> = new Set<MoveType>(['lot.split', 'lot.merged', 'lot.repacked', 'unit.scrapped', 'material.returned']);

/** Whether an event is one of the moves the Material screen records. */
export function isMoveEvent(event: StationEvent): event is EventOf<MoveType> {
  return MOVE_TYPES.has(event.type);
}

/** A move in words: "Split lot L-910-A: 100 into L-910-A1, 50 into L-910-A2". */
export function describeMove(move: MoveRecord): string {
  switch (move.type) {
    case 'lot.split':
      return `Split lot ${move.payload.lot.lotId}: ${move.payload.children.map((c) => `${c.quantity} into ${c.lotId}`).join(', ')}`;
    case 'lot.merged':
      return `Merged ${move.payload.sources.map((s) => `${s.quantity} of ${s.lotId}`).join(' and ')} into lot ${move.payload.into.lotId}`;
    case 'lot.repacked':
      return `Repacked ${move.payload.into.quantity} of lot ${move.payload.lot.lotId} as lot ${move.payload.into.lotId}`;
    case 'unit.scrapped': {
      const item = move.payload.item;
      return item.kind === 'serial' ? `Scrapped serial ${item.serial}: ${move.payload.reason}` : `Scrapped ${item.quantity} of lot ${item.lotId}: ${move.payload.reason}`;
    }
    case 'material.returned': {
      const m = move.payload.material;
      const what = m.kind === 'lot' ? `${m.quantity} of lot ${m.lotId}` : `serial ${m.serial}`;
      return `Returned ${what} from ${unitLabel(move.payload.unit)} at ${move.payload.operationId} of ${move.payload.workOrderId}: ${move.payload.reason}`;
    }
  }
}
