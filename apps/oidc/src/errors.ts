import { defineErrorCodes } from '@sigstack/server';

/**
 * Every code this app answers with on its own routes (the OpenID Connect endpoints answer
 * with the OAuth error shape instead, as the protocol says). docs/oidc.md lists the same
 * table; a test checks it. Codes are stable API: retire a code, never reuse it.
 */
export const oidcErrors = defineErrorCodes({
  UNAUTHORIZED: {
    status: 401,
    description: 'The workload secret is missing or wrong (send it as `Authorization: Bearer <secret>`).',
  },
  UNKNOWN_WORKLOAD: { status: 404, description: 'No workload profile has this name.' },
  WRONG_WORKLOAD_KIND: {
    status: 400,
    description: 'The GitHub Actions token endpoint only serves profiles of kind github-actions.',
  },
  INVALID_CLAIMS: {
    status: 400,
    description: 'The claim overrides are not allowed (registered claims) or leave the profile without a claim its subject needs.',
  },
  UNKNOWN_USER: { status: 400, description: 'The login form named a user that is not configured.' },
  WRONG_PASSWORD: { status: 401, description: 'The user has a password and the login form sent another.' },
  INTERACTION_NOT_FOUND: {
    status: 400,
    description: 'The login interaction is unknown or expired, or the browser did not send its cookie; start the login again.',
  },
});

export type OidcErrorCode = keyof typeof oidcErrors.table;
