/**
 * Validation against the schemas, shared by station and server: an event or a view that fails its
 * schema is refused with a message naming the field, before anything is written.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { StationEvent } from './event.ts';
import type { ViewDoc } from './view-doc.ts';
import { eventPayloadSchemas, eventSchema } from './event.ts';
import { viewDataSchemas } from './view-doc.ts';

// ajv-formats is CommonJS; under some bundlers its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule);

/**
 * An ajv instance for the schemas in `schemas/`: strict, no type coercion and no silent removal of
 * unknown properties (a message that does not match its schema is refused, never repaired). It knows
 * RxDB's schema keywords, so the same schema serves the collection and the validator.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false });
  for (const keyword of ['version', 'primaryKey', 'indexes', 'keyCompression', 'encrypted', 'final']) ajv.addKeyword(keyword);
  addFormats(ajv);
  return ajv;
}

/** The first error as a sentence naming the field: "payload/gaugeId must be string". */
export function describeErrors(errors: ErrorObject[] | null | undefined, root: string): string {
  const error = errors?.[0];
  if (error === undefined) return `${root} is invalid`;
  const path = `${root}${error.instancePath}`;
  if (error.keyword === 'required') return `${path}/${String(error.params['missingProperty'])} is required`;
  if (error.keyword === 'additionalProperties') return `${path}/${String(error.params['additionalProperty'])} is not allowed`;
  return `${path} ${error.message ?? 'is invalid'}`;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; message: string };

let compiled: { envelope: ValidateFunction; payloads: Map<string, ValidateFunction>; views: Map<string, ValidateFunction> } | null = null;

function validators() {
  if (compiled === null) {
    const ajv = createAjv();
    compiled = {
      envelope: ajv.compile(eventSchema),
      payloads: new Map(Object.entries(eventPayloadSchemas).map(([type, schema]) => [type, ajv.compile(schema)])),
      views: new Map(Object.entries(viewDataSchemas).map(([kind, schema]) => [kind, ajv.compile(schema)])),
    };
  }
  return compiled;
}

/** Checks an event's envelope, that its type is known, and its payload against that type's schema. */
export function validateEvent(candidate: unknown, root = 'event'): Validation<StationEvent> {
  const { envelope, payloads } = validators();
  const type = (candidate as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !payloads.has(type)) return { ok: false, message: `${root}/type "${type}" is not a known event type` };
  if (!envelope(candidate)) return { ok: false, message: describeErrors(envelope.errors, root) };
  const payload = payloads.get(type as string);
  const value = candidate as StationEvent;
  if (payload !== undefined && !payload(value.payload)) return { ok: false, message: describeErrors(payload.errors, `${root}/payload`) };
  return { ok: true, value };
}

/** Checks a view document's data against the schema of its kind. */
export function validateView(candidate: ViewDoc, root = 'view'): Validation<ViewDoc> {
  const validator = validators().views.get(candidate.kind);
  if (validator === undefined) return { ok: false, message: `${root}/kind "${candidate.kind}" is not a known view kind` };
  if (!validator(candidate.data)) return { ok: false, message: describeErrors(validator.errors, `${root}/data`) };
  return { ok: true, value: candidate };
}
