import { runFleetSuite } from './fleet.contract.ts';

runFleetSuite('PGlite');
