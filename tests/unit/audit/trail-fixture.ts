/**
 * A small audit log written the way the server writes one (the same encoding, leaf hashing, tree,
 * checkpoint note and Ed25519 keys: src/audit/*, sync-server/audit/server-key.ts), with a station
 * whose events are signed and chained, so that tests can serve its trails to the browser's verifier
 * (src/audit/trail-verify.ts) and tamper with them. Only the writing is here; nothing of the checking.
 */
import type { ServerKeyInfo, TrailResponse } from '../../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../../schemas/audit-entry.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import { canonicalText, fromHex, toBase64, toBase64Url } from '../../../src/audit/canonical.ts';
import { checkpointBody, formatNote } from '../../../src/audit/checkpoint.ts';
import { entryBytes, entryLeafHash } from '../../../src/audit/entry.ts';
import { appendLeaf, consistencyProof, frontierRoot, inclusionProof, type Frontier } from '../../../src/audit/merkle.ts';
import { newServerKey, signWith as serverSign, type ServerKey } from '../../../sync-server/audit/server-key.ts';
import { TestChain, testKey, type TestKey } from '../../helpers/signing.ts';
import { entrySubjects } from '../../../src/audit/subjects.ts';

export const KEY_NAME = 'travelog/audit';
const T0 = Date.parse('2026-11-20T08:00:00.000Z');

export type Draft = Omit<AuditEntry, 'index' | 'keyId' | 'format' | 'prev'>;

/** The tree over a list of stored entries: roots and inclusion proofs at any size. */
export function treeOf(entries: readonly StoredEntry[]): { root(size: number): Uint8Array; proof(index: number, size: number): string[]; consistency(first: number, second: number): string[] } {
  const nodes = new Map<string, Uint8Array>();
  const frontiers: Frontier[] = [{ size: 0, nodes: [] }];
  let frontier = frontiers[0]!;
  for (const stored of entries) {
    const appended = appendLeaf(frontier, entryLeafHash(stored.entry));
    for (const node of appended.completed) nodes.set(`${node.level}:${node.index}`, node.hash);
    frontier = appended.frontier;
    frontiers.push(frontier);
  }
  const node = (level: number, i: number) => {
    const found = nodes.get(`${level}:${i}`);
    if (found === undefined) throw new Error(`no node ${level}:${i}`);
    return found;
  };
  return {
    root: (size) => frontierRoot(frontiers[size]!),
    proof: (index, size) => inclusionProof(index, size, node).map(toBase64),
    consistency: (first, second) => consistencyProof(first, second, node).map(toBase64),
  };
}

/** A checkpoint note over `root` signed by `key`. */
export function noteOf(key: ServerKey, size: number, root: Uint8Array): string {
  const body = checkpointBody(key.keyName, size, root);
  return formatNote(body, key.keyName, fromHex(key.keyId), serverSign(key, new TextEncoder().encode(body)));
}

/** An entry's stored form: its RFC 8785 text signed by `key`. */
export function storedOf(entry: AuditEntry, key: ServerKey): StoredEntry {
  const text = canonicalText(entry);
  return { index: entry.index, entry: text, signature: toBase64Url(serverSign(key, entryBytes(text))) };
}

/** A server key's published description. */
export function infoOf(key: ServerKey, validFromIndex: number, validUntilIndex?: number): ServerKeyInfo {
  return {
    keyId: key.keyId,
    keyName: key.keyName,
    publicKey: toBase64(key.publicKey),
    validFromIndex,
    validFrom: new Date(T0).toISOString(),
    ...(validUntilIndex === undefined ? {} : { validUntilIndex, validUntil: new Date(T0).toISOString() }),
  };
}

/** The log, its current key and its published keys; entries are appended as the server would. */
export class FixtureLog {
  readonly entries: StoredEntry[] = [];
  readonly keys: ServerKeyInfo[] = [];
  key: ServerKey;
  readonly station: { id: string; key: TestKey; chain: TestChain; seq: number };
  private clock = T0;
  /** Format 6 from now on: entries unsigned (but a rotation), each naming the previous entry about each subject. */
  format6 = false;
  private readonly heads = new Map<string, number>();

  constructor() {
    this.key = newServerKey(KEY_NAME);
    this.keys.push(infoOf(this.key, 0));
    this.append({ kind: 'log.created', recordedAt: this.time(), actor: 'system', subject: { publicKey: toBase64(this.key.publicKey), keyId: this.key.keyId, keyName: KEY_NAME } });
    const key = testKey();
    this.station = { id: 'S-MILL', key, chain: new TestChain(key), seq: 0 };
    this.append({
      kind: 'station.enrolled', recordedAt: this.time(), actor: 'B-3001', role: 'supervisor', stationId: 'S-MILL',
      subject: { name: 'Mill 1 tablet', publicKey: key.publicKey, keyAlg: key.alg, programs: ['COMMERCIAL'] },
    });
  }

