import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CryptoError',
      'P256DigestVerifier',
      'decodePem',
      'decodePemBundle',
      'decryptPrivateKey',
      'digest',
      'digestStream',
      'encodePem',
      'encryptPrivateKey',
      'exportPrivateKey',
      'exportPublicKey',
      'generateKeyPair',
      'hashLength',
      'importPrivateKey',
      'importPublicKey',
      'keyId',
      'keyIdBase64',
      'keyIdHex',
      'keySigner',
      'modInverse',
      'nativeEcdsa',
      'parseEcdsaDerSignature',
      'sign',
      'signDigest',
      'verify',
      'verifyDigest',
    ]);
  });
});
