import canonicalize from 'canonicalize';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { BundleError } from '../error.js';
import { Fields, parseJsonText } from '../json.js';

/** Rekor v1 spells hash algorithms in lower case. */
export type RekorHashAlgorithm = 'sha256' | 'sha384' | 'sha512';

export function digestOf(algorithm: RekorHashAlgorithm, data: Uint8Array): Buffer {
  const fn = algorithm === 'sha256' ? sha256 : algorithm === 'sha384' ? sha384 : sha512;
  return Buffer.from(fn(data));
}

const DIGEST_LENGTHS: Readonly<Record<RekorHashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** Refuses a digest whose length does not fit its algorithm. */
export function checkDigestLength(algorithm: RekorHashAlgorithm, digest: Uint8Array, path: string): Buffer {
  if (digest.length !== DIGEST_LENGTHS[algorithm]) {
    throw new BundleError('INVALID_FIELD', path, `expected a ${DIGEST_LENGTHS[algorithm]}-byte ${algorithm} digest`);
  }
  return Buffer.from(digest);
}

/** RFC 8785 canonical JSON bytes, the form Rekor stores and hashes into its tree. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return new TextEncoder().encode(text);
}

/** Reads the {apiVersion, kind, spec} envelope every Rekor body shares. */
export function bodyHeader(input: string | Uint8Array | unknown, path: string): { f: Fields; kind: string; apiVersion: string } {
  const value = typeof input === 'string' || input instanceof Uint8Array ? parseJsonTextAt(input, path) : input;
  const f = Fields.of(value, path);
  return { f, kind: f.string('kind', { nonEmpty: true }), apiVersion: f.string('apiVersion', { nonEmpty: true }) };
}

function parseJsonTextAt(input: string | Uint8Array, path: string): unknown {
  try {
    return parseJsonText(input);
  } catch (e) {
    if (e instanceof BundleError) throw new BundleError(e.code, path, 'entry body is not JSON', { cause: e });
    throw e;
  }
}

/** The DER bytes of a PEM CERTIFICATE block, or undefined when `pem` holds something else. */
export function certificateDerFromPem(pem: Uint8Array): Buffer | undefined {
  const text = Buffer.from(pem).toString('latin1');
  const m = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----\r?\n?$/.exec(text);
  if (m === null || m[1] === undefined) return undefined;
  return Buffer.from(m[1].replace(/[\r\n]/g, ''), 'base64');
}

export function unsupportedKind(path: string, kind: string, apiVersion: string): BundleError {
  return new BundleError(
    'UNSUPPORTED_ENTRY_KIND',
    path,
    `unsupported Rekor entry ${JSON.stringify(kind.slice(0, 40))} version ${JSON.stringify(apiVersion.slice(0, 20))}`,
  );
}
