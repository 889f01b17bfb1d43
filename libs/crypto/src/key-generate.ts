import { generateKeyPair as nodeGenerateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { CryptoError } from './errors.js';
import { MAX_RSA_BITS, MIN_RSA_BITS, wrapPrivateKey } from './keys.js';
import type { KeyPair, KeyType } from './keys.js';

const generate = promisify(nodeGenerateKeyPair);

export interface GenerateKeyPairOptions {
  /** RSA modulus length; default 3072, at least 2048. */
  readonly rsaBits?: number;
}

/** Generates a fresh key pair (asynchronously: RSA generation can take seconds). */
export async function generateKeyPair(type: KeyType, options: GenerateKeyPairOptions = {}): Promise<KeyPair> {
  let pair: { privateKey: KeyObject };
  switch (type) {
    case 'ecdsa-p256':
      pair = await generate('ec', { namedCurve: 'P-256' });
      break;
    case 'ecdsa-p384':
      pair = await generate('ec', { namedCurve: 'P-384' });
      break;
    case 'ed25519':
      pair = await generate('ed25519');
      break;
    case 'rsa': {
      const bits = options.rsaBits ?? 3072;
      if (!Number.isSafeInteger(bits)) throw new CryptoError('INVALID_ARGUMENT', 'rsaBits must be an integer');
      if (bits < MIN_RSA_BITS) throw new CryptoError('WEAK_KEY', `RSA keys must have at least ${MIN_RSA_BITS} bits`);
      if (bits > MAX_RSA_BITS) throw new CryptoError('UNSUPPORTED_KEY_SIZE', 'RSA key size is too large');
      pair = await generate('rsa', { modulusLength: bits, publicExponent: 65537 });
      break;
    }
    default:
      throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported key type');
  }
  const privateKey = wrapPrivateKey(pair.privateKey);
  return { privateKey, publicKey: privateKey.publicKey };
}
