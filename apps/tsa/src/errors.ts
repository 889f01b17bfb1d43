import { defineErrorCodes } from '@sigstack/server';

/**
 * Every code the TSA answers with besides the server library's own (BODY_TOO_LARGE,
 * UNSUPPORTED_MEDIA_TYPE, ...), and its HTTP status. docs/tsa.md has the same table (a
 * test checks it). Codes are stable API: retire a code, never reuse it.
 *
 * Like sigstore/timestamp-authority, a refused request is an HTTP 4xx with a JSON body,
 * never a TimeStampResp with status "rejection": the clients (cosign, sigstore-go,
 * sigstore-js) treat any non-2xx answer as the failure. Each description names the
 * RFC 3161 PKIFailureInfo bit the refusal corresponds to.
 */
export const tsaErrors = defineErrorCodes({
  MALFORMED_TIMESTAMP_REQUEST: {
    status: 400,
    description: 'The body is not a DER TimeStampReq (version 1) or a valid JSON request (RFC 3161 badDataFormat).',
  },
  UNSUPPORTED_HASH_ALGORITHM: {
    status: 400,
    description: 'The message imprint uses a hash other than SHA-256, SHA-384 or SHA-512 (RFC 3161 badAlg).',
  },
  WEAK_HASH_ALGORITHM: {
    status: 400,
    description: 'The message imprint uses SHA-1, which is refused as too weak (RFC 3161 badAlg).',
  },
  DIGEST_LENGTH_MISMATCH: {
    status: 400,
    description: 'The hashed message is not as long as the named hash algorithm makes it (RFC 3161 badDataFormat).',
  },
  UNACCEPTED_POLICY: {
    status: 400,
    description: 'The requested TSA policy OID is not one this TSA accepts (RFC 3161 unacceptedPolicy).',
  },
  UNACCEPTED_EXTENSION: {
    status: 400,
    description: 'The request carries extensions; this TSA accepts none (RFC 3161 unacceptedExtension).',
  },
});

export type TsaErrorCode = keyof typeof tsaErrors.table;
