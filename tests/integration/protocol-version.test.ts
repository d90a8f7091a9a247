/**
 * Pins the wire: a change to any protocol message schema changes this hash, and the test tells
 * whoever made it to bump the protocol version so that stations and server notice.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { enrollRequestSchema, enrollResponseSchema } from '../../schemas/enroll.ts';
import { eventPayloadSchemas, eventSchema } from '../../schemas/event.ts';
import { OLDEST_SERVED_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { pullRequestSchema, pullResponseSchema } from '../../schemas/pull.ts';
import { pushRequestSchema, pushResponseSchema } from '../../schemas/push.ts';
import { receiptSchema } from '../../schemas/receipt.ts';
import { viewDataSchemas } from '../../schemas/view-doc.ts';
import { auditEntrySchema, storedEntrySchema } from '../../schemas/audit-entry.ts';
import { checkpointResponseSchema, checkpointsResponseSchema, entriesResponseSchema, keysResponseSchema, proofResponseSchema, trailResponseSchema } from '../../schemas/audit-api.ts';
import { stationReportSchema } from '../../schemas/station-report.ts';
import { programsRequestSchema, programsResponseSchema, revokeRequestSchema, revokeResponseSchema, stationListResponseSchema } from '../../schemas/stations.ts';

/** The hash of the protocol schemas at PROTOCOL_VERSION. */
const PINNED = { version: 8, hash: '5d6bcfea2be5ab32b5710c6acd8b479adc720fcf7bd6ad8cf0fcd23f66979ba2' };

describe('protocol version', () => {
  it('[S3] pins a hash of the protocol schemas', () => {
    const schemas = [pushRequestSchema, pushResponseSchema, pullRequestSchema, pullResponseSchema, receiptSchema, eventSchema, eventPayloadSchemas, viewDataSchemas, enrollRequestSchema,
      auditEntrySchema, storedEntrySchema, checkpointResponseSchema, checkpointsResponseSchema, entriesResponseSchema, proofResponseSchema, keysResponseSchema, trailResponseSchema,
      enrollResponseSchema, stationListResponseSchema, revokeRequestSchema, revokeResponseSchema, programsRequestSchema, programsResponseSchema,
      stationReportSchema];
    const hash = createHash('sha256').update(JSON.stringify(schemas)).digest('hex');
    expect(
      { version: PROTOCOL_VERSION, hash },
      `The protocol schemas changed (hash ${hash}): bump PROTOCOL_VERSION in schemas/protocol-version.ts and update this hash`,
    ).toEqual(PINNED);
  });

  it('serves no version newer than it speaks', () => {
    expect(OLDEST_SERVED_PROTOCOL_VERSION).toBeLessThanOrEqual(PROTOCOL_VERSION);
  });
});
