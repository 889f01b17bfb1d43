import { BundleError, parseBundle } from '@sigstack/bundle';
import { conformanceCase } from '@sigstack/testing';
import { parseTrustedRoot } from '@sigstack/trust';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRfc3161Timestamp } from '../src/rfc3161.js';
import { VerificationError, verifyBundle } from '../src/index.js';
import { optionsFor, rootTextOf } from './conformance-helpers.js';

// Mutated conformance bundles: a flipped bit in anything that is signed or checked (signatures,
// digests, proofs, checkpoints, certificates, SETs, timestamps, log bodies) must never verify,
// and verification may only ever fail with VerificationError, or BundleError from the parser.

const CASES = ['happy-path-v0.3', 'happy-path-intoto-in-dsse-v3', 'managed-key-happy-path', 'rekor2-happy-path', 'rekor2-dsse-happy-path', 'intoto-with-custom-trust-root'];

type Json = Record<string, unknown>;
type Mutation = (json: Json, offset: number, bit: number) => boolean;

const get = (json: unknown, path: (string | number)[]): unknown => path.reduce<unknown>((v, k) => (v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[k]), json);

function set(json: unknown, path: (string | number)[], value: unknown): void {
  const parent = get(json, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1] as string | number] = value;
}

/** Flips one bit of the base64 field at `path`, within [from, from+length) of its bytes when given. */
function flipBase64(path: (string | number)[], region?: (bytes: Uint8Array) => readonly [number, number]): Mutation {
  return (json, offset, bit) => {
    const value = get(json, path);
    if (typeof value !== 'string') return false;
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length === 0) return false;
    const [from, length] = region?.(bytes) ?? [0, bytes.length];
    const at = from + (offset % length);
    bytes[at] = (bytes[at] as number) ^ (1 << bit);
    set(json, path, bytes.toString('base64'));
    return true;
  };
}

/** Changes one character of the checkpoint's signed text (witness lines are rightly ignored). */
const checkpointText: Mutation = (json, offset) => {
  const path = ['verificationMaterial', 'tlogEntries', 0, 'inclusionProof', 'checkpoint', 'envelope'];
  const envelope = get(json, path);
  if (typeof envelope !== 'string') return false;
  const textEnd = envelope.indexOf('\n\n');
  const at = offset % textEnd;
  const ch = envelope[at] === 'A' ? 'B' : 'A';
  set(json, path, envelope.slice(0, at) + ch + envelope.slice(at + 1));
  return true;
};

/** The parts of an RFC 3161 token that are signed: the TSTInfo and the signature value. */
const signedTsaRegion = (which: 'tstInfo' | 'signature') => (bytes: Uint8Array) => {
  const part = parseRfc3161Timestamp(bytes)[which];
  return [Buffer.from(bytes).indexOf(Buffer.from(part)), part.length] as const;
};

const vm = (...rest: (string | number)[]) => ['verificationMaterial', ...rest];
const MUTATIONS: Readonly<Record<string, Mutation>> = {
  messageSignature: flipBase64(['messageSignature', 'signature']),
  messageDigest: flipBase64(['messageSignature', 'messageDigest', 'digest']),
  dsseSignature: flipBase64(['dsseEnvelope', 'signatures', 0, 'sig']),
  dssePayload: flipBase64(['dsseEnvelope', 'payload']),
  certificate: flipBase64(vm('certificate', 'rawBytes')),
  chainLeaf: flipBase64(vm('x509CertificateChain', 'certificates', 0, 'rawBytes')),
  body: flipBase64(vm('tlogEntries', 0, 'canonicalizedBody')),
  set: flipBase64(vm('tlogEntries', 0, 'inclusionPromise', 'signedEntryTimestamp')),
  proofHash: flipBase64(vm('tlogEntries', 0, 'inclusionProof', 'hashes', 0)),
  rootHash: flipBase64(vm('tlogEntries', 0, 'inclusionProof', 'rootHash')),
  checkpoint: checkpointText,
  tstInfo: flipBase64(vm('timestampVerificationData', 'rfc3161Timestamps', 0, 'signedTimestamp'), signedTsaRegion('tstInfo')),
  tsaSignature: flipBase64(vm('timestampVerificationData', 'rfc3161Timestamps', 0, 'signedTimestamp'), signedTsaRegion('signature')),
};

function outcome(name: string, text: string): 'ok' | 'error' {
  const c = conformanceCase(name);
  try {
    verifyBundle(parseBundle(text), { trustedRoot: parseTrustedRoot(rootTextOf(c)), ...optionsFor(c) });
    return 'ok';
  } catch (e) {
    if (e instanceof VerificationError || e instanceof BundleError) return 'error';
    throw e;
  }
}

describe('mutated conformance bundles', () => {
  it('every case verifies unmutated', () => {
    for (const name of CASES) expect(outcome(name, conformanceCase(name).bundleText)).toBe('ok');
  });

  it('never verify with a flipped bit in a signed or checked field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASES), fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(), fc.integer({ min: 0, max: 7 }), (name, which, offset, bit) => {
        const json = JSON.parse(conformanceCase(name).bundleText) as Json;
        const mutate = MUTATIONS[which] as Mutation;
        fc.pre(mutate(json, offset, bit));
        expect(outcome(name, JSON.stringify(json)), `${name} ${which}`).toBe('error');
      }),
      { numRuns: 400 },
    );
  });

  it('only ever fail with the typed errors when any byte of the bundle text changes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASES), fc.nat(), fc.integer({ min: 1, max: 255 }), (name, offset, x) => {
        const bytes = Buffer.from(conformanceCase(name).bundleText);
        const at = offset % bytes.length;
        bytes[at] = (bytes[at] as number) ^ x;
        outcome(name, bytes.toString('latin1'));
      }),
      { numRuns: 300 },
    );
  });
});
