/**
 * The station's schema checks, with validators precompiled when the app is built
 * (src/db/validator-code.ts, served by vite as `virtual:travelog-validators`): the same checks as
 * the server's (schemas/check.ts), without ajv in the bundle or a schema compile at start. The
 * generated code is a chunk of its own (about as large as ajv was), loaded on the first check or
 * write, or earlier by {@link preloadValidators}, never on the way to the first screen. The service
 * worker precaches it with every other chunk, so it loads offline.
 */
import type { RxJsonSchema, RxStorage, RxStorageInstance, RxStorageInstanceCreationParams } from 'rxdb';
import { getPrimaryFieldOfPrimaryKey } from 'rxdb';
import type { SchemaValidator, SchemaValidators, Validation } from '../../schemas/check.ts';
import { checkEvent, checkView } from '../../schemas/check.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import { startMark } from './start-marks.ts';

/** What the generated module exports (src/db/validators-module.d.ts). */
interface Precompiled extends SchemaValidators {
  collections: ReadonlyMap<string, SchemaValidator>;
}

let loading: Promise<Precompiled> | null = null;

/** Loads the validators' chunk (once); call it when the first screen is up, so no check waits. */
export function preloadValidators(why = 'preload'): Promise<Precompiled> {
  if (loading === null) {
    startMark('validators-requested', { by: why });
    loading = import('virtual:travelog-validators');
    void loading.then(() => startMark('validators-loaded'), () => undefined);
  }
  return loading;
}

/** Whether the validators' chunk has been asked for in this page (tests: a start must not ask). */
export const validatorsRequested = (): boolean => loading !== null;

/** Checks an event's envelope, that its type is known, and its payload against that type's schema. */
export async function validateEvent(candidate: unknown, root = 'event'): Promise<Validation<StationEvent>> {
  return checkEvent(await preloadValidators('an event check'), candidate, root);
}

/** Checks a view document's data against the schema of its kind. */
export async function validateView(candidate: ViewDoc, root = 'view'): Promise<Validation<ViewDoc>> {
  return checkView(await preloadValidators('a view check'), candidate, root);
}

/** The precompiled validator of a schema as RxDB hands it to the storage, if the build made one. */
export async function collectionValidator(schema: RxJsonSchema<unknown>, why?: string): Promise<SchemaValidator | undefined> {
  return (await preloadValidators(why)).collections.get(JSON.stringify(schema));
}

/**
 * RxDB's storage validation (what rxdb/plugins/validate-ajv does: a write whose document fails the
 * collection's schema comes back as a 422 error of that write, the others go through) with the
 * precompiled validators, waiting for their chunk before the first write instead of compiling.
 *
 * Only the `checked` collections (the station's four) are checked, and they have one each
 * (tests/unit/db/validators.test.ts opens the database and checks it). RxDB's own documents are
 * let through unchecked, and without asking for the chunk: its internal store (written at every
 * start: before issue 13's fix, that write waited for the chunk, 475 kB parsed and run before the
 * first screen), the pull's bookkeeping, and the copies it makes while migrating an older version
 * of a collection (the version-0 events: a collection name of the station's, but no validator for
 * that schema). RxDB writes those itself; nothing the station records or pulls is among them.
 */
export function wrappedValidatePrecompiledStorage<Internals, Options>(args: { storage: RxStorage<Internals, Options>; checked: readonly string[] }): RxStorage<Internals, Options> {
  const checked = new Set(args.checked);
  return {
    ...args.storage,
    name: `validate-precompiled-${args.storage.name}`,
    async createStorageInstance<RxDocType>(params: RxStorageInstanceCreationParams<RxDocType, Options>) {
      const instance: RxStorageInstance<RxDocType, Internals, Options> = await args.storage.createStorageInstance(params);
      if (!checked.has(params.collectionName)) return instance;
      const primaryPath = getPrimaryFieldOfPrimaryKey(params.schema.primaryKey as never) as string;
      // Looked up at the first write, not here: opening the database must not load the chunk.
      let validator: Promise<SchemaValidator | undefined> | null = null;
      const bulkWrite = instance.bulkWrite.bind(instance);
      instance.bulkWrite = async (writes, context) => {
        validator ??= collectionValidator(params.schema as RxJsonSchema<unknown>, `a write to ${params.collectionName} (${context})`);
        const validate = await validator;
        if (validate === undefined) return bulkWrite(writes, context);
        const refused: Awaited<ReturnType<typeof bulkWrite>>['error'] = [];
        const valid = writes.filter((row) => {
          if (validate(row.document)) return true;
          const document = row.document as Record<string, unknown>;
          refused.push({
            status: 422,
            isError: true,
            documentId: String(document[primaryPath]),
            validationErrors: [...(validate.errors ?? [])] as never,
            schema: instance.schema,
            writeRow: row,
            context,
          } as never);
          return false;
        });
        const result = valid.length > 0 ? await bulkWrite(valid, context) : { error: [] };
        return { ...result, error: [...result.error, ...refused] };
      };
      return instance;
    },
  };
}
