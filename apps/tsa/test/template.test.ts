import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import { SignedData } from '@peculiar/asn1-cms';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainToPem } from '../src/identity.js';
import type { TsaIdentity } from '../src/identity.js';
import { counterSerials } from '../src/serial.js';
import type { Signer } from '../src/signer.js';
import { BoundedCache, buildTemplate, Template } from '../src/template.js';
import type { SlotValues } from '../src/template.js';
import { TokenBuilder } from '../src/token.js';
import type { AcceptedRequest } from '../src/token.js';
import { opensslVerify, tempDir, testIdentity, writeFiles } from './helpers.js';

const DEFAULT_POLICY = '1.3.6.1.4.1.57264.2';
const LENGTH = { sha256: 32, sha384: 48, sha512: 64 } as const;

const requestArb = fc
  .record({
    hash: fc.constantFrom('sha256', 'sha384', 'sha512'),
    hashParameters: fc.constantFrom('absent', 'null'),
    seed: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    nonce: fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: undefined }),
    policy: fc.constantFrom(DEFAULT_POLICY, '1.2.3.4.5', '2.999.1'),
    certReq: fc.boolean(),
  })
  .map(({ seed, nonce, ...rest }): AcceptedRequest => ({ ...rest, hashedMessage: seed.slice(0, LENGTH[rest.hash]), ...(nonce ? { nonce } : {}) }));

/** The time a token is issued at: around now, and past 2049 where signing-time becomes a GeneralizedTime. */
const timeArb = fc.oneof(
  fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2049-12-31T23:59:59Z') }),
  fc.integer({ min: Date.parse('2050-01-01T00:00:00Z'), max: Date.parse('2060-01-01T00:00:00Z') }),
);

/**
 * A signer whose signature is a function of the data, of a length the test chooses, so
 * that two builders given the same request produce the same token. Real ECDSA
 * signatures are 8 to 72 (P-256) or 104 (P-384) bytes.
 */
function fakeSigner(base: Signer, length: () => number): Signer {
  return {
    algorithm: base.algorithm,
    publicKey: base.publicKey,
    sign: async (data) => {
      const n = length();
      const out = new Uint8Array(n);
      const block = createHash('sha512').update(data).digest();
      for (let i = 0; i < n; i++) out[i] = block[i % block.length] ?? 0;
      return out;
    },
  };
}

describe('token templates', () => {
  let identity: TsaIdentity;
  beforeAll(async () => {
    identity = await testIdentity();
  });

  it.each([
    [1000, false],
    [0, true],
    [1500, false],
    [250, true],
  ])('give byte for byte the token the library builds from scratch (accuracy %i ms, chain %s)', async (accuracyMs, includeChain) => {
    let now = 0;
    let signatureLength = 71;
    const signer = fakeSigner(identity.signer, () => signatureLength);
    const random = (n: number) => new Uint8Array(n).fill(0x5a);
    const options = { signer, chain: identity.chain, accuracyMs, includeChain, clock: () => now };
    const fast = new TokenBuilder({ ...options, serials: counterSerials(random) });
    const scratch = new TokenBuilder({ ...options, serials: counterSerials(random), templates: false });
    // Shared builders across runs: templates made by one request are filled by later ones.
    await fc.assert(
      fc.asyncProperty(requestArb, timeArb, fc.integer({ min: 8, max: 104 }), async (request, time, length) => {
        now = time;
        signatureLength = length;
        const [a, b] = [await fast.issue(request), await scratch.issue(request)];
        expect(Buffer.from(a).toString('hex')).toBe(Buffer.from(b).toString('hex'));
      }),
      { numRuns: 300 },
    );
    // Most tokens came from templates: the comparison above is not between two scratch builds.
    expect(fast.stats.templated).toBeGreaterThan(250);
    expect(scratch.stats).toMatchObject({ templated: 0 });
  });

  it('are made in the last second of 2049 too, where the next second has a longer signing-time', async () => {
    const options = { signer: fakeSigner(identity.signer, () => 71), chain: identity.chain, accuracyMs: 1000, includeChain: false, clock: () => Date.parse('2049-12-31T23:59:59.500Z') };
    const random = (n: number) => new Uint8Array(n).fill(7);
    const fast = new TokenBuilder({ ...options, serials: counterSerials(random) });
    const scratch = new TokenBuilder({ ...options, serials: counterSerials(random), templates: false });
    const request: AcceptedRequest = { hash: 'sha256', hashParameters: 'null', hashedMessage: new Uint8Array(32), policy: DEFAULT_POLICY, certReq: false };
    expect(await fast.issue(request)).toEqual(await scratch.issue(request));
    expect(fast.stats).toEqual({ templated: 1, scratch: 0 });
  });

  it('fill the request into the token: imprint, nonce, policy, serial, time', async () => {
    const fast = new TokenBuilder({ signer: identity.signer, chain: identity.chain, accuracyMs: 1000, includeChain: false, serials: counterSerials(), clock: () => Date.parse('2031-05-06T07:08:09.999Z') });
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const resp = AsnConvert.parse(await fast.issue(request), TimeStampResp);
        const signedData = AsnConvert.parse(resp.timeStampToken!.content, SignedData);
        const tst = AsnConvert.parse(signedData.encapContentInfo.eContent!.single!.buffer, TSTInfo);
        expect(Buffer.from(tst.messageImprint.hashedMessage.buffer)).toEqual(Buffer.from(request.hashedMessage));
        expect(tst.messageImprint.hashAlgorithm.parameters).toBe(request.hashParameters === 'null' ? null : undefined);
        expect(tst.nonce && Buffer.from(tst.nonce)).toEqual(request.nonce && Buffer.from(request.nonce));
        expect(tst.policy).toBe(request.policy);
        expect(tst.genTime.toISOString()).toBe('2031-05-06T07:08:09.000Z');
        expect(signedData.certificates?.length ?? 0).toBe(request.certReq ? 1 : 0);
      }),
      { numRuns: 100 },
    );
  });

  describe('with a real key', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ dir, cleanup } = await tempDir());
      await writeFiles(dir, { 'data.txt': 'templated' });
    });
    afterAll(() => cleanup());

    it('verify with openssl ts -verify, token after token of one shape', async () => {
      const data = Buffer.from('templated');
      const builder = new TokenBuilder({ signer: identity.signer, chain: identity.chain, accuracyMs: 1000, includeChain: false, serials: counterSerials() });
      const serials = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const nonce = new Uint8Array(8).fill(i + 1);
        const reply = await builder.issue({ hash: 'sha256', hashParameters: 'null', hashedMessage: new Uint8Array(createHash('sha256').update(data).digest()), nonce, policy: DEFAULT_POLICY, certReq: true });
        const verified = await opensslVerify(dir, reply, join(dir, 'data.txt'), chainToPem(identity.chain.slice(2)), chainToPem(identity.chain.slice(1, 2)));
        expect(verified.output).toContain('Verification: OK');
        const resp = AsnConvert.parse(reply, TimeStampResp);
        const tst = AsnConvert.parse(AsnConvert.parse(resp.timeStampToken!.content, SignedData).encapContentInfo.eContent!.single!.buffer, TSTInfo);
        serials.add(Buffer.from(tst.serialNumber).toString('hex'));
        expect(Buffer.from(tst.nonce!)).toEqual(Buffer.from(nonce));
      }
      expect(serials.size).toBe(6);
    });
  });
});

