import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { fulcioErrors } from '../errors.js';
import { lookupIssuer } from './config.js';
import type { IdentityConfig, IssuerConfig } from './config.js';
import { fetchJson } from './fetch.js';

/** A token whose signature, issuer, audience and validity period checked out. */
export interface VerifiedToken {
  readonly issuer: IssuerConfig;
  readonly claims: JWTPayload & { readonly iss: string };
}

export interface VerifierOptions {
  /** Audience to require instead of each issuer's client id (default: the client id). */
  readonly audience?: string;
  /** Leeway for exp, nbf and iat, in seconds. */
  readonly clockToleranceSec: number;
  readonly fetchTimeoutMs: number;
  /** How long after a key-set fetch an unknown key id may trigger another one. */
  readonly jwksCooldownMs: number;
  /** Milliseconds since the epoch (default Date.now). */
  readonly clock?: () => number;
  /** For tests: how documents are fetched (default: HTTP(S) with the issuer's CACert). */
  readonly fetchJson?: (url: string, issuer: IssuerConfig) => Promise<unknown>;
}

// Asymmetric algorithms only: HS* would let anyone holding a "public" JWK as a secret
// forge tokens, and `none` is never a signature.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const MAX_TOKEN_LENGTH = 32 * 1024;
const MAX_CACHED_PROVIDERS = 100;

interface Provider {
  readonly jwksUri: string;
  keys: ReturnType<typeof createLocalJWKSet>;
  fetchedAt: number;
  refreshing?: Promise<void>;
}

/**
 * Verifies OIDC identity tokens the way Fulcio's go-oidc verifiers do: the issuer must
 * be configured (exactly, or by a wildcard meta issuer), its keys come from its
 * discovery document's jwks_uri and are cached, re-fetched when a token names an
 * unknown key id (at most once per cooldown), and issuer, audience and expiry are
 * checked. The token is attacker-controlled until jwtVerify has checked it: only its
 * `iss` is read before, to choose the keys.
 */
export class TokenVerifier {
  readonly #config: IdentityConfig;
  readonly #options: VerifierOptions;
  readonly #clock: () => number;
  readonly #providers = new Map<string, Promise<Provider>>();

  constructor(config: IdentityConfig, options: VerifierOptions) {
    this.#config = config;
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_LENGTH) throw invalid('the identity token is too long');
    let iss: unknown;
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch (cause) {
      throw invalid('the identity token is not a JWT', cause);
    }
    if (alg === 'none' || typeof alg !== 'string' || !ALGORITHMS.includes(alg)) {
      throw invalid(`the identity token's algorithm ${String(alg)} is not accepted`);
    }
    if (typeof iss !== 'string' || iss === '') throw invalid('the identity token has no issuer (iss)');
    const issuer = lookupIssuer(this.#config, iss);
    if (!issuer) throw fulcioErrors.create('UNKNOWN_ISSUER', `the issuer ${truncate(iss)} is not configured`);
    const provider = await this.#provider(issuer);
    const payload = await this.#verifyWith(provider, issuer, token, true);
    return { issuer, claims: payload as JWTPayload & { iss: string } };
  }

