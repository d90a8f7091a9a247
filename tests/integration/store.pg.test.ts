/**
 * The store contract on a real PostgreSQL, in a schema of its own that is dropped afterwards.
 * The server must be there (it is on the build machines and in CI); a missing one fails the run.
 * TEST_DATABASE_URL overrides the default postgres://postgres@127.0.0.1:5432/test.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openSqlClient } from '../../sync-server/store/sql-client.ts';
import { runStoreContract } from './store.contract.ts';

const databaseUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

runStoreContract('PostgreSQL', async () => {
  const schema = `travelog_test_${randomBytes(6).toString('hex')}`;
  const sql = await openSqlClient({ kind: 'pg', databaseUrl, schema });
  return {
    sql,
    async dispose() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
});
