/** The NCR photo suite on the run's PostgreSQL (TEST_DATABASE_URL, or its own), in a schema of its own dropped afterwards. */
import { runAttachmentSuite } from './attachments.contract.ts';

runAttachmentSuite('PostgreSQL');
