import type { Characteristic } from '../../schemas/routing.ts';
import type { EventPayload } from '../../schemas/event.ts';
import type { MeasurementInput } from './inspection.ts';
import type { PlantState } from './plant.ts';
import type { Resolved } from './refusal.ts';
import type { StepRequest } from './traveler.ts';
import { evaluateMeasurement, liveVerdict } from './inspection.ts';
import { stepKey, unitLabel } from './plant.ts';
import { refuse } from './refusal.ts';
import { resolveStep, statusOf } from './traveler.ts';

/** Roles that may record inspection results. */
export const INSPECTION_ROLES = ['inspector', 'quality'] as const;

export interface MeasurementRequest extends StepRequest {
  characteristicId: string;
  input: MeasurementInput;
  gaugeId: string;
}

/**
 * Checks an inspector's result before it is recorded and builds the event payload: the right role,
 * an operation in progress, a number (or pass/fail), and the gauge where the characteristic needs one.
 */
export function checkMeasurement(
  state: PlantState,
  request: MeasurementRequest,
): Resolved<{ characteristic: Characteristic; payload: EventPayload<'measurement.recorded'> }> {
  const operator = state.operators.get(request.actor);
  if (operator === undefined) return refuse('unknown-operator', `Badge ${request.actor} is not on this station's roster`);
  if (!(INSPECTION_ROLES as readonly string[]).includes(operator.role)) {
    return refuse('role-not-allowed', `${operator.name} is signed in as ${operator.role}; only an inspector or quality may record inspection results`);
  }
  const resolved = resolveStep(state, request.workOrderId, request.unit, request.operationId);
  if (!resolved.ok) return resolved;
  const { operation, unit, workOrder } = resolved.value;
  const characteristic = operation.characteristics.find((c) => c.id === request.characteristicId);
  if (characteristic === undefined) {
    return refuse('unknown-characteristic', `${request.characteristicId} is not a characteristic of ${operation.id}`);
  }
  const status = statusOf(state.steps.get(stepKey(workOrder.id, unit, operation.id)));
  if (status !== 'in-progress') {
    return refuse('not-started', `${operation.id} must be started on ${unitLabel(unit)} before results are recorded (it is ${status})`);
  }
  const evaluated = evaluateMeasurement(characteristic, request.input);
  if (!evaluated.ok) return evaluated;
  // A value not yet typed to the drawing's decimals is not recorded: "12" for 12.70 ± 0.02 would
  // hold the unit and open an NCR for a keystroke.
  const live = liveVerdict(characteristic, request.input);
  if (live.kind === 'incomplete') return refuse('not-a-number', `Not recorded: ${live.message}`);
  const gaugeId = request.gaugeId.trim();
  if (characteristic.gaugeRequired && gaugeId === '') {
    return refuse('gauge-required', `${characteristic.name} needs the id of the gauge used`);
  }
  const payload: EventPayload<'measurement.recorded'> = {
    workOrderId: workOrder.id,
    operationId: operation.id,
    unit,
    characteristicId: characteristic.id,
    characteristicRevision: characteristic.revision,
    instructionRevision: operation.instruction.revision,
    measured: evaluated.value.measured,
    result: evaluated.value.result,
    ...(gaugeId === '' ? {} : { gaugeId }),
  };
  return { ok: true, value: { characteristic, payload } };
}
