/**
 * The audit log's work on the worker pool (sync-server/audit/verifier-pool.ts): entries signed and
 * station signatures checked there are the same as on the calling thread, and the parallel
 * verifier (verifyLogParallel) reaches exactly the verdict of the one-thread verifier on a log with
 * a re-enrollment and a key rotation in the middle, untouched and tampered in every way the
 * verifier names, including when a chunk was checked with the wrong keys.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, StoredEntry } from '../../schemas/audit-entry.ts';
import type { StationEvent } from '../../schemas/event.ts';
import { canonicalText, fromBase64, toBase64, toBase64Url } from '../../src/audit/canonical.ts';
import { entryLeafHash } from '../../src/audit/entry.ts';
import { createAuditLog, type AuditLog, type EntryDraft } from '../../sync-server/audit/audit-log.ts';
import { checkEntry, type KeyHints, type LogEntry } from '../../sync-server/audit/entry-check.ts';
import { nodeSha256, signEntryTexts } from '../../sync-server/audit/entry-signing.ts';
import { prepareEvent } from '../../sync-server/audit/prepared-event.ts';
import { newServerKey, signWith as serverSign, type ServerKey } from '../../sync-server/audit/server-key.ts';
import { createVerifierPool, inlineVerifier } from '../../sync-server/audit/verifier-pool.ts';
import { verifyLog, verifyLogParallel, type EntryChecker, type Verdict } from '../../sync-server/audit/verify.ts';
import { openStore, type Store } from '../../sync-server/store/store.ts';
import { leafHash } from '../../src/audit/merkle.ts';
import { signWith, TestChain, testKey } from '../helpers/signing.ts';

const encoder = new TextEncoder();
const pool = createVerifierPool(2);

afterAll(async () => {
  await pool.close();
});

describe('the crypto pool', () => {
  it('signs entries and hashes their leaves as the calling thread does', async () => {
    const key = newServerKey('travelog/test');
    const texts = Array.from({ length: 300 }, (_, i) => canonicalText({ index: i, kind: 'receipt', note: `entry ${i} ✓` }));
    const pooled = await pool.signEntries(key, texts);
    const inline = signEntryTexts(key.privateKey, texts);
    // Ed25519 signatures are deterministic (RFC 8032).
    expect(pooled.signatures).toEqual(inline.signatures);
    expect(pooled.leaves).toEqual(inline.leaves);
    expect(pooled.leaves.subarray(32 * 7, 32 * 8)).toEqual(new Uint8Array(leafHash(encoder.encode(texts[7] as string), nodeSha256)));
    expect(pooled.signatures[0]).toBe(toBase64Url(serverSign(key, encoder.encode(texts[0] as string))));
  });

  it('checks station signatures as the calling thread does, forged ones too', async () => {
    const chain = new TestChain(testKey('Ed25519'));
    const events = Array.from({ length: 100 }, (_, i) => {
      const event = chain.sign({ id: randomUUID(), type: 'op.started', stationId: 'ST-1', seq: i + 1, actor: 'B-1001', deviceTime: '2026-11-20T08:00:00.000Z', hlc: `0:${i}:ST-1`, payload: { i } } as never);
      return i % 7 === 3 ? signWith(testKey(), event) : event;
    });
    const prepared = events.map(prepareEvent);
    const pooled = await pool.verify(chain.key.publicKey, 'Ed25519', prepared);
    expect(pooled).toEqual(await inlineVerifier().verify(chain.key.publicKey, 'Ed25519', prepared));
    expect(pooled.filter((ok) => !ok)).toHaveLength(14);
  });

  it('refuses work once closed', async () => {
    const closed = createVerifierPool(1);
    await closed.close();
    await expect(closed.signEntries(newServerKey('travelog/test'), Array.from({ length: 20 }, () => '{}'))).rejects.toThrow(/closed/);
  });
});

describe('the parallel verifier', () => {
  let dir: string;
  let store: Store;
  let log: AuditLog;
  let entries: StoredEntry[];
  let checkpoints: string[];
  let firstKey: ServerKey;

  /** Writes about 700 entries: 5 stations, receipts, station 0 enrolled again with a new key at about 300, a rotation at about 500. */
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'travelog-audit-parallel-'));
    store = await openStore({ dataDir: dir });
    firstKey = newServerKey('travelog/audit');
    let now = Date.parse('2026-11-20T08:00:00.000Z');
    const clock = () => new Date((now += 1000));
    log = createAuditLog({ key: firstKey, now: clock, checkpointEvery: 64 });
    await store.locked((tx) => log.open(tx.sql));
    const stations = Array.from({ length: 5 }, (_, i) => ({ id: `ST-${i}`, chain: new TestChain(testKey(i === 4 ? 'ECDSA-P256' : 'Ed25519')), seq: 0 }));
    const enrollment = (s: (typeof stations)[number]): EntryDraft => ({
      kind: 'station.enrolled', recordedAt: clock().toISOString(), actor: 'B-3001', role: 'supervisor', stationId: s.id,
      subject: { name: s.id, publicKey: s.chain.key.publicKey, keyAlg: s.chain.key.alg, programs: [] },
    });
    await store.locked((tx) => log.append(tx.sql, stations.map(enrollment)));
    let serverSeq = 0;
    const receipts = (count: number): EntryDraft[] =>
      Array.from({ length: count }, (_, i) => {
        const s = stations[i % stations.length] as (typeof stations)[number];
        const event = s.chain.sign({ id: randomUUID(), type: 'op.started', stationId: s.id, seq: ++s.seq, actor: 'B-1001', deviceTime: clock().toISOString(), hlc: `0:${s.seq}:${s.id}`, payload: { n: s.seq } } as never);
        return { kind: 'receipt', recordedAt: clock().toISOString(), actor: 'B-1001', stationId: s.id, eventId: event.id, eventType: event.type, serverSeq: ++serverSeq, outcome: 'accepted', flags: [], event };
      });
    await store.locked((tx) => log.append(tx.sql, receipts(290), { signer: pool }));
    const reenrolled = stations[0] as (typeof stations)[number];
    const oldChain = reenrolled.chain;
    reenrolled.chain = new TestChain(testKey('Ed25519'));
    reenrolled.chain.last = oldChain.last;
    await store.locked((tx) => log.append(tx.sql, [enrollment(reenrolled)]));
    await store.locked((tx) => log.append(tx.sql, receipts(200), { signer: pool }));
    await store.locked((tx) => log.rotate(tx.sql, newServerKey('travelog/audit'), 'B-3001'));
    await store.locked((tx) => log.append(tx.sql, receipts(200), { signer: pool }));
    await store.locked((tx) => log.checkpointIfBehind(tx.sql));
    entries = await log.entries(store.sql, 0, 1_000_000);
    checkpoints = (await log.checkpoints(store.sql)).map((c) => c.note);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const pages = (list: readonly LogEntry[]): LogEntry[][] => Array.from({ length: Math.ceil(list.length / 300) }, (_, i) => list.slice(i * 300, (i + 1) * 300));

  async function bothVerdicts(list: readonly LogEntry[], notes = checkpoints, checker: EntryChecker = pool): Promise<Verdict> {
    const inline = verifyLog(list, notes);
    const parallel = await verifyLogParallel(pages(list), notes, checker);
    expect(parallel).toEqual(inline);
    return inline;
  }

  const replaced = (index: number, change: (entry: Record<string, unknown>) => Record<string, unknown>, resign?: ServerKey): StoredEntry[] =>
    entries.map((stored) => {
      if (stored.index !== index) return stored;
      const entry = change(JSON.parse(stored.entry) as Record<string, unknown>);
      const text = canonicalText(entry);
      return { ...stored, entry: text, ...(resign === undefined ? {} : { signature: toBase64Url(serverSign(resign, encoder.encode(text))) }) };
    });

  it('verifies the untouched log as the one-thread verifier does, every station signature counted', async () => {
    expect(entries.length).toBeGreaterThan(650);
    const verdict = await bothVerdicts(entries);
    expect(verdict).toMatchObject({ ok: true, entries: entries.length, stationSignatures: 690 });
    // With pinned keys too.
    expect(await verifyLogParallel(pages(entries), checkpoints, pool, { trustedKeys: ['AAAA'] })).toMatchObject({ ok: false, index: 0 });
  });

  it('names the same first failure for each kind of tampering', async () => {
    const receiptAt = (from: number): number => entries.findIndex((e) => e.index >= from && (JSON.parse(e.entry) as AuditEntry).kind === 'receipt');
    const late = receiptAt(600);
    const cases: Array<{ list: StoredEntry[]; notes?: string[]; index: number | null; reason: RegExp }> = [
      { list: replaced(late, (e) => ({ ...e, actor: 'B-9999' })), index: late, reason: /server signature/ },
      { list: entries.filter((e) => e.index !== 400), index: 400, reason: /missing/ },
      { list: entries.map((e) => (e.index === 410 ? { ...e, entry: e.entry.replace('{', '{ ') } : e)), index: 410, reason: /RFC 8785/ },
      { list: entries.map((e) => (e.index === 420 ? { ...e, signature: '!!' } : e)), index: 420, reason: /not base64/ },
      { list: entries.map((e) => (e.index === 430 ? { ...e, signature: toBase64Url(new Uint8Array(64)) } : e)), index: 430, reason: /server signature/ },
      {
        // A station event re-signed with another key, the entry re-signed with the right server key.
        list: replaced(late, (e) => ({ ...e, event: signWith(testKey(), { ...(e['event'] as StationEvent), actor: 'B-1005' }) }), log.key()),
        index: late,
        reason: /station signature/,
      },
      { list: entries, notes: [...checkpoints.slice(0, 2), checkpoints[3]!.replace(/\n[A-Za-z0-9+/]{43}=\n/, `\n${'A'.repeat(43)}=\n`)], index: null, reason: /checkpoint/ },
    ];
    for (const { list, notes, index, reason } of cases) {
      const verdict = await bothVerdicts(list, notes);
      expect(verdict.ok, JSON.stringify(verdict)).toBe(false);
      if (!verdict.ok) {
        expect(verdict.index).toBe(index);
        expect(verdict.reason).toMatch(reason);
      }
    }
  });

  it('checks again, on the calling thread, what a chunk checked with other keys than those in force', async () => {
    // Every chunk checked as if nothing before it named a key: the ordered half must redo each check.
    const blind: EntryChecker = {
      checkEntries: (list, _hints, options) => {
        const hints: KeyHints = { server: null, stations: new Map() };
        return Promise.resolve(list.map((stored) => checkEntry(stored, hints, options)));
      },
    };
    expect(await bothVerdicts(entries, checkpoints, blind)).toMatchObject({ ok: true, stationSignatures: 690 });
    const forged = replaced(600, (e) => ({ ...e, note: 'x' }), firstKey);
    const verdict = await bothVerdicts(forged, checkpoints, blind);
    expect(verdict).toMatchObject({ ok: false, index: 600 });
  });
  describe('[S20] entries withheld to their leaf hash', () => {
    const kindOf = (stored: StoredEntry): AuditEntry => JSON.parse(stored.entry) as AuditEntry;
    /** Station ST-3's enrollment and every fifth receipt from entry 100 on, as a station not cleared for them reads them. */
    const isHidden = (stored: StoredEntry): boolean => {
      const entry = kindOf(stored);
      return (entry.kind === 'station.enrolled' && entry.stationId === 'ST-3') || (entry.kind === 'receipt' && stored.index >= 100 && stored.index % 5 === 0);
    };
    const withhold = (list: readonly StoredEntry[]): LogEntry[] =>
      list.map((stored) => (isHidden(stored) ? { index: stored.index, leafHash: toBase64(entryLeafHash(stored.entry)) } : stored));
    const served = (): LogEntry[] => withhold(entries);
    const hiddenIndexes = (): number[] => entries.filter(isHidden).map((e) => e.index);

    it('verifies what it can read, builds the tree with the withheld leaves, and counts both', async () => {
      const hidden = entries.filter(isHidden);
      const hiddenReceipts = hidden.filter((e) => kindOf(e).kind === 'receipt').length;
      // ST-3's receipts that are still readable: their station key is in the withheld enrollment.
      const unchecked = entries.filter((e) => !isHidden(e) && kindOf(e).kind === 'receipt' && kindOf(e).stationId === 'ST-3').length;
      expect(hidden.length).toBeGreaterThan(100);
      expect(unchecked).toBeGreaterThan(50);
      const verdict = await bothVerdicts(served());
      expect(verdict).toEqual({
        ok: true, entries: entries.length, checkpoints: checkpoints.length, withheld: hidden.length, stationSignaturesUnchecked: unchecked, stationSignatures: 690 - hiddenReceipts - unchecked,
      });
    });

    it('fails on a withheld leaf hash changed, moved or malformed, and on a withheld first entry', async () => {
      const [first, second] = hiddenIndexes().filter((i) => i > 300);
      const at = (index: number, change: (leaf: Uint8Array) => string): LogEntry[] =>
        served().map((e) => (e.index === index && 'leafHash' in e ? { index, leafHash: change(fromBase64(e.leafHash)) } : e));
      const flipped = at(first!, (leaf) => toBase64(leaf.map((byte, i) => (i === 0 ? byte ^ 1 : byte))));
      const verdict = await bothVerdicts(flipped);
      expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/Merkle root/) });
      const covering = checkpoints.map((note) => Number(note.split('\n')[1])).filter((size) => size > first!).sort((a, b) => a - b)[0]!;
      expect(verdict).toMatchObject({ index: covering - 1 });

      // Two withheld leaves swapped: each is a valid hash, in the wrong place.
      const list = served();
      const a = list[first!] as LogEntry & { leafHash: string };
      const b = list[second!] as LogEntry & { leafHash: string };
      list[first!] = { index: first!, leafHash: b.leafHash };
      list[second!] = { index: second!, leafHash: a.leafHash };
      expect(await bothVerdicts(list)).toMatchObject({ ok: false, reason: expect.stringMatching(/Merkle root/) });

      expect(await bothVerdicts(at(first!, () => '!!not base64'))).toMatchObject({ ok: false, index: first, reason: expect.stringMatching(/not base64/) });
      expect(await bothVerdicts(at(first!, (leaf) => toBase64(leaf.subarray(0, 31))))).toMatchObject({ ok: false, index: first, reason: expect.stringMatching(/31 bytes/) });
      const noFirst = served().map((e, i) => (i === 0 && 'entry' in e ? { index: 0, leafHash: toBase64(entryLeafHash(e.entry)) } : e));
      expect(await bothVerdicts(noFirst)).toMatchObject({ ok: false, index: 0, reason: expect.stringMatching(/entry 0/) });
    });

    it('takes no answer for a withheld entry that the checker checked as a whole one, nor the reverse', async () => {
      // A checker that answers for the whole entry where only its leaf hash was read, or the reverse.
      const swapped = (toWhole: boolean): EntryChecker => ({
        checkEntries: (list, hints, options) =>
          Promise.resolve(
            list.map((read) => {
              const original = entries[read.index] as StoredEntry;
              return checkEntry(toWhole ? original : { index: original.index, leafHash: toBase64(entryLeafHash(original.entry)) }, hints, options);
            }),
          ),
      });
      const index = hiddenIndexes()[0];
      const whole = await verifyLogParallel(pages(served()), checkpoints, swapped(true));
      expect(whole).toMatchObject({ ok: false, index, reason: expect.stringMatching(/does not fit/) });
      const asHidden = await verifyLogParallel(pages(entries), checkpoints, swapped(false));
      expect(asHidden).toMatchObject({ ok: false, index: 0, reason: expect.stringMatching(/does not fit/) });
    });
  });
});
