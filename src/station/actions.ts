/**
 * What operators, inspectors and supervisors do at the station. Each action runs the domain's check
 * against the plant as the station sees it and, only if it passes, records the event; a refusal
 * writes nothing and says why.
 */
import type { PhotoRef } from '../../schemas/attachment.ts';
import type { UnitRef } from '../../schemas/common.ts';
import type { EventPayload, StationEvent } from '../../schemas/event.ts';
import type { MeasurementInput } from '../domain/inspection.ts';
import type { Refusal, Resolved } from '../domain/refusal.ts';
import type { ResolveAction } from '../domain/conflicts.ts';
import { REVIEW_MEANINGS, checkResolve } from '../domain/conflicts.ts';
import { RELEASE_MEANING, checkRelease } from '../domain/holds.ts';
import { checkConsume } from '../domain/material.ts';
import { checkMerge, checkRepack, checkReturn, checkScrap, checkSplit } from '../domain/material-moves.ts';
import { checkMeasurement } from '../domain/measurement.ts';
import type { DispositionRequest } from '../domain/ncr.ts';
import { CONCURRENCE_MEANINGS, DISPOSITION_MEANINGS, checkDisposition, checkOpenNcr, checkRework, needsRework } from '../domain/ncr.ts';
import type { ContainmentPlan, ContainmentRequest } from '../domain/containment.ts';
import { CONTAINMENT_MEANING, checkContainment } from '../domain/containment.ts';
import type { ShipRequest } from '../domain/shipping.ts';
import { checkShip } from '../domain/shipping.ts';
import type { StepRequest } from '../domain/traveler.ts';
import { checkComplete, checkStart } from '../domain/traveler.ts';
import { photoMismatch } from '../domain/photo.ts';
import { photoHash } from '../db/attachments.ts';
import type { StationRuntime } from './runtime.ts';
import type { Session } from './session.ts';
import { verifyBadgeAndPin } from './session.ts';

export type ActionResult = { ok: true; event: StationEvent } | Refusal;

export interface StepTarget {
  workOrderId: string;
  unit: UnitRef;
  operationId: string;
}

/** A step request as this station makes it: by the signed-in person, now, at the station's work center. */
export function stepRequest(rt: StationRuntime, session: Session, target: StepTarget): StepRequest {
  const workCenterId = rt.config?.workCenterId;
  return { ...target, actor: session.badge, at: rt.now(), ...(workCenterId === undefined || workCenterId === '' ? {} : { workCenterId }) };
}

export async function startOperation(rt: StationRuntime, session: Session, target: StepTarget): Promise<ActionResult> {
  const check = checkStart(rt.plant.get(), stepRequest(rt, session, target));
  if (!check.ok) return check;
  const { operation, workOrder, unit } = check.value;
  const event = await rt.recorder().record({
    type: 'op.started',
    actor: session.badge,
    payload: { workOrderId: workOrder.id, operationId: operation.id, unit, instructionRevision: operation.instruction.revision },
  });
  return { ok: true, event };
}

export async function completeOperation(rt: StationRuntime, session: Session, target: StepTarget): Promise<ActionResult> {
  const check = checkComplete(rt.plant.get(), stepRequest(rt, session, target));
  if (!check.ok) return check;
  const { operation, workOrder, unit } = check.value;
  const event = await rt.recorder().record({
    type: 'op.completed',
    actor: session.badge,
    payload: { workOrderId: workOrder.id, operationId: operation.id, unit, instructionRevision: operation.instruction.revision },
  });
  return { ok: true, event };
}

export async function consumeMaterial(rt: StationRuntime, session: Session, target: StepTarget & { scanned: string }): Promise<ActionResult> {
  const check = checkConsume(rt.plant.get(), target);
  if (!check.ok) return check;
  const { ctx, material } = check.value;
  const event = await rt.recorder().record({
    type: 'material.consumed',
    actor: session.badge,
    payload: { workOrderId: ctx.workOrder.id, operationId: ctx.operation.id, unit: ctx.unit, material, scanned: target.scanned },
  });
  return { ok: true, event };
}

export async function recordMeasurement(
  rt: StationRuntime,
  session: Session,
  target: StepTarget & { characteristicId: string; input: MeasurementInput; gaugeId: string },
): Promise<ActionResult> {
  const check = checkMeasurement(rt.plant.get(), { ...target, actor: session.badge, at: rt.now() });
  if (!check.ok) return check;
  const event = await rt.recorder().record({ type: 'measurement.recorded', actor: session.badge, payload: check.value.payload });
  return { ok: true, event };
}

