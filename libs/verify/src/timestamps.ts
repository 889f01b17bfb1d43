import type { KeyObject } from 'node:crypto';
import { digest } from '@sigstack/crypto';
import { timestampAuthoritiesAt, type CertificateAuthorityInfo, type TrustedRoot } from '@sigstack/trust';
import { orderChain, verifyChain, type ParsedCertificate } from '@sigstack/x509';
import { isTrustedCertificate, trustedCertificate, trustedKeyObject, trustedSignatureCheck } from './trust-cache.js';
import { fail, VerificationError } from './error.js';
import { bytesEqual } from './bytes.js';
import { embeddedCertificate, parseRfc3161Timestamp, type Rfc3161Timestamp } from './rfc3161.js';
import { spkiKey, verifyWithOid } from './signature-algorithms.js';
import type { VerifiedTimestamp } from './types.js';

const EKU_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const OID_EXT_KEY_USAGE = '2.5.29.37';

const invalid = (message: string, cause?: unknown) => fail('TIMESTAMP_INVALID', `RFC 3161 timestamp: ${message}`, cause);

function parseAll(ders: readonly Uint8Array[], parse: (der: Uint8Array) => ParsedCertificate): ParsedCertificate[] {
  return ders.map((der) => {
    try {
      return parse(der);
    } catch (cause) {
      throw invalid('a certificate does not parse', cause);
    }
  });
}

function isSigner(cert: ParsedCertificate, ts: Rfc3161Timestamp): boolean {
  const id = ts.signerId;
  if ('subjectKeyId' in id) return cert.subjectKeyId !== undefined && bytesEqual(cert.subjectKeyId, id.subjectKeyId);
  return bytesEqual(cert.issuer, id.issuer) && cert.serialNumber === Buffer.from(id.serialNumber).toString('hex');
}

/**
 * The TSA leaf: RFC 3161 2.3 and the Sigstore timestamp-authority's verifier ask for an
 * end-entity certificate whose only EKU is timeStamping, marked critical.
 */
function checkTsaLeaf(cert: ParsedCertificate): void {
  if (cert.basicConstraints?.ca) throw invalid('the signing certificate is a CA');
  const eku = cert.extendedKeyUsage;
  if (eku === undefined || eku.length !== 1 || eku[0] !== EKU_TIME_STAMPING) throw invalid('the signing certificate is not for timestamping only');
  if (!cert.extensions.some((e) => e.oid === OID_EXT_KEY_USAGE && e.critical)) throw invalid('the signing certificate EKU is not critical');
}

function verifyWithAuthority(ts: Rfc3161Timestamp, authority: CertificateAuthorityInfo): void {
  const chain = parseAll(authority.certificates, trustedCertificate);
  const anchor = chain[chain.length - 1];
  if (anchor === undefined) throw invalid('the TSA in the trusted root has no certificates');
  const embedded = parseAll(ts.certificates, embeddedCertificate);
  // The trusted root's chain is [leaf, intermediates..., root]; a lone certificate is only a root.
  const trustedLeaf = chain.length > 1 ? chain[0] : undefined;
  let signer: ParsedCertificate | undefined;
  let intermediates: ParsedCertificate[];
  if (trustedLeaf !== undefined) {
    if (!isSigner(trustedLeaf, ts)) throw invalid('not signed by this TSA');
    const copy = embedded.find((c) => isSigner(c, ts));
    if (copy !== undefined && !bytesEqual(copy.der, trustedLeaf.der)) throw invalid('the embedded signing certificate is not the trusted one');
    signer = trustedLeaf;
    intermediates = chain.slice(1, -1);
  } else {
    signer = embedded.find((c) => isSigner(c, ts));
    if (signer === undefined) throw invalid('the signing certificate is neither embedded nor in the trusted root');
    const others = embedded.filter((c) => c !== signer && !bytesEqual(c.der, anchor.der));
    try {
      intermediates = orderChain([signer, ...others]).slice(1);
    } catch (cause) {
      throw invalid('the embedded certificates do not form one chain', cause);
    }
  }
  checkTsaLeaf(signer);
  try {
    verifyChain([signer, ...intermediates], { roots: [anchor], at: ts.genTime, extendedKeyUsage: EKU_TIME_STAMPING, signatureCheck: trustedSignatureCheck });
  } catch (cause) {
    throw invalid(`the TSA certificate chain does not verify at ${ts.genTime.toISOString()}`, cause);
  }
  const key = isTrustedCertificate(signer) ? trustedSpkiKey(signer.subjectPublicKeyInfo) : spkiKey(signer.subjectPublicKeyInfo);
  if (key === undefined || !verifyWithOid(ts.signatureAlgorithm, ts.digestAlgorithm, key, ts.signedAttributes, ts.signature)) {
    throw invalid('the CMS signature does not verify');
  }
}

function trustedSpkiKey(spki: Uint8Array): KeyObject | undefined {
  try {
    return trustedKeyObject(spki);
  } catch {
    return undefined;
  }
}

/**
 * Verifies one bundle timestamp: it is over `signature` (the bundle's signature bytes), its
 * TSTInfo is what the TSA signed, and a TSA of the trusted root valid at its time signed it.
 */
export function verifyRfc3161Timestamp(der: Uint8Array, signature: Uint8Array, root: TrustedRoot): VerifiedTimestamp {
  const ts = parseRfc3161Timestamp(der);
  if (!bytesEqual(digest(ts.imprintAlgorithm, signature), ts.hashedMessage)) throw invalid('the message imprint is not the hash of the bundle signature');
  if (!bytesEqual(digest(ts.digestAlgorithm, ts.tstInfo), ts.messageDigest)) throw invalid('the signed message digest is not the digest of the TSTInfo');
  const authorities = timestampAuthoritiesAt(root, ts.genTime);
  if (authorities.length === 0) throw invalid(`no timestamp authority in the trusted root is valid at ${ts.genTime.toISOString()}`);
  let last: unknown;
  for (const authority of authorities) {
    try {
      verifyWithAuthority(ts, authority);
      return { source: 'rfc3161', time: ts.genTime, authority: authority.uri };
    } catch (cause) {
      if (!(cause instanceof VerificationError)) throw cause;
      last = cause;
    }
  }
  throw last instanceof VerificationError ? last : invalid('no trusted TSA verifies it');
}
