import { createHash } from 'node:crypto';

// A deliberately naive RFC 6962 / RFC 9162 reference, written straight from
// the recursive definitions, to check the fast implementation against.

const sha = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

export const refLeaf = (data: Uint8Array): Uint8Array => sha(new Uint8Array([0]), data);
const refNode = (l: Uint8Array, r: Uint8Array): Uint8Array => sha(new Uint8Array([1]), l, r);

function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** MTH(D[n]) over leaf hashes. */
export function refRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  const s = k(leaves.length);
  return refNode(refRoot(leaves.slice(0, s)), refRoot(leaves.slice(s)));
}

/** PATH(m, D[n]). */
export function refPath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const s = k(leaves.length);
  if (m < s) return [...refPath(m, leaves.slice(0, s)), refRoot(leaves.slice(s))];
  return [...refPath(m - s, leaves.slice(s)), refRoot(leaves.slice(0, s))];
}

function subproof(m: number, leaves: Uint8Array[], b: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [refRoot(leaves)];
  const s = k(n);
  if (m <= s) return [...subproof(m, leaves.slice(0, s), b), refRoot(leaves.slice(s))];
  return [...subproof(m - s, leaves.slice(s), false), refRoot(leaves.slice(0, s))];
}

/** PROOF(m, D[n]). */
export function refConsistency(m: number, leaves: Uint8Array[]): Uint8Array[] {
  return subproof(m, leaves, true);
}

/** Leaf hashes of n distinct leaves. */
export function leavesOf(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => refLeaf(new TextEncoder().encode(`leaf ${i}`)));
}
