/** The module src/db/validator-code.ts writes at build time (vite.config.ts serves it). */
declare module 'virtual:travelog-validators' {
  import type { SchemaValidator } from '../../schemas/check.ts';

  export const envelope: SchemaValidator;
  export const payloads: ReadonlyMap<string, SchemaValidator>;
  export const views: ReadonlyMap<string, SchemaValidator>;
  export const collections: ReadonlyMap<string, SchemaValidator>;
}
