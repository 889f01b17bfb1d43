import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import { escapeHtml, page } from './html.js';
import type { Identities } from './identities.js';
import type { KeyView } from './keys.js';

/** The client every Sigstore tool uses: public, PKCE, loopback redirects on any port. */
export const SIGSTORE_CLIENT_ID = 'sigstore';

export interface ProviderOptions {
  readonly issuer: string;
  readonly identities: Identities;
  readonly keys: KeyView;
  readonly cookieKeys: readonly string[];
  readonly tokenTtlSeconds: number;
  readonly log: Logger;
}

/** The pages oidc-provider renders itself for the device flow, in this app's plain style. */
const deviceFlowPages = {
  async userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out: unknown, err: unknown) {
    const message = err ? '<p class="error">That code is not valid (or has expired). Try again.</p>' : '<p>Enter the code your terminal shows.</p>';
    ctx.body = page('Device sign-in', `${message}${form}<button type="submit" form="op.deviceInputForm">Continue</button>`);
  },
  async userCodeConfirmSource(ctx: KoaContextWithOIDC, form: string, _client: unknown, _info: unknown, userCode: string) {
    ctx.body = page(
      'Confirm device',
      `<p>Your terminal should show <code>${escapeHtml(userCode)}</code>.</p>${form}` +
        '<button type="submit" form="op.deviceConfirmForm">Continue</button>' +
        '<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button>',
    );
  },
  async successSource(ctx: KoaContextWithOIDC) {
    ctx.body = page('Signed in', '<p>The terminal has its token; you can close this page.</p>');
  },
};

/** Build an oidc-provider instance for the current key view; rebuilt when the keys rotate. */
export function createProvider(options: ProviderOptions): Provider {
  const users = new Map(options.identities.users.map((u) => [u.id, u]));
  const ttl = options.tokenTtlSeconds;
  const configuration: Configuration = {
    clients: [
      {
        client_id: SIGSTORE_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        // Native clients may use any port on a loopback redirect (RFC 8252 7.3).
        redirect_uris: ['http://localhost/auth/callback', 'http://127.0.0.1/auth/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
    ],
    // Signing key first: oidc-provider signs with the first key of the algorithm.
    jwks: { keys: options.keys.published.map((k) => ({ ...k.jwk })) },
    cookies: { keys: [...options.cookieKeys] },
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    // Fulcio reads `email` from the ID token itself, not from the userinfo endpoint.
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      const user = users.get(id);
      if (user === undefined) return undefined;
      return {
        accountId: user.id,
        async claims() {
          return { sub: user.id, email: user.email, email_verified: true, preferred_username: user.id, ...(user.name ? { name: user.name } : {}) };
        },
      };
    },
    interactions: { url: (_ctx, interaction) => `${options.issuer}/interaction/${interaction.uid}` },
    // A development IdP for first-party tools: no consent screen, every requested scope is granted.
    async loadExistingGrant(ctx) {
      const { client, session, params } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const grantId = ctx.oidc.result?.['consent']?.grantId ?? session.grantIdFor(client.clientId);
      const found = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      const grant = found ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(typeof params?.['scope'] === 'string' ? params['scope'] : 'openid');
      await grant.save();
      return grant;
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true, ...deviceFlowPages },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    ttl: {
      IdToken: ttl,
      AccessToken: ttl,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      RefreshToken: 8 * 3600,
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      const rows = Object.entries(out)
        .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(String(v))}</p>`)
        .join('');
      ctx.body = page('Sign-in failed', rows);
    },
  };
  const provider = new Provider(options.issuer, configuration);
  // Endpoint URLs are built from the forwarded host and scheme, which ProviderSlot sets to the issuer's.
  provider.proxy = true;
  const log = options.log;
  provider.on('server_error', (_ctx, err) => log.error({ err }, 'oidc-provider server error'));
  for (const event of ['grant.error', 'authorization.error', 'device_authorization.error', 'code_verification.error', 'introspection.error', 'revocation.error', 'userinfo.error'] as const) {
    // Typed per event in @types/oidc-provider; every one of these passes (ctx, error).
    (provider as unknown as { on(e: string, f: (ctx: unknown, err: Error & { error_description?: string }) => void): void }).on(event, (_ctx, err) =>
      log.info({ event, error: err.message, detail: err.error_description }, 'oidc request rejected'),
    );
  }
  return provider;
}

/**
 * The provider serving requests now. Rotation builds a new provider over the same cookie
 * keys and the shared in-memory store, then swaps it in: requests in flight finish on the
 * old one, new requests see the new keys, and nobody is logged out.
 */
export class ProviderSlot {
  readonly #host: string;
  readonly #proto: string;
  #provider: Provider;
  #callback: (req: IncomingMessage, res: ServerResponse) => void;

  constructor(issuer: string, provider: Provider) {
    const url = new URL(issuer);
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      throw new Error(`ISSUER_URL must be an origin such as https://oidc.example.com (got ${issuer})`);
    }
    this.#host = url.host;
    this.#proto = url.protocol.slice(0, -1);
    this.#provider = provider;
    this.#callback = provider.callback();
  }

  get current(): Provider {
    return this.#provider;
  }

  replace(provider: Provider): void {
    this.#provider = provider;
    this.#callback = provider.callback();
  }

  /**
   * Serve one request. The client's own X-Forwarded-* headers are replaced, so every URL
   * the provider writes (discovery, redirects, verification_uri) starts with the issuer.
   */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.forward(req);
    this.#callback(req, res);
  }

  /** Make `req` look as if it came to the issuer URL (call before interactionDetails and friends). */
  forward(req: IncomingMessage): IncomingMessage {
    req.headers['x-forwarded-host'] = this.#host;
    req.headers['x-forwarded-proto'] = this.#proto;
    return req;
  }
}
