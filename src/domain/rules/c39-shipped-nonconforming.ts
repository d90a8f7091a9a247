import type { Rule } from './types.ts';
import { shipProblem, shipmentReference } from '../shipping.ts';
import { unitLabel } from '../plant.ts';

/**
 * C39: a shipment (`unit.shipped`) the server finds the station should have refused: recorded
 * offline while an NCR was opened on the unit elsewhere (or a disposition left it contained), a hold
 * placed, its traveler not complete, or shipped already (two stations shipped the same serial; more
 * of a lot than is left). The goods left, so the shipment is recorded as it came and flagged
 * `shipped-nonconforming`, a supervisor's work item naming the NCR or hold (a customer may have to be
 * told); the NCR stays open. A shipment naming a work order or unit the server does not have (or of
 * a program the station is not cleared for, S10) is refused.
 */
export const shippedNonconforming: Rule = ({ state, event }) => {
  if (event.type !== 'unit.shipped') return [];
  const found = shipmentReference(state, event.payload);
  if (typeof found === 'string') {
    const reason = `Shipment ${event.payload.shipmentRef} ${found}`;
    return [{ rule: 'C39', reject: reason, description: reason }];
  }
  const problem = shipProblem(state, found.workOrder, event.payload.unit, event.payload.quantity);
  if (problem === null) return [];
  return [{
    rule: 'C39',
    flag: 'shipped-nonconforming',
    subject: event.payload.unit,
    workOrderId: event.payload.workOrderId,
    related: problem.ncr === undefined ? [] : [problem.ncr.sourceEventId],
    description: `Shipped to ${event.payload.customer} under ${event.payload.shipmentRef}: ${problem.message.replace(`${unitLabel(event.payload.unit)} cannot ship: `, `${unitLabel(event.payload.unit)} should not have shipped: `)}`,
  }];
};
