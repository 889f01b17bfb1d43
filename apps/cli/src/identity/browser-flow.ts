// Interactive login with a browser: OAuth 2.0 authorization code with PKCE (S256) and a
// loopback redirect (RFC 8252), as cosign and sigstore-js do. The URL is printed, and opened
// when a desktop opener exists.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { joinUrl, json, request } from '../services/http.js';

interface Discovery {
  authorization_endpoint?: string;
  token_endpoint?: string;
}

const b64url = (b: Buffer) => b.toString('base64url');

function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener: the printed URL is enough
  }
}

/** Waits for the browser at http://127.0.0.1:<port>/auth/callback and returns the code. */
function callbackServer(state: string, timeoutMs: number): Promise<{ redirectUri: string; code: Promise<string>; close: () => void }> {
  return new Promise((resolve, reject) => {
    let settle: (code: string) => void;
    let fail: (e: Error) => void;
    const code = new Promise<string>((res, rej) => {
      settle = res;
      fail = rej;
    });
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/auth/callback') {
        res.writeHead(404).end();
        return;
      }
      const error = url.searchParams.get('error');
      const got = url.searchParams.get('code');
      if (url.searchParams.get('state') !== state) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('state mismatch');
        fail(new CliError('AUTH', 'login failed: the callback state does not match'));
      } else if (error || !got) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('login failed');
        fail(new CliError('AUTH', `login failed: ${error ?? 'no code'}${url.searchParams.get('error_description') ? `: ${url.searchParams.get('error_description')}` : ''}`));
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in. You may close this window and return to the terminal.');
        settle(got);
      }
    });
    const timer = setTimeout(() => fail(new CliError('AUTH', 'login timed out')), timeoutMs);
    timer.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        redirectUri: `http://127.0.0.1:${port}/auth/callback`,
        code,
        close: () => {
          clearTimeout(timer);
          server.close();
          server.closeAllConnections();
        },
      });
    });
  });
}

export async function browserLogin(io: CliIo, issuer: string, clientId: string, open = true, timeoutMs = 300_000): Promise<string> {
  const discoveryUrl = joinUrl(issuer, '/.well-known/openid-configuration');
  const discovery = json<Discovery>('OIDC', discoveryUrl, await request(io.fetch, 'OIDC', discoveryUrl, {}));
  if (!discovery.authorization_endpoint || !discovery.token_endpoint) throw new CliError('AUTH', `the OIDC issuer ${issuer} has no authorization or token endpoint`);
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const callback = await callbackServer(state, timeoutMs);
  try {
    const auth = new URL(discovery.authorization_endpoint);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: callback.redirectUri,
      scope: 'openid email',
      state,
      nonce,
      code_challenge: b64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    })) {
      auth.searchParams.set(k, v);
    }
    io.stderr(`Your browser will now be opened to:\n${auth.toString()}\n`);
    if (open) openBrowser(auth.toString());
    const code = await callback.code;
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback.redirectUri, client_id: clientId, code_verifier: verifier });
    const tokens = json<{ id_token?: string }>('OIDC', discovery.token_endpoint, await request(io.fetch, 'OIDC', discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    }));
    if (typeof tokens.id_token !== 'string') throw new CliError('AUTH', 'login failed: the token endpoint answered without an id_token');
    return tokens.id_token;
  } finally {
    callback.close();
  }
}
