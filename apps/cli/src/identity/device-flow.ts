// Interactive login for terminals: the OAuth 2.0 device authorization grant (RFC 8628)
// against the issuer's discovery document. The person opens the printed URL in any browser.
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { joinUrl, json, request } from '../services/http.js';

interface Discovery {
  device_authorization_endpoint?: string;
  token_endpoint?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function deviceCodeLogin(io: CliIo, issuer: string, clientId: string): Promise<string> {
  const discoveryUrl = joinUrl(issuer, '/.well-known/openid-configuration');
  const discovery = json<Discovery>('OIDC', discoveryUrl, await request(io.fetch, 'OIDC', discoveryUrl, {}));
  if (!discovery.device_authorization_endpoint || !discovery.token_endpoint) {
    throw new CliError('AUTH', `the OIDC issuer ${issuer} offers no device authorization; pass --identity-token`);
  }
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
  });
  const auth = json<{ device_code: string; user_code: string; verification_uri: string; verification_uri_complete?: string; interval?: number; expires_in?: number }>(
    'OIDC',
    discovery.device_authorization_endpoint,
    await request(io.fetch, 'OIDC', discovery.device_authorization_endpoint, form({ client_id: clientId, scope: 'openid email' })),
  );
  io.stderr(`To sign in, open ${auth.verification_uri_complete ?? auth.verification_uri} and enter the code ${auth.user_code}\n`);
  let interval = (auth.interval ?? 5) * 1000;
  const deadline = Date.now() + (auth.expires_in ?? 600) * 1000;
  while (Date.now() < deadline) {
    await sleep(interval);
    const res = await io.fetch(discovery.token_endpoint, form({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code, client_id: clientId }));
    const body = (await res.json().catch(() => ({}))) as { id_token?: string; error?: string; error_description?: string };
    if (res.ok && typeof body.id_token === 'string') return body.id_token;
    if (body.error === 'authorization_pending') continue;
    if (body.error === 'slow_down') {
      interval += 5000;
      continue;
    }
    throw new CliError('AUTH', `login failed: ${body.error ?? `HTTP ${res.status}`}${body.error_description ? `: ${body.error_description}` : ''}`);
  }
  throw new CliError('AUTH', 'login timed out');
}
