import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '@sigstack/server';
import { oidcErrors } from './errors.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * Check `Authorization: Bearer <secret>` (attacker-controlled) against the workload secret.
 * Digests are compared, so the comparison takes the same time whatever the length.
 */
export function requireSecret(header: string | undefined, secret: Secret): void {
  const match = header === undefined ? null : BEARER.exec(header);
  if (match === null) {
    throw oidcErrors.create('UNAUTHORIZED', 'send the workload secret as Authorization: Bearer <secret>', {
      headers: { 'www-authenticate': 'Bearer realm="sigstack-oidc"' },
    });
  }
  const given = createHash('sha256').update(match[1] ?? '').digest();
  const expected = createHash('sha256').update(secret.reveal()).digest();
  if (!timingSafeEqual(given, expected)) {
    throw oidcErrors.create('UNAUTHORIZED', 'the workload secret is wrong', {
      headers: { 'www-authenticate': 'Bearer realm="sigstack-oidc", error="invalid_token"' },
    });
  }
}
