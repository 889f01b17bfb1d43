import type { JsonWebKey } from 'node:crypto';
import { toBytes } from './encoding.js';
import { encodePem } from './pem.js';
import { assertPrivateKey, assertPublicKey } from './keys.js';
import type { PrivateKey, PublicKey } from './keys.js';

/** Output encodings: PEM text, DER bytes (SPKI / PKCS#8), or a JWK object. */
export type KeyExportFormat = 'pem' | 'der' | 'jwk';

/** Exports a public key as PEM "PUBLIC KEY", DER SPKI or a public JWK. */
export function exportPublicKey(key: PublicKey, format: 'pem'): string;
export function exportPublicKey(key: PublicKey, format: 'der'): Uint8Array;
export function exportPublicKey(key: PublicKey, format: 'jwk'): JsonWebKey;
export function exportPublicKey(key: PublicKey, format: KeyExportFormat): string | Uint8Array | JsonWebKey {
  assertPublicKey(key);
  if (format === 'jwk') return key.keyObject.export({ format: 'jwk' });
  const der = toBytes(key.keyObject.export({ format: 'der', type: 'spki' }));
  return format === 'pem' ? encodePem('PUBLIC KEY', der) : der;
}

/** Exports a private key as PEM "PRIVATE KEY", DER PKCS#8 or a private JWK. */
export function exportPrivateKey(key: PrivateKey, format: 'pem'): string;
export function exportPrivateKey(key: PrivateKey, format: 'der'): Uint8Array;
export function exportPrivateKey(key: PrivateKey, format: 'jwk'): JsonWebKey;
export function exportPrivateKey(key: PrivateKey, format: KeyExportFormat): string | Uint8Array | JsonWebKey {
  assertPrivateKey(key);
  if (format === 'jwk') return key.keyObject.export({ format: 'jwk' });
  const der = toBytes(key.keyObject.export({ format: 'der', type: 'pkcs8' }));
  return format === 'pem' ? encodePem('PRIVATE KEY', der) : der;
}
