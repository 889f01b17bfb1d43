import { createHash, X509Certificate } from 'node:crypto';
import { decodePem, encodePem, importPublicKey, P256DigestVerifier, verify, verifyDigest, type PublicKey } from '@sigstack/crypto';
import { rekorErrors } from './errors.js';

/** A public key or certificate from an entry, parsed once and kept in a small cache. */
export interface EntryVerifier {
  readonly kind: 'key' | 'certificate';
  readonly key: PublicKey;
  /** DER of the SPKI or the certificate. */
  readonly der: Uint8Array;
  /** Canonical PEM (64-column base64), the form Rekor stores. */
  readonly pem: string;
  /** Search-index key of the verifier: `sha256:` + hex SHA-256 of its canonical PEM, as Rekor indexes it. */
  readonly fingerprint: string;
  /** Emails and URIs of a certificate's SAN (Rekor's "subjects"), lower-cased emails. */
  readonly subjects: readonly string[];
}

const CACHE_LIMIT = 2048;
const cache = new Map<string, EntryVerifier>();
const p256Cache = new WeakMap<EntryVerifier, P256DigestVerifier>();

function remember(id: string, v: EntryVerifier): EntryVerifier {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, v);
  return v;
}

function invalidKey(message: string, cause?: unknown): Error {
  return rekorErrors.create('INVALID_KEY', message, cause === undefined ? {} : { cause });
}

function build(kind: EntryVerifier['kind'], der: Uint8Array): EntryVerifier {
  let key: PublicKey;
  let subjects: string[] = [];
  if (kind === 'certificate') {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(der));
    } catch (cause) {
      throw invalidKey('the certificate does not parse as X.509', cause);
    }
    try {
      key = importPublicKey(new Uint8Array(cert.publicKey.export({ format: 'der', type: 'spki' })));
    } catch (cause) {
      throw invalidKey('the certificate holds an unsupported public key', cause);
    }
    subjects = sanSubjects(cert.subjectAltName);
  } else {
    try {
      key = importPublicKey(der);
    } catch (cause) {
      throw invalidKey('the public key does not parse (expected a PKIX public key: ECDSA P-256/P-384, Ed25519 or RSA)', cause);
    }
  }
  const pem = encodePem(kind === 'certificate' ? 'CERTIFICATE' : 'PUBLIC KEY', der);
  const fingerprint = `sha256:${createHash('sha256').update(pem).digest('hex')}`;
  return { kind, key, der, pem, fingerprint, subjects };
}

function sanSubjects(san: string | undefined): string[] {
  if (!san) return [];
  const out: string[] = [];
  for (const part of san.split(', ')) {
    if (part.startsWith('email:')) out.push(part.slice(6).toLowerCase());
    else if (part.startsWith('URI:')) out.push(part.slice(4));
  }
  return out;
}

/** Parses PEM bytes of a public key or a certificate (attacker-controlled). */
export function verifierFromPem(pem: Uint8Array): EntryVerifier {
  const text = Buffer.from(pem).toString('latin1');
  const hit = cache.get(text);
  if (hit) return hit;
  let block;
  try {
    block = decodePem(text, ['PUBLIC KEY', 'CERTIFICATE']);
  } catch (cause) {
    throw invalidKey('expected one PEM "PUBLIC KEY" or "CERTIFICATE" block', cause);
  }
  return remember(text, build(block.label === 'CERTIFICATE' ? 'certificate' : 'key', block.der));
}

/** Parses DER of an SPKI or a certificate (Rekor v2 verifiers). */
export function verifierFromDer(kind: EntryVerifier['kind'], der: Uint8Array): EntryVerifier {
  const id = `${kind}:${Buffer.from(der).toString('base64')}`;
  return cache.get(id) ?? remember(id, build(kind, der));
}

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/**
 * Verifies a signature over a digest the client computed (hashedrekord). ECDSA P-256 over
 * SHA-256 takes the native path; other keys go through libs/crypto.
 */
export function verifyOverDigest(v: EntryVerifier, algorithm: DigestAlgorithm, digest: Uint8Array, signature: Uint8Array): boolean {
  const type = v.key.type;
  if (type === 'ed25519') throw invalidKey('an Ed25519 key cannot verify a signature over a precomputed digest');
  if (type === 'ecdsa-p256' && algorithm === 'sha256') {
    let fast = p256Cache.get(v);
    if (!fast) {
      fast = new P256DigestVerifier(v.key.keyObject);
      p256Cache.set(v, fast);
    }
    const answer = fast.verify(digest, signature);
    if (answer !== undefined) return answer;
  }
  const expected = type === 'ecdsa-p256' ? 'sha256' : type === 'ecdsa-p384' ? 'sha384' : algorithm;
  if (expected !== algorithm) throw invalidKey(`a ${type} key signs ${expected} digests, not ${algorithm}`);
  try {
    return verifyDigest(v.key, digest, signature, type === 'rsa' ? { hash: algorithm } : undefined);
  } catch (cause) {
    throw invalidKey('the key cannot verify this signature', cause);
  }
}

/** Verifies a signature over a message (DSSE PAE): ECDSA with its curve's hash, RSA PKCS#1 v1.5 SHA-256, pure Ed25519. */
export function verifyOverMessage(v: EntryVerifier, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(v.key, message, signature);
  } catch (cause) {
    throw invalidKey('the key cannot verify this signature', cause);
  }
}
