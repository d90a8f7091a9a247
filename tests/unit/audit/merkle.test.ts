/**
 * The RFC 6962/9162 Merkle code (src/audit/merkle.ts) against known vectors and a reference written
 * straight from the RFC's definition of MTH: leaf and node hashing, roots of small trees, and
 * inclusion and consistency proofs for every (index, size) up to 16, which must fail when any byte
 * of the proof is changed.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/audit/canonical.ts';
import { entryLeafHash } from '../../../src/audit/entry.ts';
import {
  appendLeaf,
  consistencyProof,
  frontierRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  subtreeHash,
  verifyConsistency,
  verifyInclusion,
  type Frontier,
  type NodeSource,
} from '../../../src/audit/merkle.ts';
import { sha256Sync } from '../../../src/audit/sha256.ts';

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

/** RFC 9162 §2.1.1 MTH, word for word: the reference the code is checked against. */
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const n = leaves.length;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return sha256(Uint8Array.of(0x00), leaves[0] as Uint8Array);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return sha256(Uint8Array.of(0x01), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** The leaf inputs of the Certificate Transparency test vectors. */
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);

/** The roots of the first 1..8 of those leaves (certificate-transparency's merkle tests). */
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Sixteen distinct leaf inputs of different lengths. */
const LEAVES = Array.from({ length: 16 }, (_, i) => new TextEncoder().encode(`entry ${i} ${'x'.repeat(i * 7)}`));

/** Perfect subtrees from the leaves, the way a verifier holding every leaf builds them. */
function nodesOf(leaves: readonly Uint8Array[]): NodeSource {
  return (level, index) => {
    const width = 2 ** level;
    return referenceRoot(leaves.slice(index * width, (index + 1) * width));
  };
}

/** Each proof with one byte of one hash changed: every position of every hash, a few bits. */
function* tampered(proof: readonly Uint8Array[]): Generator<Uint8Array[]> {
  for (let h = 0; h < proof.length; h++) {
    for (const at of [0, 13, 31]) {
      const copy = proof.map((p) => new Uint8Array(p));
      (copy[h] as Uint8Array)[at] = ((copy[h] as Uint8Array)[at] as number) ^ (at === 13 ? 0x80 : 0x01);
      yield copy;
    }
  }
}

