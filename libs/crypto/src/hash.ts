import { createHash } from 'node:crypto';
import { CryptoError } from './errors.js';
import { isBytes, toBytes } from './encoding.js';

/** The hashes Sigstore uses for artifacts and signatures. */
export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

const LENGTHS: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** Output length in bytes; throws UNSUPPORTED_ALGORITHM for anything else (fail closed). */
export function hashLength(algorithm: HashAlgorithm): number {
  assertHashAlgorithm(algorithm);
  return LENGTHS[algorithm];
}

export function assertHashAlgorithm(algorithm: unknown): asserts algorithm is HashAlgorithm {
  if (typeof algorithm !== 'string' || !Object.hasOwn(LENGTHS, algorithm)) {
    throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported hash algorithm');
  }
}

/** Hashes bytes in one go. */
export function digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  assertHashAlgorithm(algorithm);
  if (!isBytes(data)) throw new CryptoError('INVALID_ARGUMENT', 'data must be bytes');
  return toBytes(createHash(algorithm).update(data).digest());
}

/**
 * Hashes a stream of chunks (a Node Readable, a web ReadableStream, any async or sync
 * iterable of Uint8Array) without holding the whole artifact in memory.
 */
export async function digestStream(
  algorithm: HashAlgorithm,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<Uint8Array> {
  assertHashAlgorithm(algorithm);
  const hash = createHash(algorithm);
  for await (const chunk of chunks) {
    // A Readable in string mode would hash an encoding-dependent text: refuse it.
    if (!isBytes(chunk)) throw new CryptoError('INVALID_ARGUMENT', 'stream chunks must be bytes');
    hash.update(chunk);
  }
  return toBytes(hash.digest());
}
