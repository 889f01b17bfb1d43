import { isIndex, popCount } from './bits.js';
import { MerkleError } from './errors.js';
import { HASH_SIZE, emptyRoot, hashChildren } from './hash.js';
import { rangeNodes, type NodeId } from './node.js';

/** Called for every complete subtree an append creates, the leaf first. */
export type NodeVisitor = (level: number, index: number, hash: Uint8Array) => void;

/**
 * The right edge of an append-only tree: the hashes of the complete subtrees
 * that cover leaves [0, size), largest (leftmost) first. That is all an
 * appending store keeps in memory: O(log n) hashes give the root of the
 * current size, and each append reports the new complete subtrees to persist.
 */
export class CompactRange {
  #size: number;
  readonly #hashes: Uint8Array[];

  private constructor(size: number, hashes: Uint8Array[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  /** An empty tree. */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /**
   * Resume a tree of `size` leaves from the hashes of its right-edge nodes,
   * in the order `rightEdgeNodes(size)` lists them (e.g. read from a store).
   */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    if (!isIndex(size)) throw new MerkleError('INVALID_ARGUMENT', `invalid tree size ${size}`);
    if (hashes.length !== popCount(size)) {
      throw new MerkleError('INVALID_ARGUMENT', `size ${size} needs ${popCount(size)} hashes, got ${hashes.length}`);
    }
    for (const h of hashes) {
      if (h.length !== HASH_SIZE) throw new MerkleError('INVALID_ARGUMENT', 'right-edge hash is not 32 bytes');
    }
    return new CompactRange(size, hashes.map((h) => Uint8Array.from(h)));
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Append one leaf hash. `visit`, when given, sees the leaf node and every
   * interior node that became complete, bottom-up.
   */
  append(leafHash: Uint8Array, visit?: NodeVisitor): void {
    if (leafHash.length !== HASH_SIZE) throw new MerkleError('INVALID_LEAF_HASH', 'leaf hash is not 32 bytes');
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new MerkleError('INVALID_ARGUMENT', 'tree is full');
    let hash = leafHash;
    let index = this.#size;
    let level = 0;
    visit?.(level, index, hash);
    // Each trailing 1 bit of the old size is a complete subtree that now
    // merges with the new one on its right.
    while (index % 2 === 1) {
      const left = this.#hashes.pop() as Uint8Array;
      hash = hashChildren(left, hash);
      index = (index - 1) / 2;
      level++;
      visit?.(level, index, hash);
    }
    this.#hashes.push(level === 0 ? Uint8Array.from(hash) : hash);
    this.#size++;
  }

  /** RFC 6962 root hash of the current tree (SHA-256("") when empty). */
  root(): Uint8Array {
    const hashes = this.#hashes;
    if (hashes.length === 0) return emptyRoot();
    let root = hashes[hashes.length - 1] as Uint8Array;
    for (let i = hashes.length - 2; i >= 0; i--) root = hashChildren(hashes[i] as Uint8Array, root);
    return hashes.length === 1 ? Uint8Array.from(root) : root;
  }

  /** Copies of the right-edge hashes, in `rightEdgeNodes(size)` order. */
  hashes(): Uint8Array[] {
    return this.#hashes.map((h) => Uint8Array.from(h));
  }

  /** An independent copy of this range. */
  clone(): CompactRange {
    return new CompactRange(this.#size, this.#hashes.slice());
  }
}

/** The complete subtrees covering [0, size), largest first: what a store reads to resume. */
export function rightEdgeNodes(size: number): NodeId[] {
  if (!isIndex(size)) throw new MerkleError('INVALID_ARGUMENT', `invalid tree size ${size}`);
  return rangeNodes(0, size);
}

/**
 * RFC 6962 Merkle Tree Hash of leafHashes[begin:end] (the whole list by
 * default), in O(n) hashing and O(log n) memory.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[], begin = 0, end = leafHashes.length): Uint8Array {
  if (!isIndex(begin) || !isIndex(end) || begin > end || end > leafHashes.length) {
    throw new MerkleError('INVALID_ARGUMENT', `invalid range [${begin}, ${end}) of ${leafHashes.length} leaves`);
  }
  const range = CompactRange.empty();
  for (let i = begin; i < end; i++) range.append(leafHashes[i] as Uint8Array);
  return range.root();
}
