import { randomUUID } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { SignJWT, importJWK } from 'jose';
import type { WorkloadProfile } from './identities.js';
import type { StoredKey } from './keys.js';
import type { Claims, WorkloadKind } from './profiles.js';
import { resolveClaims } from './profiles.js';

/**
 * Fulcio maps each issuer URL to one issuer type, so every workload kind gets its own
 * issuer under the provider's: ISSUER_URL/workloads/KIND, with its own discovery document.
 */
export function workloadIssuer(base: string, kind: WorkloadKind): string {
  return `${base}/workloads/${kind}`;
}

export interface MintRequest {
  readonly profile: WorkloadProfile;
  /** The provider's issuer URL (the workload's issuer is derived from it). */
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly ttlSeconds: number;
  /** Produce a token that expired a minute ago, for negative tests. */
  readonly expired?: boolean;
  /** Claims that replace the profile's for this one token. */
  readonly overrides?: Claims;
  readonly now: number;
  readonly jti?: string;
}

export interface MintedToken {
  readonly token: string;
  readonly subject: string;
  readonly issuer: string;
  readonly expiresAt: number;
  readonly claims: Claims;
}

const importedKeys = new Map<string, Promise<CryptoKey>>();

function signingKey(key: StoredKey): Promise<CryptoKey> {
  let imported = importedKeys.get(key.kid);
  if (imported === undefined) {
    imported = importJWK(key.jwk, key.alg) as Promise<CryptoKey>;
    importedKeys.set(key.kid, imported);
  }
  return imported;
}

/** Mint a workload ID token: the profile's claims, `iat`/`nbf`/`exp`/`jti`, signed like the provider's own. */
export async function mintWorkloadToken(request: MintRequest, key: StoredKey): Promise<MintedToken> {
  const { profile } = request;
  const { subject, claims } = resolveClaims(profile.kind, { ...profile.claims, ...(request.overrides ?? {}) });
  const nowSeconds = Math.floor(request.now / 1000);
  // An expired token is a whole lifetime in the past, so it also fails any clock-skew leeway.
  const iat = request.expired ? nowSeconds - request.ttlSeconds - 600 : nowSeconds;
  const exp = iat + request.ttlSeconds;
  const issuer = workloadIssuer(request.issuer, profile.kind);
  const payload = {
    ...claims,
    iss: issuer,
    sub: subject,
    aud: typeof request.audience === 'string' ? request.audience : [...request.audience],
    iat,
    nbf: iat,
    exp,
    jti: request.jti ?? randomUUID(),
  };
  const token = await new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(await signingKey(key));
  return { token, subject, issuer, expiresAt: exp, claims: payload };
}
