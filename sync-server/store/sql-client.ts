import type { Column, Row } from './append-rows.ts';

/**
 * The one seam between the sync server and its database. Two implementations run the same SQL and
 * the same migrations: PGlite (embedded WASM PostgreSQL, the default) and PostgreSQL through `pg`
 * (scale-out). Parameters are positional (`$1`, `$2`, …); pass JSON as a string and cast it
 * (`$1::jsonb`) so both drivers send the same text.
 */
export interface SqlClient {
  /** Rows of one statement. */
  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements without parameters, as a migration holds them. */
  exec(sql: string): Promise<void>;
  /**
   * Appends rows to a table, each row its values in the order of `columns` (see append-rows.ts):
   * the fastest way each database has to take many rows.
   */
  appendRows(table: string, columns: readonly Column[], rows: readonly Row[]): Promise<void>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Inside,
   * use only `tx`; calling `transaction` on `tx` joins the same transaction.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Listens on a notification channel on a connection of its own, where other processes sharing
   * the database can NOTIFY (PostgreSQL); absent where one process owns the database (PGlite).
   * `onPayload` gets each notification's payload, and null whenever the connection was lost and is
   * back (anything sent meanwhile is gone). Resolves, once listening, to the function that stops.
   */
  listen?(channel: string, onPayload: (payload: string | null) => void): Promise<() => Promise<void>>;
  /** Ends the connection (or pool). Calling it twice is harmless. */
  close(): Promise<void>;
}

/** Where the data lives: a PGlite directory, or a PostgreSQL URL with an optional schema. */
export type SqlClientOptions =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pg'; databaseUrl: string; schema?: string };

/** Opens the client the options name. The drivers load lazily, so PGlite's WASM is never loaded for PostgreSQL. */
export async function openSqlClient(options: SqlClientOptions): Promise<SqlClient> {
  if (options.kind === 'pglite') {
    const { openPgliteClient } = await import('./pglite-client.ts');
    return openPgliteClient(options.dataDir);
  }
  const { openPgClient } = await import('./pg-client.ts');
  return openPgClient(options.databaseUrl, options.schema === undefined ? {} : { schema: options.schema });
}