  private time(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  append(draft: Draft, signer: ServerKey = this.key): StoredEntry {
    const index = this.entries.length;
    // audit_units indexes every entry by its subjects (older ones by migration 5); format 6 names them in prev.
    const subjects = entrySubjects(draft);
    const prev = subjects.map((subject) => ({ subject, index: this.heads.get(subject) ?? null }));
    for (const subject of subjects) this.heads.set(subject, index);
    let stored: StoredEntry;
    if (!this.format6) stored = storedOf({ ...draft, index, keyId: signer.keyId }, signer);
    else if (draft.kind === 'key.rotated') stored = storedOf({ ...draft, index, keyId: signer.keyId, format: 6, prev }, signer);
    else stored = { index, entry: canonicalText({ ...draft, index, keyId: signer.keyId, format: 6, prev }) };
    this.entries.push(stored);
    return stored;
  }

  /** A station event on `serial`, signed and chained, recorded as an accepted receipt. */
  receipt(type: 'op.started' | 'op.completed', serial: string, operationId = 'OP10'): StoredEntry {
    const at = this.time();
    const event: StationEvent = this.station.chain.sign({
      id: `E-${this.entries.length}`, type, stationId: this.station.id, seq: ++this.station.seq, actor: 'B-1001', deviceTime: at,
      hlc: `${Date.parse(at).toString().padStart(15, '0')}:000000:${this.station.id}`,
      payload: { workOrderId: 'WO-1003', operationId, unit: { kind: 'serial', serial }, instructionRevision: 'D' },
    });
    return this.append({
      kind: 'receipt', recordedAt: at, actor: 'B-1001', role: 'operator', stationId: this.station.id, eventId: event.id, eventType: type,
      serverSeq: this.entries.length + 100, outcome: 'accepted', flags: [], deviceTime: at, hlc: event.hlc, unit: `serial:${serial}`, event,
    });
  }

  /** Rotates to a new key: the rotation entry is signed by the current key, later entries by the new. */
  rotate(next: ServerKey = newServerKey(KEY_NAME), signer: ServerKey = this.key): ServerKey {
    const rotation = this.append({ kind: 'key.rotated', recordedAt: this.time(), actor: 'B-3001', role: 'system', subject: { publicKey: toBase64(next.publicKey), keyId: next.keyId, keyName: KEY_NAME } }, signer);
    const previous = this.keys.at(-1)!;
    previous.validUntilIndex = rotation.index;
    previous.validUntil = previous.validFrom;
    this.keys.push(infoOf(next, rotation.index + 1));
    this.key = next;
    return next;
  }

  /** A checkpoint of the whole log as it stands, signed by the current key unless given. */
  checkpoint(signer: ServerKey = this.key, entries: readonly StoredEntry[] = this.entries): { size: number; note: string } {
    return { size: entries.length, note: noteOf(signer, entries.length, treeOf(entries).root(entries.length)) };
  }

  /** The trail of a unit as the server serves it: its entries with proofs at `checkpoint`. */
  trail(unit: string | readonly string[], checkpoint = this.checkpoint(), entries: readonly StoredEntry[] = this.entries): TrailResponse {
    const tree = treeOf(entries);
    const wanted = typeof unit === 'string' ? [unit] : unit;
    const about = entries.filter((stored) => entrySubjects(JSON.parse(stored.entry) as AuditEntry).some((s) => wanted.includes(s)));
    return {
      checkpoint,
      keys: this.keys.map((key) => ({ ...key })),
      entries: about.map((stored) => (stored.index < checkpoint.size ? { ...stored, proof: tree.proof(stored.index, checkpoint.size) } : { ...stored })),
      withheld: 0,
    };
  }

  /** A station's enrollment entry with its proof at `size`. */
  enrollment(stationId: string, size: number, entries: readonly StoredEntry[] = this.entries): TrailResponse['entries'][number] {
    const stored = entries.find((e) => {
      const entry = JSON.parse(e.entry) as AuditEntry;
      return entry.kind === 'station.enrolled' && entry.stationId === stationId;
    });
    if (stored === undefined) throw new Error(`no enrollment of ${stationId}`);
    return { ...stored, proof: treeOf(entries).proof(stored.index, size) };
  }
}
