// The hand-written RFC 3161 decoder against the @peculiar/asn1-tsp one it replaced (kept in
// test/reference/): on every timestamp of the conformance bundles and on mutations of them,
// it never accepts what the reference refused, and what both accept reads identically.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mutatedBytes, sharedTestdata } from '@sigstack/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../src/error.js';
import { parseRfc3161Timestamp } from '../src/rfc3161.js';
import * as reference from './reference/rfc3161.js';

type Outcome = { ok: true; value: unknown } | { ok: false; message: string };

function outcome(parse: (der: Uint8Array) => unknown, der: Uint8Array, typedErrorsOnly = true): Outcome {
  try {
    return { ok: true, value: parse(der) };
  } catch (error) {
    // The reference sometimes let asn1js's own errors through; ours never may.
    if (typedErrorsOnly && (!(error instanceof VerificationError) || error.code !== 'TIMESTAMP_INVALID')) throw error;
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

// Where the reference (a BER decoder) let through what DER or RFC 3161 forbids: non-DER
// elements anywhere, fields out of order or left over (also inside attributes, names,
// accuracy), an empty INTEGER, a non-minimal or oversized version, a genTime that is not
// YYYYMMDDhhmmss[.s]Z or not a real time, ordering FALSE written out. Every such refusal is
// one of these structural messages, never a different reading of a well-formed token.
const STRICTER =
  /does not decode|has unexpected fields|has the wrong type|is not a valid OID|is not a small INTEGER|is an empty INTEGER|genTime is not a time|ordering is not DER TRUE|has no |is not an? (Attribute|name attribute|AlgorithmIdentifier|ContentInfo)|signer identifier is empty/;

const bundleDir = path.join(sharedTestdata(), 'conformance', 'bundle-verify');
const corpus: Uint8Array[] = readdirSync(bundleDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => {
    const text = readFileSync(path.join(bundleDir, d.name, 'bundle.sigstore.json'), 'utf8');
    const json = JSON.parse(text) as { verificationMaterial?: { timestampVerificationData?: { rfc3161Timestamps?: { signedTimestamp: string }[] } } };
    return (json.verificationMaterial?.timestampVerificationData?.rfc3161Timestamps ?? []).map((t) => new Uint8Array(Buffer.from(t.signedTimestamp, 'base64')));
  });

describe('the hand-written RFC 3161 decoder agrees with the @peculiar/asn1-tsp reference', () => {
  it('on every timestamp of the conformance bundles', () => {
    expect(corpus.length).toBeGreaterThan(5);
    for (const der of corpus) {
      const theirs = outcome(reference.parseRfc3161Timestamp, der);
      expect(theirs.ok).toBe(true);
      expect(outcome(parseRfc3161Timestamp, der)).toEqual(theirs);
    }
  });

  it('on mutated timestamps: flipped, cut and inserted bytes', () => {
    const mutated = mutatedBytes(corpus);
    fc.assert(
      fc.property(mutated, (der) => {
        const theirs = outcome(reference.parseRfc3161Timestamp, der, false);
        const ours = outcome(parseRfc3161Timestamp, der);
        if (ours.ok) expect(ours).toEqual(theirs);
        else if (theirs.ok) expect(ours.message).toMatch(STRICTER);
      }),
      { numRuns: Number(process.env.RFC3161_REFERENCE_RUNS ?? 3000) },
    );
  });
});
