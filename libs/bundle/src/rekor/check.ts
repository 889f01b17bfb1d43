import { HashAlgorithm } from '@sigstore/protobuf-specs';
import type { Verifier } from '@sigstore/protobuf-specs/rekor/v2';
import { preAuthEncoding } from '../dsse.js';
import { bytesEqual } from '../encoding.js';
import { BundleError } from '../error.js';
import { joinPath } from '../json.js';
import type { BundleContent, DsseEnvelope, SigstoreBundle } from '../types.js';
import { parseEntryBody, type RekorEntryBody } from './body.js';
import { certificateDerFromPem, digestOf, type RekorHashAlgorithm } from './common.js';

// A tlog entry only vouches for what its body records. These checks tie the
// body to the bundle's content (digest, signature, envelope hashes and, where
// both sides carry one, the certificate), as the Sigstore client spec asks
// verifiers to do. They do no cryptography beyond hashing.

const REKOR_ALGORITHMS: Partial<Record<HashAlgorithm, RekorHashAlgorithm>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

function mismatch(path: string, what: string): BundleError {
  return new BundleError('BODY_MISMATCH', path, `${what} does not match the bundle`);
}

function expectEqual(a: Uint8Array, b: Uint8Array, path: string, what: string): void {
  if (!bytesEqual(a, b)) throw mismatch(path, what);
}

function leafCertificate(bundle: SigstoreBundle): Buffer | undefined {
  const c = bundle.verificationMaterial.content;
  if (c.$case === 'certificate') return c.certificate.rawBytes;
  if (c.$case === 'x509CertificateChain') return c.x509CertificateChain.certificates[0]?.rawBytes;
  return undefined;
}

/** Compares a PEM verifier from a v1 body with the bundle's leaf certificate, when both are certificates. */
function checkPemVerifier(pem: Uint8Array, leaf: Buffer | undefined, path: string): void {
  const der = certificateDerFromPem(pem);
  if (der !== undefined && leaf !== undefined) expectEqual(der, leaf, path, 'certificate');
}

function checkV2Verifier(v: Verifier | undefined, leaf: Buffer | undefined, path: string): void {
  if (v?.verifier?.$case === 'x509Certificate' && leaf !== undefined) {
    expectEqual(v.verifier.x509Certificate.rawBytes, leaf, joinPath(path, 'x509Certificate.rawBytes'), 'certificate');
  }
}

function onlySignature(env: DsseEnvelope): Buffer {
  const [sig, ...rest] = env.signatures;
  // Bundle validation allows exactly one; re-check rather than trust the type.
  if (sig === undefined || rest.length > 0) throw new BundleError('INVALID_FIELD', 'dsseEnvelope.signatures', 'expected one signature');
  return sig.sig;
}

function wrongContent(path: string, body: RekorEntryBody, content: BundleContent): BundleError {
  return mismatch(path, `a ${body.kind} ${body.apiVersion} entry for ${content.$case} content`);
}

