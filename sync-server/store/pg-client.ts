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
const CHANNEL_NAME = SCHEMA_NAME;

/** Waits between attempts to get a lost listening connection back: doubling from 1 s up to 30 s. */
const LISTEN_RETRY_MS = { first: 1000, max: 30_000 };

/**
 * LISTENs on `channel` on a connection of its own, reconnecting (with doubling waits) when the
 * connection is lost; see {@link SqlClient.listen}.
 */
async function listenOn(config: pg.ClientConfig, channel: string, onPayload: (payload: string | null) => void): Promise<() => Promise<void>> {
  if (!CHANNEL_NAME.test(channel)) throw new Error(`Channel name "${channel}" must be lowercase letters, digits and underscores`);
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let wait = LISTEN_RETRY_MS.first;

  const connect = async (): Promise<void> => {
    const next = new pg.Client(config);
    next.on('notification', (message) => {
      if (message.channel === channel) onPayload(message.payload ?? '');
    });
    // A lost connection is replaced; 'error' alone must not crash the process.
    next.on('error', () => undefined);
    next.on('end', () => {
      if (client !== next || stopped) return;
      client = null;
      schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    client = next;
    wait = LISTEN_RETRY_MS.first;
  };
  const schedule = (): void => {
    retry = setTimeout(() => {
      retry = null;
      if (stopped) return;
      connect().then(
        () => (stopped ? undefined : onPayload(null)),
        () => {
          wait = Math.min(wait * 2, LISTEN_RETRY_MS.max);
          schedule();
        },
      );
    }, wait);
    retry.unref();
  };

  await connect();
  return async () => {
    stopped = true;
    if (retry !== null) clearTimeout(retry);
    const last = client;
    client = null;
    await last?.end().catch(() => undefined);
  };
}

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
  const connection: pg.ClientConfig = {
    connectionString: databaseUrl,
    // Every connection gets the search path at startup, so unqualified SQL lands in the schema.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  };
  const pool = new pg.Pool({ ...connection, max: options.maxConnections ?? 10 });
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
    listen: (channel, onPayload) => listenOn(connection, channel, onPayload),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
