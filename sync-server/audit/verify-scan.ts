/**
 * The per-entry half of a log verification (./entry-check.ts's checkEntry) over the bytes a data
 * directory stores (./verify-read.ts), without building the entry as objects: what a worker
 * (./verify-worker.ts) runs for `audit:verify --data`.
 *
 * One pass over each entry's UTF-8 bytes checks that they are in RFC 8785 form (no whitespace,
 * members in ascending order of their names, strings and numbers written as RFC 8785 writes them)
 * and notes where the few members the checks read lie. Only those few are decoded. The event's
 * chain hash is SHA-256 of its bytes inside the entry's (in RFC 8785 form the event's text is a
 * part of the entry's), and the leaf hash SHA-256 of 0x00 and the stored bytes themselves, so an
 * entry whose bytes differ from its RFC 8785 form in any way, JSON-equal or not, fails here or
 * changes its leaf.
 *
 * The scan accepts only what it can decide alone: ASCII text, names without escapes, the escapes
 * RFC 8785 writes, numbers that read back as themselves, and an entry of the shapes the server
 * writes (a receipt or another entry of format 6 that names no key). Anything else (a non-ASCII
 * character, an entry naming a key, a field of an unexpected type, or an entry not in RFC 8785 form)
 * is decoded and checked by checkEntry itself, so the verdict is always checkEntry's
 * (tests/unit/audit/verify-scan.test.ts compares both on arbitrary and on altered entries).
 */
import { hash as cryptoHash } from 'node:crypto';
import type { StoredEntry } from '../../schemas/audit-entry.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import { checkEntry, SECURITY_REJECTIONS, type CheckOptions, type EntryCheck, type KeyHints } from './entry-check.ts';

/** The rows of a page as a worker gets them (see verify-read.ts RawPage). */
export interface ScanJob {
  bytes: Uint8Array;
  indexes: Float64Array;
  starts: Int32Array;
  lengths: Int32Array;
  signatureStarts: Int32Array;
  signatureLengths: Int32Array;
  options: CheckOptions;
  /** The sizes of the log's checkpoints, ascending: the page's tree answers the root of each it ends in. */
  checkpointSizes: readonly number[];
}

/**
 * The page's part of the RFC 9162 tree, for rows at positions `start`… (the rows' place, which the
 * reading thread checks before it takes the tree): the page as aligned perfect subtrees, largest
 * first where they can be, and the same for the part of the page before each checkpoint's size that
 * ends in it. The reading thread appends them to its frontier (verify.ts) instead of each leaf.
 */
export interface PageTree {
  start: number;
  levels: number[];
  /** 32 bytes per subtree. */
  nodes: Uint8Array<ArrayBuffer>;
  checkpoints: Array<{ size: number; levels: number[]; nodes: Uint8Array<ArrayBuffer> }>;
}

/** Numbers per entry in {@link ScanAnswer.records}. */
export const STRIDE = 11;
/** Record fields. */
export const R_STATUS = 0;
export const R_INDEX = 1;
export const R_KIND = 2;
export const R_KEY = 3;
export const R_STATION = 4;
export const R_FORMAT = 5;
export const R_SEQ = 6;
export const R_PREV_START = 7;
export const R_PREV_COUNT = 8;
export const R_SUBJECTS_START = 9;
export const R_SUBJECTS_COUNT = 10;

/** Status of an entry's record. */
export const SCANNED = 0;
/** Checked by checkEntry: its check is in {@link ScanAnswer.checked}. */
export const CHECKED = 1;

/**
 * The checks of a page, compact: numbers per entry, the distinct strings they name, and each
 * event's hash and previous hash as hex, one after another (cloning one object per entry to the
 * reading thread cost it more than all its own work).
 */
export interface ScanAnswer {
  /** {@link STRIDE} numbers per entry; absent numbers are NaN (no format, no event: seq NaN) or -1 (no station, no prev). */
  records: Float64Array<ArrayBuffer>;
  /** Prev links (subject string, index or NaN for null), then subject strings, as the records point to them. */
  links: Float64Array<ArrayBuffer>;
  strings: string[];
  /** For each entry with an event, in order: its hash (64 hex) and prevHash (64 characters). */
  hashes: string;
  /** Checks of entries checkEntry checked: [row, check without leaf]. */
  checked: Array<[number, EntryCheck]>;
  /** 32 bytes per entry. */
  leaves: ArrayBuffer;
  tree: PageTree;
}

