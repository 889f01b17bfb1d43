import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  MerkleError,
  consistencyProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  merkleRoot,
  planConsistencyProof,
  planInclusionProof,
  rangeNodes,
  rightEdgeNodes,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
  type HashReader,
  type NodeId,
} from '../src/index.js';
import { leavesOf, refConsistency, refLeaf, refPath, refRoot } from './reference.js';

const MAX = 70;
// Hex strings compare much faster than deep equality of many small arrays.
const hex = (hashes: readonly Uint8Array[]): string[] => hashes.map((h) => Buffer.from(h).toString('hex'));
const leaves = leavesOf(MAX);

/** A store that kept every complete subtree an append reported, counting reads. */
function buildStore(size: number): { reader: HashReader; batches: NodeId[][] } {
  const stored = new Map<string, Uint8Array>();
  const range = CompactRange.empty();
  for (let i = 0; i < size; i++) {
    range.append(leaves[i] as Uint8Array, (level, index, hash) => stored.set(`${level}/${index}`, hash));
  }
  const batches: NodeId[][] = [];
  const reader: HashReader = {
    readHashes: async (nodes) => {
      batches.push([...nodes]);
      return nodes.map((n) => {
        const h = stored.get(`${n.level}/${n.index}`);
        if (h === undefined) throw new Error(`node ${n.level}/${n.index} is not stored`);
        return h;
      });
    },
  };
  return { reader, batches };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MerkleError ? e.code : 'NOT_A_MERKLE_ERROR';
  }
  return undefined;
}

describe('hashing', () => {
  it('uses the RFC 6962 prefixes', () => {
    expect(hashLeaf(new Uint8Array())).toEqual(refLeaf(new Uint8Array()));
    expect(Buffer.from(hashLeaf(new Uint8Array())).toString('hex')).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    const [a, b] = leaves as [Uint8Array, Uint8Array];
    expect(hashChildren(a, b)).toEqual(refRoot([a, b]));
  });
});

describe('compact range and roots', () => {
  it('matches the reference root at every size and reports every complete node once', () => {
    const range = CompactRange.empty();
    expect(range.root()).toEqual(refRoot([]));
    const seen = new Map<string, Uint8Array>();
    for (let n = 1; n <= MAX; n++) {
      range.append(leaves[n - 1] as Uint8Array, (level, index, hash) => {
        const key = `${level}/${index}`;
        expect(seen.has(key)).toBe(false);
        seen.set(key, hash);
        // A reported node is the root of its complete subtree.
        expect(hex([hash])).toEqual(hex([refRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level))]));
      });
      const want = refRoot(leaves.slice(0, n));
      expect(range.size).toBe(n);
      expect(range.root()).toEqual(want);
      expect(merkleRoot(leaves, 0, n)).toEqual(want);
      // Resuming from the stored right edge gives the same tree.
      const edge = rightEdgeNodes(n).map((id) => seen.get(`${id.level}/${id.index}`) as Uint8Array);
      expect(edge).toEqual(range.hashes());
      const resumed = CompactRange.fromHashes(n, edge);
      expect(resumed.root()).toEqual(want);
    }
  });

  it('roots arbitrary slices like the reference', () => {
    for (const [b, e] of [
      [0, 0],
      [3, 4],
      [5, 17],
      [16, 70],
    ] as const) {
      expect(merkleRoot(leaves, b, e)).toEqual(refRoot(leaves.slice(b, e)));
    }
  });

  it('resumes and keeps appending', () => {
    const a = CompactRange.empty();
    for (let i = 0; i < 37; i++) a.append(leaves[i] as Uint8Array);
    const b = CompactRange.fromHashes(a.size, a.hashes());
    const c = b.clone();
    for (let i = 37; i < MAX; i++) b.append(leaves[i] as Uint8Array);
    expect(b.root()).toEqual(refRoot(leaves));
    expect(c.size).toBe(37);
  });

  it('rejects bad input', () => {
    expect(codeOf(() => CompactRange.fromHashes(3, [leaves[0] as Uint8Array]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => CompactRange.fromHashes(-1, []))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => CompactRange.empty().append(new Uint8Array(31)))).toBe('INVALID_LEAF_HASH');
    expect(codeOf(() => merkleRoot(leaves, 5, 4))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => rangeNodes(2, 1))).toBe('INVALID_ARGUMENT');
  });

  it('covers ranges with aligned complete subtrees', () => {
    expect(rangeNodes(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(3, 9)).toEqual([
      { level: 0, index: 3 },
      { level: 2, index: 1 },
      { level: 0, index: 8 },
    ]);
    expect(rightEdgeNodes(2 ** 52 + 1)).toEqual([
      { level: 52, index: 0 },
      { level: 0, index: 2 ** 52 },
    ]);
  });
});

