// Fresh ID tokens from the stack's dev OIDC provider (apps/oidc), so a person can sign
// keyless in one line. A workload profile (github-actions, gitlab-ci, ...) is minted by
// POST /workload/token with the workload secret; a person (alice, bob) signs in through the
// provider's own authorization-code flow with PKCE, the login form answered for them.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { DevTokenError } from './errors.js';

export interface DevTokenSource {
  /** The provider's issuer URL (services.oidc of stack.json). */
  readonly issuer: string;
  /** The file holding the workload bearer secret. */
  readonly workloadSecretFile: string;
}

export interface WorkloadInfo {
  readonly name: string;
  readonly kind: string;
  readonly issuer: string;
  readonly subject: string;
}

/** The one redirect URI used; never contacted (the code is read from the Location header). */
const REDIRECT_URI = 'http://127.0.0.1:53682/auth/callback';

function tokenError(message: string, cause?: unknown): DevTokenError {
  return new DevTokenError('TOKEN_FAILED', message, cause === undefined ? undefined : { cause });
}

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  } catch (cause) {
    throw new DevTokenError('NOT_RUNNING', `the dev OIDC provider does not answer at ${url} (${(cause as Error).message}); is the stack running (npm start)?`, { cause });
  }
}

async function failure(response: Response, what: string): Promise<DevTokenError> {
  const text = await response.text();
  let detail = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { code?: string; message?: string; error?: string; error_description?: string };
    detail = [body.code ?? body.error, body.message ?? body.error_description].filter(Boolean).join(': ') || detail;
  } catch {
    // Not JSON: keep the text.
  }
  return tokenError(`${what}: HTTP ${response.status}${detail ? ` ${detail}` : ''}`);
}

export async function listWorkloads(issuer: string): Promise<WorkloadInfo[]> {
  const response = await call(`${issuer}/workloads`);
  if (!response.ok) throw await failure(response, 'listing the workload profiles');
  return ((await response.json()) as { workloads: WorkloadInfo[] }).workloads;
}

/** A token for `profile`: a workload profile if the provider has one by that name, else a user. */
export async function devToken(source: DevTokenSource, profile: string): Promise<string> {
  const workloads = await listWorkloads(source.issuer);
  if (workloads.some((w) => w.name === profile)) return workloadToken(source, profile);
  try {
    return await userToken(source.issuer, profile);
  } catch (error) {
    if (error instanceof DevTokenError && /UNKNOWN_USER/.test(error.message)) {
      throw tokenError(`no user or workload profile named ${JSON.stringify(profile)}; workload profiles: ${workloads.map((w) => w.name).join(', ')}; users: those of the provider's identities (built in: alice, bob)`);
    }
    throw error;
  }
}

export async function workloadToken(source: DevTokenSource, workload: string): Promise<string> {
  if (!existsSync(source.workloadSecretFile)) throw new DevTokenError('NOT_RUNNING', `${source.workloadSecretFile} is missing; has the stack started once from this state folder?`);
  const secret = readFileSync(source.workloadSecretFile, 'utf8').trim();
  const response = await call(`${source.issuer}/workload/token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ workload }),
  });
  if (!response.ok) throw await failure(response, `minting a token for the workload ${workload}`);
  return ((await response.json()) as { token: string }).token;
}

/** Cookies as a browser would keep them for one origin (names and values only). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';', 1);
      const eq = pair?.indexOf('=') ?? -1;
      if (pair === undefined || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The authorization-code flow with PKCE, signing in as `user` on the provider's login form. */
export async function userToken(issuer: string, user: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(12).toString('base64url');
  const auth = new URL(`${issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: 'sigstore',
    response_type: 'code',
    scope: 'openid email',
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(12).toString('base64url'),
  }).toString();
  const jar = new CookieJar();
  let url = auth.toString();
  let code: string | undefined;
  let loggedIn = false;
  for (let step = 0; step < 12 && code === undefined; step++) {
    const response = await call(url, { headers: { cookie: jar.header() } });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.arrayBuffer();
      const next = new URL(location, url);
      if (next.toString().startsWith(REDIRECT_URI)) {
        const error = next.searchParams.get('error');
        if (error) throw tokenError(`sign-in as ${user} failed: ${error} ${next.searchParams.get('error_description') ?? ''}`.trim());
        if (next.searchParams.get('state') !== state) throw tokenError('sign-in answered with another state');
        code = next.searchParams.get('code') ?? undefined;
        break;
      }
      url = next.toString();
      continue;
    }
    if (response.status === 200 && /\/interaction\/[A-Za-z0-9_-]+$/.test(new URL(url).pathname) && !loggedIn) {
      await response.arrayBuffer();
      const login = await call(`${url}/login`, {
        method: 'POST',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user }).toString(),
      });
      jar.take(login);
      const next = login.headers.get('location');
      if (login.status < 300 || login.status >= 400 || !next) throw await failure(login, `signing in as ${user}`);
      await login.arrayBuffer();
      loggedIn = true;
      url = new URL(next, url).toString();
      continue;
    }
    throw await failure(response, `signing in as ${user} (at ${new URL(url).pathname})`);
  }
  if (code === undefined) throw tokenError(`signing in as ${user} did not end with a code`);
  const response = await call(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: 'sigstore', code_verifier: verifier }).toString(),
  });
  if (!response.ok) throw await failure(response, 'exchanging the code for a token');
  const token = ((await response.json()) as { id_token?: string }).id_token;
  if (!token) throw tokenError('the token endpoint answered without an id_token');
  return token;
}

/** The claims of a JWT, unverified (only to print what the token says). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
