import { isIndex } from './bits.js';
import { MerkleError } from './errors.js';

/**
 * A complete (perfect) subtree of the Merkle tree: `level` 0 is a leaf, and
 * node (level, index) covers leaves [index * 2^level, (index + 1) * 2^level).
 * These are the only hashes a log store ever needs to persist.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/**
 * The complete subtrees that exactly cover the leaf range [begin, end), left
 * to right: the largest aligned subtree at each step. For a right edge
 * [begin, size) with begin aligned (as in every proof), hashing these
 * from the right gives the RFC 6962 hash of the range.
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  if (!isIndex(begin) || !isIndex(end) || begin > end) {
    throw new MerkleError('INVALID_ARGUMENT', `invalid range [${begin}, ${end})`);
  }
  const nodes: NodeId[] = [];
  let at = begin;
  while (at < end) {
    // Largest power of two that both divides `at` and fits in what is left.
    let size = 1;
    let level = 0;
    while (at % (size * 2) === 0 && at + size * 2 <= end) {
      size *= 2;
      level++;
    }
    nodes.push({ level, index: at / size });
    at += size;
  }
  return nodes;
}
