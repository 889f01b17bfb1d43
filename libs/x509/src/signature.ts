import { verify as nodeVerify } from 'node:crypto';
import type { PublicKey } from '@sigstack/crypto';
import { signatureScheme } from './algorithms.js';
import { X509Error } from './errors.js';

/** What a certificate signature check needs: the signed TBS, the algorithm and the signature. */
export interface SignedCertificate {
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;
  readonly signature: Uint8Array;
}

function prepare(cert: SignedCertificate, issuerKey: PublicKey): { hash: string | null; input: { key: PublicKey['keyObject']; dsaEncoding: 'der' } } {
  const scheme = signatureScheme(cert.signatureAlgorithm);
  if (issuerKey.keyObject.asymmetricKeyType !== scheme.keyType) {
    throw new X509Error('SIGNATURE_INVALID', `a ${scheme.name} signature cannot come from a ${issuerKey.type} key`);
  }
  return { hash: scheme.hash, input: { key: issuerKey.keyObject, dsaEncoding: 'der' } };
}

/** Whether `issuerKey` signed the certificate. Throws for an unsupported algorithm or a mismatched key type. */
export function verifyCertificateSignature(cert: SignedCertificate, issuerKey: PublicKey): boolean {
  const { hash, input } = prepare(cert, issuerKey);
  try {
    return nodeVerify(hash, cert.tbs, input, cert.signature);
  } catch {
    return false;
  }
}

/**
 * The same check on libuv's thread pool, so a busy service verifies on another core
 * while its event loop keeps serving.
 */
export function verifyCertificateSignatureAsync(cert: SignedCertificate, issuerKey: PublicKey): Promise<boolean> {
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(cert, issuerKey);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve) => {
    try {
      nodeVerify(prepared.hash, cert.tbs, prepared.input, cert.signature, (error, ok) => resolve(error ? false : ok));
    } catch {
      resolve(false);
    }
  });
}
