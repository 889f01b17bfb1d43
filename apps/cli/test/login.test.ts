import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityToken } from '../src/identity/token.js';
import { tokenSubject } from '../src/identity/jwt.js';
import type { CliIo } from '../src/io.js';

// The interactive logins against a stand-in OIDC provider that checks what a real one
// checks: PKCE S256 verifier, redirect URI, state; device code polling.
const ID_TOKEN = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'x', sub: 'alice', email: 'alice@example.com', email_verified: true })).toString('base64url')}.sig`;

describe('interactive login', () => {
  let server: Server;
  let issuer: string;
  let challenge = '';
  let redirect = '';
  let polls = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', issuer);
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (url.pathname === '/.well-known/openid-configuration') {
          send(200, { authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, device_authorization_endpoint: `${issuer}/device/auth` });
        } else if (url.pathname === '/auth') {
          expect(url.searchParams.get('code_challenge_method')).toBe('S256');
          challenge = url.searchParams.get('code_challenge') ?? '';
          redirect = url.searchParams.get('redirect_uri') ?? '';
          res.writeHead(302, { location: `${redirect}?code=the-code&state=${url.searchParams.get('state')}` }).end();
        } else if (url.pathname === '/device/auth') {
          send(200, { device_code: 'dev', user_code: 'ABCD-EFGH', verification_uri: `${issuer}/device`, interval: 0, expires_in: 30 });
        } else if (url.pathname === '/token' && form.get('grant_type') === 'authorization_code') {
          const ok = form.get('code') === 'the-code' && form.get('redirect_uri') === redirect && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') === challenge;
          send(ok ? 200 : 400, ok ? { id_token: ID_TOKEN } : { error: 'invalid_grant' });
        } else if (url.pathname === '/token') {
          polls++;
          send(polls < 2 ? 400 : 200, polls < 2 ? { error: 'authorization_pending' } : { id_token: ID_TOKEN });
        } else {
          send(404, {});
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function io(onStderr: (t: string) => void): CliIo {
    return { env: {}, cwd: process.cwd(), stdout: () => undefined, stderr: onStderr, interactive: true, ask: async () => '', fetch: (i, init) => fetch(i, init), now: () => new Date() };
  }

  it('browser flow: authorization code with PKCE on a loopback redirect', async () => {
    const token = identityToken(
      io((t) => {
        const url = /^http\S+\/auth\?\S+$/m.exec(t)?.[0];
        // The "browser": follows the provider's redirect to the client's callback.
        if (url) void fetch(url);
      }),
      { flag: undefined, issuer, clientId: 'sigstore', disableAmbient: true, flow: 'normal', openBrowser: false },
    );
    expect(await token).toBe(ID_TOKEN);
    expect(redirect).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/callback$/);
    expect(tokenSubject(ID_TOKEN)).toBe('alice@example.com');
  });

  it('device flow: prints the code and polls until the token is issued', async () => {
    let printed = '';
    const token = await identityToken(io((t) => (printed += t)), { flag: undefined, issuer, clientId: 'sigstore', disableAmbient: true, flow: 'device' });
    expect(token).toBe(ID_TOKEN);
    expect(printed).toContain('ABCD-EFGH');
    expect(polls).toBe(2);
  });

  it('no terminal, no token: one clear refusal', async () => {
    await expect(identityToken({ ...io(() => undefined), interactive: false }, { flag: undefined, issuer, clientId: 'sigstore', disableAmbient: true, flow: 'normal' })).rejects.toMatchObject({ code: 'NO_TERMINAL' });
  });
});
