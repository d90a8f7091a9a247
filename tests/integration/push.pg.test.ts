/** The push suite on the test PostgreSQL (TEST_DATABASE_URL), in a schema of its own dropped afterwards. */
import { runPushSuite } from './push.contract.ts';

runPushSuite('PostgreSQL');