describe('buildTemplate', () => {
  const encodeOctets = (v: SlotValues<'a' | 'b'>) =>
    new Uint8Array(AsnConvert.serialize(new OctetString(new Uint8Array([...(v.a as Uint8Array), 0x00, ...(v.b as Uint8Array)]))));

  it('finds each slot, matches and reads instances, and fills them as the library encodes them', () => {
    const template = buildTemplate({ a: { kind: 'bytes', length: 3 }, b: { kind: 'bytes', length: 1 } }, encodeOctets, new Date(0));
    expect(template).toBeInstanceOf(Template);
    const filled = template!.fill({ a: new Uint8Array([1, 2, 3]), b: new Uint8Array([9]) });
    expect(filled).toEqual(encodeOctets({ a: new Uint8Array([1, 2, 3]), b: new Uint8Array([9]) }));
    expect(template!.matches(filled)).toBe(true);
    expect(template!.read(filled, 'a')).toEqual(new Uint8Array([1, 2, 3]));
    const other = Uint8Array.from(filled);
    other[other.length - 2] = 1; // the constant 0x00 between the slots
    expect(template!.matches(other)).toBe(false);
    expect(template!.matches(filled.subarray(1))).toBe(false);
    expect(() => template!.fill({ a: new Uint8Array(2), b: new Uint8Array(1) })).toThrow(RangeError);
  });

  it('refuses encodings where a slot shows anywhere else', () => {
    // A byte outside the slots that depends on a slot's contents: no template.
    const leaky = (v: SlotValues<'a'>) => {
      const a = v.a as Uint8Array;
      return new Uint8Array([0x04, a.length + 1, ...a, (a[0] ?? 0) & 1]);
    };
    expect(buildTemplate({ a: { kind: 'bytes', length: 4 } }, leaky, new Date(0))).toBeUndefined();
    // Slots of length zero and lengths that depend on the contents have none either.
    expect(buildTemplate({ a: { kind: 'bytes', length: 0 } }, (v) => v.a as Uint8Array, new Date(0))).toBeUndefined();
    const varying = (v: SlotValues<'a'>) => ((v.a as Uint8Array)[0]! & 0x80 ? new Uint8Array([1, ...(v.a as Uint8Array)]) : (v.a as Uint8Array));
    expect(buildTemplate({ a: { kind: 'bytes', length: 4 } }, varying, new Date(0))).toBeUndefined();
  });

  it('bounds its caches', () => {
    const cache = new BoundedCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect([...cache.values()]).toEqual([2, 3]);
  });
});
