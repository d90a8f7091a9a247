import { runMonitoringSuite } from './monitoring.contract.ts';

runMonitoringSuite('PGlite');
