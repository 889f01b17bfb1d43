import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  BundleError,
  bundleToJSON,
  checkTlogEntryBodies,
  parseBundle,
  parseEntryBody,
  serializeBundle,
  type BundleErrorCode,
} from '../src/index.js';
import { conformanceCases, readBundleText } from './testdata.js';

type Outcome =
  | { parse: 'ok'; body: 'ok' }
  | { parse: 'ok'; body: BundleErrorCode; field: string }
  | { parse: BundleErrorCode; field: string };

const OK: Outcome = { parse: 'ok', body: 'ok' };
const BODY = 'verificationMaterial.tlogEntries[0].canonicalizedBody';

// One row per conformance folder. Most _fail bundles are well formed and fail
// later (signatures, proofs, trust root, identity): those parse here. The rest
// name the error code and field this library refuses them with.
const TABLE: Record<string, Outcome> = {
  // README: empty certificate chain.
  'bundle-empty-certificate-chain_fail': { parse: 'INVALID_FIELD', field: 'verificationMaterial.x509CertificateChain.certificates' },
  // README: signature is not base64.
  'bundle-invalid-base64-signature_fail': { parse: 'INVALID_FIELD', field: 'messageSignature.signature' },
  // README: negative log index.
  'bundle-negative-log-index_fail': { parse: 'INVALID_FIELD', field: 'verificationMaterial.tlogEntries[0].logIndex' },
  // Root in the chain: an X.509 question for the verifier.
  'bundle-with-root-cert_fail': OK,
  'bundle-with-sct-with-extensions': OK,
  // Checkpoint/proof/SET failures are cryptographic: the verifier's job.
  'checkpoint-wrong-roothash_fail': OK,
  // README: the envelope does not match the entry; the payload hash differs.
  'dsse-mismatch-envelope_fail': { parse: 'ok', body: 'BODY_MISMATCH', field: `${BODY}.spec.payloadHash.value` },
  'happy-path-intoto-in-dsse-v3': OK,
  'happy-path-v0.1': OK,
  'happy-path-v0.2': OK,
  'happy-path-v0.3': OK,
  'happy-path-v0.3-new-mediaType': OK,
  'inclusion-proof-corrupted-hash_fail': OK,
  'integrated-time-in-future_fail': OK,
  // README: log entry does not match. Its intoto body stores the signature
  // base64-encoded once instead of twice as Rekor does, so the body is refused.
  'intoto-log-entry-mismatch_fail': { parse: 'ok', body: 'INVALID_FIELD', field: `${BODY}.spec.content.envelope.signatures[0].sig` },
  'intoto-set-outside-signing-cert-validity_fail': OK,
  'intoto-with-custom-trust-root': OK,
  'invalid-checkpoint-signature_fail': OK,
  // README: the proof is old/invalid. It is also a v0.2 bundle whose proof has
  // no checkpoint, which v0.2 requires (sigstore-js refuses it the same way).
  'invalid-inclusion-proof_fail': { parse: 'MISSING_FIELD', field: 'verificationMaterial.tlogEntries[0].inclusionProof.checkpoint' },
  'managed-key-and-trusted-root': OK,
  'managed-key-happy-path': OK,
  'managed-key-wrong-key_fail': OK,
  'rekor2-checkpoint-cosigned': OK,
  // Checkpoint note contents are parsed by libs/merkle, not here.
  'rekor2-checkpoint-missing-log-signature_fail': OK,
  'rekor2-checkpoint-missing-root-hash_fail': OK,
  'rekor2-checkpoint-multiple-cosigs': OK,
  'rekor2-checkpoint-no-matching-signature_fail': OK,
  'rekor2-checkpoint-origin-not-first': OK,
  'rekor2-checkpoint-two-sigs-cosigned': OK,
  'rekor2-checkpoint-two-sigs-from-origin': OK,
  'rekor2-dsse-happy-path': OK,
  // README: Hash(PAE(envelope)) does not match the hashedrekord digest.
  'rekor2-dsse-mismatch-envelope_fail': { parse: 'ok', body: 'BODY_MISMATCH', field: `${BODY}.spec.hashedRekordV002.data.digest` },
  'rekor2-happy-path': OK,
  // README: inclusion proof removed; v0.3 requires one.
  'rekor2-no-inclusion-proof_fail': { parse: 'MISSING_FIELD', field: 'verificationMaterial.tlogEntries[0].inclusionProof' },
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail': OK,
  'rekor2-timestamp-payload-mismatch_fail': OK,
  'rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': OK,
  'rekor2-timestamp-with-embedded-cert': OK,
  'rekor2-timestamp-with-expired-cert-chain': OK,
  'rekor2-timestamp-without-embedded-cert': OK,
  'set-invalid-signature_fail': OK,
  'trust-root-tlog-missing-validity-start_fail': OK,
  'trust-root-tlog-validity-end-inclusive': OK,
  'trust-root-tsa-validity-end-inclusive': OK,
  // README: the hashedrekord's certificate and signature are not the bundle's.
  'wrong-hashedrekord-cert-and-sig_fail': { parse: 'ok', body: 'BODY_MISMATCH', field: `${BODY}.spec.signature.content` },
  // The artifact differs from the digest: checked against the artifact by the verifier.
  'wrong-material_fail': OK,
};

function refusal(fn: () => unknown): BundleError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BundleError) return e;
    throw e;
  }
  throw new Error('expected a BundleError');
}

describe('conformance bundles', () => {
  it('has a row for every folder and no stale rows', () => {
    expect(Object.keys(TABLE).sort()).toEqual(conformanceCases());
  });

  for (const name of conformanceCases()) {
    it(name, () => {
      const outcome = TABLE[name];
      expect(outcome).toBeDefined();
      if (outcome === undefined) return;
      const text = readBundleText(name);
      if (outcome.parse !== 'ok') {
        const e = refusal(() => parseBundle(text));
        expect({ code: e.code, field: e.field }).toEqual({ code: outcome.parse, field: outcome.field });
        return;
      }
      const bundle = parseBundle(text);
      // Serialising gives back the input as a JSON value, and parses to the same bundle.
      expect(isDeepStrictEqual(bundleToJSON(bundle), JSON.parse(text))).toBe(true);
      expect(parseBundle(serializeBundle(bundle))).toEqual(bundle);
      // Each body parses as its declared kind and version.
      for (const entry of bundle.verificationMaterial.tlogEntries) {
        if (name === 'intoto-log-entry-mismatch_fail') continue;
        const body = parseEntryBody(entry.canonicalizedBody);
        expect({ kind: body.kind, apiVersion: body.apiVersion }).toEqual({
          kind: entry.kindVersion.kind,
          apiVersion: entry.kindVersion.version,
        });
      }
      if (outcome.body === 'ok') {
        expect(checkTlogEntryBodies(bundle)).toHaveLength(bundle.verificationMaterial.tlogEntries.length);
      } else {
        const e = refusal(() => checkTlogEntryBodies(bundle));
        expect({ code: e.code, field: e.field }).toEqual({ code: outcome.body, field: outcome.field });
      }
    });
  }
});
