import { join } from 'node:path';
import { openSqlClient } from '../../sync-server/store/sql-client.ts';
import { makeTempDir } from './harness.ts';
import { runStoreContract } from './store.contract.ts';

runStoreContract('PGlite', async () => {
  const dataDir = await makeTempDir('store-pglite');
  const sql = await openSqlClient({ kind: 'pglite', dataDir: join(dataDir.path, 'pglite') });
  return { sql, dispose: dataDir.remove };
});
