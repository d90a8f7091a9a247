/**
 * Checking events and views with a set of validators, however they were made: compiled at run time
 * by ajv (the server, `validate.ts`) or precompiled into plain code when the station is built
 * (`src/db/validators.ts`), so the station's first screen neither loads ajv nor compiles schemas.
 * Nothing here imports ajv.
 */
import type { StationEvent } from './event.ts';
import type { ViewDoc } from './view-doc.ts';

/** What ajv reports of a failed check (the fields of its `ErrorObject` that messages use). */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A validator as ajv compiles it (or writes it out as standalone code). */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

/** One validator for the event envelope, one per event type's payload and one per view kind. */
export interface SchemaValidators {
  envelope: SchemaValidator;
  payloads: ReadonlyMap<string, SchemaValidator>;
  views: ReadonlyMap<string, SchemaValidator>;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; message: string };

/** The first error as a sentence naming the field: "payload/gaugeId must be string". */
export function describeErrors(errors: readonly SchemaError[] | null | undefined, root: string): string {
  const error = errors?.[0];
  if (error === undefined) return `${root} is invalid`;
  const path = `${root}${error.instancePath}`;
  if (error.keyword === 'required') return `${path}/${String(error.params['missingProperty'])} is required`;
  if (error.keyword === 'additionalProperties') return `${path}/${String(error.params['additionalProperty'])} is not allowed`;
  return `${path} ${error.message ?? 'is invalid'}`;
}

/** Checks an event's envelope, that its type is known, and its payload against that type's schema. */
export function checkEvent(validators: SchemaValidators, candidate: unknown, root = 'event'): Validation<StationEvent> {
  const { envelope, payloads } = validators;
  const type = (candidate as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !payloads.has(type)) return { ok: false, message: `${root}/type "${type}" is not a known event type` };
  if (!envelope(candidate)) return { ok: false, message: describeErrors(envelope.errors, root) };
  const payload = payloads.get(type as string);
  const value = candidate as StationEvent;
  if (payload !== undefined && !payload(value.payload)) return { ok: false, message: describeErrors(payload.errors, `${root}/payload`) };
  return { ok: true, value };
}

/** Checks a view document's data against the schema of its kind. */
export function checkView(validators: SchemaValidators, candidate: ViewDoc, root = 'view'): Validation<ViewDoc> {
  const validator = validators.views.get(candidate.kind);
  if (validator === undefined) return { ok: false, message: `${root}/kind "${candidate.kind}" is not a known view kind` };
  if (!validator(candidate.data)) return { ok: false, message: describeErrors(validator.errors, `${root}/data`) };
  return { ok: true, value: candidate };
}
