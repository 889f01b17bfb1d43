import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentities } from '../src/identities.js';
import type { TestServer } from './helpers.js';
import { CookieJar, ISSUER, json, testServer } from './helpers.js';

const REDIRECT = 'http://localhost:43123/auth/callback';

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Follow the browser side of a login with inject(): /auth, the login page, the form, back to the client. */
async function login(server: TestServer, options: { user: string; password?: string; scope?: string; prompt?: string }) {
  const jar = new CookieJar();
  const { verifier, challenge } = pkce();
  const query = new URLSearchParams({
    client_id: 'sigstore',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: options.scope ?? 'openid email',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-1',
    nonce: 'nonce-1',
    ...(options.prompt ? { prompt: options.prompt } : {}),
  });
  const start = await server.app.inject({ url: `/auth?${query}` });
  expect(start.statusCode).toBe(303);
  jar.store(start.headers['set-cookie']);
  let location = new URL(String(start.headers.location));
  expect(location.origin).toBe(ISSUER);
  const page = await server.app.inject({ url: location.pathname, headers: { cookie: jar.header() } });
  expect(page.statusCode).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  const form = new URLSearchParams({ user: options.user, ...(options.password !== undefined ? { password: options.password } : {}) });
  const submitted = await server.app.inject({
    method: 'POST',
    url: `${location.pathname}/login`,
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: form.toString(),
  });
  if (submitted.statusCode !== 303) return { submitted, page, verifier, jar };
  // Back to the provider, through any consent step, until it redirects to the client.
  for (let hops = 0; hops < 6; hops++) {
    location = new URL(String(submitted.headers.location ?? ''), ISSUER);
    const next = await server.app.inject({ url: `${location.pathname}${location.search}`, headers: { cookie: jar.header() } });
    jar.store(next.headers['set-cookie']);
    const to = new URL(String(next.headers.location), ISSUER);
    if (to.href.startsWith('http://localhost:43123/')) return { submitted, page, verifier, jar, callback: to };
    submitted.headers.location = to.href;
  }
  throw new Error('login did not come back to the client');
}

async function exchange(server: TestServer, form: Record<string, string>) {
  return server.app.inject({
    method: 'POST',
    url: '/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ client_id: 'sigstore', ...form }).toString(),
  });
}

describe('authorization code with PKCE', () => {
  let server: TestServer;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    const identities = parseIdentities(`
users:
  - { id: alice, email: alice@example.com, name: Alice }
  - { id: carol, email: carol@example.com, password: s3cret-pass }
`);
    server = await testServer({ identities });
    jwks = createLocalJWKSet(json<JSONWebKeySet>(await server.app.inject({ url: '/jwks' })));
  });
  afterAll(() => server.close());

  it('lists the dev users on the login page and signs one in', async () => {
    const result = await login(server, { user: 'alice' });
    expect(result.page.body).toContain('alice@example.com');
    expect(result.page.body).toContain('carol@example.com');
    expect(result.page.body).toContain('development identity provider');
    const callback = result.callback!;
    expect(callback.searchParams.get('state')).toBe('state-1');
    const token = await exchange(server, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: result.verifier,
    });
    expect(token.statusCode).toBe(200);
    const body = json<{ id_token: string; refresh_token?: string }>(token);
    expect(body.refresh_token).toBeUndefined();
    const { payload, protectedHeader } = await jwtVerify(body.id_token, jwks, { issuer: ISSUER, audience: 'sigstore' });
    expect(protectedHeader.kid).toBe(server.keys.view.signing.kid);
    expect(payload).toMatchObject({ sub: 'alice', email: 'alice@example.com', email_verified: true, nonce: 'nonce-1' });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('refuses a code exchanged without the right PKCE verifier', async () => {
    const result = await login(server, { user: 'alice' });
    const token = await exchange(server, {
      grant_type: 'authorization_code',
      code: result.callback!.searchParams.get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: pkce().verifier,
    });
    expect(token.statusCode).toBe(400);
    expect(json(token)['error']).toBe('invalid_grant');
  });

  it('issues a refresh token for offline_access, and refreshes the ID token', async () => {
    const result = await login(server, { user: 'alice', scope: 'openid email offline_access', prompt: 'consent' });
    const token = await exchange(server, {
      grant_type: 'authorization_code',
      code: result.callback!.searchParams.get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: result.verifier,
    });
    const { refresh_token } = json<{ refresh_token: string }>(token);
    expect(refresh_token).toEqual(expect.any(String));
    const refreshed = await exchange(server, { grant_type: 'refresh_token', refresh_token });
    expect(refreshed.statusCode).toBe(200);
    const { payload } = await jwtVerify(json<{ id_token: string }>(refreshed).id_token, jwks, { issuer: ISSUER, audience: 'sigstore' });
    expect(payload).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
  });

  it('asks for the password of users that have one', async () => {
    const wrong = await login(server, { user: 'carol', password: 'nope' });
    expect(wrong.submitted.statusCode).toBe(401);
    expect(json(wrong.submitted)['code']).toBe('WRONG_PASSWORD');
    const right = await login(server, { user: 'carol', password: 's3cret-pass' });
    expect(right.callback?.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('answers 4xx with a stable code for unknown users, lost cookies and malformed forms', async () => {
    const unknown = await login(server, { user: 'mallory' });
    expect(unknown.submitted.statusCode).toBe(400);
    expect(json(unknown.submitted)).toEqual({ code: 'UNKNOWN_USER', message: expect.any(String) });

    const noCookie = await server.app.inject({ url: '/interaction/abcdef' });
    expect(noCookie.statusCode).toBe(400);
    expect(json(noCookie)['code']).toBe('INTERACTION_NOT_FOUND');

    const badForm = await server.app.inject({
      method: 'POST',
      url: '/interaction/abcdef/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'nobody=here',
    });
    expect(badForm.statusCode).toBe(400);
    expect(json(badForm)['code']).toBe('INVALID_REQUEST');
  });

  it('answers OAuth errors for bad authorization and token requests', async () => {
    const badRedirect = await server.app.inject({
      url: `/auth?${new URLSearchParams({ client_id: 'sigstore', response_type: 'code', redirect_uri: 'https://evil.example/cb', scope: 'openid' })}`,
    });
    expect(badRedirect.statusCode).toBe(400);
    const unknownClient = await exchange(server, { client_id: 'nobody', grant_type: 'authorization_code', code: 'x' });
    expect(unknownClient.statusCode).toBe(401);
    expect(json(unknownClient)['error']).toBe('invalid_client');
    const noGrant = await exchange(server, {});
    expect(noGrant.statusCode).toBe(400);
    expect(json(noGrant)['error']).toBe('invalid_request');
  });

  it('serves discovery with every endpoint under the issuer, whatever Host the client sent', async () => {
    const response = await server.app.inject({ url: '/.well-known/openid-configuration', headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
    const discovery = json<Record<string, unknown>>(response);
    expect(discovery['issuer']).toBe(ISSUER);
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'device_authorization_endpoint', 'userinfo_endpoint']) {
      expect(String(discovery[key])).toMatch(new RegExp(`^${ISSUER}/`));
    }
    expect(discovery['code_challenge_methods_supported']).toEqual(['S256']);
    expect(discovery['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']));
  });
});
