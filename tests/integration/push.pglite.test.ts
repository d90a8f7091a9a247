import { runPushSuite } from './push.contract.ts';

runPushSuite('PGlite');
