import pg from 'pg';
import { recordsetParameters, recordsetStatement, type Column, type Row } from './append-rows.ts';
import type { SqlClient } from './sql-client.ts';

/** Appends rows with one INSERT per bounded slice, the rows as one JSON parameter. */
async function insertRecordset(run: (sql: string, params: unknown[]) => Promise<unknown>, table: string, columns: readonly Column[], rows: readonly Row[]): Promise<void> {
  const statement = recordsetStatement(table, columns);
  for (const parameter of recordsetParameters(columns, rows)) await run(statement, [parameter]);
}

/** Options of {@link openPgClient}. */
export interface PgClientOptions {
  /** A schema to work in (created if missing), so several runs or tenants share one database. */
  schema?: string;
  /** Connections in the pool; 10 unless given. */
  maxConnections?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function connectionClient(connection: pg.PoolClient): SqlClient {
  const client: SqlClient = {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await connection.query(sql, [...params])).rows as T[];
    },
    async exec(sql: string): Promise<void> {
      await connection.query(sql);
    },
    appendRows: (table, columns, rows) => insertRecordset((sql, params) => connection.query(sql, params), table, columns, rows),
    transaction: (fn) => fn(client),
    close: () => Promise.reject(new Error('close() called inside a transaction')),
  };
  return client;
}

/** A {@link SqlClient} on a PostgreSQL server through a `pg` pool. */
export async function openPgClient(databaseUrl: string, options: PgClientOptions = {}): Promise<SqlClient> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`Schema name "${schema}" must be lowercase letters, digits and underscores`);
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    // Every pooled connection gets the search path at startup, so unqualified SQL lands in the schema.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection the server drops (restart, failover) must not crash the process.
  pool.on('error', () => undefined);
  try {
    if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    else await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    const where = databaseUrl.replace(/\/\/[^@/]*@/, '//');
    throw new Error(`Cannot reach PostgreSQL at ${where}: ${(error as Error).message}`, { cause: error });
  }
  let closed = false;
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await pool.query(sql, [...params])).rows as T[];
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    appendRows: (table, columns, rows) => insertRecordset((sql, params) => pool.query(sql, params), table, columns, rows),
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const connection = await pool.connect();
      let broken = false;
      try {
        await connection.query('BEGIN');
        const result = await fn(connectionClient(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot roll back is in an unknown state: drop it rather than reuse it.
        await connection.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        connection.release(broken);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
