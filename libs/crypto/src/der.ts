import { CryptoError } from './errors.js';

/**
 * Checks that `der` is exactly one DER SEQUENCE with nothing after it. OpenSSL's
 * key decoders ignore trailing bytes, and a key id is a hash of the bytes, so
 * smuggled trailing data must be refused before parsing.
 */
export function assertSingleDerSequence(der: Uint8Array): void {
  if (der.length < 2 || der[0] !== 0x30) throw new CryptoError('INVALID_KEY', 'key is not a DER SEQUENCE');
  const first = der[1] as number;
  let length: number;
  let header: number;
  if (first < 0x80) {
    length = first;
    header = 2;
  } else {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length; more than 4 length bytes is never a key.
    if (count === 0 || count > 4 || der.length < 2 + count) {
      throw new CryptoError('INVALID_KEY', 'key has an invalid DER length');
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[2 + i] as number);
    if (der[2] === 0 || length < 0x80) throw new CryptoError('INVALID_KEY', 'key has a non-minimal DER length');
    header = 2 + count;
  }
  if (header + length !== der.length) {
    throw new CryptoError('INVALID_KEY', 'key DER has trailing or missing bytes');
  }
}
