import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { CryptoError } from './errors.js';
import { assertSingleDerSequence } from './der.js';
import { bytesEqual, decodeBase64UrlStrict, isBytes } from './encoding.js';
import { decodePem } from './pem.js';
import { wrapPrivateKey, wrapPublicKey } from './keys.js';
import type { PrivateKey, PublicKey } from './keys.js';

/** PEM labels accepted for public keys: SPKI, and PKCS#1 for RSA. */
const PUBLIC_LABELS = { 'PUBLIC KEY': 'spki', 'RSA PUBLIC KEY': 'pkcs1' } as const;
/** PEM labels accepted for private keys: PKCS#8, and the SEC1/PKCS#1 forms cosign imports. */
const PRIVATE_LABELS = { 'PRIVATE KEY': 'pkcs8', 'EC PRIVATE KEY': 'sec1', 'RSA PRIVATE KEY': 'pkcs1' } as const;

/**
 * Imports a public key: a PEM string (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY"),
 * DER SPKI bytes, or a public JWK. Input is untrusted: anything that is not a
 * canonical encoding of a supported key fails with a CryptoError.
 */
export function importPublicKey(input: string | Uint8Array | JsonWebKey): PublicKey {
  if (typeof input === 'string') {
    const block = decodePem(input, Object.keys(PUBLIC_LABELS));
    return publicFromDer(block.der, PUBLIC_LABELS[block.label as keyof typeof PUBLIC_LABELS]);
  }
  if (isBytes(input)) return publicFromDer(input, 'spki');
  if (isPlainObject(input)) return publicFromJwk(input);
  throw new CryptoError('INVALID_ARGUMENT', 'public key must be PEM text, DER bytes or a JWK');
}

/**
 * Imports a private key: a PEM string (PKCS#8 "PRIVATE KEY", SEC1 "EC PRIVATE KEY",
 * PKCS#1 "RSA PRIVATE KEY"), DER PKCS#8 bytes, or a private JWK.
 */
export function importPrivateKey(input: string | Uint8Array | JsonWebKey): PrivateKey {
  if (typeof input === 'string') {
    const block = decodePem(input, Object.keys(PRIVATE_LABELS));
    return privateFromDer(block.der, PRIVATE_LABELS[block.label as keyof typeof PRIVATE_LABELS]);
  }
  if (isBytes(input)) return privateFromDer(input, 'pkcs8');
  if (isPlainObject(input)) return privateFromJwk(input);
  throw new CryptoError('INVALID_ARGUMENT', 'private key must be PEM text, DER bytes or a JWK');
}

/** DER SPKI lengths with an uncompressed point (named curve, 0x04 || X || Y). */
const EC_SPKI_LENGTH: Readonly<Partial<Record<PublicKey['type'], number>>> = { 'ecdsa-p256': 91, 'ecdsa-p384': 120 };

/**
 * The one canonical SPKI header of each supported curve (named curve, uncompressed point):
 * the SubjectPublicKeyInfo, AlgorithmIdentifier and BIT STRING headers up to the 0x04 point
 * prefix. An SPKI that is such a header plus X and Y is canonical by construction.
 */
const EC_SPKI_HEADER = {
  'ecdsa-p256': {
    header: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex'),
    prime: Buffer.from('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', 'hex'),
    size: 32,
    bits: 256,
    crv: 'P-256',
  },
  'ecdsa-p384': {
    header: Buffer.from('3076301006072a8648ce3d020106052b8104002203620004', 'hex'),
    prime: Buffer.from('fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff', 'hex'),
    size: 48,
    bits: 384,
    crv: 'P-384',
  },
} as const;

/**
 * An EC key whose SPKI is the canonical encoding (the fixed header, then X and Y below p),
 * imported without OpenSSL's slow generic decoder and re-encoder (~80 us each for P-256):
 * P-256 through its JWK coordinates, which OpenSSL checks to be a point on the curve. P-384
 * keys are decoded from the DER (a P-384 JWK import runs a full key check, slower still);
 * only the re-encoding is saved.
 */
