import type { SigstoreBundle } from '@sigstack/bundle';
import { certificateAuthoritiesAt, ctlogKeyById, TrustError, type TrustedRoot } from '@sigstack/trust';
import { embeddedSctEntry, parseCertificate, verifyChain, verifySct, X509Error, type ParsedCertificate } from '@sigstack/x509';
import { fail } from './error.js';
import { toBase64 } from './bytes.js';
import { trustedCertificate, trustedKey, trustedSignatureCheck } from './trust-cache.js';

const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

function parse(der: Uint8Array, what: string): ParsedCertificate {
  try {
    return parseCertificate(der);
  } catch (cause) {
    throw fail('CERTIFICATE_MALFORMED', `${what} does not parse`, cause);
  }
}

/** A self-signed certificate: what a root looks like. */
function selfSigned(cert: ParsedCertificate): boolean {
  return Buffer.from(cert.subject).equals(Buffer.from(cert.issuer));
}

/**
 * The bundle's signing certificate. Like sigstore-js and sigstore-go, only the leaf is used:
 * intermediates come from the trusted root, never from the bundle. A bundle that carries a
 * root certificate is refused outright (conformance: bundle-with-root-cert_fail): trust
 * anchors come from the trusted root only.
 */
export function bundleLeafCertificate(bundle: SigstoreBundle): ParsedCertificate | undefined {
  const content = bundle.verificationMaterial.content;
  if (content.$case === 'publicKey') return undefined;
  const ders = content.$case === 'certificate' ? [content.certificate.rawBytes] : content.x509CertificateChain.certificates.map((c) => c.rawBytes);
  if (ders.length === 0) throw fail('CERTIFICATE_MALFORMED', 'the bundle carries no certificate');
  const certs = ders.map((der, i) => parse(der, `bundle certificate ${i}`));
  certs.forEach((cert, i) => {
    if (selfSigned(cert)) throw fail('CERTIFICATE_CHAIN_INVALID', `bundle certificate ${i} is a self-signed root; roots come only from the trusted root`);
  });
  return certs[0];
}

/**
 * Verifies the leaf up to a certificate authority of the trusted root valid at `time`,
 * with every certificate of the path valid at `time`. Returns the path, leaf first.
 */
export function verifyCertificateAt(leaf: ParsedCertificate, root: TrustedRoot, time: Date): ParsedCertificate[] {
  if (time.getTime() < leaf.notBefore.getTime() || time.getTime() > leaf.notAfter.getTime()) {
    throw fail(
      'CERTIFICATE_NOT_VALID_AT_SIGNING_TIME',
      `the signing certificate (valid ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()}) was not valid at ${time.toISOString()}`,
    );
  }
  const authorities = certificateAuthoritiesAt(root, time);
  if (authorities.length === 0) throw fail('CERTIFICATE_CHAIN_INVALID', `no certificate authority in the trusted root is valid at ${time.toISOString()}`);
  let lastError: unknown;
  for (const ca of authorities) {
    let chain: ParsedCertificate[];
    try {
      chain = ca.certificates.map((der) => trustedCertificate(der));
    } catch (cause) {
      lastError = cause;
      continue;
    }
    const anchor = chain[chain.length - 1];
    if (anchor === undefined) continue;
    try {
      return verifyChain([leaf, ...chain.slice(0, -1)], { roots: [anchor], at: time, extendedKeyUsage: EKU_CODE_SIGNING, signatureCheck: trustedSignatureCheck });
    } catch (cause) {
      lastError = cause;
    }
  }
  if (lastError instanceof X509Error && lastError.code === 'CERTIFICATE_EXPIRED') {
    throw fail('CERTIFICATE_NOT_VALID_AT_SIGNING_TIME', `the certificate chain is not valid at ${time.toISOString()}: ${lastError.message}`, lastError);
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw fail('CERTIFICATE_CHAIN_INVALID', `the signing certificate does not chain to a trusted certificate authority${why}`, lastError);
}

/**
 * Verifies the leaf's embedded SCTs (RFC 6962) with the CT logs of the trusted root.
 * SCTs from logs the root does not know are skipped, as sigstore-go does; an SCT from a
 * known log must verify. Returns how many verified.
 */
export function verifyEmbeddedScts(leaf: ParsedCertificate, issuer: ParsedCertificate, root: TrustedRoot): number {
  const scts = leaf.embeddedScts ?? [];
  let verified = 0;
  for (const sct of scts) {
    let key;
    try {
      key = ctlogKeyById(root, sct.logId, new Date(sct.timestamp));
    } catch (cause) {
      if (cause instanceof TrustError && cause.code === 'KEY_NOT_FOUND') continue;
      throw fail('SCT_INVALID', `SCT from CT log ${toBase64(sct.logId)}: the log key is not valid at ${new Date(sct.timestamp).toISOString()}`, cause);
    }
    let ok: boolean;
    try {
      ok = verifySct(sct, embeddedSctEntry(leaf, issuer), trustedKey(key.publicKey));
    } catch (cause) {
      throw fail('SCT_INVALID', `SCT from CT log ${toBase64(sct.logId)} could not be checked`, cause);
    }
    if (!ok) throw fail('SCT_INVALID', `SCT from CT log ${toBase64(sct.logId)} does not verify`);
    verified++;
  }
  return verified;
}