// ---------------------------------------------------------------------------------------------
// The RFC 8785 scan. Module state, set per entry: the bytes, the position, and where members lie.

let b: Uint8Array = new Uint8Array(0);
let p = 0;
let end = 0;

/** Members of the entry (top level) and of its event read by the checks: their value's start and end. */
const TOP_NAMES = ['event', 'flags', 'format', 'index', 'keyId', 'kind', 'prev', 'stationId', 'unit'].map((n) => Buffer.from(n, 'latin1'));
const EVENT_NAMES = ['id', 'payload', 'prevHash', 'seq', 'stationId', 'type'].map((n) => Buffer.from(n, 'latin1'));
const T_EVENT = 0;
const T_FLAGS = 1;
const T_FORMAT = 2;
const T_INDEX = 3;
const T_KEY = 4;
const T_KIND = 5;
const T_PREV = 6;
const T_STATION = 7;
const T_UNIT = 8;
const E_ID = 0;
const E_PAYLOAD = 1;
const E_PREV_HASH = 2;
const E_SEQ = 3;
const E_STATION = 4;
const E_TYPE = 5;
const topStart = new Int32Array(TOP_NAMES.length);
const topEnd = new Int32Array(TOP_NAMES.length);
const eventStart = new Int32Array(EVENT_NAMES.length);
const eventEnd = new Int32Array(EVENT_NAMES.length);
/** Whether the string value just scanned had an escape. */
let escaped = false;

const MAX_DEPTH = 64;

/** Which of `names` the name at [start, stop) is, or -1. */
function nameIndex(names: readonly Uint8Array[], start: number, stop: number): number {
  const length = stop - start;
  for (let k = 0; k < names.length; k++) {
    const name = names[k] as Uint8Array;
    if (name.length !== length) continue;
    let same = true;
    for (let j = 0; j < length; j++) {
      if (b[start + j] !== name[j]) {
        same = false;
        break;
      }
    }
    if (same) return k;
  }
  return -1;
}

/** Whether the name at [a, aEnd) sorts strictly before the one at [c, cEnd) (ASCII: bytes order as UTF-16 code units do). */
function before(a: number, aEnd: number, c: number, cEnd: number): boolean {
  const length = Math.min(aEnd - a, cEnd - c);
  for (let j = 0; j < length; j++) {
    const x = b[a + j] as number;
    const y = b[c + j] as number;
    if (x !== y) return x < y;
  }
  return aEnd - a < cEnd - c;
}

const HEX = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
const hexValue = (c: number): number => (c <= 0x39 ? c - 0x30 : c - 0x61 + 10);

/** A string in RFC 8785 form at p (ASCII only); p after its closing quote. */
function string(): boolean {
  p += 1;
  escaped = false;
  while (p < end) {
    const c = b[p] as number;
    if (c === 0x22) {
      p += 1;
      return true;
    }
    if (c < 0x20 || c >= 0x80) return false;
    if (c !== 0x5c) {
      p += 1;
      continue;
    }
    escaped = true;
    const e = b[p + 1];
    // RFC 8785 (as JSON.stringify): \" \\ \b \f \n \r \t, and \u00xx (lowercase) for the other controls only.
    if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
      p += 2;
      continue;
    }
    if (e !== 0x75 || b[p + 2] !== 0x30 || b[p + 3] !== 0x30) return false;
    const h = b[p + 4] as number;
    const l = b[p + 5] as number;
    if ((h !== 0x30 && h !== 0x31) || !HEX(l)) return false;
    const code = hexValue(h) * 16 + hexValue(l);
    if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return false;
    p += 6;
  }
  return false;
}