describe('proof generation against the naive reference', () => {
  it('generates every inclusion proof for sizes 1..70 with one batched read, and they verify', async () => {
    for (let size = 1; size <= MAX; size++) {
      const tree = leaves.slice(0, size);
      const root = refRoot(tree);
      const { reader, batches } = buildStore(size);
      for (let index = 0; index < size; index++) {
        const before = batches.length;
        const proof = await inclusionProof(reader, index, size);
        expect(hex(proof)).toEqual(hex(refPath(index, tree)));
        expect(batches.length - before).toBe(size === 1 ? 0 : 1);
        const plan = planInclusionProof(index, size);
        expect(plan.nodes.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size)) + 1);
        verifyInclusion(index, size, tree[index] as Uint8Array, proof, root);
        expect(hex([rootFromInclusionProof(index, size, tree[index] as Uint8Array, proof)])).toEqual(hex([root]));
        // Another leaf, size or index must not verify.
        if (size > 1) {
          expect(codeOf(() => verifyInclusion(index, size, tree[(index + 1) % size] as Uint8Array, proof, root))).toBe(
            'ROOT_MISMATCH',
          );
          expect(codeOf(() => verifyInclusion(index, size, tree[index] as Uint8Array, proof.slice(1), root))).toBe(
            'INVALID_PROOF',
          );
        }
      }
    }
  });

  it('generates every consistency proof for sizes 1..70, and they verify', async () => {
    const prefixes = Array.from({ length: MAX + 1 }, (_, n) => leaves.slice(0, n));
    for (let size2 = 1; size2 <= MAX; size2++) {
      const tree = prefixes[size2] as Uint8Array[];
      const root2 = refRoot(tree);
      const { reader } = buildStore(size2);
      for (let size1 = 1; size1 <= size2; size1++) {
        const root1 = refRoot(prefixes[size1] as Uint8Array[]);
        const proof = await consistencyProof(reader, size1, size2);
        expect(hex(proof)).toEqual(hex(refConsistency(size1, tree)));
        verifyConsistency(size1, size2, proof, root1, root2);
        if (proof.length > 0) {
          const tampered = proof.map((p) => Uint8Array.from(p));
          const first = tampered[0] as Uint8Array;
          first[0] = (first[0] as number) ^ 1;
          expect(codeOf(() => verifyConsistency(size1, size2, tampered, root1, root2))).toBeDefined();
          expect(codeOf(() => verifyConsistency(size1, size2, proof.slice(0, -1), root1, root2))).toBe('INVALID_PROOF');
          expect(codeOf(() => verifyConsistency(size1, size2, [...proof, root1], root1, root2))).toBe('INVALID_PROOF');
          expect(codeOf(() => verifyConsistency(size1, size2, proof, root2, root2))).toBeDefined();
        }
      }
    }
  });

  it('rejects impossible proof requests', () => {
    expect(codeOf(() => planInclusionProof(3, 3))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => planInclusionProof(0.5, 3))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => planConsistencyProof(0, 3))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => planConsistencyProof(4, 3))).toBe('INVALID_ARGUMENT');
    expect(planConsistencyProof(5, 5).nodes).toEqual([]);
    const plan = planInclusionProof(2, 7);
    expect(codeOf(() => plan.assemble([]))).toBe('INVALID_ARGUMENT');
  });

  it('plans O(log n) reads for huge trees', () => {
    const size = 2 ** 52 + 12345;
    const plan = planInclusionProof(size - 1, size);
    expect(plan.nodes.length).toBeLessThanOrEqual(2 * 53);
    const c = planConsistencyProof(2 ** 40 + 7, size);
    expect(c.nodes.length).toBeLessThanOrEqual(2 * 53);
  });
});

describe('verification strictness', () => {
  const root = refRoot(leaves.slice(0, 5));
  const proof = refPath(2, leaves.slice(0, 5));
  it('checks leaf hash size, index range and element sizes', () => {
    expect(codeOf(() => verifyInclusion(2, 5, new Uint8Array(33), proof, root))).toBe('INVALID_LEAF_HASH');
    expect(codeOf(() => verifyInclusion(5, 5, leaves[2] as Uint8Array, proof, root))).toBe('INVALID_PROOF');
    expect(codeOf(() => verifyInclusion(-1, 5, leaves[2] as Uint8Array, proof, root))).toBe('INVALID_PROOF');
    expect(codeOf(() => verifyInclusion(2, 2 ** 60, leaves[2] as Uint8Array, proof, root))).toBe('INVALID_PROOF');
    const short = [proof[0] as Uint8Array, new Uint8Array(31), proof[2] as Uint8Array];
    expect(codeOf(() => verifyInclusion(2, 5, leaves[2] as Uint8Array, short, root))).toBe('INVALID_PROOF');
  });
  it('handles consistency edge cases', () => {
    expect(codeOf(() => verifyConsistency(0, 0, [], root, root))).toBe('INVALID_PROOF');
    expect(codeOf(() => verifyConsistency(3, 3, [root], root, root))).toBe('INVALID_PROOF');
    expect(codeOf(() => verifyConsistency(3, 3, [], root, leaves[0] as Uint8Array))).toBe('ROOT_MISMATCH');
    expect(codeOf(() => verifyConsistency(3, 3, [], root, root))).toBeUndefined();
    expect(codeOf(() => verifyConsistency(3, 5, [], root, root))).toBe('INVALID_PROOF');
  });
});
