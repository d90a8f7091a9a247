import { identifierSchema, unitRefSchema } from '../common.ts';

const operationStepProperties = {
  workOrderId: identifierSchema,
  operationId: identifierSchema,
  unit: unitRefSchema,
  /** The work instruction revision the operator worked to, as shown on the station. */
  instructionRevision: identifierSchema,
} as const;

/** `op.started`: an operator started a routing operation on a serial or a lot. */
export const opStartedSchema = {
  type: 'object',
  properties: operationStepProperties,
  required: ['workOrderId', 'operationId', 'unit', 'instructionRevision'],
  additionalProperties: false,
} as const;

/** `op.completed`: the operator signed the operation off. */
export const opCompletedSchema = opStartedSchema;
