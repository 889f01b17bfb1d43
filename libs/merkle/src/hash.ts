import { createHash, hash } from 'node:crypto';

/** Size in bytes of every RFC 6962 hash (SHA-256). */
export const HASH_SIZE = 32;

// Domain-separation prefixes of RFC 6962 section 2.1, allocated once.
const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

// digest() returns a Buffer; callers get a plain Uint8Array view of the same
// memory so results compare and serialise like any other byte array.
function plain(digest: Buffer): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

/** RFC 6962 leaf hash: SHA-256(0x00 || data). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  return plain(createHash('sha256').update(LEAF_PREFIX).update(data).digest());
}

// Interior nodes are hashed most (several per appended leaf, more per proof): node:crypto's
// one-shot hash() over one reused buffer takes ~1.4 us where a Hash object takes ~2.1.
const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE);
NODE_INPUT[0] = 0x01;

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    NODE_INPUT.set(left, 1);
    NODE_INPUT.set(right, 1 + HASH_SIZE);
    return plain(hash('sha256', NODE_INPUT, 'buffer'));
  }
  return plain(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
}

/** Root hash of the empty tree: SHA-256 of the empty string. A fresh copy on every call. */
export function emptyRoot(): Uint8Array {
  return plain(createHash('sha256').digest());
}

/** Byte equality. Tree hashes are public, so timing does not matter here. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