/** The signature as a person sees it on screen: printed name, date and time, meaning. */
export interface Manifestation {
  printedName: string;
  signedAt: string;
  meaning: string;
  /** The signer's typed reason, where the record carries it (shown by the audit trail). */
  reason?: string;
}

/**
 * Releases the one hold named, under an electronic signature: both components (badge and PIN) are
 * asked at every signing, and the meaning and the typed reason are part of the signed record.
 */
export async function releaseHold(
  rt: StationRuntime,
  request: { holdId: string; signerBadge: string; pin: string; reason: string },
): Promise<({ ok: true; event: StationEvent; manifestation: Manifestation }) | Refusal> {
  const check = checkRelease(rt.plant.get(), request);
  if (!check.ok) return check;
  const verified = await verifyBadgeAndPin(rt, request.signerBadge, request.pin);
  if (!verified.ok) return { ok: false, code: 'signature-mismatch', message: verified.message };
  const { signer, hold } = check.value;
  const signedAt = rt.now().toISOString();
  const signature = {
    signerBadge: signer.badge,
    printedName: signer.name,
    meaning: RELEASE_MEANING,
    reason: request.reason.trim(),
    signedAt,
    components: 'badge+pin',
  } as const;
  const event = await rt.recorder().record({ type: 'hold.released', actor: signer.badge, payload: { holdId: hold.holdId, signature } });
  return { ok: true, event, manifestation: { printedName: signer.name, signedAt, meaning: RELEASE_MEANING } };
}

/**
 * Resolves a conflict item under an electronic signature: a supervisor or quality signs with badge
 * and PIN, and the action's meaning and the typed reason are part of the signed record. The event
 * goes to the server like any other; the server checks the authority again (rule C7).
 */
export async function resolveConflict(
  rt: StationRuntime,
  request: { conflictId: string; action: ResolveAction; signerBadge: string; pin: string; reason: string },
): Promise<({ ok: true; event: StationEvent; manifestation: Manifestation }) | Refusal> {
  const check = checkResolve(rt.plant.get(), request);
  if (!check.ok) return check;
  const { conflict, signer } = check.value;
  const badge = signer.badge;
  const reason = request.reason.trim();
  const verified = await verifyBadgeAndPin(rt, badge, request.pin);
  if (!verified.ok) return { ok: false, code: 'signature-mismatch', message: verified.message };
  const meaning = REVIEW_MEANINGS[request.action];
  const signedAt = rt.now().toISOString();
  const signature = { signerBadge: signer.badge, printedName: signer.name, meaning, reason, signedAt, components: 'badge+pin' } as const;
  const event = await rt.recorder().record({
    type: 'conflict.resolved',
    actor: signer.badge,
    payload: { conflictId: conflict.conflictId, action: request.action, signature },
  });
  return { ok: true, event, manifestation: { printedName: signer.name, signedAt, meaning } };
}

/** Opens an NCR by hand at the step: a red tag on the units or lot quantities named, recorded offline too. */
export async function openNcr(
  rt: StationRuntime,
  session: Session,
  request: { workOrderId: string; operationId?: string; items: Array<{ unit: UnitRef; quantity: number }>; description: string; photo?: { data: Uint8Array; ref: PhotoRef } },
): Promise<ActionResult> {
  const check = checkOpenNcr(rt.plant.get(), { ...request, actor: session.badge });
  if (!check.ok) return check;
  const { photo } = request;
  if (photo !== undefined) {
    // Kept before the event that names it: a signed record never names a photo the station lost.
    const problem = photoMismatch(photo.data, photo.ref.mediaType, photo.ref, photoHash);
    if (problem !== null) return { ok: false, code: 'not-a-photo', message: problem };
    await rt.attachments.put({ sha256: photo.ref.sha256, mediaType: photo.ref.mediaType, data: photo.data, takenAt: rt.now().toISOString() });
  }
  let event: StationEvent;
  try {
    event = await rt.recorder().record({
      type: 'ncr.opened',
      actor: session.badge,
      payload: {
        workOrderId: request.workOrderId,
        ...(request.operationId === undefined ? {} : { operationId: request.operationId }),
        items: check.value.items,
        description: request.description.trim(),
        ...(photo === undefined ? {} : { photo: photo.ref }),
      },
    });
  } catch (error) {
    // No record names it: the photo goes with the red tag that was not recorded.
    if (photo !== undefined && !namedByAnotherNcr(rt, photo.ref.sha256)) await rt.attachments.discard(photo.ref.sha256);
    throw error;
  }
  return { ok: true, event };
}

