import { createHash } from 'node:crypto';
import { importPublicKey, type PublicKey } from '@sigstack/crypto';
import type { KeyObject } from 'node:crypto';
import { parseCertificate, verifyCertificateSignature, type ParsedCertificate } from '@sigstack/x509';
import { spkiKey } from './signature-algorithms.js';

// Trusted-root material (CA and TSA certificates, log keys) is the same for every bundle,
// and parsing it costs more than verifying with it. These caches are keyed by the SHA-256
// of the exact bytes, so a cached answer is the answer for those bytes: a changed trusted
// root or a changed byte misses the cache. Only successful parses are kept (a failure is
// recomputed, and fails again); checks that use the parsed values still run every time.
// Nothing derived from a bundle is ever kept here.
const LIMIT = 512;

const sha256 = (der: Uint8Array): string => createHash('sha256').update(der).digest('base64');

/** A bounded map: the oldest entry goes first. */
function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

function memo<T>(parse: (der: Uint8Array) => T): (der: Uint8Array) => T {
  const cache = new Map<string, T>();
  // The trusted root hands the same arrays in for every bundle: remember the answer per
  // array too, with a copy of its bytes, and use it only while the bytes are still those.
  const seen = new WeakMap<Uint8Array, { readonly bytes: Buffer; readonly value: T }>();
  return (der) => {
    const known = seen.get(der);
    if (known !== undefined && known.bytes.equals(der)) return known.value;
    const key = sha256(der);
    let value = cache.get(key);
    // Parsed from a private copy: a cached value must not share memory the caller can change.
    if (value === undefined) value = remember(cache, key, parse(Uint8Array.from(der)));
    seen.set(der, { bytes: Buffer.from(der), value });
    return value;
  };
}

/** Certificates that came from trustedCertificate: parsed from trusted-root bytes. */
const trusted = new WeakSet<ParsedCertificate>();

/** A certificate from the trusted root, parsed once per distinct DER. */
export const trustedCertificate: (der: Uint8Array) => ParsedCertificate = memo((der) => {
  const cert = parseCertificate(der);
  trusted.add(cert);
  return cert;
});

/** A log or CT key from the trusted root, imported once per distinct SPKI. */
export const trustedKey: (der: Uint8Array) => PublicKey = memo((der) => importPublicKey(der));

/** A node:crypto key for a trusted certificate's SPKI (a TSA's), imported once per distinct SPKI. */
export const trustedKeyObject: (spki: Uint8Array) => KeyObject = memo((spki) => {
  const key = spkiKey(spki);
  if (key === undefined) throw new TypeError('not a key node:crypto reads');
  return key;
});

// issuer -> certificates it verifiably signed. Both are objects of the trustedCertificate
// cache, which hands out one object per distinct DER, so this is keyed by their bytes.
const signedBy = new WeakMap<ParsedCertificate, WeakSet<ParsedCertificate>>();

/**
 * verifyChain's signature check: a signature of one trusted-root certificate on another is
 * checked once per pair of distinct DERs (a success is remembered, a failure is not); a
 * signature on any other certificate (a bundle's, a timestamp's) is checked every time.
 */
export function trustedSignatureCheck(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const both = trusted.has(cert) && trusted.has(issuer);
  if (both && signedBy.get(issuer)?.has(cert) === true) return true;
  const ok = verifyCertificateSignature(cert, issuer.publicKey());
  if (ok && both) {
    let set = signedBy.get(issuer);
    if (set === undefined) signedBy.set(issuer, (set = new WeakSet()));
    set.add(cert);
  }
  return ok;
}

/** Whether the certificate came from the trusted root (via trustedCertificate). */
export const isTrustedCertificate = (cert: ParsedCertificate): boolean => trusted.has(cert);

/**
 * A value built from trusted-root bytes under a name (a signed-note verifier for a log key),
 * kept per distinct name and bytes once built; undefined (unusable) is not kept.
 */
export function trustedDerived<T>(cache: Map<string, T>, name: string, der: Uint8Array, build: () => T | undefined): T | undefined {
  // As in memo: per array (checked against a copy of its bytes), then per hash of the bytes.
  let byName = derivedSeen.get(der);
  const known = byName?.get(name);
  if (known !== undefined && known.bytes.equals(der) && known.cache === cache) return known.value as T;
  const key = `${name}\u0000${sha256(der)}`;
  let value = cache.get(key);
  if (value === undefined) {
    value = build();
    if (value === undefined) return undefined;
    remember(cache, key, value);
  }
  if (byName === undefined) derivedSeen.set(der, (byName = new Map()));
  byName.set(name, { bytes: Buffer.from(der), value, cache });
  return value;
}

const derivedSeen = new WeakMap<Uint8Array, Map<string, { readonly bytes: Buffer; readonly value: unknown; readonly cache: Map<string, unknown> }>>();
