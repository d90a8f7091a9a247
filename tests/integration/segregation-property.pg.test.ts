/** The segregation property on the test PostgreSQL (TEST_DATABASE_URL), in a schema of its own dropped afterwards. */
import { runSegregationProperty } from './segregation-property.contract.ts';

runSegregationProperty('PostgreSQL');
