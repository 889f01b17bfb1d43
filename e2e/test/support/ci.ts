// A CI run simulated against the stack's dev OIDC provider.
import { readFileSync } from 'node:fs';
import type { Stack } from './stack.js';

/**
 * The two variables a GitHub Actions runner gives a job with `id-token: write`: the
 * provider's Actions token-request endpoint for one workload profile, and the bearer
 * token for it (the stack's workload secret). Clients append `&audience=...` themselves.
 */
export function githubActionsEnv(stack: Stack, profile = 'github-actions'): NodeJS.ProcessEnv {
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${stack.info.services.oidc}/actions/id-token/${profile}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: readFileSync(stack.info.devToken.workloadSecretFile, 'utf8').trim(),
  };
}

/** The claims of a JWT (not verified: the test minted it and only reads what it says). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
