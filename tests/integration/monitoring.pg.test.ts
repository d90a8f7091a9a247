/** The monitoring suite on the test PostgreSQL (TEST_DATABASE_URL), in a schema of its own dropped afterwards. */
import { runMonitoringSuite } from './monitoring.contract.ts';

runMonitoringSuite('PostgreSQL');
