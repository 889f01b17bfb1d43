import { createHash } from 'node:crypto';

// A deliberately naive RFC 6962 / RFC 9162 reference, written straight from
// the recursive definitions over D[begin:end], to check the fast
// implementation against. Subtree roots are memoised so the exhaustive tests
// stay fast; the recursion itself is the textbook one.

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

const memo = new WeakMap<Uint8Array[], Map<string, Uint8Array>>();

function mth(d: Uint8Array[], begin: number, end: number): Uint8Array {
  const n = end - begin;
  if (n === 0) return sha();
  if (n === 1) return d[begin] as Uint8Array;
  let cache = memo.get(d);
  if (cache === undefined) memo.set(d, (cache = new Map()));
  const key = `${begin}:${end}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const s = k(n);
  const root = refNode(mth(d, begin, begin + s), mth(d, begin + s, end));
  cache.set(key, root);
  return root;
}

/** MTH(D[n]) over leaf hashes. */
export function refRoot(leaves: Uint8Array[]): Uint8Array {
  return mth(leaves, 0, leaves.length);
}

function path(m: number, d: Uint8Array[], begin: number, end: number): Uint8Array[] {
  const n = end - begin;
  if (n <= 1) return [];
  const s = k(n);
  if (m < s) return [...path(m, d, begin, begin + s), mth(d, begin + s, end)];
  return [...path(m - s, d, begin + s, end), mth(d, begin, begin + s)];
}

/** PATH(m, D[n]). */
export function refPath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  return path(m, leaves, 0, leaves.length);
}

function subproof(m: number, d: Uint8Array[], begin: number, end: number, b: boolean): Uint8Array[] {
  const n = end - begin;
  if (m === n) return b ? [] : [mth(d, begin, end)];
  const s = k(n);
  if (m <= s) return [...subproof(m, d, begin, begin + s, b), mth(d, begin + s, end)];
  return [...subproof(m - s, d, begin + s, end, false), mth(d, begin, begin + s)];
}

/** PROOF(m, D[n]). */
export function refConsistency(m: number, leaves: Uint8Array[]): Uint8Array[] {
  return subproof(m, leaves, 0, leaves.length, true);
}

/** Leaf hashes of n distinct leaves. */
export function leavesOf(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => refLeaf(new TextEncoder().encode(`leaf ${i}`)));
}
