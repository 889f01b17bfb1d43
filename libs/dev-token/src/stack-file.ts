import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DevTokenSource } from './dev-token.js';
import { DevTokenError } from './errors.js';

/**
 * Where a running stack's dev OIDC provider is and how to mint workload tokens from it,
 * read from `<state>/stack.json`, which `npm start` writes.
 */
export function readStackFile(stateDir: string): DevTokenSource {
  const file = path.join(stateDir, 'stack.json');
  if (!existsSync(file)) {
    throw new DevTokenError('NOT_RUNNING', `${file} does not exist; start the stack first (npm start)`);
  }
  let stack: { services?: { oidc?: unknown }; devToken?: { workloadSecretFile?: unknown } };
  try {
    stack = JSON.parse(readFileSync(file, 'utf8')) as typeof stack;
  } catch (cause) {
    throw new DevTokenError('BAD_STATE', `${file} does not parse; start the stack again to rewrite it`, { cause });
  }
  const issuer = stack?.services?.oidc;
  const workloadSecretFile = stack?.devToken?.workloadSecretFile;
  if (typeof issuer !== 'string' || typeof workloadSecretFile !== 'string') {
    throw new DevTokenError('BAD_STATE', `${file} has no services.oidc or devToken.workloadSecretFile; start the stack again to rewrite it`);
  }
  return { issuer, workloadSecretFile };
}
