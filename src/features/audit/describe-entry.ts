/**
 * What an audit entry recorded, in words: the title of its card ("Material consumed: OP10") and a
 * sentence of what it says ("Lot L-920-A, quantity 1, built into SN-1001-03 of WO-1001"), with the
 * limits and verdict of a measurement, the reason of a hold, and short ids (src/domain/short-id.ts)
 * where the entry names a UUID. Read from the event exactly as the station signed it; the plant the
 * station holds only adds names (a characteristic's limits), never changes what is said.
 */
import type { AuditEntry } from '../../../schemas/audit-entry.ts';
import type { UnitRef } from '../../../schemas/common.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import { describeLimits, unitName } from '../../domain/inspection.ts';
import type { PlantState } from '../../domain/plant.ts';
import { unitLabel } from '../../domain/plant.ts';
import { DISPOSITION_NAMES } from '../../domain/ncr.ts';
import { findOperation } from '../../domain/rework.ts';
import { shortConflictId, shortHoldId, shortNcrId } from '../../domain/short-id.ts';
import { eventName } from '../../app/event-names.ts';


const KIND_NAMES: Record<string, string> = {
  'log.created': 'Audit log created',
  'key.rotated': 'Server key rotated',
  'station.enrolled': 'Station enrolled',
  'station.approved': 'Station enrollment approved',
  'station.revoked': 'Station revoked',
  'station.programs-changed': "Station's programs changed",
  'signature.refused': 'Signature refused at the server',
  'signature.locked-out': 'Badge locked out after wrong PINs',
  quarantine: 'Input refused into quarantine',
  'master-data.changed': 'Master data changed',
  'integration.created': 'Integration credential created',
  'integration.revoked': 'Integration credential revoked',
};

const ACTION_NAMES: Record<string, string> = { accept: 'accepted as recorded', void: 'voided', 'open-ncr': 'NCR opened' };

/** The event a receipt carries whole, or undefined (too large, unreadable, or not a receipt). */
function eventOf(entry: AuditEntry): StationEvent | undefined {
  if (entry.kind !== 'receipt') return undefined;
  const event = entry.event as Partial<StationEvent> | undefined;
  return typeof event?.type === 'string' && typeof event.payload === 'object' && event.payload !== null ? (event as StationEvent) : undefined;
}

/** The heading of an entry's card: what kind of thing happened, and at which operation. */
export function entryTitle(entry: AuditEntry): string {
  if (entry.kind === 'receipt') {
    const name = eventName(entry.eventType);
    const payload = eventOf(entry)?.payload as { operationId?: unknown } | undefined;
    return typeof payload?.operationId === 'string' ? `${name}: ${payload.operationId}` : name;
  }
  return KIND_NAMES[entry.kind] ?? 'System entry';
}

/** "12.75 mm" or "0.5005 in = 12.713 mm". */
function valueText(measured: Extract<StationEvent, { type: 'measurement.recorded' }>['payload']['measured']): string {
  if (measured.kind === 'attribute') return measured.verdict;
  const entered = `${measured.entered.text} ${unitName(measured.entered.unit)}`;
  if (measured.entered.unit === measured.unit) return entered;
  return `${entered} = ${Number(measured.value.toPrecision(5))} ${unitName(measured.unit)}`;
}

function unitText(unit: UnitRef, workOrderId: string): string {
  return `${unitLabel(unit)} of ${workOrderId}`;
}

