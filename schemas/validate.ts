/**
 * Validation against the schemas with ajv compiling them at run time (the server; the station runs
 * the same checks, `check.ts`, with validators precompiled at build time): an event or a view that
 * fails its schema is refused with a message naming the field, before anything is written.
 */
import type { Options } from 'ajv';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { SchemaValidators, Validation } from './check.ts';
import { checkEvent, checkView } from './check.ts';
import type { StationEvent } from './event.ts';
import type { ViewDoc } from './view-doc.ts';
import { eventPayloadSchemas, eventSchema } from './event.ts';
import { viewDataSchemas } from './view-doc.ts';

export { describeErrors } from './check.ts';
export type { Validation } from './check.ts';

// ajv-formats is CommonJS; under some bundlers its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule);

/**
 * An ajv instance for the schemas in `schemas/`: strict, no type coercion and no silent removal of
 * unknown properties (a message that does not match its schema is refused, never repaired). It knows
 * RxDB's schema keywords, so the same schema serves the collection and the validator. `extra` adds
 * options, such as the standalone code of the station's build (src/db/validator-code.ts).
 */
export function createAjv(extra: Options = {}): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, ...extra });
  for (const keyword of ['version', 'primaryKey', 'indexes', 'keyCompression', 'encrypted', 'final']) ajv.addKeyword(keyword);
  addFormats(ajv);
  return ajv;
}

let compiled: SchemaValidators | null = null;

function validators(): SchemaValidators {
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
  return checkEvent(validators(), candidate, root);
}

/** Checks a view document's data against the schema of its kind. */
export function validateView(candidate: ViewDoc, root = 'view'): Validation<ViewDoc> {
  return checkView(validators(), candidate, root);
}
