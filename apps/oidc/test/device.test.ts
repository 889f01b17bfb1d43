import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers.js';
import { CookieJar, listeningServer } from './helpers.js';

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  interval?: number;
}

/** What a terminal does: poll the token endpoint until the person has signed in. */
async function pollForToken(base: string, auth: DeviceAuthorization, polls: string[]): Promise<Record<string, string>> {
  let interval = auth.interval ?? 5; // RFC 8628: 5 seconds when the server names none
  for (let i = 0; i < 10; i++) {
    const response = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code, client_id: 'sigstore' }),
    });
    const body = (await response.json()) as Record<string, string>;
    if (response.ok) return body;
    polls.push(body['error'] ?? 'unknown');
    if (body['error'] === 'slow_down') interval += 5;
    else if (body['error'] !== 'authorization_pending') throw new Error(`device flow failed: ${body['error']}`);
    await new Promise((r) => setTimeout(r, interval * 1000));
  }
  throw new Error('device flow did not complete');
}

/** What a person does in a browser: open the link, confirm the code, pick a user. */
async function completeInBrowser(url: string, user: string): Promise<string> {
  const jar = new CookieJar();
  const get = async (target: string) => {
    const response = await fetch(target, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response.headers.getSetCookie());
    return response;
  };
  const post = async (target: string, form: Record<string, string>) => {
    const response = await fetch(target, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    jar.store(response.headers.getSetCookie());
    return response;
  };
  const confirmPage = await (await get(url)).text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(confirmPage)?.[1] ?? '';
  const action = /<form id="op.deviceConfirmForm" method="post" action="([^"]+)"/.exec(confirmPage)?.[1] ?? '';
  const confirmed = await post(new URL(action, url).href, { xsrf: field('xsrf'), user_code: field('user_code'), confirm: 'yes' });
  expect(confirmed.status).toBe(303);
  const interaction = new URL(confirmed.headers.get('location') ?? '', url);
  const loginPage = await (await get(interaction.href)).text();
  expect(loginPage).toContain(`value="${user}"`);
  const loggedIn = await post(`${interaction.href}/login`, { user });
  expect(loggedIn.status).toBe(303);
  // Resume at the provider; it may hop once more before showing the success page.
  let next = await get(new URL(loggedIn.headers.get('location') ?? '', url).href);
  for (let hops = 0; next.status >= 300 && next.status < 400 && hops < 5; hops++) {
    next = await get(new URL(next.headers.get('location') ?? '', url).href);
  }
  expect(next.status).toBe(200);
  return next.text();
}

describe('device authorization flow', () => {
  let server: TestServer & { url: string };

  beforeAll(async () => {
    server = await listeningServer();
  });
  afterAll(() => server.close());

  it('completes from a script while another request signs the person in', { timeout: 40_000 }, async () => {
    const started = await fetch(`${server.url}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'sigstore', scope: 'openid email' }),
    });
    expect(started.status).toBe(200);
    const auth = (await started.json()) as DeviceAuthorization;
    expect(auth.verification_uri).toBe(`${server.url}/device`);
    expect(auth.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);

    const polls: string[] = [];
    const polling = pollForToken(server.url, auth, polls);
    // Let the terminal poll at least once before the person acts.
    await new Promise((r) => setTimeout(r, 200));
    const success = await completeInBrowser(auth.verification_uri_complete, 'bob');
    expect(success).toContain('Signed in');
    const tokens = await polling;
    expect(polls[0]).toBe('authorization_pending');

    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(tokens['id_token']!, jwks, { issuer: server.url, audience: 'sigstore' });
    expect(payload).toMatchObject({ sub: 'bob', email: 'bob@example.com', email_verified: true });
  });

  it('answers OAuth errors for unknown clients and device codes', async () => {
    const unknown = await fetch(`${server.url}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'nobody', scope: 'openid' }),
    });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as Record<string, string>)['error']).toBe('invalid_client');
    const badCode = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'made-up', client_id: 'sigstore' }),
    });
    expect(badCode.status).toBe(400);
    expect(((await badCode.json()) as Record<string, string>)['error']).toBe('invalid_grant');
  });
});