describe('RFC 9162 hashing', () => {
  it('hashes a leaf as SHA-256(0x00 ‖ entry) and a node as SHA-256(0x01 ‖ left ‖ right)', () => {
    expect(toHex(leafHash(new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    for (const leaf of LEAVES) expect(toHex(leafHash(leaf))).toBe(toHex(sha256(Uint8Array.of(0), leaf)));
    const left = leafHash(CT_LEAVES[0] as Uint8Array);
    const right = leafHash(CT_LEAVES[1] as Uint8Array);
    expect(toHex(nodeHash(left, right))).toBe(CT_ROOTS[1]);
    expect(toHex(nodeHash(left, right))).toBe(toHex(sha256(Uint8Array.of(1), left, right)));
  });

  it('the plain SHA-256 the browser uses matches node:crypto across block boundaries', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(toHex(sha256Sync(data))).toBe(toHex(sha256(data)));
    }
  });

  it('hashes an audit entry as the leaf of its UTF-8 text, the same on server and browser', () => {
    const text = '{"index":3,"kind":"receipt","reason":"Bohrung – ok ✓"}';
    const bytes = new TextEncoder().encode(text);
    expect(toHex(entryLeafHash(text))).toBe(toHex(sha256(Uint8Array.of(0), bytes)));
    expect(toHex(entryLeafHash(text, (data) => new Uint8Array(createHash('sha256').update(data).digest())))).toBe(toHex(entryLeafHash(text)));
  });

  it('computes the empty tree as SHA-256 of nothing', () => {
    expect(toHex(subtreeHash(0, 0, nodesOf([])))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(frontierRoot({ size: 0, nodes: [] }))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('tree roots', () => {
  it('matches the Certificate Transparency vectors for trees of 1..8 leaves', () => {
    for (let size = 1; size <= 8; size++) {
      const leaves = CT_LEAVES.slice(0, size);
      expect(toHex(referenceRoot(leaves)), `reference, size ${size}`).toBe(CT_ROOTS[size - 1]);
      expect(toHex(subtreeHash(0, size, nodesOf(leaves))), `subtreeHash, size ${size}`).toBe(CT_ROOTS[size - 1]);
    }
  });

  it('appends leaf by leaf to the reference root of every size up to 16, completing each perfect subtree once', () => {
    let frontier: Frontier = { size: 0, nodes: [] };
    const completed = new Set<string>();
    for (let size = 1; size <= 16; size++) {
      const appended = appendLeaf(frontier, leafHash(LEAVES[size - 1] as Uint8Array));
      frontier = appended.frontier;
      for (const node of appended.completed) {
        const key = `${node.level}:${node.index}`;
        expect(completed.has(key)).toBe(false);
        completed.add(key);
        expect(toHex(node.hash)).toBe(toHex(nodesOf(LEAVES)(node.level, node.index)));
      }
      expect(toHex(frontierRoot(frontier)), `size ${size}`).toBe(toHex(referenceRoot(LEAVES.slice(0, size))));
    }
  });
});

describe('inclusion proofs', () => {
  it('verify for every (index, size) up to 16 and fail when any byte, the leaf, the index or the root is wrong', () => {
    for (let size = 1; size <= 16; size++) {
      const leaves = LEAVES.slice(0, size);
      const root = referenceRoot(leaves);
      for (let index = 0; index < size; index++) {
        const leaf = leafHash(leaves[index] as Uint8Array);
        const proof = inclusionProof(index, size, nodesOf(leaves));
        expect(verifyInclusion(index, size, leaf, proof, root), `leaf ${index} of ${size}`).toBe(true);
        for (const bad of tampered(proof)) expect(verifyInclusion(index, size, leaf, bad, root)).toBe(false);
        const otherLeaf = leafHash(leaves[(index + 1) % size] as Uint8Array);
        if (size > 1) expect(verifyInclusion(index, size, otherLeaf, proof, root)).toBe(false);
        const badRoot = new Uint8Array(root);
        badRoot[5] = (badRoot[5] as number) ^ 1;
        expect(verifyInclusion(index, size, leaf, proof, badRoot)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(index, size, leaf, proof.slice(0, -1), root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, [...proof, proof[0] as Uint8Array], root)).toBe(false);
        }
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaf, proof, root)).toBe(false);
      }
      expect(verifyInclusion(size, size, leafHash(new Uint8Array(0)), [], root)).toBe(false);
      expect(() => inclusionProof(size, size, nodesOf(leaves))).toThrow(RangeError);
    }
  });
});

describe('consistency proofs', () => {
  it('verify for every 1 ≤ first ≤ second ≤ 16 and fail when any byte or either root is wrong', () => {
    for (let second = 1; second <= 16; second++) {
      const secondRoot = referenceRoot(LEAVES.slice(0, second));
      for (let first = 1; first <= second; first++) {
        const firstRoot = referenceRoot(LEAVES.slice(0, first));
        const proof = consistencyProof(first, second, nodesOf(LEAVES.slice(0, second)));
        expect(verifyConsistency(first, second, firstRoot, secondRoot, proof), `${first} → ${second}`).toBe(true);
        if (first === second) {
          expect(proof).toHaveLength(0);
        } else {
          expect(proof.length).toBeGreaterThan(0);
        }
        for (const bad of tampered(proof)) expect(verifyConsistency(first, second, firstRoot, secondRoot, bad), `${first} → ${second} tampered`).toBe(false);
        const otherFirst = referenceRoot([new Uint8Array([9]), ...LEAVES.slice(1, first)]);
        expect(verifyConsistency(first, second, otherFirst, secondRoot, proof)).toBe(false);
        const otherSecond = referenceRoot([...LEAVES.slice(0, second - 1), new Uint8Array([9])]);
        expect(verifyConsistency(first, second, firstRoot, otherSecond, proof)).toBe(false);
        if (proof.length > 0) expect(verifyConsistency(first, second, firstRoot, secondRoot, proof.slice(0, -1))).toBe(false);
      }
      expect(verifyConsistency(0, second, secondRoot, secondRoot, [])).toBe(false);
      expect(verifyConsistency(second + 1, second, secondRoot, secondRoot, [])).toBe(false);
    }
  });
});
