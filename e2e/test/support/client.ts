// Steps of the bundled client that several scenarios share.
import { expect } from 'vitest';
import type { Stack } from './stack.js';

/** `sigstack initialize` against the stack's TUF repository, as the printed commands do. */
export async function initializeClient(stack: Stack): Promise<void> {
  const result = await stack.sigstack(['initialize', '--mirror', stack.info.services.tuf, '--root', stack.info.tufRoot]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toContain(`Root status: initialized from ${stack.info.services.tuf}`);
}

/**
 * A signing config that logs to the Rekor v1 API only (the stack's own, with its v2 log
 * left out), for clients that read no Rekor v2 entries. Written to `file` in `stack.work`.
 */
export async function writeRekorV1SigningConfig(stack: Stack, file: string): Promise<void> {
  const result = await stack.sigstack([
    'signing-config', 'create',
    '--base-config', stack.info.signingConfig,
    '--rekor', `url=${stack.info.services.rekor},api-version=1,start-time=2020-01-01T00:00:00Z,operator=e2e`,
    '--rekor-config', 'ANY',
    '--out', file,
  ]);
  expect(result.code, result.stderr).toBe(0);
}
