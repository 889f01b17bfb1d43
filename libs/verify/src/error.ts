// The one error class of @sigstack/verify. Callers (the CLI prints `message`) and tests
// branch on `code`, never on the message. Codes are stable and never reused for another meaning.
export type VerificationErrorCode =
  | 'INVALID_ARGUMENT' // the caller passed unusable options (a bug in the caller, not in the bundle)
  | 'UNSUPPORTED' // the bundle uses something this verifier does not implement (fail closed)
  | 'KEY_MISMATCH' // a key policy for a certificate bundle, or an identity policy for a key bundle
  | 'TIMESTAMP_INVALID' // an RFC 3161 timestamp is malformed, untrusted, or not over the signature
  | 'TIMESTAMP_MISSING' // fewer verified timestamps than the threshold
  | 'SET_INVALID' // a signed entry timestamp (inclusion promise) does not verify
  | 'INTEGRATED_TIME_IN_FUTURE' // a log entry claims to be integrated after `now`
  | 'CERTIFICATE_MALFORMED' // the signing certificate (or chain) is missing or does not parse
  | 'CERTIFICATE_CHAIN_INVALID' // no path to a trusted CA, or the bundle carries a root certificate
  | 'CERTIFICATE_NOT_VALID_AT_SIGNING_TIME' // a verified signing time lies outside a certificate's validity
  | 'SCT_INVALID' // an embedded SCT from a trusted CT log does not verify
  | 'SCT_MISSING' // fewer verified SCTs than the threshold
  | 'UNTRUSTED_LOG' // a log entry's log is not in the trusted root, or its key is not valid then
  | 'TLOG_ENTRY_MISSING' // fewer verified transparency log entries than the threshold
  | 'TLOG_ENTRY_UNSUPPORTED' // a log entry kind or version this verifier does not read
  | 'TLOG_BODY_MISMATCH' // a log entry's body does not record this bundle's signature and content
  | 'INCLUSION_PROOF_MISSING' // a log entry without the inclusion proof its log requires
  | 'INCLUSION_PROOF_INVALID' // an inclusion proof does not lead to its root
  | 'CHECKPOINT_INVALID' // a checkpoint is malformed, not signed by its log, or for another tree
  | 'SIGNATURE_INVALID' // the bundle's signature does not verify with the signing key
  | 'DIGEST_MISMATCH' // the artifact is not what was signed (message digest or statement subject)
  | 'STATEMENT_INVALID' // an in-toto DSSE payload is not a valid in-toto statement
  | 'IDENTITY_MISMATCH' // the certificate's subject alternative name does not match the policy
  | 'ISSUER_MISMATCH' // the certificate's OIDC issuer does not match the policy
  | 'EXTENSION_MISMATCH'; // a Fulcio certificate extension does not match the policy

export class VerificationError extends Error {
  readonly code: VerificationErrorCode;

  constructor(code: VerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VerificationError';
    this.code = code;
  }
}

/** Shorthand for throwing: `throw fail('SCT_INVALID', '...')`. */
export function fail(code: VerificationErrorCode, message: string, cause?: unknown): VerificationError {
  return new VerificationError(code, message, cause === undefined ? undefined : { cause });
}
