/**
 * Every failure @sigstack/x509 reports. Codes are stable: callers and tests match on
 * them, never on messages. A retired code is never reused for something else.
 */
export type X509ErrorCode =
  /** An argument has the wrong shape (not bytes, an empty list, an out-of-range number). */
  | 'INVALID_ARGUMENT'
  /** PEM armor that does not hold exactly the certificates expected. */
  | 'INVALID_PEM'
  /** Bytes that are not one strict DER X.509 v1/v3 certificate. */
  | 'MALFORMED_CERTIFICATE'
  /** A known extension whose value does not decode, or an extension present twice. */
  | 'MALFORMED_EXTENSION'
  /** A signature or key algorithm this library does not verify. */
  | 'UNSUPPORTED_ALGORITHM'
  /** A TLS-encoded CT structure (SCT, SCT list, Merkle tree leaf) that does not decode. */
  | 'MALFORMED_SCT'
  /** Certificates that do not form one path from a leaf to a trusted root. */
  | 'CHAIN_INCOMPLETE'
  /** A certificate signature in the chain does not verify with its issuer's key. */
  | 'SIGNATURE_INVALID'
  /** A certificate of the chain is not valid at the time given. */
  | 'CERTIFICATE_EXPIRED'
  /** An issuing certificate is not a CA, lacks keyCertSign, or exceeds a path length. */
  | 'NOT_A_CA'
  /** The leaf lacks a required key usage or EKU, or a CA's EKU does not allow it. */
  | 'KEY_USAGE_MISMATCH'
  /** A certificate carries a critical extension this library does not understand. */
  | 'UNHANDLED_CRITICAL_EXTENSION'
  /** The chain does not end in one of the trusted roots. */
  | 'UNTRUSTED_ROOT'
  /** A precertificate where a final certificate is needed, or the other way round. */
  | 'WRONG_ENTRY_TYPE';

/** The one error class of @sigstack/x509. */
export class X509Error extends Error {
  readonly code: X509ErrorCode;

  constructor(code: X509ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'X509Error';
    this.code = code;
  }
}
