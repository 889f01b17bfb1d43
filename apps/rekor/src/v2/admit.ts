import { createHash } from 'node:crypto';
import { HashAlgorithm, PublicKeyDetails } from '@sigstore/protobuf-specs';
import type { Signature, Verifier } from '@sigstore/protobuf-specs/rekor/v2';
import { BundleError, buildDsseV002, buildHashedRekordV002, parseRekorV2Request, preAuthEncoding } from '@sigstack/bundle';
import { rekorErrors } from '../errors.js';
import { verifierFromDer, verifyOverDigest, verifyOverMessage, type DigestAlgorithm, type EntryVerifier } from '../verifiers.js';

/** What Rekor v2 logs for a request: the canonical body and its kind/version. */
export interface AdmittedV2 {
  readonly body: Uint8Array;
  readonly kind: 'hashedrekord' | 'dsse';
  readonly version: '0.0.2';
}

/** The key types and digest algorithms Rekor v2 accepts, by PublicKeyDetails. */
const KEY_DETAILS: Partial<Record<PublicKeyDetails, { type: EntryVerifier['key']['type']; hash: DigestAlgorithm }>> = {
  [PublicKeyDetails.PKIX_ECDSA_P256_SHA_256]: { type: 'ecdsa-p256', hash: 'sha256' },
  [PublicKeyDetails.PKIX_ECDSA_P384_SHA_384]: { type: 'ecdsa-p384', hash: 'sha384' },
  [PublicKeyDetails.PKIX_ED25519]: { type: 'ed25519', hash: 'sha512' },
  [PublicKeyDetails.PKIX_RSA_PKCS1V15_2048_SHA256]: { type: 'rsa', hash: 'sha256' },
  [PublicKeyDetails.PKIX_RSA_PKCS1V15_3072_SHA256]: { type: 'rsa', hash: 'sha256' },
  [PublicKeyDetails.PKIX_RSA_PKCS1V15_4096_SHA256]: { type: 'rsa', hash: 'sha256' },
};

const HASH_ENUM: Record<DigestAlgorithm, HashAlgorithm> = {
  sha256: HashAlgorithm.SHA2_256,
  sha384: HashAlgorithm.SHA2_384,
  sha512: HashAlgorithm.SHA2_512,
};
const DIGEST_LENGTH: Record<DigestAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** The verifier's key or certificate, checked against the key details it claims. */
function openVerifier(v: Verifier | undefined, path: string): { verifier: EntryVerifier; hash: DigestAlgorithm } {
  const inner = v?.verifier;
  if (!v || !inner) throw rekorErrors.create('INVALID_ENTRY', `${path}: missing verifier`);
  const verifier =
    inner.$case === 'publicKey'
      ? verifierFromDer('key', inner.publicKey.rawBytes)
      : verifierFromDer('certificate', inner.x509Certificate.rawBytes);
  const details = KEY_DETAILS[v.keyDetails];
  if (!details) throw rekorErrors.create('INVALID_KEY', `${path}.keyDetails: ${PublicKeyDetails[v.keyDetails] ?? v.keyDetails} is not supported`);
  if (details.type !== verifier.key.type) {
    throw rekorErrors.create('INVALID_KEY', `${path}.keyDetails: ${PublicKeyDetails[v.keyDetails]} does not describe a ${verifier.key.type} key`);
  }
  return { verifier, hash: details.hash };
}

/** Checks a Rekor v2 CreateEntryRequest (attacker-controlled) and builds the entry rekor-tiles would log. */
export function admitV2(input: unknown): AdmittedV2 {
  let request;
  try {
    request = parseRekorV2Request(input);
  } catch (err) {
    if (err instanceof BundleError) throw rekorErrors.create('INVALID_ENTRY', err.message, { cause: err });
    throw err;
  }
  if (request.$case === 'hashedRekordRequestV002') {
    const { digest, signature } = request.request;
    if (!signature) throw rekorErrors.create('INVALID_ENTRY', 'hashedRekordRequestV002.signature: missing');
    const { verifier, hash } = openVerifier(signature.verifier, 'hashedRekordRequestV002.signature.verifier');
    if (verifier.key.type === 'ed25519') throw rekorErrors.create('INVALID_KEY', 'an Ed25519 key cannot verify a signature over a digest');
    if (digest.length !== DIGEST_LENGTH[hash]) {
      throw rekorErrors.create('INVALID_ENTRY', `hashedRekordRequestV002.digest: expected a ${DIGEST_LENGTH[hash]}-byte ${hash} digest`);
    }
    if (!verifyOverDigest(verifier, hash, digest, signature.content)) {
      throw rekorErrors.create('INVALID_SIGNATURE', 'the signature does not verify against the verifier for this digest');
    }
    const body = buildHashedRekordV002({ data: { algorithm: HASH_ENUM[hash], digest }, signature });
    return { body, kind: 'hashedrekord', version: '0.0.2' };
  }
  const { envelope, verifiers } = request;
  if (envelope.payload.length === 0) throw rekorErrors.create('INVALID_ENTRY', 'dsseRequestV002.envelope.payload: must not be empty');
  const opened = verifiers.map((v, i) => ({ raw: v, ...openVerifier(v, `dsseRequestV002.verifiers[${i}]`) }));
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const signatures: Signature[] = envelope.signatures.map((s, i) => {
    const found = opened.find((o) => verifyOverMessage(o.verifier, pae, s.sig));
    if (!found) throw rekorErrors.create('INVALID_SIGNATURE', `envelope signature ${i} does not verify against any of the verifiers`);
    return { content: s.sig, verifier: found.raw };
  });
  const body = buildDsseV002({
    payloadHash: { algorithm: HashAlgorithm.SHA2_256, digest: createHash('sha256').update(envelope.payload).digest() },
    signatures,
  });
  return { body, kind: 'dsse', version: '0.0.2' };
}