/** A number in RFC 8785 form at p (as Number.prototype.toString writes it). */
function number(): boolean {
  const start = p;
  let simple = true;
  while (p < end) {
    const c = b[p] as number;
    if (c >= 0x30 && c <= 0x39) p += 1;
    else if (c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) {
      simple = simple && c === 0x2d && p === start;
      p += 1;
    } else break;
  }
  const digits = b[start] === 0x2d ? start + 1 : start;
  if (simple && p > digits && p - digits <= 15) {
    // An integer: no leading zero, and not -0 (RFC 8785 writes 0).
    if (b[digits] === 0x30) return p === digits + 1 && digits === start;
    return true;
  }
  const text = Buffer.from(b.buffer, b.byteOffset + start, p - start).toString('latin1');
  return String(Number(text)) === text;
}

function literal(word: Uint8Array): boolean {
  for (let j = 0; j < word.length; j++) if (b[p + j] !== word[j]) return false;
  p += word.length;
  return true;
}
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** An object at p; members named in `names` have their value's span noted in `starts`/`ends` (-1: absent). */
function object(depth: number, names: readonly Uint8Array[] | null, starts: Int32Array | null, ends: Int32Array | null): boolean {
  if (depth > MAX_DEPTH) return false;
  p += 1;
  if (b[p] === 0x7d) {
    p += 1;
    return true;
  }
  let previous = -1;
  let previousEnd = -1;
  for (;;) {
    if (b[p] !== 0x22) return false;
    const nameStart = p + 1;
    if (!string() || escaped) return false;
    const nameEnd = p - 1;
    if (previous >= 0 && !before(previous, previousEnd, nameStart, nameEnd)) return false;
    previous = nameStart;
    previousEnd = nameEnd;
    if (b[p] !== 0x3a) return false;
    p += 1;
    const valueStart = p;
    const k = names === null ? -1 : nameIndex(names, nameStart, nameEnd);
    // The entry's event is scanned once, noting its members.
    if (k === T_EVENT && names === TOP_NAMES && b[p] === 0x7b) {
      if (!object(depth + 1, EVENT_NAMES, eventStart, eventEnd)) return false;
    } else if (!value(depth + 1)) return false;
    if (k >= 0 && starts !== null && ends !== null) {
      starts[k] = valueStart;
      ends[k] = p;
    }
    const c = b[p];
    p += 1;
    if (c === 0x7d) return true;
    if (c !== 0x2c) return false;
  }
}

function array(depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  p += 1;
  if (b[p] === 0x5d) {
    p += 1;
    return true;
  }
  for (;;) {
    if (!value(depth + 1)) return false;
    const c = b[p];
    p += 1;
    if (c === 0x5d) return true;
    if (c !== 0x2c) return false;
  }
}

function value(depth: number): boolean {
  if (p >= end) return false;
  const c = b[p] as number;
  if (c === 0x22) return string();
  if (c === 0x7b) return object(depth, null, null, null);
  if (c === 0x5b) return array(depth);
  if (c === 0x74) return literal(TRUE);
  if (c === 0x66) return literal(FALSE);
  if (c === 0x6e) return literal(NULL);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number();
  return false;
}

/**
 * Scans the entry at [start, stop) of `bytes`: true when it is in RFC 8785 form (as far as the scan
 * decides: see the module comment), with its top-level members' and its event's members' spans noted.
 */
export function scanEntry(bytes: Uint8Array, start: number, stop: number): boolean {
  b = bytes;
  p = start;
  end = stop;
  topStart.fill(-1);
  eventStart.fill(-1);
  return b[p] === 0x7b && object(0, TOP_NAMES, topStart, topEnd) && p === stop;
}

// ---------------------------------------------------------------------------------------------
// The values the checks read.

const latin1 = (start: number, stop: number): string => Buffer.from(b.buffer, b.byteOffset + start, stop - start).toString('latin1');

/** A JSON value at [start, stop), or undefined when absent (start -1). */
function json(start: number, stop: number): unknown {
  return start < 0 ? undefined : JSON.parse(latin1(start, stop));
}

