import { runNcrSuite } from './ncr.contract.ts';

runNcrSuite('PGlite');