function checkBody(body: RekorEntryBody, bundle: SigstoreBundle, path: string): void {
  const content = bundle.content;
  const leaf = leafCertificate(bundle);
  const spec = joinPath(path, 'spec');
  switch (body.kind) {
    case 'hashedrekord': {
      if (body.apiVersion === '0.0.1') {
        if (content.$case !== 'messageSignature') throw wrongContent(path, body, content);
        const md = content.messageSignature.messageDigest;
        if (REKOR_ALGORITHMS[md.algorithm] !== body.algorithm) throw mismatch(`${spec}.data.hash.algorithm`, 'digest algorithm');
        expectEqual(body.digest, md.digest, `${spec}.data.hash.value`, 'digest');
        expectEqual(body.signature, content.messageSignature.signature, `${spec}.signature.content`, 'signature');
        checkPemVerifier(body.publicKey, leaf, `${spec}.signature.publicKey.content`);
        return;
      }
      const inner = `${spec}.hashedRekordV002`;
      const data = body.entry.data;
      const sig = body.entry.signature;
      if (data === undefined || sig === undefined) throw mismatch(inner, 'entry');
      if (content.$case === 'messageSignature') {
        const md = content.messageSignature.messageDigest;
        if (data.algorithm !== md.algorithm) throw mismatch(`${inner}.data.algorithm`, 'digest algorithm');
        expectEqual(data.digest, md.digest, `${inner}.data.digest`, 'digest');
        expectEqual(sig.content, content.messageSignature.signature, `${inner}.signature.content`, 'signature');
      } else {
        // Rekor v2 logs a DSSE envelope as a hashedrekord over PAE(type, payload).
        const env = content.dsseEnvelope;
        const alg = REKOR_ALGORITHMS[data.algorithm];
        if (alg === undefined) throw mismatch(`${inner}.data.algorithm`, 'digest algorithm');
        expectEqual(data.digest, digestOf(alg, preAuthEncoding(env.payloadType, env.payload)), `${inner}.data.digest`, 'PAE digest');
        expectEqual(sig.content, onlySignature(env), `${inner}.signature.content`, 'signature');
      }
      checkV2Verifier(sig.verifier, leaf, `${inner}.signature.verifier`);
      return;
    }
    case 'dsse': {
      if (content.$case !== 'dsseEnvelope') throw wrongContent(path, body, content);
      const env = content.dsseEnvelope;
      const sig = onlySignature(env);
      if (body.apiVersion === '0.0.1') {
        expectEqual(body.payloadHash, digestOf('sha256', env.payload), `${spec}.payloadHash.value`, 'payload hash');
        const [only, ...rest] = body.signatures;
        if (only === undefined || rest.length > 0) throw mismatch(`${spec}.signatures`, 'signature count');
        expectEqual(only.signature, sig, `${spec}.signatures[0].signature`, 'signature');
        checkPemVerifier(only.verifier, leaf, `${spec}.signatures[0].verifier`);
        return;
      }
      const inner = `${spec}.dsseV002`;
      const ph = body.entry.payloadHash;
      const alg = ph === undefined ? undefined : REKOR_ALGORITHMS[ph.algorithm];
      if (ph === undefined || alg === undefined) throw mismatch(`${inner}.payloadHash.algorithm`, 'payload hash algorithm');
      expectEqual(ph.digest, digestOf(alg, env.payload), `${inner}.payloadHash.digest`, 'payload hash');
      const [only, ...rest] = body.entry.signatures;
      if (only === undefined || rest.length > 0) throw mismatch(`${inner}.signatures`, 'signature count');
      expectEqual(only.content, sig, `${inner}.signatures[0].content`, 'signature');
      checkV2Verifier(only.verifier, leaf, `${inner}.signatures[0].verifier`);
      return;
    }
    case 'intoto': {
      if (content.$case !== 'dsseEnvelope') throw wrongContent(path, body, content);
      const env = content.dsseEnvelope;
      const sig = onlySignature(env);
      const c = `${spec}.content`;
      expectEqual(body.payloadHash, digestOf('sha256', env.payload), `${c}.payloadHash.value`, 'payload hash');
      if (body.payload !== undefined) expectEqual(body.payload, env.payload, `${c}.envelope.payload`, 'payload');
      if (body.payloadType !== env.payloadType) throw mismatch(`${c}.envelope.payloadType`, 'payload type');
      const [only, ...rest] = body.signatures;
      if (only === undefined || rest.length > 0) throw mismatch(`${c}.envelope.signatures`, 'signature count');
      expectEqual(only.sig, sig, `${c}.envelope.signatures[0].sig`, 'signature');
      checkPemVerifier(only.publicKey, leaf, `${c}.envelope.signatures[0].publicKey`);
      return;
    }
  }
}

/**
 * Parses tlog entry `index` of a bundle and checks that its body records this
 * bundle's content. Returns the parsed body; throws BundleError
 * (UNSUPPORTED_ENTRY_KIND, INVALID_FIELD, BODY_MISMATCH, ...) naming the field.
 */
export function checkTlogEntryBody(bundle: SigstoreBundle, index: number): RekorEntryBody {
  const entryPath = `verificationMaterial.tlogEntries[${index}]`;
  const entry = bundle.verificationMaterial.tlogEntries[index];
  if (entry === undefined) throw new BundleError('MISSING_FIELD', entryPath, 'no such tlog entry');
  const path = `${entryPath}.canonicalizedBody`;
  const body = parseEntryBody(entry.canonicalizedBody, path);
  if (body.kind !== entry.kindVersion.kind || body.apiVersion !== entry.kindVersion.version) {
    throw mismatch(`${entryPath}.kindVersion`, `body kind ${body.kind} ${body.apiVersion}`);
  }
  checkBody(body, bundle, path);
  return body;
}

/** checkTlogEntryBody for every tlog entry of the bundle. */
export function checkTlogEntryBodies(bundle: SigstoreBundle): RekorEntryBody[] {
  return bundle.verificationMaterial.tlogEntries.map((_, i) => checkTlogEntryBody(bundle, i));
}
