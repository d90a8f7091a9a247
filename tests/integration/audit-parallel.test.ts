/**
 * The audit log's work on the worker pool (sync-server/audit/verifier-pool.ts): entries signed and
 * station signatures checked there are the same as on the calling thread, and the parallel
 * verifier (verifyLogParallel), and the one of `audit:verify --data` over pages of stored bytes
 * (verifyRawPages), reach exactly the verdict of the one-thread verifier on a log with
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
import { checkEntry, isWithheld, type KeyHints, type LogEntry } from '../../sync-server/audit/entry-check.ts';
import { nodeSha256, signEntryTexts } from '../../sync-server/audit/entry-signing.ts';
import { prepareEvent } from '../../sync-server/audit/prepared-event.ts';
import { newServerKey, signWith as serverSign, type ServerKey } from '../../sync-server/audit/server-key.ts';
import { createVerifierPool, inlineVerifier } from '../../sync-server/audit/verifier-pool.ts';
import { createScanPool } from '../../sync-server/audit/verify-pool.ts';
import { rawPageOf } from '../../sync-server/audit/verify-read.ts';
import { verifyLog, verifyLogParallel, verifyRawPages, type EntryChecker, type Verdict, type VerifyOptions } from '../../sync-server/audit/verify.ts';
import { openStore, type Store } from '../../sync-server/store/store.ts';
import { leafHash } from '../../src/audit/merkle.ts';
import { signWith, TestChain, testKey } from '../helpers/signing.ts';
import { appendFormat5 } from '../helpers/legacy-audit.ts';

const encoder = new TextEncoder();
const pool = createVerifierPool(2);
/** The workers of `audit:verify --data`, which check pages as stored bytes (verify-scan.ts). */
const scanner = createScanPool(2);