/** A string value at [start, stop), or null when it is not a string (or absent). */
function text(start: number, stop: number): string | null {
  if (start < 0 || b[start] !== 0x22) return null;
  // Without an escape its characters are its bytes (ASCII).
  for (let j = start + 1; j < stop - 1; j++) if (b[j] === 0x5c) return JSON.parse(latin1(start, stop)) as string;
  return latin1(start + 1, stop - 1);
}

/** An integer value written without fraction or exponent, or NaN. */
function integer(start: number, stop: number): number {
  if (start < 0) return Number.NaN;
  let at = start;
  const negative = b[at] === 0x2d;
  if (negative) at += 1;
  if (at >= stop || stop - at > 15) return Number.NaN;
  let n = 0;
  for (; at < stop; at++) {
    const digit = (b[at] as number) - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    n = n * 10 + digit;
  }
  return negative ? -n : n;
}

// ---------------------------------------------------------------------------------------------
// A page.

/** Checks every entry of a page: the fast scan where it decides, checkEntry elsewhere. */
export function scanPage(job: ScanJob): ScanAnswer {
  const rows = job.indexes.length;
  const records = new Float64Array(rows * STRIDE);
  let links = new Float64Array(Math.max(64, rows * 8));
  let linkCount = 0;
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const hashes: string[] = [];
  const checked: Array<[number, EntryCheck]> = [];
  const leaves = new Uint8Array(rows * 32);
  // The scan decides nothing about keys: an entry naming one, or whose own signature is to be checked, goes to checkEntry with these.
  const hints: KeyHints = { server: null, stations: new Map() };
  let longest = 0;
  for (const length of job.lengths) longest = Math.max(longest, length);
  // Each entry is copied here after a 0x00 (the leaf's input); the scan reads the copy.
  const leafInput = new Uint8Array(1 + longest);

  const id = (value: string): number => {
    let k = stringIds.get(value);
    if (k === undefined) {
      k = strings.length;
      strings.push(value);
      stringIds.set(value, k);
    }
    return k;
  };
  const link = (a: number, c: number): void => {
    if (linkCount + 2 > links.length) {
      const grown = new Float64Array(links.length * 2);
      grown.set(links);
      links = grown;
    }
    links[linkCount++] = a;
    links[linkCount++] = c;
  };

  for (let row = 0; row < rows; row++) {
    const start = job.starts[row] as number;
    const length = job.lengths[row] as number;
    const r = row * STRIDE;
    // The leaf: SHA-256(0x00 ‖ the stored bytes).
    leafInput.set(job.bytes.subarray(start, start + length), 1);
    leaves.set(cryptoHash('sha256', leafInput.subarray(0, length + 1), 'buffer'), row * 32);
    const fast = scanEntry(leafInput, 1, length + 1) ? scanned(job, row) : null;
    if (fast === null) {
      const stored = storedRow(job, row);
      const check = checkEntry(stored, hints, job.options);
      records[r + R_STATUS] = CHECKED;
      checked.push([row, check.ok === false ? check : { ...check, leaf: new Uint8Array(0) }]);
      continue;
    }
    records[r + R_STATUS] = SCANNED;
    records[r + R_INDEX] = fast.index;
    records[r + R_KIND] = id(fast.kind);
    records[r + R_KEY] = id(fast.keyId);
    records[r + R_STATION] = fast.stationId === null ? -1 : id(fast.stationId);
    records[r + R_FORMAT] = fast.format;
    records[r + R_SEQ] = fast.event === null ? Number.NaN : fast.event.seq;
    if (fast.prev === null) {
      records[r + R_PREV_START] = -1;
      records[r + R_PREV_COUNT] = 0;
    } else {
      records[r + R_PREV_START] = linkCount;
      records[r + R_PREV_COUNT] = fast.prev.length;
      for (const l of fast.prev) link(id(l.subject), l.index ?? Number.NaN);
    }
    if (fast.subjects === null) {
      records[r + R_SUBJECTS_START] = -1;
      records[r + R_SUBJECTS_COUNT] = 0;
    } else {
      records[r + R_SUBJECTS_START] = linkCount;
      records[r + R_SUBJECTS_COUNT] = fast.subjects.length;
      for (const subject of fast.subjects) link(id(subject), 0);
    }
    if (fast.event !== null) hashes.push(fast.event.hash, fast.event.prevHash);
  }
  const start = rows > 0 ? (job.indexes[0] as number) : 0;
  return { records, links: links.slice(0, linkCount), strings, hashes: hashes.join(''), checked, leaves: leaves.buffer, tree: pageTree(leaves, start, rows, job.checkpointSizes) };
}

