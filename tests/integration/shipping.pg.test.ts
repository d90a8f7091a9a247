/** The shipping suite on the run's PostgreSQL (TEST_DATABASE_URL, or its own), in a schema of its own dropped afterwards. */
import { runShippingSuite } from './shipping.contract.ts';

runShippingSuite('PostgreSQL');
