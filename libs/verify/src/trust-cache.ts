import { createHash } from 'node:crypto';
import { importPublicKey, type PublicKey } from '@sigstack/crypto';
import { parseCertificate, type ParsedCertificate } from '@sigstack/x509';

// Trusted-root material (CA and TSA certificates, log keys) is the same for every bundle,
// and parsing it costs more than verifying with it. These caches are keyed by the SHA-256
// of the exact bytes, so a cached answer is the answer for those bytes: a changed trusted
// root or a changed byte misses the cache. Only successful parses are kept (a failure is
// recomputed, and fails again); checks that use the parsed values still run every time.
const LIMIT = 512;

function memo<T>(parse: (der: Uint8Array) => T): (der: Uint8Array) => T {
  const cache = new Map<string, T>();
  return (der) => {
    const key = createHash('sha256').update(der).digest('base64');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = parse(der);
    if (cache.size >= LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
    return value;
  };
}

/** A certificate from the trusted root, parsed once per distinct DER. */
export const trustedCertificate: (der: Uint8Array) => ParsedCertificate = memo(parseCertificate);

/** A log or CT key from the trusted root, imported once per distinct SPKI. */
export const trustedKey: (der: Uint8Array) => PublicKey = memo((der) => importPublicKey(der));
