import { runGenealogySuite } from './genealogy.contract.ts';

runGenealogySuite('PGlite');
