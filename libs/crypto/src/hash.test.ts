import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CryptoError } from './errors.js';
import { digest, digestStream, hashLength } from './hash.js';

const abc = new TextEncoder().encode('abc');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('digests', () => {
  it('matches the FIPS 180-2 "abc" vectors', () => {
    expect(hex(digest('sha256', abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(digest('sha384', abc))).toBe(
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    );
    expect(hex(digest('sha512', abc)).slice(0, 32)).toBe('ddaf35a193617abacc417349ae204131');
    expect([hashLength('sha256'), hashLength('sha384'), hashLength('sha512')]).toEqual([32, 48, 64]);
  });

  it('hashes streams and iterables of chunks like one buffer', async () => {
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    const chunks = [data.subarray(0, 1), data.subarray(1, 40_000), data.subarray(40_000)];
    expect(await digestStream('sha256', chunks)).toEqual(digest('sha256', data));
    expect(await digestStream('sha384', Readable.from(chunks))).toEqual(digest('sha384', data));
    expect(await digestStream('sha512', [])).toEqual(digest('sha512', new Uint8Array()));
  });

  it('refuses unknown hashes and non-byte chunks', async () => {
    expect(() => digest('md5' as never, abc)).toThrow(CryptoError);
    expect(() => hashLength('sha1' as never)).toThrow(CryptoError);
    await expect(digestStream('sha256', Readable.from(['text']) as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
