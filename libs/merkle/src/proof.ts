import { isIndex, splitPoint } from './bits.js';
import { MerkleError } from './errors.js';
import { HASH_SIZE, hashChildren } from './hash.js';
import { rangeNodes, type NodeId } from './node.js';

/**
 * Reads stored hashes of complete subtrees, in the order asked. A store
 * answers with one batched query; the reader is the only I/O in proof serving.
 */
export interface HashReader {
  readHashes(nodes: readonly NodeId[]): Promise<readonly Uint8Array[]>;
}

/**
 * A proof in two steps: `nodes` lists the complete subtrees to read (O(log n)
 * of them), and `assemble` turns their hashes, in the same order, into the
 * proof, rehashing the right-edge elements that are not complete subtrees.
 */
export interface ProofPlan {
  readonly nodes: readonly NodeId[];
  assemble(hashes: readonly Uint8Array[]): Uint8Array[];
}

// A proof element is the hash of the subtree over leaves [begin, end). It is
// a single stored node unless it lies on the right edge of a tree whose size
// is not a power of two; then it is folded from several stored nodes.
interface Span {
  readonly begin: number;
  readonly end: number;
}

function planFromSpans(spans: readonly Span[]): ProofPlan {
  const nodes: NodeId[] = [];
  const counts: number[] = [];
  for (const span of spans) {
    const parts = rangeNodes(span.begin, span.end);
    counts.push(parts.length);
    for (const part of parts) nodes.push(part);
  }
  return {
    nodes,
    assemble(hashes: readonly Uint8Array[]): Uint8Array[] {
      if (hashes.length !== nodes.length) {
        throw new MerkleError('INVALID_ARGUMENT', `expected ${nodes.length} hashes, got ${hashes.length}`);
      }
      for (const h of hashes) {
        if (h.length !== HASH_SIZE) throw new MerkleError('INVALID_ARGUMENT', 'stored hash is not 32 bytes');
      }
      const proof: Uint8Array[] = [];
      let at = 0;
      for (const count of counts) {
        let acc = hashes[at + count - 1] as Uint8Array;
        for (let i = at + count - 2; i >= at; i--) acc = hashChildren(hashes[i] as Uint8Array, acc);
        proof.push(count === 1 ? Uint8Array.from(acc) : acc);
        at += count;
      }
      return proof;
    },
  };
}

/**
 * Plan the RFC 9162 inclusion proof (PATH) of leaf `index` in a tree of
 * `size` leaves. Proof elements are ordered from the leaf upwards.
 */
export function planInclusionProof(index: number, size: number): ProofPlan {
  if (!isIndex(index) || !isIndex(size) || index >= size) {
    throw new MerkleError('INVALID_ARGUMENT', `leaf index ${index} is not in a tree of size ${size}`);
  }
  // Walk down from the root, collecting the sibling of the subtree that holds
  // the leaf; the proof lists them bottom-up.
  const spans: Span[] = [];
  let begin = 0;
  let end = size;
  while (end - begin > 1) {
    const mid = begin + splitPoint(end - begin);
    if (index < mid) {
      spans.push({ begin: mid, end });
      end = mid;
    } else {
      spans.push({ begin, end: mid });
      begin = mid;
    }
  }
  return planFromSpans(spans.reverse());
}

/**
 * Plan the RFC 9162 consistency proof (PROOF) between tree sizes
 * 0 < size1 <= size2. Equal sizes give an empty proof.
 */
export function planConsistencyProof(size1: number, size2: number): ProofPlan {
  if (!isIndex(size1) || !isIndex(size2) || size1 === 0 || size1 > size2) {
    throw new MerkleError('INVALID_ARGUMENT', `no consistency proof from size ${size1} to size ${size2}`);
  }
  // SUBPROOF(m, D[begin:end], b), unrolled: go left while the old tree fits
  // in the left half, right otherwise; stop at a subtree equal to the old
  // tree's last part, which is included unless it is the whole old tree.
  const spans: Span[] = [];
  let begin = 0;
  let end = size2;
  let wholeOldTree = true;
  while (size1 !== end) {
    const mid = begin + splitPoint(end - begin);
    if (size1 <= mid) {
      spans.push({ begin: mid, end });
      end = mid;
    } else {
      spans.push({ begin, end: mid });
      begin = mid;
      wholeOldTree = false;
    }
  }
  if (!wholeOldTree) spans.push({ begin, end });
  return planFromSpans(spans.reverse());
}

/** Inclusion proof of leaf `index` in the tree of `size`, reading stored hashes once. */
export async function inclusionProof(reader: HashReader, index: number, size: number): Promise<Uint8Array[]> {
  const plan = planInclusionProof(index, size);
  if (plan.nodes.length === 0) return [];
  return plan.assemble(await reader.readHashes(plan.nodes));
}

/** Consistency proof between sizes 0 < size1 <= size2, reading stored hashes once. */
export async function consistencyProof(reader: HashReader, size1: number, size2: number): Promise<Uint8Array[]> {
  const plan = planConsistencyProof(size1, size2);
  if (plan.nodes.length === 0) return [];
  return plan.assemble(await reader.readHashes(plan.nodes));
}