/** Whether an NCR this station knows already names the photo (the same bytes on two red tags). */
function namedByAnotherNcr(rt: StationRuntime, sha256: string): boolean {
  return [...rt.plant.get().nonconformances.values()].some((ncr) => ncr.photo?.sha256 === sha256);
}

/**
 * Signs an MRB disposition of a quantity of one NCR item: quality's badge and PIN, and engineering's
 * for use as is and repair (each PIN asked at this signing). The server checks the authority again
 * (rule C32).
 */
export async function dispositionNcr(
  rt: StationRuntime,
  request: DispositionRequest & { pin: string; concurrencePin?: string },
): Promise<({ ok: true; event: StationEvent; manifestation: Manifestation; concurrence?: Manifestation }) | Refusal> {
  const check = checkDisposition(rt.plant.get(), request);
  if (!check.ok) return check;
  const { ncr, item, signer, concurrer } = check.value;
  const verified = await verifyBadgeAndPin(rt, signer.badge, request.pin);
  if (!verified.ok) return { ok: false, code: 'signature-mismatch', message: verified.message };
  if (concurrer !== undefined) {
    const other = await verifyBadgeAndPin(rt, concurrer.badge, request.concurrencePin ?? '');
    if (!other.ok) return { ok: false, code: 'signature-mismatch', message: `Engineering: ${other.message}` };
  }
  const signedAt = rt.now().toISOString();
  const reason = request.reason.trim();
  const meaning = DISPOSITION_MEANINGS[request.disposition];
  const signature = { signerBadge: signer.badge, printedName: signer.name, meaning, reason, signedAt, components: 'badge+pin' } as const;
  const concurrenceMeaning = request.disposition === 'use-as-is' || request.disposition === 'repair' ? CONCURRENCE_MEANINGS[request.disposition] : undefined;
  const concurrence =
    concurrer === undefined || concurrenceMeaning === undefined
      ? undefined
      : ({ signerBadge: concurrer.badge, printedName: concurrer.name, meaning: concurrenceMeaning, reason, signedAt, components: 'badge+pin' } as const);
  const ref = request.customerApprovalRef?.trim() ?? '';
  const event = await rt.recorder().record({
    type: 'ncr.dispositioned',
    actor: signer.badge,
    payload: {
      ncrId: ncr.ncrId,
      itemId: item.itemId,
      workOrderId: ncr.workOrderId ?? '',
      unit: item.unit,
      disposition: request.disposition,
      quantity: request.quantity,
      ...(ref === '' ? {} : { customerApprovalRef: ref }),
      ...(request.operationId === undefined || !needsRework(request.disposition) ? {} : { operationId: request.operationId }),
      ...(request.instruction === undefined || request.disposition !== 'repair' ? {} : { instruction: { ref: request.instruction.ref.trim(), revision: request.instruction.revision.trim() } }),
      ...(request.reinspect === undefined || request.reinspect.length === 0 || !needsRework(request.disposition) ? {} : { reinspect: [...new Set(request.reinspect)] }),
      signature,
      ...(concurrence === undefined ? {} : { concurrence }),
    },
  });
  return {
    ok: true,
    event,
    manifestation: { printedName: signer.name, signedAt, meaning, reason },
    ...(concurrence === undefined ? {} : { concurrence: { printedName: concurrence.printedName, signedAt, meaning: concurrence.meaning, reason } }),
  };
}

/**
 * Extends an NCR's containment through genealogy under quality's signature (badge and PIN at the
 * signing): every unit made from the suspect lot as this station knows it, and the rest of the lot.
 * The server recomputes from its own plant and contains what this station could not know (C38).
 */
