// Public surface of @sigstack/dev-token: ID tokens from the local stack's dev OIDC provider.
export { devToken, jwtClaims, listWorkloads, userToken, workloadToken } from './dev-token.js';
export type { DevTokenSource, WorkloadInfo } from './dev-token.js';
export { DevTokenError } from './errors.js';
export type { DevTokenErrorCode } from './errors.js';
export { readStackFile } from './stack-file.js';
