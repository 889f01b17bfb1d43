import { isIndex, isPowerOfTwo } from './bits.js';
import { MerkleError } from './errors.js';
import { HASH_SIZE, bytesEqual, hashChildren } from './hash.js';

// Everything a verifier receives here (indexes, sizes, hashes, proofs) comes
// from a log or a bundle and is attacker-controlled: check shape before use.

function checkProofShape(proof: readonly Uint8Array[]): void {
  if (!Array.isArray(proof)) throw new MerkleError('INVALID_PROOF', 'proof is not an array');
  if (proof.length > 64) throw new MerkleError('INVALID_PROOF', 'proof is longer than any tree allows');
  for (const p of proof) {
    if (!(p instanceof Uint8Array) || p.length !== HASH_SIZE) {
      throw new MerkleError('INVALID_PROOF', 'proof element is not a 32-byte hash');
    }
  }
}

const half = (n: number): number => Math.floor(n / 2);
const odd = (n: number): boolean => n % 2 === 1;

/**
 * The root hash that an RFC 9162 inclusion proof implies for `leafHash` at
 * `index` in a tree of `size`. Throws INVALID_LEAF_HASH or INVALID_PROOF
 * (index out of range, wrong number of proof elements, bad element size).
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  if (!isIndex(index) || !isIndex(size)) throw new MerkleError('INVALID_PROOF', 'index and size must be safe non-negative integers');
  if (index >= size) throw new MerkleError('INVALID_PROOF', `leaf index ${index} is not below tree size ${size}`);
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) {
    throw new MerkleError('INVALID_LEAF_HASH', 'leaf hash is not 32 bytes');
  }
  checkProofShape(proof);

  // RFC 9162 section 2.1.3.2: fn walks up from the leaf, sn from the last leaf.
  let fn = index;
  let sn = size - 1;
  let root = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new MerkleError('INVALID_PROOF', 'inclusion proof is too long');
    if (odd(fn) || fn === sn) {
      root = hashChildren(p, root);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      root = hashChildren(root, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new MerkleError('INVALID_PROOF', 'inclusion proof is too short');
  return root === leafHash ? Uint8Array.from(root) : root;
}

/** Verify an RFC 9162 inclusion proof against `root`; throws on any failure, ROOT_MISMATCH if only the root differs. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (!(root instanceof Uint8Array) || !bytesEqual(computed, root)) {
    throw new MerkleError('ROOT_MISMATCH', 'inclusion proof does not lead to the expected root');
  }
}

/**
 * Verify an RFC 9162 consistency proof that the tree of size1 with root1 is
 * a prefix of the tree of size2 with root2. A proof from size 0 is rejected
 * (it proves nothing); equal sizes need an empty proof and equal roots.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  if (!isIndex(size1) || !isIndex(size2)) throw new MerkleError('INVALID_PROOF', 'sizes must be safe non-negative integers');
  if (size1 === 0) throw new MerkleError('INVALID_PROOF', 'a consistency proof from the empty tree proves nothing');
  if (size1 > size2) throw new MerkleError('INVALID_PROOF', `size1 ${size1} is larger than size2 ${size2}`);
  checkProofShape(proof);
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) {
    throw new MerkleError('INVALID_PROOF', 'roots must be byte arrays');
  }
  if (size1 === size2) {
    if (proof.length !== 0) throw new MerkleError('INVALID_PROOF', 'equal sizes need an empty proof');
    if (!bytesEqual(root1, root2)) throw new MerkleError('ROOT_MISMATCH', 'equal sizes but different roots');
    return;
  }
  if (proof.length === 0) throw new MerkleError('INVALID_PROOF', 'consistency proof is empty');

  // RFC 9162 section 2.1.4.2. When size1 is a power of two the old root is
  // itself a node of the new tree and the proof starts above it.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) throw new MerkleError('INVALID_PROOF', 'consistency proof is too long');
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new MerkleError('INVALID_PROOF', 'consistency proof is too short');
  if (!bytesEqual(fr, root1)) throw new MerkleError('ROOT_MISMATCH', 'consistency proof does not lead to root1');
  if (!bytesEqual(sr, root2)) throw new MerkleError('ROOT_MISMATCH', 'consistency proof does not lead to root2');
}
