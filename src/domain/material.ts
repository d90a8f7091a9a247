import type { EventPayload } from '../../schemas/event.ts';
import type { Lot } from '../../schemas/lot.ts';
import type { SerialUnit } from '../../schemas/serial-unit.ts';
import type { PlantState } from './plant.ts';
import type { Resolved } from './refusal.ts';
import type { StepContext } from './traveler.ts';
import { unitLabel } from './plant.ts';
import { containedQuantity, ncrContainingLot, ncrLabel, ncrRefusal } from './ncr.ts';
import { refuse } from './refusal.ts';
import { activeHoldsOn, outstandingMaterial, resolveStep, statusOf } from './traveler.ts';
import { stepKey } from './plant.ts';

export type Material = EventPayload<'material.consumed'>['material'];

export interface ConsumeRequest {
  workOrderId: string;
  unit: EventPayload<'material.consumed'>['unit'];
  operationId: string;
  /** The identifier as scanned or typed, recorded as is. */
  scanned: string;
  /**
   * What a parser read from `scanned` (a GS1, ISO/IEC 15434 or UII label): the serial or lot to look
   * up instead of the raw text, and the part number the label states, which must agree with it.
   */
  identifiers?: ScannedIdentifiers;
}

export interface ScannedIdentifiers {
  serial?: string;
  lot?: string;
  partNumber?: string;
}

function expectedParts(ctx: StepContext): string {
  const parts = ctx.operation.bill.map((line) => line.partNumber);
  return parts.length === 1 ? `part ${parts[0]}` : `one of parts ${parts.join(', ')}`;
}

/**
 * Resolves a scan at an operation to the material it consumes, or says exactly why not: what the
 * operation's bill expected and what was scanned.
 */
export function checkConsume(state: PlantState, request: ConsumeRequest): Resolved<{ ctx: StepContext; material: Material }> {
  const resolved = resolveStep(state, request.workOrderId, request.unit, request.operationId);
  if (!resolved.ok) return resolved;
  const ctx = resolved.value;
  const where = `${ctx.operation.id} ${ctx.operation.name}`;
  if (ctx.operation.bill.length === 0) {
    return refuse('not-on-bill', `${where} consumes no material; scanned ${request.identifiers?.serial ?? request.identifiers?.lot ?? request.scanned.trim()}`);
  }
  const status = statusOf(state.steps.get(stepKey(ctx.workOrder.id, ctx.unit, ctx.operation.id)));
  if (status !== 'in-progress') {
    return refuse('not-started', `Start ${ctx.operation.id} on ${unitLabel(ctx.unit)} before scanning material in`);
  }
  const outstanding = outstandingMaterial(state, ctx);

  const ids = request.identifiers;
  let serial: SerialUnit | undefined;
  let lot: Lot | undefined;
  let scanned: string;
  if (ids === undefined) {
    scanned = request.scanned.trim();
    serial = state.serials.get(scanned);
    lot = state.lots.get(scanned);
  } else if (ids.serial !== undefined) {
    // A label with a serial names that unit, whatever lot it also carries.
    scanned = ids.serial;
    serial = state.serials.get(ids.serial);
  } else if (ids.lot !== undefined) {
    scanned = ids.lot;
    lot = state.lots.get(ids.lot);
  } else {
    const stated = ids.partNumber === undefined ? 'a label' : `part number ${ids.partNumber}`;
    return refuse('unknown-identifier', `Expected a serial or lot of ${expectedParts(ctx)}; scanned ${stated} with no serial or lot`);
  }
  if (serial === undefined && lot === undefined) {
    return refuse('unknown-identifier', `Expected a serial or lot of ${expectedParts(ctx)}; scanned ${scanned}, which is not a known serial or lot`);
  }
  const partNumber = serial?.partNumber ?? lot?.partNumber ?? '';
  const kind = serial !== undefined ? 'serial' : 'lot';
  if (ids?.partNumber !== undefined && ids.partNumber !== partNumber) {
    return refuse('wrong-part', `The label says part ${ids.partNumber}, but ${kind} ${scanned} is part ${partNumber}`);
  }
  // Mixed tracking levels: a serialized part only by its serial, a lot-tracked part only by lot (C20).
  const tracking = state.parts.get(partNumber)?.tracking;
  if (tracking !== undefined && tracking !== kind) {
    return refuse('wrong-tracking', tracking === 'serial'
      ? `Part ${partNumber} is serialized: scan the serial of each one, not lot ${scanned}`
      : `Part ${partNumber} is tracked by lot: scan its lot, not serial ${scanned}`);
  }
  if (!ctx.operation.bill.some((line) => line.partNumber === partNumber)) {
    return refuse('wrong-part', `Expected ${expectedParts(ctx)} for ${where}; scanned ${kind} ${scanned}, which is part ${partNumber}`);
  }
  const need = outstanding.get(partNumber) ?? 0;
  if (need <= 0) {
    return refuse('bill-satisfied', `${where} already has all the ${partNumber} it needs on ${unitLabel(ctx.unit)}; scanned ${kind} ${scanned}`);
  }

  if (serial !== undefined) {
    const holds = activeHoldsOn(state, serial.workOrderId ?? '', { kind: 'serial', serial: serial.serial });
    const hold = holds[0];
    if (hold !== undefined) return refuse('on-hold', `Serial ${scanned} (part ${partNumber}) is on hold: ${hold.reason}`);
    const ncr = ncrRefusal(state, { kind: 'serial', serial: serial.serial });
    if (!ncr.ok) return ncr;
    if (serial.scrapped !== undefined) return refuse('scrapped', `Serial ${scanned} (part ${partNumber}) was scrapped: ${serial.scrapped.reason}`);
    if (serial.consumedInto !== undefined) {
      const into = serial.consumedInto.unitKey.replace(/^(serial|lot):/, '');
      return refuse('already-consumed', `Serial ${scanned} was already consumed into ${into} on work order ${serial.consumedInto.workOrderId}`);
    }
    return { ok: true, value: { ctx, material: { kind: 'serial', serial: serial.serial, partNumber } } };
  }

  if (lot === undefined) return refuse('unknown-identifier', `Scanned ${scanned}, which is not a known serial or lot`);
  const lotHold = [...state.holds.values()].find(
    (h) => h.status === 'active' && h.subject.kind === 'lot' && h.subject.lotId === lot.lotId,
  );
  if (lotHold !== undefined) return refuse('on-hold', `Lot ${scanned} (part ${partNumber}) is on hold: ${lotHold.reason}`);
  const contained = containedQuantity(state, lot.lotId);
  if (contained > 0 && lot.remaining - contained < need) {
    const ncr = ncrContainingLot(state, lot.lotId);
    return refuse(
      'under-ncr',
      `Lot ${scanned}: ${contained} of its ${lot.remaining} are held by ${ncr === undefined ? 'an NCR' : ncrLabel(ncr)} until quality dispositions them; ${where} needs ${need}`,
    );
  }
  if (lot.remaining < need) {
    return refuse(
      'insufficient-quantity',
      `Lot ${scanned} has ${lot.remaining} remaining; ${where} needs ${need} × ${partNumber} on ${unitLabel(ctx.unit)}`,
    );
  }
  return { ok: true, value: { ctx, material: { kind: 'lot', lotId: lot.lotId, partNumber, quantity: need } } };
}
