import { runAttachmentSuite } from './attachments.contract.ts';

runAttachmentSuite('PGlite');
