/** The evidence package suite on the test PostgreSQL, in a schema of its own dropped afterwards. */
import { runEvidenceSuite } from './evidence.contract.ts';

runEvidenceSuite('PostgreSQL');
