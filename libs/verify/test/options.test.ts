import { createHash } from 'node:crypto';
import { parseBundle } from '@sigstack/bundle';
import { generateKeyPair, importPublicKey } from '@sigstack/crypto';
import { conformanceCase, publicGoodTrustedRootText } from '@sigstack/testing';
import { parseTrustedRoot } from '@sigstack/trust';
import { verifyBundle } from '../src/index.js';
import { describe, expect, it } from 'vitest';
import { optionsFor, runOurs } from './conformance-helpers.js';

const codeOf = (name: string, overrides: Parameters<typeof runOurs>[1]) => runOurs(name, overrides).outcome;
const identity = (name: string) => ({ subjectAlternativeName: conformanceCase(name).identity, issuer: conformanceCase(name).issuer });

describe('verifyBundle options', () => {
  it('verifies against a precomputed sha256 digest (verify-blob sha256:<hex>)', () => {
    const c = conformanceCase('happy-path-v0.3');
    const digest = createHash('sha256').update(c.artifact).digest();
    expect(codeOf('happy-path-v0.3', { artifact: { digest, algorithm: 'sha256' } })).toBe('ok');
    expect(codeOf('happy-path-v0.3', { artifact: { digest: Buffer.alloc(32), algorithm: 'sha256' } })).toBe('verify:DIGEST_MISMATCH');
    expect(codeOf('happy-path-v0.3', { artifact: { digest: Buffer.alloc(48), algorithm: 'sha384' } })).toBe('verify:DIGEST_MISMATCH');
  });

  it('needs the artifact for a message signature, but not for an attestation', () => {
    expect(codeOf('happy-path-v0.3', { artifact: undefined })).toBe('verify:INVALID_ARGUMENT');
    expect(codeOf('happy-path-intoto-in-dsse-v3', { artifact: undefined })).toBe('ok');
    expect(codeOf('happy-path-intoto-in-dsse-v3', { artifact: { data: Buffer.from('other') } })).toBe('verify:DIGEST_MISMATCH');
  });

  it('applies the thresholds', () => {
    expect(codeOf('happy-path-v0.3', { tlogThreshold: 2 })).toBe('verify:TLOG_ENTRY_MISSING');
    expect(codeOf('happy-path-v0.3', { timestampThreshold: 2 })).toBe('verify:TIMESTAMP_MISSING');
    expect(codeOf('happy-path-v0.3', { ctlogThreshold: 2 })).toBe('verify:SCT_MISSING');
    expect(codeOf('happy-path-v0.3', { tlogThreshold: -1 })).toBe('verify:INVALID_ARGUMENT');
  });

  it('uses `now` as the signing time only when no timestamps are required', () => {
    const result = runOurs('managed-key-happy-path', { timestampThreshold: 0 }).result;
    expect(result?.timestamps.length).toBeGreaterThan(0);
    // Timestamps in the bundle are still verified and used; `now` only stands in when there are none.
    expect(runOurs('rekor2-happy-path', { timestampThreshold: 0, now: new Date('2030-01-01T00:00:00Z') }).result?.timestamps[0]?.source).toBe('rfc3161');
  });

  it('refuses an entry integrated after `now`', () => {
    expect(codeOf('happy-path-v0.3', { now: new Date('2024-01-01T00:00:00Z') })).toBe('verify:INTEGRATED_TIME_IN_FUTURE');
  });

  it('refuses a key policy for a certificate bundle and the other way round', () => {
    const pem = conformanceCase('managed-key-happy-path').publicKeyPem ?? '';
    expect(codeOf('happy-path-v0.3', { policy: { publicKey: importPublicKey(pem) } })).toBe('verify:KEY_MISMATCH');
    expect(codeOf('managed-key-happy-path', { policy: { identity: identity('happy-path-v0.3') } })).toBe('verify:KEY_MISMATCH');
  });

  it('refuses a key bundle verified with another valid key', async () => {
    const other = (await generateKeyPair('ecdsa-p256')).publicKey;
    expect(codeOf('managed-key-happy-path', { policy: { publicKey: other } })).toBe('verify:SIGNATURE_INVALID');
  });

  it('reports identity and issuer mismatches with their own codes', () => {
    expect(codeOf('happy-path-v0.3', { policy: { identity: { ...identity('happy-path-v0.3'), subjectAlternativeName: 'someone@example.com' } } })).toBe('verify:IDENTITY_MISMATCH');
    expect(codeOf('happy-path-v0.3', { policy: { identity: { ...identity('happy-path-v0.3'), issuer: 'https://accounts.google.com' } } })).toBe('verify:ISSUER_MISMATCH');
    expect(codeOf('happy-path-v0.3', { policy: { identity: { subjectAlternativeName: /sigstore-conformance/, issuer: /^https:\/\/token\.actions\./ } } })).toBe('ok');
  });

  it('refuses a log the trusted root does not have', () => {
    const root = parseTrustedRoot(publicGoodTrustedRootText());
    expect(codeOf('happy-path-v0.3', { trustedRoot: { ...root, tlogs: [] } })).toBe('verify:UNTRUSTED_LOG');
  });

  it('accepts a Rekor v1 entry with only a signed entry timestamp offline, and asks for a proof online', () => {
    const c = conformanceCase('happy-path-v0.1');
    const json = JSON.parse(c.bundleText);
    delete json.verificationMaterial.tlogEntries[0].inclusionProof;
    const bundle = parseBundle(JSON.stringify(json));
    const base = { trustedRoot: parseTrustedRoot(publicGoodTrustedRootText()), ...optionsFor(c) };
    expect(() => verifyBundle(bundle, base)).toThrow(expect.objectContaining({ code: 'INCLUSION_PROOF_MISSING' }));
    const result = verifyBundle(bundle, { ...base, offline: true });
    expect(result.tlogEntries[0]).toMatchObject({ inclusionProof: false, inclusionPromise: true });
  });
});
