import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { copyStatement, copyText, type Column, type Row } from './append-rows.ts';
import type { SqlClient } from './sql-client.ts';

/** Appends rows with one COPY from PGlite's blob device. */
async function copyRows(db: Pick<Transaction, 'query'>, table: string, columns: readonly Column[], rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(copyStatement(table, columns), [], { blob: new Blob([copyText(columns, rows)]) });
}

function transactionClient(tx: Transaction): SqlClient {
  const client: SqlClient = {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await tx.query<T>(sql, [...params])).rows;
    },
    async exec(sql: string): Promise<void> {
      await tx.exec(sql);
    },
    appendRows: (table, columns, rows) => copyRows(tx, table, columns, rows),
    transaction: (fn) => fn(client),
    close: () => Promise.reject(new Error('close() called inside a transaction')),
  };
  return client;
}

/**
 * A {@link SqlClient} on PGlite with its data in `dataDir` (created if missing). PGlite runs one
 * query at a time, and a transaction holds it exclusively until it ends.
 */
export async function openPgliteClient(dataDir: string): Promise<SqlClient> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  let closed = false;
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await db.query<T>(sql, [...params])).rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
    appendRows: (table, columns, rows) => copyRows(db, table, columns, rows),
    transaction: (fn) => db.transaction((tx) => fn(transactionClient(tx))),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
