import { runShippingSuite } from './shipping.contract.ts';

runShippingSuite('PGlite');
