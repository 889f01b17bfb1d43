/**
 * Integer helpers for tree sizes and indexes held in `number`.
 *
 * Sizes and indexes are JavaScript numbers restricted to safe integers
 * (< 2^53): far beyond any real log, cheap to use, and JSON-friendly. The
 * bitwise operators of JavaScript work on 32 bits only, so everything here
 * uses arithmetic that is exact for all safe integers.
 */

const TWO_32 = 2 ** 32;

/** True when n is a safe, non-negative integer. */
export function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Number of bits needed to write n (0 for 0). */
export function bitLength(n: number): number {
  if (n < TWO_32) return 32 - Math.clz32(n);
  return 32 + bitLength(Math.floor(n / TWO_32));
}

/** Number of trailing zero bits of n > 0. */
export function trailingZeros(n: number): number {
  const low = n % TWO_32;
  if (low !== 0) return 31 - Math.clz32(low & -low);
  return 32 + trailingZeros(Math.floor(n / TWO_32));
}

/** Number of set bits in n. */
export function popCount(n: number): number {
  let count = 0;
  let rest = n;
  while (rest > 0) {
    let low = rest % TWO_32;
    while (low !== 0) {
      low &= low - 1;
      count++;
    }
    rest = Math.floor(rest / TWO_32);
  }
  return count;
}

/** True when n is 2^k for some k >= 0. */
export function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** trailingZeros(n) === n;
}

/** The largest power of two strictly smaller than n (n >= 2): RFC 6962's split point k. */
export function splitPoint(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}
