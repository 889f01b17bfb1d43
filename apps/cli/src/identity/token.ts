// Where a keyless signature's identity token comes from, in cosign's order: --identity-token
// (a token or a file holding one), SIGSTORE_ID_TOKEN, the GitHub Actions token request,
// then an interactive login against the configured issuer (browser with PKCE, or device code).
import { existsSync, readFileSync } from 'node:fs';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { resolvePath } from '../files.js';
import { request, json } from '../services/http.js';
import { browserLogin } from './browser-flow.js';
import { deviceCodeLogin } from './device-flow.js';

export interface TokenOptions {
  readonly flag: string | undefined;
  /** The OIDC issuer for an interactive login (--oidc-issuer, else the signing config's). */
  readonly issuer: string | undefined;
  readonly clientId: string;
  readonly disableAmbient: boolean;
  /** cosign's --fulcio-auth-flow: `normal` (browser, default) or `device`. */
  readonly flow: string;
  /** Open the browser (false in tests: the URL is printed either way). */
  readonly openBrowser?: boolean;
}

function fromFlag(io: CliIo, value: string): string {
  // cosign accepts the token itself or a path to a file holding it.
  const text = value.trim();
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(text)) return text;
  const file = resolvePath(io, text);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : text;
}

async function githubActions(io: CliIo): Promise<string | undefined> {
  const url = io.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
  const bearer = io.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
  if (!url || !bearer) return undefined;
  const full = new URL(url);
  full.searchParams.set('audience', 'sigstore');
  const answer = await request(io.fetch, 'GitHub Actions token', full.toString(), { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } });
  const value = json<{ value?: unknown }>('GitHub Actions token', full.toString(), answer).value;
  if (typeof value !== 'string' || value === '') throw new CliError('AUTH', 'the GitHub Actions token request answered without a token');
  return value;
}

export async function identityToken(io: CliIo, options: TokenOptions): Promise<string> {
  if (options.flag !== undefined && options.flag !== '') return fromFlag(io, options.flag);
  const env = io.env['SIGSTORE_ID_TOKEN'];
  if (env) return env.trim();
  if (!options.disableAmbient) {
    const gha = await githubActions(io);
    if (gha !== undefined) return gha;
  }
  if (options.issuer === undefined) throw new CliError('AUTH', 'no identity token: give --identity-token or SIGSTORE_ID_TOKEN, or an OIDC issuer to log in to');
  if (!io.interactive) {
    throw new CliError('NO_TERMINAL', 'no identity token: give --identity-token or SIGSTORE_ID_TOKEN (an interactive login needs a terminal)');
  }
  if (options.flow === 'device') return deviceCodeLogin(io, options.issuer, options.clientId);
  if (options.flow !== 'normal') throw new CliError('USAGE', `--fulcio-auth-flow must be normal or device, not ${JSON.stringify(options.flow)}`);
  return browserLogin(io, options.issuer, options.clientId, options.openBrowser ?? true);
}
