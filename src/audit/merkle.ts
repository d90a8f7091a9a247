/**
 * RFC 9162 Merkle trees, as Certificate Transparency defines them: leaf hash SHA-256(0x00 ‖ entry),
 * node hash SHA-256(0x01 ‖ left ‖ right); the tree hash of n leaves splits at the largest power of
 * two below n. Proof building and checking here run on the server, in the verifier and in the
 * browser; each passes its SHA-256 (node:crypto on the server, {@link sha256Sync} in the browser).
 */
import { sha256Sync } from './sha256.ts';

/** A SHA-256 function. */
export type Hash = (data: Uint8Array) => Uint8Array;

/** The hash of a leaf holding `entry`. */
export function leafHash(entry: Uint8Array, hash: Hash = sha256Sync): Uint8Array {
  const data = new Uint8Array(entry.length + 1);
  data[0] = 0x00;
  data.set(entry, 1);
  return hash(data);
}

/** The hash of an inner node. */
export function nodeHash(left: Uint8Array, right: Uint8Array, hash: Hash = sha256Sync): Uint8Array {
  const data = new Uint8Array(65);
  data[0] = 0x01;
  data.set(left, 1);
  data.set(right, 33);
  return hash(data);
}

/** The largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Whether two hashes are the same bytes. */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The hash of the perfect subtree at `level` (2^level leaves) number `index` from the left. The
 * server answers from its node table; a verifier holding every leaf builds them.
 */
export type NodeSource = (level: number, index: number) => Uint8Array;

/** The tree hash of leaves [start, end) (RFC 9162 MTH) from perfect subtrees. */
export function subtreeHash(start: number, end: number, node: NodeSource, hash: Hash = sha256Sync): Uint8Array {
  const n = end - start;
  if (n === 0) return hash(new Uint8Array(0));
  if (isPowerOfTwo(n) && start % n === 0) return node(Math.log2(n), start / n);
  const k = split(n);
  return nodeHash(subtreeHash(start, start + k, node, hash), subtreeHash(start + k, end, node, hash), hash);
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
export function inclusionProof(index: number, size: number, node: NodeSource, hash: Hash = sha256Sync): Uint8Array[] {
  if (index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path = (m: number, start: number, end: number): Uint8Array[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = split(n);
    return m < k
      ? [...path(m, start, start + k), subtreeHash(start + k, end, node, hash)]
      : [...path(m - k, start + k, end), subtreeHash(start, start + k, node, hash)];
  };
  return path(index, 0, size);
}

/** The consistency proof between trees of `first` and `second` leaves (RFC 9162 §2.1.4.1). */
export function consistencyProof(first: number, second: number, node: NodeSource, hash: Hash = sha256Sync): Uint8Array[] {
  if (first < 1 || first > second) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  const sub = (m: number, start: number, end: number, whole: boolean): Uint8Array[] => {
    const n = end - start;
    if (m === n) return whole ? [] : [subtreeHash(start, end, node, hash)];
    const k = split(n);
    return m <= k
      ? [...sub(m, start, start + k, whole), subtreeHash(start + k, end, node, hash)]
      : [...sub(m - k, start + k, end, false), subtreeHash(start, start + k, node, hash)];
  };
  return sub(first, 0, second, true);
}

const half = (n: number): number => Math.floor(n / 2);
const odd = (n: number): boolean => n % 2 === 1;

/** Checks an inclusion proof (RFC 9162 §2.1.3.2). */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array, hash: Hash = sha256Sync): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r, hash);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p, hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}

/** Checks a consistency proof (RFC 9162 §2.1.4.2): the tree of `second` leaves extends that of `first`. */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
  hash: Hash = sha256Sync,
): boolean {
  if (first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && sameHash(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr, hash);
      sr = nodeHash(c, sr, hash);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c, hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sameHash(fr, firstRoot) && sameHash(sr, secondRoot) && sn === 0;
}

/**
 * The right edge of a tree: the hashes of its perfect subtrees, largest first (one per set bit of
 * `size`). Enough to append a leaf and to compute the root without the rest of the tree.
 */
export interface Frontier {
  size: number;
  nodes: Uint8Array[];
}

/** A perfect subtree an append completed, to store. */
export interface NewNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/** Appends a leaf hash; returns the new right edge and every perfect subtree it completed. */
export function appendLeaf(frontier: Frontier, leaf: Uint8Array, hash: Hash = sha256Sync): { frontier: Frontier; completed: NewNode[] } {
  const nodes = [...frontier.nodes];
  const completed: NewNode[] = [{ level: 0, index: frontier.size, hash: leaf }];
  let current = leaf;
  let level = 0;
  let index = frontier.size;
  while (odd(index)) {
    const left = nodes.pop() as Uint8Array;
    current = nodeHash(left, current, hash);
    level += 1;
    index = half(index);
    completed.push({ level, index, hash: current });
  }
  nodes.push(current);
  return { frontier: { size: frontier.size + 1, nodes }, completed };
}

/** The root of the tree the frontier ends (the hash of the empty string for no leaves). */
export function frontierRoot(frontier: Frontier, hash: Hash = sha256Sync): Uint8Array {
  if (frontier.nodes.length === 0) return hash(new Uint8Array(0));
  let root = frontier.nodes[frontier.nodes.length - 1] as Uint8Array;
  for (let i = frontier.nodes.length - 2; i >= 0; i--) root = nodeHash(frontier.nodes[i] as Uint8Array, root, hash);
  return root;
}

/** Which perfect subtrees make up the frontier of a tree of `size` leaves, largest first. */
export function frontierNodes(size: number): Array<{ level: number; index: number }> {
  const out: Array<{ level: number; index: number }> = [];
  let offset = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
    const width = 2 ** level;
    if (size - offset >= width) {
      out.push({ level, index: offset / width });
      offset += width;
    }
  }
  return out;
}
