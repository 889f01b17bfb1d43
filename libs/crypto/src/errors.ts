/**
 * Every failure this library reports. Codes are stable: callers and tests match on
 * them, never on messages. A retired code is never reused for something else.
 */
export type CryptoErrorCode =
  /** An argument has the wrong shape (not bytes, not a known option value). */
  | 'INVALID_ARGUMENT'
  /** A key type, curve, hash, padding, PEM label, KDF or cipher this library does not accept. */
  | 'UNSUPPORTED_ALGORITHM'
  /** Key bytes or a JWK that do not parse as a supported key, or a non-canonical encoding. */
  | 'INVALID_KEY'
  /** An RSA key below 2048 bits (or with a degenerate public exponent). */
  | 'WEAK_KEY'
  /** An RSA key above the size this library is willing to spend CPU on. */
  | 'UNSUPPORTED_KEY_SIZE'
  /** PEM armor missing or mismatched, bad base64, headers, or trailing garbage. */
  | 'INVALID_PEM'
  /** A precomputed digest whose length does not match the hash it claims to be. */
  | 'INVALID_DIGEST'
  /** An encrypted cosign/sigstore key whose JSON envelope is malformed. */
  | 'INVALID_ENCRYPTED_KEY'
  /** scrypt parameters other than the sets cosign accepts (a DoS guard). */
  | 'UNSUPPORTED_KDF_PARAMETERS'
  /** Wrong password, or a tampered ciphertext: the two cannot be told apart. */
  | 'DECRYPTION_FAILED'
  /** The platform refused to produce a signature with an otherwise valid key. */
  | 'SIGNING_FAILED';

/** The one error class of @sigstack/crypto. Messages never carry key material or passwords. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CryptoError';
    this.code = code;
  }
}
