/** The evidence package suite on PGlite. */
import { runEvidenceSuite } from './evidence.contract.ts';

runEvidenceSuite('PGlite');
