import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { BundleError } from './error.js';
import { base64Value, Fields } from './json.js';
import { bundleVersionOf, type BundleVersion } from './media-type.js';

// Raw-JSON validation of a bundle, run before protobuf-specs' lenient fromJSON
// ever sees it. Everything here reads attacker-controlled input: each check
// names the JSON path it refused.

/** Hash algorithm names a bundle may carry (the protobuf enum, minus UNSPECIFIED). */
export const HASH_ALGORITHM_NAMES = Object.keys(HashAlgorithm).filter(
  (k) => Number.isNaN(Number(k)) && k !== 'HASH_ALGORITHM_UNSPECIFIED',
);

export function validateHashOutput(f: Fields): void {
  f.only(['algorithm', 'digest']);
  f.oneOf('algorithm', HASH_ALGORITHM_NAMES);
  f.base64('digest');
}

function validateX509Certificate(f: Fields): void {
  f.only(['rawBytes']);
  f.base64('rawBytes');
}

function validateMessageSignature(f: Fields): void {
  f.only(['messageDigest', 'signature']);
  validateHashOutput(f.object('messageDigest'));
  f.base64('signature');
}

/** A DSSE envelope as protobuf JSON; `maxSignatures` is 1 inside a bundle. */
export function validateEnvelope(f: Fields, opts: { maxSignatures?: number } = {}): void {
  f.only(['payload', 'payloadType', 'signatures']);
  f.base64('payload');
  f.string('payloadType', { nonEmpty: true });
  const sigs = f.array('signatures', { min: 1 });
  if (opts.maxSignatures !== undefined && sigs.length > opts.maxSignatures) {
    throw new BundleError('INVALID_FIELD', f.at('signatures'), `at most ${opts.maxSignatures} signature(s) allowed`);
  }
  for (const s of sigs) {
    const sig = Fields.of(s.value, s.path).only(['sig', 'keyid']);
    sig.base64('sig');
    sig.optionalString('keyid');
  }
}

function validateVerificationMaterial(f: Fields, version: BundleVersion): void {
  f.only(['publicKey', 'x509CertificateChain', 'certificate', 'tlogEntries', 'timestampVerificationData']);
  const which = f.exactlyOne(['publicKey', 'x509CertificateChain', 'certificate'] as const, 'verification material');
  switch (which) {
    case 'publicKey':
      f.object('publicKey').only(['hint']).optionalString('hint');
      break;
    case 'x509CertificateChain': {
      if (version === '0.3') {
        throw new BundleError('INVALID_FIELD', f.at(which), 'v0.3 bundles carry a single certificate, not a chain');
      }
      const chain = f.object(which).only(['certificates']);
      for (const c of chain.array('certificates', { min: 1 })) validateX509Certificate(Fields.of(c.value, c.path));
      break;
    }
    case 'certificate':
      if (version !== '0.3') {
        throw new BundleError('INVALID_FIELD', f.at(which), `a single certificate is not allowed in v${version} bundles`);
      }
      validateX509Certificate(f.object(which));
      break;
  }
  for (const e of f.optionalArray('tlogEntries')) validateTlogEntry(Fields.of(e.value, e.path), version);
  const tsv = f.optionalObject('timestampVerificationData');
  if (tsv !== undefined) {
    tsv.only(['rfc3161Timestamps']);
    for (const t of tsv.optionalArray('rfc3161Timestamps')) {
      Fields.of(t.value, t.path).only(['signedTimestamp']).base64('signedTimestamp');
    }
  }
}

function validateInclusionProof(f: Fields, version: BundleVersion): void {
  f.only(['logIndex', 'rootHash', 'treeSize', 'hashes', 'checkpoint']);
  const logIndex = BigInt(f.uint64String('logIndex'));
  f.base64('rootHash');
  const treeSize = BigInt(f.uint64String('treeSize', { required: true }));
  // logIndex is attacker-controlled; an index outside the tree can never verify.
  if (logIndex >= treeSize) {
    throw new BundleError('INVALID_FIELD', f.at('logIndex'), 'must be less than treeSize');
  }
  for (const h of f.optionalArray('hashes')) base64Value(h.value, h.path);
  const checkpoint = version === '0.1' ? f.optionalObject('checkpoint') : f.object('checkpoint');
  checkpoint?.only(['envelope']).string('envelope', { nonEmpty: true });
}

function validateTlogEntry(f: Fields, version: BundleVersion): void {
  f.only(['logIndex', 'logId', 'kindVersion', 'integratedTime', 'inclusionPromise', 'inclusionProof', 'canonicalizedBody']);
  f.uint64String('logIndex');
  f.object('logId').only(['keyId']).base64('keyId');
  const kv = f.object('kindVersion').only(['kind', 'version']);
  kv.string('kind', { nonEmpty: true });
  kv.string('version', { nonEmpty: true });
  f.uint64String('integratedTime');
  // v0.1 bundles were verified offline through the SET alone; v0.2 made the
  // inclusion proof (with its checkpoint) mandatory instead.
  const promise = version === '0.1' ? f.object('inclusionPromise') : f.optionalObject('inclusionPromise');
  promise?.only(['signedEntryTimestamp']).base64('signedEntryTimestamp');
  const proof = version === '0.1' ? f.optionalObject('inclusionProof') : f.object('inclusionProof');
  if (proof !== undefined) validateInclusionProof(proof, version);
  f.base64('canonicalizedBody');
}

/** Validates raw bundle JSON and returns its version; throws BundleError naming the field. */
export function validateBundleJson(value: unknown): BundleVersion {
  const f = Fields.of(value, '');
  const version = bundleVersionOf(f.string('mediaType'));
  f.only(['mediaType', 'verificationMaterial', 'messageSignature', 'dsseEnvelope']);
  validateVerificationMaterial(f.object('verificationMaterial'), version);
  const content = f.exactlyOne(['messageSignature', 'dsseEnvelope'] as const, 'bundle content');
  if (content === 'messageSignature') {
    validateMessageSignature(f.object(content));
  } else {
    // The bundle spec allows exactly one signature: one set of verification material.
    validateEnvelope(f.object(content), { maxSignatures: 1 });
  }
  return version;
}
