// Reading (not verifying: Fulcio does that) the claims of an identity token.
import { CliError } from '../errors.js';

export interface TokenClaims {
  readonly iss?: string;
  readonly sub?: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly exp?: number;
}

export function tokenClaims(token: string): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new CliError('AUTH', 'the identity token is not a JWT');
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as unknown;
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new Error('not an object');
    return claims as TokenClaims;
  } catch (cause) {
    throw new CliError('AUTH', 'the identity token payload does not decode', { cause });
  }
}

/**
 * What the proof of possession signs: the email for tokens that carry one (Fulcio's email
 * principal), else `sub`, as sigstore's oauthflow picks it.
 */
export function tokenSubject(token: string): string {
  const claims = tokenClaims(token);
  if (typeof claims.email === 'string' && claims.email !== '' && claims.email_verified !== false) return claims.email;
  if (typeof claims.sub === 'string' && claims.sub !== '') return claims.sub;
  throw new CliError('AUTH', 'the identity token has neither an email nor a subject');
}
