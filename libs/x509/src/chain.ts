import type { ParsedCertificate, KeyUsageName } from './certificate.js';
import { bytesEqual } from './der.js';
import { X509Error } from './errors.js';
import { UNDERSTOOD_CRITICAL } from './oids.js';
import { verifyCertificateSignature } from './signature.js';

/** Whether `issuer` could have issued `cert` by name and key id (signatures are checked later). */
function issues(issuer: ParsedCertificate, cert: ParsedCertificate): boolean {
  if (!bytesEqual(issuer.subject, cert.issuer)) return false;
  if (issuer.subjectKeyId && cert.authorityKeyId && !bytesEqual(issuer.subjectKeyId, cert.authorityKeyId)) return false;
  return true;
}

function selfIssued(cert: ParsedCertificate): boolean {
  return issues(cert, cert);
}

/**
 * Orders certificates (in any order, without duplicates) into one path from the leaf
 * up: the leaf is the one certificate nothing else in the set was issued by.
 */
export function orderChain(certs: readonly ParsedCertificate[]): ParsedCertificate[] {
  if (!Array.isArray(certs) || certs.length === 0) throw new X509Error('INVALID_ARGUMENT', 'a chain needs at least one certificate');
  if (certs.length === 1) return [...certs];
  const leaves = certs.filter((c) => !certs.some((o) => o !== c && issues(c, o)));
  if (leaves.length !== 1) throw new X509Error('CHAIN_INCOMPLETE', `expected one leaf, found ${leaves.length}`);
  const path = [leaves[0] as ParsedCertificate];
  const left = new Set(certs.filter((c) => c !== path[0]));
  while (left.size > 0) {
    const current = path[path.length - 1] as ParsedCertificate;
    if (selfIssued(current)) break;
    const next = [...left].filter((c) => issues(c, current));
    if (next.length !== 1) throw new X509Error('CHAIN_INCOMPLETE', 'the certificates do not form one path');
    path.push(next[0] as ParsedCertificate);
    left.delete(next[0] as ParsedCertificate);
  }
  if (left.size > 0) throw new X509Error('CHAIN_INCOMPLETE', 'certificates left over after building the path');
  return path;
}

export interface VerifyChainOptions {
  /** The trust anchors; the path must end in one of them. */
  readonly roots: readonly ParsedCertificate[];
  /** The time the chain must be valid at (e.g. a Fulcio cert's notBefore, or a signing time). */
  readonly at: Date;
  /** If set, the leaf's key usage must include it (Sigstore: digitalSignature). */
  readonly leafKeyUsage?: KeyUsageName;
  /** If set, the leaf's EKU must include it, and any CA that restricts EKU too (Sigstore: codeSigning). */
  readonly extendedKeyUsage?: string;
  /**
   * Whether `issuer` signed `cert` (default: verifyCertificateSignature with the issuer's key).
   * A caller may answer from a memo for certificates it trusts, keyed by their exact bytes;
   * it must not remember answers about certificates it was handed to verify.
   */
  readonly signatureCheck?: (cert: ParsedCertificate, issuer: ParsedCertificate) => boolean;
}

const defaultSignatureCheck = (cert: ParsedCertificate, issuer: ParsedCertificate): boolean => verifyCertificateSignature(cert, issuer.publicKey());

/**
 * Verifies a leaf-first path (from orderChain, or as a bundle carries it) up to a
 * trusted root, at `options.at`. The root may be in `chain` or only in `roots`.
 * Returns the full path, root included.
 */
export function verifyChain(chain: readonly ParsedCertificate[], options: VerifyChainOptions): ParsedCertificate[] {
  return checkPath(chain, options, false);
}

/**
 * Verifies the CA part of a chain, issuer first, up to a trusted root: every certificate
 * must be a CA allowed to sign certificates, and path lengths count `issuers[0]` as an
 * intermediate. For services that check the leaf's signature themselves (a CT log).
 * Returns the path, root included.
 */
export function verifyIssuerChain(issuers: readonly ParsedCertificate[], options: Omit<VerifyChainOptions, 'leafKeyUsage'>): ParsedCertificate[] {
  return checkPath(issuers, options, true);
}

