/**
 * The store contract on a real PostgreSQL, in a schema of its own that is dropped afterwards.
 * TEST_DATABASE_URL names the server; unset, the run starts one of its own (tests/helpers/postgres-setup.ts).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openSqlClient } from '../../sync-server/store/sql-client.ts';
import { runStoreContract } from './store.contract.ts';
import { testDatabaseUrl } from '../helpers/test-database.ts';

const databaseUrl = testDatabaseUrl();

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
