// The stack boots from scratch and every service it lists answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, bootStack } from './support/stack.js';
import type { Stack } from './support/stack.js';

describe.each(backends())('a stack booted from scratch (%s)', (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await bootStack(backend);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('serves every service it lists in stack.json', async () => {
    const probes: Record<string, string> = {
      oidc: '/.well-known/openid-configuration',
      fulcio: '/api/v2/configuration',
      rekor: '/api/v1/log',
      ctlog: '/ct/v1/get-sth',
      tsa: '/api/v1/timestamp/certchain',
      tuf: '/1.root.json',
    };
    for (const [service, probe] of Object.entries(probes)) {
      const response = await fetch(`${stack.info.services[service as keyof typeof stack.info.services]}${probe}`);
      expect(response.status, service).toBe(200);
    }
  });
});