export async function containThroughGenealogy(
  rt: StationRuntime,
  request: ContainmentRequest & { pin: string },
): Promise<({ ok: true; event: StationEvent; manifestation: Manifestation; plan: ContainmentPlan }) | Refusal> {
  const check = checkContainment(rt.plant.get(), request);
  if (!check.ok) return check;
  const { ncr, plan, signer } = check.value;
  const verified = await verifyBadgeAndPin(rt, signer.badge, request.pin);
  if (!verified.ok) return { ok: false, code: 'signature-mismatch', message: verified.message };
  const signedAt = rt.now().toISOString();
  const reason = request.reason.trim();
  const signature = { signerBadge: signer.badge, printedName: signer.name, meaning: CONTAINMENT_MEANING, reason, signedAt, components: 'badge+pin' } as const;
  const event = await rt.recorder().record({
    type: 'ncr.containment-extended',
    actor: signer.badge,
    payload: { ncrId: ncr.ncrId, workOrderId: ncr.workOrderId ?? '', lotId: request.lotId, units: plan.targets.map((t) => t.unit), signature },
  });
  return { ok: true, event, plan, manifestation: { printedName: signer.name, signedAt, meaning: CONTAINMENT_MEANING, reason } };
}

/** Records that the rework or repair an NCR item was dispositioned to was done, so the unit may continue. */
export async function recordRework(rt: StationRuntime, session: Session, request: { ncrId: string; itemId: string; note: string }): Promise<ActionResult> {
  const check = checkRework(rt.plant.get(), { ...request, actor: session.badge });
  if (!check.ok) return check;
  const { ncr, item } = check.value;
  const event = await rt.recorder().record({
    type: 'ncr.rework-recorded',
    actor: session.badge,
    payload: { ncrId: ncr.ncrId, itemId: item.itemId, workOrderId: ncr.workOrderId ?? '', unit: item.unit, note: request.note.trim() },
  });
  return { ok: true, event };
}

/** A genealogy event the station's check allowed (docs/genealogy.md), recorded by the signed-in person. */
async function recordChecked<T extends 'lot.split' | 'lot.merged' | 'lot.repacked' | 'unit.scrapped' | 'material.returned'>(
  rt: StationRuntime,
  session: Session,
  type: T,
  check: Resolved<EventPayload<T>>,
): Promise<ActionResult> {
  if (!check.ok) return check;
  const event = await rt.recorder().record({ type, actor: session.badge, payload: check.value } as never);
  return { ok: true, event };
}

export function splitLot(rt: StationRuntime, session: Session, lotId: string, children: ReadonlyArray<{ lotId: string; quantity: number }>, reason: string): Promise<ActionResult> {
  return recordChecked(rt, session, 'lot.split', checkSplit(rt.plant.get(), lotId, children, reason));
}

export function mergeLots(rt: StationRuntime, session: Session, sources: ReadonlyArray<{ lotId: string; quantity: number }>, intoLotId: string, reason: string): Promise<ActionResult> {
  return recordChecked(rt, session, 'lot.merged', checkMerge(rt.plant.get(), sources, intoLotId, reason));
}

export function repackLot(rt: StationRuntime, session: Session, lotId: string, into: { lotId: string; quantity: number }, reason: string): Promise<ActionResult> {
  return recordChecked(rt, session, 'lot.repacked', checkRepack(rt.plant.get(), lotId, into, reason));
}

export function scrapItem(rt: StationRuntime, session: Session, item: Parameters<typeof checkScrap>[1], reason: string): Promise<ActionResult> {
  return recordChecked(rt, session, 'unit.scrapped', checkScrap(rt.plant.get(), item, reason));
}

export function returnMaterial(rt: StationRuntime, session: Session, target: Parameters<typeof checkReturn>[1], reason: string): Promise<ActionResult> {
  return recordChecked(rt, session, 'material.returned', checkReturn(rt.plant.get(), target, reason));
}

/**
 * Ships a finished unit or a quantity of a work order's lot to a customer under a shipment
 * reference, recorded by the signed-in person (offline too). Refused, naming the NCR or hold, while
 * the unit or quantity is under an open NCR, on hold, or its traveler is not complete.
 */
export async function shipUnit(rt: StationRuntime, session: Session, request: Omit<ShipRequest, 'actor'>): Promise<ActionResult> {
  const check = checkShip(rt.plant.get(), { ...request, actor: session.badge });
  if (!check.ok) return { ok: false, code: check.code, message: check.message };
  const event = await rt.recorder().record({ type: 'unit.shipped', actor: session.badge, payload: check.value });
  return { ok: true, event };
}
