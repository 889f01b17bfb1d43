import { defineErrorCodes } from '@sigstack/server';

/**
 * Every code Fulcio answers with besides the server library's own (INVALID_REQUEST,
 * BODY_TOO_LARGE, ...), and its HTTP status. docs/fulcio.md has the same table (a test
 * checks it). Codes are stable API: retire a code, never reuse it.
 *
 * Upstream Fulcio answers a bad token 400 (gRPC InvalidArgument) and a CT failure 500;
 * here identity failures are 401 and an unreachable CT log or IdP is 503, so clients and
 * operators can tell "your credentials" from "our dependency" at a glance.
 */
export const fulcioErrors = defineErrorCodes({
  MISSING_IDENTITY_TOKEN: {
    status: 401,
    description: 'No OIDC identity token: credentials.oidcIdentityToken (v2) or an Authorization: Bearer header (v1).',
  },
  INVALID_IDENTITY_TOKEN: {
    status: 401,
    description: 'The token is malformed, unsigned (alg none), badly signed, expired, not yet valid, or for another audience.',
  },
  UNKNOWN_ISSUER: {
    status: 401,
    description: 'The token\'s issuer is not one this Fulcio accepts (GET /api/v2/configuration lists them).',
  },
  INVALID_IDENTITY_CLAIMS: {
    status: 401,
    description: 'The token verified but its claims do not make an identity for its issuer type (unverified email, missing CI claims, wrong SPIFFE trust domain, ...).',
  },
  ISSUER_UNAVAILABLE: {
    status: 503,
    description: 'The issuer\'s discovery document or keys could not be fetched; retry later.',
  },
  MISSING_PUBLIC_KEY: {
    status: 400,
    description: 'The request has neither a publicKeyRequest nor a certificateSigningRequest.',
  },
  INVALID_PUBLIC_KEY: {
    status: 400,
    description: 'The public key supplied in the request could not be parsed (PEM or DER SubjectPublicKeyInfo).',
  },
  UNSUPPORTED_PUBLIC_KEY: {
    status: 400,
    description: 'The public key is of a type Fulcio does not certify (ECDSA P-256/P-384, Ed25519 and RSA 2048-4096 are accepted).',
  },
  INSECURE_PUBLIC_KEY: {
    status: 400,
    description: 'The public key supplied in the request is insecure (RSA below 2048 bits, or an exponent other than 65537).',
  },
  INVALID_SIGNATURE: {
    status: 400,
    description: 'The proof of possession does not verify: a signature by the key over the token\'s subject (email for email issuers).',
  },
  INVALID_CSR: {
    status: 400,
    description: 'The certificate signing request could not be parsed, uses an unsupported algorithm, or its signature does not verify.',
  },
  CT_LOG_UNAVAILABLE: {
    status: 503,
    description: 'The CT log did not return a valid SCT for the precertificate; nothing was issued. Retry later.',
  },
  CA_UNAVAILABLE: {
    status: 503,
    description: 'The CA cannot issue now (its key failed to sign, or its chain expires before the certificate would).',
  },
});

export type FulcioErrorCode = keyof typeof fulcioErrors.table;
