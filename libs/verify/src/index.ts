// Public surface of @sigstack/verify: the Sigstore verification policy shared by the CLI,
// the services' tests and the benchmarks. Listed by name; index.test.ts pins it.
export { VerificationError } from './error.js';
export type { VerificationErrorCode } from './error.js';
export { verifyBundle } from './verify.js';
export { checkIdentity, signerIdentity } from './identity.js';
export { parseRfc3161Timestamp } from './rfc3161.js';
export type { Rfc3161Timestamp, SignerId } from './rfc3161.js';
export { verifyRfc3161Timestamp } from './timestamps.js';
export type {
  Artifact,
  GitHubWorkflowPolicy,
  IdentityPolicy,
  SignerIdentity,
  StringMatcher,
  TimestampSource,
  VerificationPolicy,
  VerificationResult,
  VerifiedTimestamp,
  VerifiedTlogEntry,
  VerifyOptions,
} from './types.js';