/** 0x01 ‖ left ‖ right, the input of an RFC 9162 node hash. */
const NODE_INPUT = new Uint8Array(65);
NODE_INPUT[0] = 0x01;

/** The page's subtrees (see {@link PageTree}): every node inside the page hashed once, bottom up. */
export function pageTree(leaves: Uint8Array, start: number, rows: number, checkpointSizes: readonly number[]): PageTree {
  const end = start + rows;
  // levels[j] holds the nodes of width 2^j that lie inside the page, from the first aligned one (firsts[j]: its number at that level).
  const levels: Uint8Array[] = [leaves];
  const firsts: number[] = [start];
  for (let j = 1; 2 ** j <= rows; j++) {
    const width = 2 ** j;
    const first = Math.ceil(start / width);
    const last = Math.floor(end / width);
    if (last <= first) break;
    const below = levels[j - 1] as Uint8Array;
    const belowFirst = firsts[j - 1] as number;
    const out = new Uint8Array((last - first) * 32);
    for (let slot = first; slot < last; slot++) {
      const left = (slot * 2 - belowFirst) * 32;
      NODE_INPUT.set(below.subarray(left, left + 64), 1);
      out.set(cryptoHash('sha256', NODE_INPUT, 'buffer'), (slot - first) * 32);
    }
    levels.push(out);
    firsts.push(first);
  }
  const decompose = (to: number): { levels: number[]; nodes: Uint8Array<ArrayBuffer> } => {
    const found: number[] = [];
    const parts: Uint8Array[] = [];
    for (let x = start; x < to; ) {
      let k = 0;
      while (k + 1 < levels.length && x % 2 ** (k + 1) === 0 && x + 2 ** (k + 1) <= to) k += 1;
      const at = (x / 2 ** k - (firsts[k] as number)) * 32;
      found.push(k);
      parts.push((levels[k] as Uint8Array).subarray(at, at + 32));
      x += 2 ** k;
    }
    const nodes = new Uint8Array(parts.length * 32);
    parts.forEach((part, i) => nodes.set(part, i * 32));
    return { levels: found, nodes };
  };
  const checkpoints = checkpointSizes.filter((size) => size > start && size <= end).map((size) => ({ size, ...decompose(size) }));
  return { start, ...decompose(end), checkpoints };
}

function storedRow(job: ScanJob, row: number): StoredEntry {
  const start = job.starts[row] as number;
  const entry = Buffer.from(job.bytes.buffer, job.bytes.byteOffset + start, job.lengths[row] as number).toString('utf8');
  const signatureLength = job.signatureLengths[row] as number;
  if (signatureLength <= 0) return { index: job.indexes[row] as number, entry };
  const at = job.signatureStarts[row] as number;
  return { index: job.indexes[row] as number, entry, signature: Buffer.from(job.bytes.buffer, job.bytes.byteOffset + at, signatureLength).toString('utf8') };
}

interface Scanned {
  index: number;
  kind: string;
  keyId: string;
  stationId: string | null;
  format: number;
  prev: Array<{ subject: string; index: number | null }> | null;
  /** The entry's subjects, where `prev` does not name exactly them (as entry-check.ts leaves them out). */
  subjects: string[] | null;
  event: { seq: number; hash: string; prevHash: string } | null;
}

/**
 * What checkEntry finds of a scanned entry, or null where the scan leaves it to checkEntry: an
 * entry that names a key, one whose own signature is to be checked, or one with a member of a type
 * the server does not write.
 */
