import { describe, expect, it } from 'vitest';
import { conformanceCase, conformanceCaseNames } from '@sigstack/testing';
import { runOfficial, runOurs, type Outcome } from './conformance-helpers.js';

// Every sigstore-conformance bundle-verify case, with the outcome we expect from our verifier
// (the error class and code, so a case failing for the wrong reason is caught) and whether
// the official @sigstore/verify 3.1.1 agrees. `official` records what sigstore-js does where
// it cannot follow the suite; each such row says why.
interface Row {
  readonly expect: Outcome;
  readonly official?: 'ok' | 'fail';
  readonly why?: string;
}

const TABLE: Readonly<Record<string, Row>> = {
  'bundle-empty-certificate-chain_fail': { expect: 'bundle:INVALID_FIELD' },
  'bundle-invalid-base64-signature_fail': { expect: 'bundle:INVALID_FIELD' },
  'bundle-negative-log-index_fail': { expect: 'bundle:INVALID_FIELD' },
  'bundle-with-root-cert_fail': { expect: 'verify:CERTIFICATE_CHAIN_INVALID' },
  'bundle-with-sct-with-extensions': { expect: 'ok' },
  'checkpoint-wrong-roothash_fail': { expect: 'verify:CHECKPOINT_INVALID' },
  'dsse-mismatch-envelope_fail': { expect: 'verify:TLOG_BODY_MISMATCH' },
  'happy-path-intoto-in-dsse-v3': { expect: 'ok' },
  'happy-path-v0.1': { expect: 'ok' },
  'happy-path-v0.2': { expect: 'ok' },
  'happy-path-v0.3': { expect: 'ok' },
  'happy-path-v0.3-new-mediaType': { expect: 'ok' },
  'inclusion-proof-corrupted-hash_fail': { expect: 'verify:INCLUSION_PROOF_INVALID' },
  // Integrated in May 2026 but the certificate expired minutes earlier: caught by the
  // certificate check at the signed entry timestamp, whatever today's date.
  'integrated-time-in-future_fail': { expect: 'verify:CERTIFICATE_NOT_VALID_AT_SIGNING_TIME' },
  // The body's envelope signature is not even valid base64: the body does not parse.
  'intoto-log-entry-mismatch_fail': { expect: 'verify:TLOG_BODY_MISMATCH' },
  'intoto-set-outside-signing-cert-validity_fail': { expect: 'verify:CERTIFICATE_NOT_VALID_AT_SIGNING_TIME' },
  'intoto-with-custom-trust-root': { expect: 'ok' },
  'invalid-checkpoint-signature_fail': { expect: 'verify:CHECKPOINT_INVALID' },
  // A v0.2 bundle must carry a checkpoint in its proof: refused while parsing.
  'invalid-inclusion-proof_fail': { expect: 'bundle:MISSING_FIELD' },
  'managed-key-and-trusted-root': { expect: 'ok' },
  'managed-key-happy-path': { expect: 'ok' },
  // key.pub is not valid base64 ("...++++wrongkey=="): refused when the key is imported.
  'managed-key-wrong-key_fail': { expect: 'key:INVALID_PEM' },
  'rekor2-checkpoint-cosigned': { expect: 'ok' },
  'rekor2-checkpoint-missing-log-signature_fail': { expect: 'verify:CHECKPOINT_INVALID' },
  // The log's signature no longer matches the text with the root hash removed.
  'rekor2-checkpoint-missing-root-hash_fail': { expect: 'verify:CHECKPOINT_INVALID' },
  'rekor2-checkpoint-multiple-cosigs': { expect: 'ok' },
  'rekor2-checkpoint-no-matching-signature_fail': { expect: 'verify:CHECKPOINT_INVALID' },
  'rekor2-checkpoint-origin-not-first': { expect: 'ok' },
  'rekor2-checkpoint-two-sigs-cosigned': { expect: 'ok' },
  'rekor2-checkpoint-two-sigs-from-origin': { expect: 'ok' },
  'rekor2-dsse-happy-path': {
    expect: 'ok',
    official: 'fail',
    why: 'sigstore-js 3.1.1 compares the hashedrekord 0.0.2 digest with the SHA-256 of the payload, not of PAE(type, payload) (rekor-v2-spec 6.1.4): "digest mismatch"',
  },
  'rekor2-dsse-mismatch-envelope_fail': { expect: 'verify:TLOG_BODY_MISMATCH' },
  'rekor2-happy-path': { expect: 'ok' },
  // A v0.3 bundle's tlog entry must carry an inclusion proof: refused while parsing.
  'rekor2-no-inclusion-proof_fail': { expect: 'bundle:MISSING_FIELD' },
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail': { expect: 'verify:TIMESTAMP_INVALID' },
  'rekor2-timestamp-payload-mismatch_fail': { expect: 'verify:TIMESTAMP_INVALID' },
  'rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': { expect: 'verify:TIMESTAMP_INVALID' },
  'rekor2-timestamp-with-embedded-cert': { expect: 'ok' },
  'rekor2-timestamp-with-expired-cert-chain': { expect: 'ok' },
  'rekor2-timestamp-without-embedded-cert': { expect: 'ok' },
  'set-invalid-signature_fail': { expect: 'verify:SET_INVALID' },
  // The trusted root itself is malformed: refused by @sigstack/trust before verification.
  'trust-root-tlog-missing-validity-start_fail': {
    expect: 'trust:MISSING_FIELD',
    official: 'ok',
    why: 'sigstore-js 3.1.1 reads a validity window without a start as starting at the epoch (toTrustMaterial BEGINNING_OF_TIME)',
  },
  'trust-root-tlog-validity-end-inclusive': { expect: 'ok' },
  'trust-root-tsa-validity-end-inclusive': { expect: 'ok' },
  'wrong-hashedrekord-cert-and-sig_fail': { expect: 'verify:TLOG_BODY_MISMATCH' },
  'wrong-material_fail': { expect: 'verify:DIGEST_MISMATCH' },
};