/** What the entry recorded, as a sentence; null when there is nothing to add to its title. */
export function entrySummary(entry: AuditEntry, plant?: PlantState): string | null {
  const event = eventOf(entry);
  if (event === undefined) {
    // A system entry says what it is in its title; its reason, if any, is shown beside it.
    if (entry.kind === 'receipt' && entry.event !== undefined) return 'The event was too large to keep whole in the entry; its hash is kept.';
    return null;
  }
  switch (event.type) {
    case 'op.started':
    case 'op.completed':
      return `${event.payload.operationId} on ${unitText(event.payload.unit, event.payload.workOrderId)}, instruction revision ${event.payload.instructionRevision}`;
    case 'material.consumed': {
      const { material } = event.payload;
      const what = material.kind === 'lot' ? `Lot ${material.lotId} (${material.partNumber}), quantity ${material.quantity}` : `Serial ${material.serial} (${material.partNumber})`;
      return `${what}, built into ${unitText(event.payload.unit, event.payload.workOrderId)} at ${event.payload.operationId}`;
    }
    case 'measurement.recorded': {
      const { payload } = event;
      // A re-inspection an NCR inserted carries the routing's characteristic too.
      const characteristic = plant === undefined ? undefined : findOperation(plant, payload.workOrderId, payload.operationId, payload.unit)?.characteristics.find((c) => c.id === payload.characteristicId);
      const name = characteristic === undefined ? payload.characteristicId : `${payload.characteristicId} ${characteristic.name}`;
      const limits = characteristic === undefined ? '' : ` (limits ${describeLimits(characteristic)})`;
      const gauge = payload.gaugeId === undefined ? '' : `, gauge ${payload.gaugeId}`;
      return `${name}: ${valueText(payload.measured)}${limits} ${payload.result === 'pass' ? 'PASS' : 'FAIL'} on ${unitText(payload.unit, payload.workOrderId)}${gauge}`;
    }
    case 'hold.placed':
      return `Hold ${shortHoldId(event.payload.holdId)} on ${event.payload.subject.kind === 'workOrder' ? `work order ${event.payload.subject.workOrderId}` : unitLabel(event.payload.subject)}: ${event.payload.reason}`;
    case 'hold.released': {
      const hold = plant?.holds.get(event.payload.holdId);
      const on = hold === undefined ? '' : ` on ${hold.subject.kind === 'workOrder' ? `work order ${hold.subject.workOrderId}` : unitLabel(hold.subject)} (${hold.reason})`;
      return `Hold ${shortHoldId(event.payload.holdId)}${on} released`;
    }
    case 'conflict.resolved':
      return `Conflict ${shortConflictId(event.payload.conflictId)} ${ACTION_NAMES[event.payload.action] ?? event.payload.action}`;
    case 'ncr.opened': {
      const items = event.payload.items.map((i) => (i.unit.kind === 'lot' ? `${i.quantity} of lot ${i.unit.lotId}` : i.unit.serial)).join(', ');
      const photo = event.payload.photo === undefined ? '' : ` (with a photo, SHA-256 ${event.payload.photo.sha256.slice(0, 12)}…)`;
      return `${shortNcrId(`NCR-${event.id}`, event.deviceTime)} on ${items} of ${event.payload.workOrderId}: ${event.payload.description}${photo}`;
    }
    case 'ncr.dispositioned': {
      const { payload } = event;
      const ncr = plant?.nonconformances.get(payload.ncrId);
      const quantity = payload.unit.kind === 'lot' ? `${payload.quantity} of lot ${payload.unit.lotId}` : payload.unit.serial;
      const concurrence = payload.concurrence === undefined ? '' : `, engineering concurrence by ${payload.concurrence.printedName}`;
      const customer = payload.customerApprovalRef === undefined ? '' : `, customer approval ${payload.customerApprovalRef}`;
      return `${shortNcrId(payload.ncrId, ncr?.openedAt)}: ${quantity} of ${payload.workOrderId} dispositioned ${DISPOSITION_NAMES[payload.disposition]}${concurrence}${customer}`;
    }
    case 'ncr.rework-recorded': {
      const ncr = plant?.nonconformances.get(event.payload.ncrId);
      return `${shortNcrId(event.payload.ncrId, ncr?.openedAt)}: rework of ${unitText(event.payload.unit, event.payload.workOrderId)} recorded: ${event.payload.note}`;
    }
    case 'ncr.containment-extended': {
      const ncr = plant?.nonconformances.get(event.payload.ncrId);
      const n = event.payload.units.length;
      return `${shortNcrId(event.payload.ncrId, ncr?.openedAt)}: containment extended to what was made from lot ${event.payload.lotId} (${n} ${n === 1 ? 'unit or lot' : 'units and lots'} as the station saw them)`;
    }
    case 'session.signed-in':
    case 'session.signed-out':
      return null;
  }
  return null;
}
