import { randomBytes } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { CryptoError } from './errors.js';
import { isBytes } from './encoding.js';
import {
  DEFAULT_SCRYPT_N,
  KEY_BYTES,
  NONCE_BYTES,
  SALT_BYTES,
  SCRYPT_N_VALUES,
  SCRYPT_P,
  SCRYPT_R,
  parseEnvelope,
  serializeEnvelope,
} from './encrypted-key-format.js';
import type { ScryptN } from './encrypted-key-format.js';
import { exportPrivateKey } from './key-export.js';
import { importPrivateKey } from './key-import.js';
import { assertPrivateKey } from './keys.js';
import type { PrivateKey } from './keys.js';
import { decodePem, encodePem } from './pem.js';

/** cosign writes SIGSTORE; COSIGN is the older label, still read (and writable on request). */
export type EncryptedKeyLabel = 'ENCRYPTED SIGSTORE PRIVATE KEY' | 'ENCRYPTED COSIGN PRIVATE KEY';
const SIGSTORE_LABEL: EncryptedKeyLabel = 'ENCRYPTED SIGSTORE PRIVATE KEY';
const LABELS: readonly EncryptedKeyLabel[] = [SIGSTORE_LABEL, 'ENCRYPTED COSIGN PRIVATE KEY'];

export interface EncryptPrivateKeyOptions {
  /** Default 'ENCRYPTED SIGSTORE PRIVATE KEY', as current cosign writes. */
  readonly label?: EncryptedKeyLabel;
  /** scrypt N; default 65536 as cosign writes. 32768 (legacy) and 131072 (OWASP) are also read by cosign. */
  readonly scryptN?: ScryptN;
}

/**
 * Encrypts a private key in cosign's format (`cosign generate-key-pair` output).
 * The empty password is allowed, as cosign allows it.
 */
export async function encryptPrivateKey(
  key: PrivateKey,
  password: string | Uint8Array,
  options: EncryptPrivateKeyOptions = {},
): Promise<string> {
  assertPrivateKey(key);
  const label = options.label ?? SIGSTORE_LABEL;
  const N = options.scryptN ?? DEFAULT_SCRYPT_N;
  if (!LABELS.includes(label)) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported encrypted key label');
  if (!SCRYPT_N_VALUES.includes(N)) throw new CryptoError('UNSUPPORTED_KDF_PARAMETERS', 'unsupported scrypt N');

  const salt = new Uint8Array(randomBytes(SALT_BYTES));
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const plaintext = exportPrivateKey(key, 'der');
  const boxKey = await deriveKey(password, salt, N);
  try {
    const ciphertext = xsalsa20poly1305(boxKey, nonce).encrypt(plaintext);
    return encodePem(label, serializeEnvelope({ N, salt, nonce, ciphertext }));
  } finally {
    boxKey.fill(0);
    plaintext.fill(0);
  }
}

/**
 * Decrypts a cosign encrypted private key (either label). A wrong password is
 * DECRYPTION_FAILED; a body that is not cosign's format fails before any scrypt work.
 */
export async function decryptPrivateKey(pem: string, password: string | Uint8Array): Promise<PrivateKey> {
  const block = decodePem(pem, LABELS);
  const envelope = parseEnvelope(block.der);
  const boxKey = await deriveKey(password, envelope.salt, envelope.N);
  let plaintext: Uint8Array;
  try {
    plaintext = xsalsa20poly1305(boxKey, envelope.nonce).decrypt(envelope.ciphertext);
  } catch {
    throw new CryptoError('DECRYPTION_FAILED', 'wrong password or corrupted encrypted key');
  } finally {
    boxKey.fill(0);
  }
  try {
    // cosign itself only reads PKCS#8 here.
    return importPrivateKey(plaintext);
  } finally {
    plaintext.fill(0);
  }
}

async function deriveKey(password: string | Uint8Array, salt: Uint8Array, N: ScryptN): Promise<Uint8Array> {
  let secret: Uint8Array;
  if (typeof password === 'string') secret = new TextEncoder().encode(password);
  else if (isBytes(password)) secret = Uint8Array.from(password);
  else throw new CryptoError('INVALID_ARGUMENT', 'password must be a string or bytes');
  try {
    return await scryptAsync(secret, salt, { N, r: SCRYPT_R, p: SCRYPT_P, dkLen: KEY_BYTES });
  } finally {
    secret.fill(0);
  }
}
