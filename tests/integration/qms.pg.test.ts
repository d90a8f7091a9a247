import { runQmsSuite } from './qms.contract.ts';

runQmsSuite('PostgreSQL');
