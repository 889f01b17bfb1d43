import { LogStoreError } from './errors.js';

/**
 * bigint columns come back as strings from `pg` and as numbers from PGlite. Log sizes
 * and indexes stay far below 2^53, and anything else means the data is not ours.
 */
export function toSafeInteger(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new LogStoreError('INCONSISTENT', `stored ${what} is not a safe non-negative integer`);
  }
  return n;
}

export function toBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new LogStoreError('INCONSISTENT', `stored ${what} is not bytes`);
  return new Uint8Array(value);
}
