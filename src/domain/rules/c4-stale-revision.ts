import type { Rule } from './types.ts';
import { stepKey } from '../plant.ts';
import { operationOf } from './helpers.ts';

/** Whether a revision that took effect at `effectiveFrom` had superseded the one used at `at`. */
function supersededBy(effectiveFrom: string | undefined, at: string): boolean {
  return effectiveFrom === undefined || Date.parse(effectiveFrom) <= Date.parse(at);
}

/**
 * C4: work done to a work instruction or characteristic revision that had been superseded before
 * it was done. Recorded, flagged `stale-revision` for supervisor review. Work done before the new
 * revision took effect is not stale, even if it reaches the server after.
 */
export const staleRevision: Rule = ({ state, event }) => {
  if (event.type !== 'op.started' && event.type !== 'op.completed' && event.type !== 'measurement.recorded') return [];
  const { workOrderId, operationId, unit, instructionRevision } = event.payload;
  const found = operationOf(state, workOrderId, operationId);
  if (found === undefined) return [];
  const { operation } = found;
  const stale: string[] = [];
  if (instructionRevision !== operation.instruction.revision && supersededBy(operation.instruction.effectiveFrom, event.deviceTime)) {
    stale.push(`work instruction ${operation.instruction.ref} rev ${instructionRevision} (current rev ${operation.instruction.revision})`);
  }
  if (event.type === 'measurement.recorded') {
    const characteristic = operation.characteristics.find((c) => c.id === event.payload.characteristicId);
    if (characteristic !== undefined && event.payload.characteristicRevision !== characteristic.revision && supersededBy(characteristic.effectiveFrom, event.deviceTime)) {
      stale.push(`characteristic ${characteristic.id} rev ${event.payload.characteristicRevision} (current rev ${characteristic.revision})`);
    }
  }
  if (stale.length === 0) return [];
  return [{
    rule: 'C4',
    flag: 'stale-revision',
    description: `${event.type} at ${operationId} done to a superseded revision: ${stale.join('; ')}`,
    subject: unit,
    workOrderId,
    stepKey: stepKey(workOrderId, unit, operationId),
  }];
};
