/** The containment suite on embedded PGlite. */
import { runContainmentSuite } from './containment.contract.ts';

runContainmentSuite('PGlite');