function canonicalEcKey(der: Uint8Array): PublicKey | undefined {
  for (const type of ['ecdsa-p256', 'ecdsa-p384'] as const) {
    const { header, prime, size, bits, crv } = EC_SPKI_HEADER[type];
    if (der.length !== header.length + 2 * size || !header.equals(der.subarray(0, header.length))) continue;
    // Coordinates are field elements, below p: x + p would name the same point in other bytes.
    const x = Buffer.from(der.buffer, der.byteOffset + header.length, size);
    const y = Buffer.from(der.buffer, der.byteOffset + header.length + size, size);
    if (x.compare(prime) >= 0 || y.compare(prime) >= 0) throw new CryptoError('INVALID_KEY', 'public key coordinate is not a field element');
    let keyObject: KeyObject;
    try {
      if (type === 'ecdsa-p256') {
        keyObject = createPublicKey({ key: { kty: 'EC', crv, x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
      } else {
        keyObject = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
      }
    } catch (cause) {
      throw new CryptoError('INVALID_KEY', 'public key does not parse', { cause });
    }
    return wrapPublicKey(keyObject, { type, bits });
  }
  return undefined;
}

function publicFromDer(der: Uint8Array, type: 'spki' | 'pkcs1'): PublicKey {
  assertSingleDerSequence(der);
  if (type === 'spki') {
    const ec = canonicalEcKey(der);
    if (ec !== undefined) return ec;
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.from(der), format: 'der', type });
  } catch (cause) {
    throw new CryptoError('INVALID_KEY', 'public key does not parse', { cause });
  }
  const key = wrapPublicKey(keyObject);
  // Key ids hash the SPKI bytes: only the canonical encoding may have one. OpenSSL
  // re-exports a compressed EC point compressed, so the length check refuses those
  // (Go's x509 refuses them too); the comparison refuses explicit curve parameters.
  const canonical = keyObject.export({ format: 'der', type });
  const ecLength = EC_SPKI_LENGTH[key.type];
  if (!bytesEqual(canonical, der) || (ecLength !== undefined && der.length !== ecLength)) {
    throw new CryptoError('INVALID_KEY', 'public key encoding is not canonical');
  }
  return key;
}

function privateFromDer(der: Uint8Array, type: 'pkcs8' | 'sec1' | 'pkcs1'): PrivateKey {
  assertSingleDerSequence(der);
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: Buffer.from(der), format: 'der', type });
  } catch (cause) {
    throw new CryptoError('INVALID_KEY', 'private key does not parse', { cause });
  }
  return checkedPrivateKey(keyObject);
}

// JWK members per key type, with the exact byte length of fixed-size members.
const CURVES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48 };

function publicFromJwk(jwk: Record<string, unknown>): PublicKey {
  if (jwk['d'] !== undefined) throw new CryptoError('INVALID_KEY', 'a private JWK was given as a public key');
  const clean = cleanJwk(jwk, false);
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: clean, format: 'jwk' });
  } catch (cause) {
    throw new CryptoError('INVALID_KEY', 'public JWK does not parse', { cause });
  }
  return wrapPublicKey(keyObject);
}

function privateFromJwk(jwk: Record<string, unknown>): PrivateKey {
  const clean = cleanJwk(jwk, true);
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: clean, format: 'jwk' });
  } catch (cause) {
    throw new CryptoError('INVALID_KEY', 'private JWK does not parse', { cause });
  }
  const key = checkedPrivateKey(keyObject);
  // Node trusts the JWK's public members; make sure they belong to `d`.
  const derived = key.publicKey.keyObject.export({ format: 'jwk' }) as Record<string, unknown>;
  for (const member of ['x', 'y', 'n', 'e']) {
    if (clean[member] !== derived[member]) throw new CryptoError('INVALID_KEY', 'JWK public members do not match the private key');
  }
  return key;
}

/** Keeps only the members a key needs, each checked to be canonical base64url. */
function cleanJwk(jwk: Record<string, unknown>, withPrivate: boolean): JsonWebKey {
  const kty = jwk['kty'];
  const member = (name: string, length?: number): string => {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') throw new CryptoError('INVALID_KEY', `JWK member "${name}" is missing`);
    const bytes = decodeBase64UrlStrict(value, 'INVALID_KEY', `JWK member "${name}"`);
    if (length !== undefined && bytes.length !== length) throw new CryptoError('INVALID_KEY', `JWK member "${name}" has the wrong length`);
    return value;
  };
  if (kty === 'EC') {
    const crv = jwk['crv'];
    const size = typeof crv === 'string' && Object.hasOwn(CURVES, crv) ? CURVES[crv] : undefined;
    if (size === undefined) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported JWK curve');
    const clean: JsonWebKey = { kty, crv: crv as string, x: member('x', size), y: member('y', size) };
    if (withPrivate) clean.d = member('d', size);
    return clean;
  }
  if (kty === 'OKP') {
    if (jwk['crv'] !== 'Ed25519') throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported JWK curve');
    const clean: JsonWebKey = { kty, crv: 'Ed25519', x: member('x', 32) };
    if (withPrivate) clean.d = member('d', 32);
    return clean;
  }
  if (kty === 'RSA') {
    const clean: JsonWebKey = { kty, n: member('n'), e: member('e') };
    if (withPrivate) {
      for (const name of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) clean[name] = member(name);
    }
    return clean;
  }
  throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported JWK key type');
}

const PROBE = Buffer.from('sigstack pairwise consistency probe');

/**
 * Wraps a parsed private key after a sign/verify round with its own public half:
 * OpenSSL keeps whatever public key a file embeds, so a mismatched pair would
 * otherwise sign with one key and report the id of another.
 */
function checkedPrivateKey(keyObject: KeyObject): PrivateKey {
  const key = wrapPrivateKey(keyObject);
  const hash = key.type === 'ed25519' ? null : key.type === 'ecdsa-p384' ? 'sha384' : 'sha256';
  let ok: boolean;
  try {
    const signature = nodeSign(hash, PROBE, keyObject);
    ok = nodeVerify(hash, PROBE, key.publicKey.keyObject, signature);
  } catch (cause) {
    throw new CryptoError('INVALID_KEY', 'private key cannot sign', { cause });
  }
  if (!ok) throw new CryptoError('INVALID_KEY', 'private key does not match its public key');
  return key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isBytes(value);
}