const names = conformanceCaseNames();

describe('sigstore-conformance bundle-verify', () => {
  it('the table covers exactly the cases on disk', () => {
    expect(names.length).toBe(46);
    expect(Object.keys(TABLE).sort()).toEqual(names);
  });

  it.each(names)('%s', (name) => {
    const row = TABLE[name];
    if (row === undefined) throw new Error(`no table row for ${name}`);
    const c = conformanceCase(name);
    expect(row.expect === 'ok').toBe(!c.shouldFail);
    const ours = runOurs(name);
    expect(ours.outcome, ours.error instanceof Error ? ours.error.message : '').toBe(row.expect);

    const official = runOfficial(name);
    const officialExpected = row.official ?? (row.expect === 'ok' ? 'ok' : 'fail');
    expect(official.ok ? 'ok' : 'fail', official.error instanceof Error ? official.error.message : '').toBe(officialExpected);
  });
});

describe('results of verified cases', () => {
  it('a v1 bundle: identity, a log timestamp, a proof and a promise', () => {
    const { result } = runOurs('happy-path-v0.3');
    expect(result?.signer?.subjectAlternativeNames).toContain(conformanceCase('happy-path-v0.3').identity);
    expect(result?.signer?.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(result?.timestamps.map((t) => t.source)).toEqual(['transparency-log']);
    expect(result?.tlogEntries).toEqual([expect.objectContaining({ baseUrl: 'https://rekor.sigstore.dev', inclusionProof: true, inclusionPromise: true })]);
    expect(result?.statement).toBeUndefined();
  });

  it('a Rekor v2 bundle: its time comes from the TSA', () => {
    const { result } = runOurs('rekor2-happy-path');
    expect(result?.timestamps).toEqual([{ source: 'rfc3161', time: new Date('2025-06-12T12:02:20Z'), authority: 'https://timestamp.sigstage.dev/api/v1/timestamp' }]);
    expect(result?.tlogEntries[0]).toMatchObject({ version: '0.0.2', inclusionProof: true, inclusionPromise: false });
  });

  it('a DSSE bundle returns its in-toto statement', () => {
    const { result } = runOurs('happy-path-intoto-in-dsse-v3');
    expect(result?.statement?.subject.length).toBeGreaterThan(0);
    expect(result?.payload?.type).toBe('application/vnd.in-toto+json');
  });

  it('a key bundle has no signer identity', () => {
    expect(runOurs('managed-key-happy-path').result?.signer).toBeUndefined();
  });
});