function checkPath(chain: readonly ParsedCertificate[], options: VerifyChainOptions, firstIsIssuer: boolean): ParsedCertificate[] {
  if (!Array.isArray(chain) || chain.length === 0) throw new X509Error('INVALID_ARGUMENT', 'a chain needs at least one certificate');
  if (!(options.at instanceof Date) || Number.isNaN(options.at.getTime())) throw new X509Error('INVALID_ARGUMENT', 'options.at must be a valid Date');
  const check = options.signatureCheck ?? defaultSignatureCheck;
  const path = [...chain];
  const last = path[path.length - 1] as ParsedCertificate;
  const isRoot = (c: ParsedCertificate) => options.roots.some((r) => bytesEqual(r.der, c.der));
  // Finding the anchor checks its signature on the last certificate: the loop need not again.
  let anchorChecked = false;
  if (!isRoot(last)) {
    const anchor = options.roots.find((r) => issues(r, last) && safeVerify(last, r, check));
    if (!anchor) throw new X509Error('UNTRUSTED_ROOT', 'the chain does not end in a trusted root');
    path.push(anchor);
    anchorChecked = true;
  }
  // Only the anchor may be a trusted root mid-path; a root listed earlier ends the path early.
  const at = options.at.getTime();
  path.forEach((cert, i) => {
    if (at < cert.notBefore.getTime() || at > cert.notAfter.getTime()) {
      throw new X509Error('CERTIFICATE_EXPIRED', `certificate ${i} is not valid at ${options.at.toISOString()}`);
    }
    for (const ext of cert.extensions) {
      if (ext.critical && !UNDERSTOOD_CRITICAL.has(ext.oid)) {
        throw new X509Error('UNHANDLED_CRITICAL_EXTENSION', `certificate ${i} has unhandled critical extension ${ext.oid}`);
      }
    }
    if (i === 0 && !firstIsIssuer) return;
    const child = path[i - 1];
    if (child && !issues(cert, child)) throw new X509Error('CHAIN_INCOMPLETE', `certificate ${i} did not issue certificate ${i - 1}`);
    // A v1 trust anchor has no extensions to say it is a CA; being trusted says so.
    if (!(cert.version === 1 && i === path.length - 1)) {
      if (!cert.basicConstraints?.ca) throw new X509Error('NOT_A_CA', `certificate ${i} is not a CA`);
      if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign')) throw new X509Error('NOT_A_CA', `certificate ${i} may not sign certificates`);
      // pathLenConstraint counts the non-self-issued intermediates below this CA.
      const below = path.slice(firstIsIssuer ? 0 : 1, i).filter((c) => !selfIssued(c)).length;
      const limit = cert.basicConstraints.pathLength;
      if (limit !== undefined && below > limit) throw new X509Error('NOT_A_CA', `certificate ${i} allows a path length of ${limit}`);
    }
    if (options.extendedKeyUsage && cert.extendedKeyUsage && !cert.extendedKeyUsage.includes(options.extendedKeyUsage) && !cert.extendedKeyUsage.includes('2.5.29.37.0')) {
      throw new X509Error('KEY_USAGE_MISMATCH', `certificate ${i} may not issue for EKU ${options.extendedKeyUsage}`);
    }
    if (child && !(anchorChecked && i === path.length - 1) && !check(child, cert)) {
      throw new X509Error('SIGNATURE_INVALID', `certificate ${i - 1}'s signature does not verify with certificate ${i}'s key`);
    }
  });
  const leaf = path[0] as ParsedCertificate;
  if (firstIsIssuer) return path;
  if (options.leafKeyUsage && !leaf.keyUsage?.includes(options.leafKeyUsage)) {
    throw new X509Error('KEY_USAGE_MISMATCH', `the leaf's key usage lacks ${options.leafKeyUsage}`);
  }
  if (options.extendedKeyUsage && !leaf.extendedKeyUsage?.includes(options.extendedKeyUsage)) {
    throw new X509Error('KEY_USAGE_MISMATCH', `the leaf's extended key usage lacks ${options.extendedKeyUsage}`);
  }
  return path;
}

function safeVerify(cert: ParsedCertificate, issuer: ParsedCertificate, check: NonNullable<VerifyChainOptions['signatureCheck']>): boolean {
  try {
    return check(cert, issuer);
  } catch {
    return false;
  }
}
