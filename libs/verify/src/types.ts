import type { HashAlgorithm, PublicKey } from '@sigstack/crypto';
import type { InTotoStatement } from '@sigstack/bundle';
import type { TrustedRoot } from '@sigstack/trust';
import type { SigstoreExtensionName, SigstoreExtensions } from '@sigstack/x509';

/** What was signed: its bytes, or only its digest (verify-blob's `sha256:<hex>`). */
export type Artifact =
  | { readonly data: Uint8Array }
  | { readonly digest: Uint8Array; readonly algorithm: HashAlgorithm };

/** A string is an exact match; a RegExp matches anywhere in the value, unanchored, as cosign's Go regexp MatchString does. */
export type StringMatcher = string | RegExp;

/** cosign's --certificate-github-workflow-* flags: exact values. */
export interface GitHubWorkflowPolicy {
  readonly trigger?: string;
  readonly sha?: string;
  readonly name?: string;
  readonly repository?: string;
  readonly ref?: string;
}

/** Who must have signed: the Fulcio certificate's identity. */
export interface IdentityPolicy {
  /** Matched against every subject alternative name (email, URI, DNS, IP, Fulcio username). */
  readonly subjectAlternativeName: StringMatcher;
  /** Matched against the OIDC issuer (extension .1.8, else the deprecated .1.1). */
  readonly issuer: StringMatcher;
  readonly github?: GitHubWorkflowPolicy;
  /** Any other Fulcio extension, exact values. */
  readonly extensions?: Partial<Readonly<Record<SigstoreExtensionName, string>>>;
}

/** Either a long-lived key (a bundle with a publicKey hint) or a certificate identity. */
export type VerificationPolicy = { readonly publicKey: PublicKey } | { readonly identity: IdentityPolicy };

export interface VerifyOptions {
  readonly trustedRoot: TrustedRoot;
  readonly policy: VerificationPolicy;
  /** Required for message signatures; for DSSE, when given, a statement subject must match it. */
  readonly artifact?: Artifact;
  /** Minimum distinct verified transparency log entries (default 1). */
  readonly tlogThreshold?: number;
  /** Minimum distinct verified timestamps, RFC 3161 and log (default 1). */
  readonly timestampThreshold?: number;
  /** Minimum verified SCTs in a Fulcio certificate (default 1). */
  readonly ctlogThreshold?: number;
  /**
   * This library never does I/O. With `offline: true` a Rekor v1 entry whose only evidence of
   * inclusion is its signed entry timestamp is accepted, as offline verification allows; with
   * `offline: false` (default) such an entry fails INCLUSION_PROOF_MISSING, so a caller that
   * can go online knows to fetch the proof.
   */
  readonly offline?: boolean;
  /** The current time: log entries may not be integrated after it, and it is the signing time when there are no timestamps. Default: the system clock. */
  readonly now?: Date;
}

export type TimestampSource = 'rfc3161' | 'transparency-log' | 'current-time';

export interface VerifiedTimestamp {
  readonly source: TimestampSource;
  readonly time: Date;
  /** The TSA URI or the log base URL from the trusted root ('' for the current time). */
  readonly authority: string;
}

export interface SignerIdentity {
  readonly subjectAlternativeNames: readonly string[];
  /** The OIDC issuer, or undefined when the certificate carries none. */
  readonly issuer: string | undefined;
  readonly extensions: SigstoreExtensions;
}

export interface VerifiedTlogEntry {
  readonly logIndex: string;
  readonly baseUrl: string;
  readonly kind: string;
  readonly version: string;
  /** Which evidence of inclusion verified. */
  readonly inclusionProof: boolean;
  readonly inclusionPromise: boolean;
}

export interface VerificationResult {
  /** Certificate signers: the identity; key signers: undefined. */
  readonly signer: SignerIdentity | undefined;
  readonly timestamps: readonly VerifiedTimestamp[];
  readonly tlogEntries: readonly VerifiedTlogEntry[];
  /** For a DSSE bundle with an in-toto payload: the statement. */
  readonly statement: InTotoStatement | undefined;
  /** For a DSSE bundle: its payload type and payload bytes. */
  readonly payload: { readonly type: string; readonly bytes: Uint8Array } | undefined;
}
