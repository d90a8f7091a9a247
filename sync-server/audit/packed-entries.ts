/**
 * How chunks of a log travel between the thread that reads it and the worker pool that checks it
 * (./verifier-pool.ts, ./crypto-worker.ts). Structured cloning costs per object, on both threads:
 * a chunk of entry objects one way and of check objects the other cost the reading thread more than
 * its own share of the work. So the entries go as one string with their lengths, and the checks come
 * back as JSON text with their leaf hashes in one transferred buffer.
 */
import { checkEntry, isWithheld, type CheckOptions, type EntryCheck, type KeyHints, type LogEntry } from './entry-check.ts';

/**
 * Entries as sent to a worker: their texts one after another in one string, with each one's length
 * (-1 for an entry withheld to its leaf hash). Copying one string to a worker costs a copy of its
 * bytes; copying an array of entry objects costs far more per entry, on the thread that reads.
 */
export interface PackedEntries {
  indexes: Float64Array<ArrayBuffer>;
  lengths: Int32Array<ArrayBuffer>;
  text: string;
  /** Each entry's own server signature (format 3–5 and rotations), or null for none; null when no entry has one. */
  signatures: Array<string | null> | null;
  /** Each withheld entry's leaf hash as served (base64), null for the others; null when none is withheld. */
  leafHashes: Array<string | null> | null;
}

/** Packs entries to send (see {@link PackedEntries}). */
export function packEntries(entries: readonly LogEntry[]): PackedEntries {
  const indexes = new Float64Array(entries.length);
  const lengths = new Int32Array(entries.length);
  const texts: string[] = [];
  let signatures: Array<string | null> | null = null;
  let leafHashes: Array<string | null> | null = null;
  entries.forEach((stored, i) => {
    indexes[i] = stored.index;
    if (isWithheld(stored)) {
      lengths[i] = -1;
      leafHashes ??= entries.map(() => null);
      leafHashes[i] = stored.leafHash;
      return;
    }
    lengths[i] = stored.entry.length;
    texts.push(stored.entry);
    if (stored.signature !== undefined) {
      signatures ??= entries.map(() => null);
      signatures[i] = stored.signature;
    }
  });
  return { indexes, lengths, text: texts.join(''), signatures, leafHashes };
}

/** The entries a {@link PackedEntries} holds. */
export function unpackEntries(packed: PackedEntries): LogEntry[] {
  const entries: LogEntry[] = [];
  let at = 0;
  for (let i = 0; i < packed.lengths.length; i++) {
    const index = packed.indexes[i] as number;
    const length = packed.lengths[i] as number;
    if (length < 0) {
      entries.push({ index, leafHash: packed.leafHashes?.[i] ?? '' });
      continue;
    }
    const entry = packed.text.slice(at, at + length);
    at += length;
    const signature = packed.signatures?.[i];
    entries.push(signature === null || signature === undefined ? { index, entry } : { index, entry, signature });
  }
  return entries;
}

/**
 * The checks of a chunk as a worker answers: as JSON text without their leaf hashes, which come in
 * one buffer (32 bytes at each checked entry's place). Parsing JSON on the reading thread costs less
 * than receiving the same objects cloned.
 */
export function checksFromAnswer(json: string, leaves: ArrayBuffer): EntryCheck[] {
  const checks = JSON.parse(json) as EntryCheck[];
  checks.forEach((check, i) => {
    if (check.ok !== false) check.leaf = new Uint8Array(leaves, i * 32, 32);
  });
  return checks;
}

/** Checks packed entries in order (what a worker runs); see {@link checksFromAnswer} for the answer's form. */
export function checkPacked(packed: PackedEntries, hints: KeyHints, options: CheckOptions): { checks: string; leaves: ArrayBuffer } {
  const checks = unpackEntries(packed).map((stored) => checkEntry(stored, hints, options));
  const leaves = new Uint8Array(checks.length * 32);
  const bare = checks.map((check, i) => {
    if (check.ok === false) return check;
    leaves.set(check.leaf, i * 32);
    return { ...check, leaf: undefined };
  });
  return { checks: JSON.stringify(bare), leaves: leaves.buffer };
}

