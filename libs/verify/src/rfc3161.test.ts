import { createHash } from 'node:crypto';
import { parseBundle } from '@sigstack/bundle';
import { conformanceCase } from '@sigstack/testing';
import { parseTrustedRoot } from '@sigstack/trust';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerificationError } from './error.js';
import { parseRfc3161Timestamp } from './rfc3161.js';
import { verifyRfc3161Timestamp } from './timestamps.js';

function material(name: string) {
  const c = conformanceCase(name);
  const bundle = parseBundle(c.bundleText);
  const ts = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps[0]?.signedTimestamp;
  if (ts === undefined || bundle.content.$case !== 'messageSignature') throw new Error('expected a timestamped message signature');
  return { ts, signature: bundle.content.messageSignature.signature, root: parseTrustedRoot(c.trustedRootText ?? '') };
}

function onlyTimestampErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof VerificationError) || e.code !== 'TIMESTAMP_INVALID') throw e;
  }
}

describe('parseRfc3161Timestamp', () => {
  it('reads the staging TSA timestamp of a Rekor v2 bundle', () => {
    const { ts, signature } = material('rekor2-happy-path');
    const parsed = parseRfc3161Timestamp(ts);
    expect(parsed.genTime.toISOString()).toBe('2025-06-12T12:02:20.000Z');
    expect(parsed.imprintAlgorithm).toBe('sha256');
    expect(Buffer.from(parsed.hashedMessage)).toEqual(createHash('sha256').update(signature).digest());
    expect(parsed.signedAttributes[0]).toBe(0x31);
    expect('issuer' in parsed.signerId).toBe(true);
  });

  it('reads embedded certificates, when there are any', () => {
    expect(parseRfc3161Timestamp(material('rekor2-timestamp-with-embedded-cert').ts).certificates.length).toBeGreaterThan(0);
    expect(parseRfc3161Timestamp(material('rekor2-timestamp-without-embedded-cert').ts).certificates).toEqual([]);
  });

  it('refuses empty, truncated and foreign DER with TIMESTAMP_INVALID', () => {
    const { ts } = material('rekor2-happy-path');
    for (const bad of [new Uint8Array(), ts.subarray(0, ts.length - 1), ts.subarray(9), Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00])]) {
      expect(() => parseRfc3161Timestamp(bad)).toThrow(VerificationError);
    }
  });

  it('never throws anything but TIMESTAMP_INVALID on random bytes or mutated tokens', () => {
    const { ts } = material('rekor2-happy-path');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => onlyTimestampErrors(() => parseRfc3161Timestamp(bytes))), { numRuns: 300 });
    fc.assert(
      fc.property(fc.nat({ max: ts.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const copy = Uint8Array.from(ts);
        copy[at] = (copy[at] as number) ^ x;
        onlyTimestampErrors(() => parseRfc3161Timestamp(copy));
      }),
      { numRuns: 300 },
    );
  });
});

describe('verifyRfc3161Timestamp', () => {
  it('verifies against the trusted root and names the TSA', () => {
    const { ts, signature, root } = material('rekor2-happy-path');
    expect(verifyRfc3161Timestamp(ts, signature, root)).toEqual({
      source: 'rfc3161',
      time: new Date('2025-06-12T12:02:20Z'),
      authority: 'https://timestamp.sigstage.dev/api/v1/timestamp',
    });
  });

  it('refuses a timestamp over other bytes', () => {
    const { ts, root } = material('rekor2-happy-path');
    expect(() => verifyRfc3161Timestamp(ts, new Uint8Array([1, 2, 3]), root)).toThrow(/message imprint/);
  });

  it('refuses a timestamp when the root has no TSA', () => {
    const { ts, signature, root } = material('rekor2-happy-path');
    expect(() => verifyRfc3161Timestamp(ts, signature, { ...root, timestampAuthorities: [] })).toThrow(/no timestamp authority/);
  });

  it('never verifies a token with a flipped bit in its TSTInfo or signature', () => {
    const { ts, signature, root } = material('rekor2-happy-path');
    const parsed = parseRfc3161Timestamp(ts);
    const regions = [parsed.tstInfo, parsed.signature].map((part) => {
      const at = Buffer.from(ts).indexOf(Buffer.from(part));
      return [at, part.length] as const;
    });
    fc.assert(
      fc.property(fc.constantFrom(...regions), fc.nat(), fc.integer({ min: 0, max: 7 }), ([start, length], offset, bit) => {
        const copy = Uint8Array.from(ts);
        const at = start + (offset % length);
        copy[at] = (copy[at] as number) ^ (1 << bit);
        expect(() => verifyRfc3161Timestamp(copy, signature, root)).toThrow(VerificationError);
      }),
      { numRuns: 200 },
    );
  });
});
