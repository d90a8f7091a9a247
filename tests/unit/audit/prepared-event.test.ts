/**
 * The server encodes a pushed event once (sync-server/audit/prepared-event.ts) and an audit entry
 * around that encoding (entryText): the texts and hashes must be exactly those the reference
 * functions give, or signatures, chains, idempotent retries and the Merkle leaves would change.
 * Checked on real signed events and on arbitrary JSON, as JSON.parse hands it to the server.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../schemas/audit-entry.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import { canonicalText } from '../../../src/audit/canonical.ts';
import { signedBytes } from '../../../src/audit/event-signing.ts';
import { entryText } from '../../../sync-server/audit/entry-signing.ts';
import { prepareEvent } from '../../../sync-server/audit/prepared-event.ts';
import { eventHashNode } from '../../../sync-server/audit/station-signatures.ts';
import { contentHash } from '../../../sync-server/sync/content-hash.ts';
import { TestChain } from '../../helpers/signing.ts';

const decoder = new TextDecoder();

function signedEvent(chain: TestChain, seq: number, payload: unknown): StationEvent {
  return chain.sign({
    id: randomUUID(), type: 'measurement.recorded', stationId: 'ST-1', seq, actor: 'B-2001',
    deviceTime: '2026-11-20T08:00:00.000Z', hlc: '001795161600000:000000:ST-1', payload,
  } as Omit<StationEvent, 'signature' | 'prevHash'>);
}

/** Any JSON value as JSON.parse produces it (arbitrary strings, including lone surrogates, escaped). */
const parsedJson = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);

describe('a prepared event', () => {
  it('has the text, signed bytes and hashes the reference functions give', () => {
    const chain = new TestChain();
    const events = [
      signedEvent(chain, 1, { workOrderId: 'WO-1', unit: { kind: 'serial', serial: 'SN-1' }, measured: { value: 12.705, unit: 'mm', text: '12.705' } }),
      signedEvent(chain, 2, { note: 'Ünïcödé ✓ "quoted" \\ back\u2028slash', values: [1e21, -0, 0.1, 1e-7, null, true] }),
    ];
    for (const event of events) {
      const prepared = prepareEvent(event);
      expect(prepared.text).toBe(canonicalText(event));
      expect(prepared.signedText).toBe(decoder.decode(signedBytes(event)));
      expect(prepared.hash).toBe(eventHashNode(event));
      expect(prepared.hash).toBe(contentHash(event));
    }
  });

  it('agrees with the reference encodings on any object JSON.parse can produce', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), parsedJson), fc.option(fc.string(), { nil: undefined }), (members, signature) => {
        const event = JSON.parse(JSON.stringify(signature === undefined ? members : { ...members, signature })) as StationEvent;
        const prepared = prepareEvent(event);
        let text: string | null;
        try {
          text = canonicalText(event);
        } catch {
          text = null;
        }
        expect(prepared.text).toBe(text);
        expect(prepared.hash).toBe(contentHash(event));
        if (text !== null) {
          expect(prepared.signedText).toBe(decoder.decode(signedBytes(event)));
          expect(prepared.hash).toBe(eventHashNode(event));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('has no text when RFC 8785 cannot encode it (a lone surrogate), and still a content hash', () => {
    const event = JSON.parse('{"id":"e-1","payload":{"note":"\\ud800"},"signature":"AA"}') as StationEvent;
    const prepared = prepareEvent(event);
    expect(prepared).toMatchObject({ text: null, signedText: null, hash: contentHash(event) });
  });
});

describe('an entry around a prepared event', () => {
  it('is the RFC 8785 text of the whole entry', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), parsedJson), parsedJson, (members, event) => {
        const entry = JSON.parse(JSON.stringify({ ...members, event })) as AuditEntry;
        let expected: string | null;
        try {
          expected = canonicalText(entry);
        } catch {
          expected = null;
        }
        let eventText: string | null;
        try {
          eventText = canonicalText(entry.event);
        } catch {
          eventText = null;
        }
        if (expected === null) return;
        expect(entryText(entry, eventText)).toBe(expected);
        expect(entryText(entry)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
