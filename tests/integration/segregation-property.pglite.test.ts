import { runSegregationProperty } from './segregation-property.contract.ts';

runSegregationProperty('PGlite');
