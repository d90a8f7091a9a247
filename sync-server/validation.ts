import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../schemas/validate.ts';
import { viewDataSchemas, type ViewData, type ViewKind } from '../schemas/view-doc.ts';

/** The same ajv set-up as the station's: strict, no coercion, RxDB's keywords known. */
export { createAjv };

function describe(error: ErrorObject): string {
  const where = error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where} must NOT have additional property '${String(error.params['additionalProperty'])}'`;
    case 'enum':
      return `${where} must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * One line naming the field and what is wrong with it, e.g. `body/checkpoint must be integer`.
 * `dataVar` names the whole value (`body`, `data`).
 */
export function formatValidationErrors(errors: readonly ErrorObject[] | null | undefined, dataVar: string): string {
  if (errors === null || errors === undefined || errors.length === 0) return `${dataVar} is invalid`;
  return errors.map((error) => `${dataVar}${describe(error)}`).join('; ');
}

/** A validator of view data for each kind, compiled once. */
export type ViewDataValidators = { [K in ViewKind]: ValidateFunction<ViewData[K]> };

/** Compiles {@link ViewDataValidators} from `viewDataSchemas`. */
export function compileViewDataValidators(ajv: Ajv = createAjv()): ViewDataValidators {
  const entries = Object.entries(viewDataSchemas).map(([kind, schema]) => [kind, ajv.compile(schema)]);
  return Object.fromEntries(entries) as ViewDataValidators;
}
