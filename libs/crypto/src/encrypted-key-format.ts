import { CryptoError } from './errors.js';
import { decodeBase64Strict, toBase64 } from './encoding.js';

// cosign's encrypted private key body, as written by go-securesystemslib's
// `encrypted` package (Go encoding/json, []byte as padded standard base64):
//   {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<32 bytes>"},
//    "cipher":{"name":"nacl/secretbox","nonce":"<24 bytes>"},"ciphertext":"<secretbox>"}
// The plaintext inside is the PKCS#8 DER private key.

export const KDF_NAME = 'scrypt';
export const CIPHER_NAME = 'nacl/secretbox';
export const SALT_BYTES = 32;
export const NONCE_BYTES = 24;
export const KEY_BYTES = 32;
const TAG_BYTES = 16;
// A PKCS#8 RSA-16384 key is under 10 KiB; anything far larger is not a key.
const MAX_CIPHERTEXT_BYTES = 64 * 1024;

/** scrypt N values cosign accepts (r=8, p=1 always): legacy, standard (the default), OWASP. */
export type ScryptN = 32768 | 65536 | 131072;
export const SCRYPT_N_VALUES: readonly ScryptN[] = [32768, 65536, 131072];
export const DEFAULT_SCRYPT_N: ScryptN = 65536;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;

export interface Envelope {
  readonly N: ScryptN;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/**
 * Parses and checks the JSON envelope before any key derivation, so hostile
 * parameters cost nothing: only cosign's fixed scrypt sets are accepted (otherwise
 * a file could ask for gigabytes of memory), unknown names are refused.
 */
export function parseEnvelope(body: Uint8Array): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new CryptoError('INVALID_ENCRYPTED_KEY', 'encrypted key body is not JSON');
  }
  const top = object(value, 'encrypted key', ['kdf', 'cipher', 'ciphertext']);
  const kdf = object(top['kdf'], 'kdf', ['name', 'params', 'salt']);
  const cipher = object(top['cipher'], 'cipher', ['name', 'nonce']);
  if (kdf['name'] !== KDF_NAME) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported kdf');
  if (cipher['name'] !== CIPHER_NAME) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported cipher');

  const params = object(kdf['params'], 'kdf params', ['N', 'r', 'p']);
  const N = params['N'];
  if (!SCRYPT_N_VALUES.includes(N as ScryptN) || params['r'] !== SCRYPT_R || params['p'] !== SCRYPT_P) {
    throw new CryptoError('UNSUPPORTED_KDF_PARAMETERS', 'unsupported scrypt parameters');
  }
  const salt = bytes(kdf['salt'], 'salt');
  const nonce = bytes(cipher['nonce'], 'nonce');
  const ciphertext = bytes(top['ciphertext'], 'ciphertext');
  if (salt.length !== SALT_BYTES) throw new CryptoError('INVALID_ENCRYPTED_KEY', 'salt has the wrong length');
  if (nonce.length !== NONCE_BYTES) throw new CryptoError('INVALID_ENCRYPTED_KEY', 'nonce has the wrong length');
  if (ciphertext.length <= TAG_BYTES || ciphertext.length > MAX_CIPHERTEXT_BYTES) {
    throw new CryptoError('INVALID_ENCRYPTED_KEY', 'ciphertext has an implausible length');
  }
  return { N: N as ScryptN, salt, nonce, ciphertext };
}

/** Serializes with Go's field order and encodings, byte for byte what cosign writes. */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const json = JSON.stringify({
    kdf: { name: KDF_NAME, params: { N: envelope.N, r: SCRYPT_R, p: SCRYPT_P }, salt: toBase64(envelope.salt) },
    cipher: { name: CIPHER_NAME, nonce: toBase64(envelope.nonce) },
    ciphertext: toBase64(envelope.ciphertext),
  });
  return new TextEncoder().encode(json);
}

function object(value: unknown, what: string, members: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CryptoError('INVALID_ENCRYPTED_KEY', `${what} is not an object`);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Exactly the members cosign writes: nothing unknown is silently ignored.
  if (keys.length !== members.length || !members.every((m) => Object.hasOwn(record, m))) {
    throw new CryptoError('INVALID_ENCRYPTED_KEY', `${what} has unexpected members`);
  }
  return record;
}

function bytes(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') throw new CryptoError('INVALID_ENCRYPTED_KEY', `${what} is not a string`);
  return decodeBase64Strict(value, 'INVALID_ENCRYPTED_KEY', what);
}