  async #verifyWith(provider: Provider, issuer: IssuerConfig, token: string, retry: boolean): Promise<JWTPayload> {
    const now = this.#clock();
    try {
      const { payload } = await jwtVerify(token, provider.keys, {
        issuer: issuer.issuerUrl,
        audience: this.#options.audience ?? issuer.clientId,
        algorithms: ALGORITHMS,
        clockTolerance: this.#options.clockToleranceSec,
        currentDate: new Date(now),
        requiredClaims: ['exp'],
      });
      if (typeof payload.iat === 'number' && payload.iat > now / 1000 + this.#options.clockToleranceSec) {
        throw invalid('the identity token is not yet valid (issued in the future)');
      }
      return payload;
    } catch (err) {
      if (retry && err instanceof joseErrors.JWKSNoMatchingKey && now - provider.fetchedAt >= this.#options.jwksCooldownMs) {
        await this.#refresh(provider, issuer);
        return this.#verifyWith(provider, issuer, token, false);
      }
      throw translate(err);
    }
  }

  #provider(issuer: IssuerConfig): Promise<Provider> {
    const key = issuer.issuerUrl;
    let provider = this.#providers.get(key);
    if (!provider) {
      if (this.#providers.size >= MAX_CACHED_PROVIDERS) this.#providers.delete(this.#providers.keys().next().value as string);
      provider = this.#discover(issuer);
      this.#providers.set(key, provider);
      // A failed discovery is not cached: the next token tries again.
      provider.catch(() => this.#providers.delete(key));
    }
    return provider;
  }

  async #discover(issuer: IssuerConfig): Promise<Provider> {
    const base = issuer.issuerUrl.replace(/\/+$/, '');
    const doc = await this.#fetch(`${base}/.well-known/openid-configuration`, issuer);
    if (typeof doc !== 'object' || doc === null) throw unavailable(issuer, 'its discovery document is not an object');
    const { issuer: named, jwks_uri: jwksUri } = doc as { issuer?: unknown; jwks_uri?: unknown };
    // go-oidc's rule: the document must name the very issuer it was fetched for.
    if (named !== issuer.issuerUrl) throw unavailable(issuer, `its discovery document names the issuer ${truncate(String(named))}`);
    if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw unavailable(issuer, 'its discovery document has no jwks_uri');
    const provider: Provider = { jwksUri, keys: createLocalJWKSet({ keys: [] }), fetchedAt: 0 };
    await this.#refresh(provider, issuer);
    return provider;
  }

  #refresh(provider: Provider, issuer: IssuerConfig): Promise<void> {
    provider.refreshing ??= (async () => {
      try {
        const jwks = await this.#fetch(provider.jwksUri, issuer);
        if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
          throw unavailable(issuer, 'its jwks_uri did not return a key set');
        }
        provider.keys = createLocalJWKSet(jwks as JSONWebKeySet);
        provider.fetchedAt = this.#clock();
      } finally {
        provider.refreshing = undefined;
      }
    })();
    return provider.refreshing;
  }

  async #fetch(url: string, issuer: IssuerConfig): Promise<unknown> {
    try {
      if (this.#options.fetchJson) return await this.#options.fetchJson(url, issuer);
      return await fetchJson(url, { timeoutMs: this.#options.fetchTimeoutMs, ...(issuer.caCert ? { ca: issuer.caCert } : {}) });
    } catch (cause) {
      if (fulcioErrors.is(cause, 'ISSUER_UNAVAILABLE')) throw cause;
      throw unavailable(issuer, (cause as Error).message, cause);
    }
  }
}

function translate(err: unknown): Error {
  if (fulcioErrors.is(err, 'INVALID_IDENTITY_TOKEN') || fulcioErrors.is(err, 'ISSUER_UNAVAILABLE')) return err;
  if (err instanceof joseErrors.JWTExpired) return invalid('the identity token has expired', err);
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return invalid('the identity token is for another audience', err);
    if (err.claim === 'nbf' || err.claim === 'iat') return invalid('the identity token is not yet valid', err);
    if (err.claim === 'iss') return invalid('the identity token names another issuer', err);
    return invalid(`the identity token's ${err.claim} claim is invalid (${err.reason})`, err);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return invalid('the identity token signature does not verify', err);
  if (err instanceof joseErrors.JWKSNoMatchingKey) return invalid('the identity token is signed by a key its issuer does not publish', err);
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return invalid('the identity token algorithm is not accepted', err);
  if (err instanceof joseErrors.JOSEError) return invalid(`the identity token is invalid (${err.code})`, err);
  return err instanceof Error ? err : new Error(String(err));
}

function invalid(message: string, cause?: unknown): Error {
  return fulcioErrors.create('INVALID_IDENTITY_TOKEN', message, cause === undefined ? {} : { cause });
}

function unavailable(issuer: IssuerConfig, why: string, cause?: unknown): Error {
  return fulcioErrors.create('ISSUER_UNAVAILABLE', `the issuer ${issuer.issuerUrl} cannot be reached: ${why}`, {
    ...(cause === undefined ? {} : { cause }),
    headers: { 'retry-after': '10' },
  });
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