function scanned(job: ScanJob, row: number): Scanned | null {
  const kind = text(topStart[T_KIND] as number, topEnd[T_KIND] as number);
  if (kind === null || kind === 'log.created' || kind === 'key.rotated' || kind === 'station.enrolled') return null;
  // A signed entry (format 3–5) goes to checkEntry, which decides whether its own signature is checked.
  if ((job.signatureLengths[row] as number) > 0) return null;
  const keyId = text(topStart[T_KEY] as number, topEnd[T_KEY] as number);
  const index = integer(topStart[T_INDEX] as number, topEnd[T_INDEX] as number);
  if (keyId === null || Number.isNaN(index)) return null;
  const stationAt = topStart[T_STATION] as number;
  const stationId = stationAt < 0 ? null : text(stationAt, topEnd[T_STATION] as number);
  if (stationAt >= 0 && stationId === null) return null;
  const formatAt = topStart[T_FORMAT] as number;
  const format = formatAt < 0 ? Number.NaN : integer(formatAt, topEnd[T_FORMAT] as number);
  if (formatAt >= 0 && Number.isNaN(format)) return null;

  let prev: Scanned['prev'] = null;
  if ((topStart[T_PREV] as number) >= 0) {
    const value = json(topStart[T_PREV] as number, topEnd[T_PREV] as number);
    if (!Array.isArray(value)) return null;
    for (const item of value as unknown[]) {
      const l = item as { subject?: unknown; index?: unknown } | null;
      if (typeof l !== 'object' || l === null || typeof l.subject !== 'string' || !(l.index === null || typeof l.index === 'number')) return null;
    }
    prev = value as NonNullable<Scanned['prev']>;
  }

  // Flags of a type the server does not write go to checkEntry, whatever the entry's kind (a
  // receipt's are read there even when it carries no event).
  let refused = false;
  if ((topStart[T_FLAGS] as number) >= 0) {
    const flags = json(topStart[T_FLAGS] as number, topEnd[T_FLAGS] as number);
    if (!Array.isArray(flags) || flags.some((flag) => typeof flag !== 'string')) return null;
    refused = (flags as string[]).some((flag) => SECURITY_REJECTIONS.has(flag));
  }

  // The event checkEntry checks (checkedEvent): a receipt's own, not refused for security.
  const eventAt = topStart[T_EVENT] as number;
  let event: Scanned['event'] = null;
  let eventValue: { type?: unknown; payload?: unknown } | undefined;
  if (kind === 'receipt' && eventAt >= 0) {
    if (b[eventAt] !== 0x7b) return null;
    const eventStation = eventStart[E_STATION] as number;
    const eventStationId = eventStation < 0 ? null : text(eventStation, eventEnd[E_STATION] as number);
    if (eventStation >= 0 && eventStationId === null) return null;
    eventValue = {
      ...((eventStart[E_TYPE] as number) >= 0 ? { type: json(eventStart[E_TYPE] as number, eventEnd[E_TYPE] as number) } : {}),
      ...((eventStart[E_PAYLOAD] as number) >= 0 ? { payload: json(eventStart[E_PAYLOAD] as number, eventEnd[E_PAYLOAD] as number) } : {}),
    };
    if (!refused && stationId !== null && eventStationId === stationId) {
      const seqAt = eventStart[E_SEQ] as number;
      const seq = seqAt < 0 ? Number.NaN : integer(seqAt, eventEnd[E_SEQ] as number);
      const prevHash = text(eventStart[E_PREV_HASH] as number, eventEnd[E_PREV_HASH] as number);
      // The id is read again from the entry where a message names it: it must be a string here.
      if (Number.isNaN(seq) || prevHash === null || prevHash.length !== 64 || text(eventStart[E_ID] as number, eventEnd[E_ID] as number) === null) return null;
      const hash = cryptoHash('sha256', b.subarray(eventAt, topEnd[T_EVENT]), 'hex');
      event = { seq, hash, prevHash };
    }
  }
  const unit = json(topStart[T_UNIT] as number, topEnd[T_UNIT] as number);
  const subjects = entrySubjects({ kind, unit, event: eventValue });
  const named = format === 6 && prev !== null && prev.length === subjects.length && prev.every((l, k) => l.subject === subjects[k]);
  return { index, kind, keyId, stationId, format, prev, subjects: named ? null : subjects, event };
}