afterAll(async () => {
  await pool.close();
  await scanner.close();
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
  let legacySize: number;

  /**
   * Writes about 700 entries: 5 stations, receipts, station 0 enrolled again with a new key at about
   * 300, a rotation at about 500. The first 296 as protocol version 5 wrote them (format 5: each
   * signed, a checkpoint every 64, the last 40 covered by none), then format 6 (the server's writer).
   */
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'travelog-audit-parallel-'));
    store = await openStore({ dataDir: dir });
    firstKey = newServerKey('travelog/audit');
    let now = Date.parse('2026-11-20T08:00:00.000Z');
    const clock = () => new Date((now += 1000));
    log = createAuditLog({ key: firstKey, now: clock, checkpointEvery: 64 });
    const created: EntryDraft = { kind: 'log.created', recordedAt: clock().toISOString(), actor: 'system', subject: { publicKey: toBase64(firstKey.publicKey), keyId: firstKey.keyId, keyName: firstKey.keyName } };
    const stations = Array.from({ length: 5 }, (_, i) => ({ id: `ST-${i}`, chain: new TestChain(testKey(i === 4 ? 'ECDSA-P256' : 'Ed25519')), seq: 0 }));
    const enrollment = (s: (typeof stations)[number]): EntryDraft => ({
      kind: 'station.enrolled', recordedAt: clock().toISOString(), actor: 'B-3001', role: 'supervisor', stationId: s.id,
      subject: { name: s.id, publicKey: s.chain.key.publicKey, keyAlg: s.chain.key.alg, programs: [] },
    });
    const enrollments = stations.map(enrollment);
    let serverSeq = 0;
    const receipts = (count: number): EntryDraft[] =>
      Array.from({ length: count }, (_, i) => {
        const s = stations[i % stations.length] as (typeof stations)[number];
        const event = s.chain.sign({ id: randomUUID(), type: 'op.started', stationId: s.id, seq: ++s.seq, actor: 'B-1001', deviceTime: clock().toISOString(), hlc: `0:${s.seq}:${s.id}`, payload: { n: s.seq } } as never);
        return { kind: 'receipt', recordedAt: clock().toISOString(), actor: 'B-1001', stationId: s.id, eventId: event.id, eventType: event.type, serverSeq: ++serverSeq, outcome: 'accepted', flags: [], event };
      });
    await store.locked((tx) => appendFormat5(tx.sql, firstKey, [created, ...enrollments, ...receipts(290)], 64, clock()));
    legacySize = 296;
    await store.locked((tx) => log.open(tx.sql));
    const reenrolled = stations[0] as (typeof stations)[number];
    const oldChain = reenrolled.chain;
    reenrolled.chain = new TestChain(testKey('Ed25519'));
    reenrolled.chain.last = oldChain.last;
    await store.locked((tx) => log.append(tx.sql, [enrollment(reenrolled)]));
    await store.locked((tx) => log.append(tx.sql, receipts(200)));
    await store.locked((tx) => log.rotate(tx.sql, newServerKey('travelog/audit'), 'B-3001'));
    await store.locked((tx) => log.append(tx.sql, receipts(200)));
    await store.locked((tx) => log.checkpointIfBehind(tx.sql));
    entries = await log.entries(store.sql, 0, 1_000_000);
    checkpoints = (await log.checkpoints(store.sql)).map((c) => c.note);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const pages = (list: readonly LogEntry[]): LogEntry[][] => Array.from({ length: Math.ceil(list.length / 300) }, (_, i) => list.slice(i * 300, (i + 1) * 300));

  async function bothVerdicts(list: readonly LogEntry[], notes = checkpoints, checker: EntryChecker = pool, options: VerifyOptions = {}): Promise<Verdict> {
    const inline = verifyLog(list, notes, options);
    const parallel = await verifyLogParallel(pages(list), notes, checker, options);
    expect(parallel).toEqual(inline);
    // As `--data` reads them: pages of stored bytes, of a width the tree's subtrees fit (256) and one they do not (300).
    if (list.every((entry) => !isWithheld(entry))) {
      for (const size of [256, 300]) {
        const raw = Array.from({ length: Math.ceil(list.length / size) }, (_, i) => rawPageOf(list.slice(i * size, (i + 1) * size) as StoredEntry[]));
        expect(await verifyRawPages(raw, notes, scanner, options)).toEqual(inline);
      }
    }
    return inline;
  }

  const replaced = (index: number, change: (entry: Record<string, unknown>) => Record<string, unknown>, resign?: ServerKey): StoredEntry[] =>
    entries.map((stored) => {
      if (stored.index !== index) return stored;
      const entry = change(JSON.parse(stored.entry) as Record<string, unknown>);
      const text = canonicalText(entry);
      return { ...stored, entry: text, ...(resign === undefined ? {} : { signature: toBase64Url(serverSign(resign, encoder.encode(text))) }) };
    });

  it('verifies the untouched log (format 5 then 6) as the one-thread verifier does: each run by its last signature, or every signature', async () => {
    expect(entries.length).toBeGreaterThan(650);
    expect(entries.slice(0, legacySize).every((e) => e.signature !== undefined && !e.entry.includes('"format"'))).toBe(true);
    expect(entries.slice(legacySize).filter((e) => e.signature !== undefined).map((e) => (JSON.parse(e.entry) as AuditEntry).kind)).toEqual(['key.rotated']);
    const verdict = await bothVerdicts(entries);
    // Five stations, one enrolled again with a new key: six unbroken runs, attesting all 690 events;
    // of the entries' own signatures only the rotation's is needed (checkpoints cover the rest).
    expect(verdict).toMatchObject({ ok: true, entries: entries.length, stationSignatures: 6, stationEvents: 690, entrySignatures: 1 });
    expect(await bothVerdicts(entries, checkpoints, pool, { allSignatures: true })).toMatchObject({ ok: true, stationSignatures: 690, stationEvents: 690, entrySignatures: legacySize + 1 });
    // With pinned keys too.
    expect(await verifyLogParallel(pages(entries), checkpoints, pool, { trustedKeys: ['AAAA'] })).toMatchObject({ ok: false, index: 0 });
  });

  it('names the same first failure for each kind of tampering', async () => {
    const receiptAt = (from: number): number => entries.findIndex((e) => e.index >= from && (JSON.parse(e.entry) as AuditEntry).kind === 'receipt');
    const late = receiptAt(600);
    const sizes = checkpoints.map((note) => Number(note.split('\n')[1]));
    const covering = (index: number): number => sizes.filter((size) => size > index).sort((a, b) => a - b)[0]! - 1;
    /** The last receipt of a station: nothing after it names its hash, only its own signature attests it. */
    const lastOf = (station: string): number => entries.findLastIndex((e) => (JSON.parse(e.entry) as AuditEntry).stationId === station);
    const resignedEvent = (e: Record<string, unknown>) => ({ ...e, event: signWith(testKey(), { ...(e['event'] as StationEvent), actor: 'B-1005' }) });
    const all: VerifyOptions = { allSignatures: true };
    const cases: Array<{ list: StoredEntry[]; notes?: string[]; options?: VerifyOptions; index: number | null; reason: RegExp }> = [
      // Format 6: an entry changed is found by the root of the checkpoint of its batch.
      { list: replaced(late, (e) => ({ ...e, actor: 'B-9999' })), index: covering(late), reason: /Merkle root .* an entry from \d+ to \d+ was changed/ },
      // Format 5, covered by a checkpoint: the same; with --all-signatures, its own signature names it.
      { list: replaced(200, (e) => ({ ...e, actor: 'B-9999' })), index: covering(200), reason: /Merkle root/ },
      { list: replaced(200, (e) => ({ ...e, actor: 'B-9999' })), options: all, index: 200, reason: /server signature/ },
      { list: entries.filter((e) => e.index !== 400), index: 400, reason: /missing/ },
      { list: entries.map((e) => (e.index === 410 ? { ...e, entry: e.entry.replace('{', '{ ') } : e)), index: 410, reason: /RFC 8785/ },
      { list: entries.map((e) => (e.index === 220 ? { ...e, signature: '!!' } : e)), options: all, index: 220, reason: /not base64/ },
      { list: entries.map((e) => (e.index === 230 ? { ...e, signature: toBase64Url(new Uint8Array(64)) } : e)), options: all, index: 230, reason: /server signature/ },
      // A format 6 entry given a signature column it never had is still one: but a bad one found with --all-signatures.
      { list: entries.map((e) => (e.index === 430 ? { ...e, signature: toBase64Url(new Uint8Array(64)) } : e)), options: all, index: 430, reason: /server signature/ },
      // Format 6 entries are not signed by themselves: one that does not say so is refused.
      { list: replaced(late, (e) => Object.fromEntries(Object.entries(e).filter(([name]) => name !== 'format'))), index: late, reason: /no server signature, and it is not of format 6/ },
      // An entry about a unit left out of a subject's chain (its successor's prev no longer fits).
      { list: replaced(late, (e) => ({ ...e, prev: [{ subject: 'serial:SN-X', index: null }] })), index: late, reason: /names as its subjects/ },
      // A station event re-signed with another key: the next event of its run no longer links to it.
      { list: replaced(late, resignedEvent), index: late + 5, reason: /breaks station ST-\d's chain/ },
      // The last event of a station re-signed: the run's last signature does not verify.
      { list: replaced(lastOf('ST-2'), resignedEvent), index: lastOf('ST-2'), reason: /station signature of event .* which attests station ST-2's events \d+ to \d+, does not verify/ },
      { list: replaced(lastOf('ST-2'), resignedEvent), options: all, index: lastOf('ST-2'), reason: /station signature of event/ },
      { list: entries, notes: checkpoints.map((note, i) => (i === 3 ? note.replace(/\n[A-Za-z0-9+/]{43}=\n/, `\n${'A'.repeat(43)}=\n`) : note)), index: null, reason: /signature on checkpoint \d+ does not verify/ },
      // Format 6 entries past the last checkpoint: no signature of their own to stand in for it.
      { list: entries, notes: checkpoints.filter((note) => Number(note.split('\n')[1]) <= late), index: entries.length - 1, reason: /no signed checkpoint covers it/ },
    ];
    for (const { list, notes, options, index, reason } of cases) {
      const verdict = await bothVerdicts(list, notes, pool, options);
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
    expect(await bothVerdicts(entries, checkpoints, blind, { allSignatures: true })).toMatchObject({ ok: true, stationSignatures: 690 });
    const forged = replaced(100, (e) => ({ ...e, note: 'x' }), log.key());
    const verdict = await bothVerdicts(forged, checkpoints, blind, { allSignatures: true });
    expect(verdict).toMatchObject({ ok: false, index: 100 });
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
      expect(verdict).toMatchObject({
        ok: true, entries: entries.length, checkpoints: checkpoints.length, withheld: hidden.length, stationSignaturesUnchecked: unchecked, stationEvents: 690 - hiddenReceipts - unchecked,
      });
      expect(await bothVerdicts(served(), checkpoints, pool, { allSignatures: true })).toMatchObject({ ok: true, stationSignatures: 690 - hiddenReceipts - unchecked });
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
