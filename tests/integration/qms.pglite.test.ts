import { runQmsSuite } from './qms.contract.ts';

runQmsSuite('PGlite');
