import type { Rule } from './types.ts';
import { measurementResult } from '../inspection.ts';
import { holdIdForMeasurement, ncrIdForMeasurement, stepKey, unitLabel } from '../plant.ts';
import { operationOf } from './helpers.ts';

/**
 * C3: a measurement outside tolerance is recorded as measured; the unit goes on hold and an NCR
 * draft opens. The plant reducer does both (so a station shows it before sync); this rule reports
 * it, judged against the characteristic the server knows.
 */
export const outOfTolerance: Rule = ({ state, event }) => {
  if (event.type !== 'measurement.recorded') return [];
  const { workOrderId, operationId, unit, characteristicId, measured } = event.payload;
  const characteristic = operationOf(state, workOrderId, operationId)?.operation.characteristics.find((c) => c.id === characteristicId);
  if (characteristic === undefined || measurementResult(characteristic, measured) === 'pass') return [];
  return [{
    rule: 'C3',
    description: `${characteristic.name} on ${unitLabel(unit)} out of tolerance: hold ${holdIdForMeasurement(event.id)}, ${ncrIdForMeasurement(event.id)} drafted`,
    subject: unit,
    workOrderId,
    stepKey: stepKey(workOrderId, unit, operationId),
  }];
};
