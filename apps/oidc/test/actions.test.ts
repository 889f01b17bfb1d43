import { CIContextProvider } from '@sigstore/sign';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers.js';
import { SECRET, json, listeningServer } from './helpers.js';

describe('GitHub Actions token-request protocol', () => {
  let server: TestServer & { url: string };
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await listeningServer();
  });
  afterAll(async () => {
    process.env = saved;
    await server.close();
  });

  it("gives sigstore-js's CI identity detection a token, verified against the served JWKS", async () => {
    // What the runner sets up; sigstore-js appends &audience=sigstore and sends the bearer token.
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${server.url}/actions/id-token/github-actions?api-version=2.0`;
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = SECRET;
    delete process.env['SIGSTORE_ID_TOKEN'];
    const token = await new CIContextProvider('sigstore').getToken();
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(token, jwks, { issuer: `${server.url}/workloads/github-actions`, audience: 'sigstore' });
    expect(payload).toMatchObject({ sub: 'repo:sigstack-dev/example:ref:refs/heads/main', repository: 'sigstack-dev/example', event_name: 'push' });
  });

  it("uses the repository owner's URL as the audience when none is asked for, as GitHub does", async () => {
    const response = await server.app.inject({ url: '/actions/id-token/github-actions?api-version=2.0', headers: { authorization: `Bearer ${SECRET}` } });
    expect(response.statusCode).toBe(200);
    expect(decodeJwt(json<{ value: string }>(response).value).aud).toBe('https://github.com/sigstack-dev');
  });

  it.each([
    ['no bearer token', '/actions/id-token/github-actions?audience=sigstore', {}, 401, 'UNAUTHORIZED'],
    ['a wrong bearer token', '/actions/id-token/github-actions?audience=sigstore', { authorization: 'Bearer nope' }, 401, 'UNAUTHORIZED'],
    ['an unknown profile', '/actions/id-token/nope?audience=sigstore', { authorization: `Bearer ${SECRET}` }, 404, 'UNKNOWN_WORKLOAD'],
    ['a profile of another kind', '/actions/id-token/gitlab-ci?audience=sigstore', { authorization: `Bearer ${SECRET}` }, 400, 'WRONG_WORKLOAD_KIND'],
    ['an empty audience', '/actions/id-token/github-actions?audience=', { authorization: `Bearer ${SECRET}` }, 400, 'INVALID_REQUEST'],
  ])('refuses %s', async (_name, url, headers, status, code) => {
    const response = await server.app.inject({ url, headers });
    expect(response.statusCode).toBe(status);
    expect(json(response)['code']).toBe(code);
  });
});
