import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  decodePem,
  decryptPrivateKey,
  encryptPrivateKey,
  exportPrivateKey,
  exportPublicKey,
  generateKeyPair,
  sign,
  verify,
} from '../src/index.js';
import { parseEnvelope, serializeEnvelope } from '../src/encrypted-key-format.js';
import { caughtAsync, fixture } from './helpers.js';

const message = new TextEncoder().encode('cosign fixture round trip');

function envelopeOf(pem: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(decodePem(pem).der)) as Record<string, unknown>;
}

describe('cosign-produced encrypted keys', () => {
  it('decrypts the SIGSTORE-labelled key from cosign keys_test.go with its password', async () => {
    const key = await decryptPrivateKey(fixture('cosign-sigstore-label.key'), 'hello');
    expect(['ecdsa-p256', 'rsa', 'ed25519']).toContain(key.type);
    expect(verify(key.publicKey, message, sign(key, message))).toBe(true);
  });

  it('decrypts the older COSIGN-labelled key with its password', async () => {
    const key = await decryptPrivateKey(fixture('cosign-cosign-label.key'), 'hello');
    expect(key.type).toBe('ecdsa-p256');
    expect(verify(key.publicKey, message, sign(key, message))).toBe(true);
  });

  it('rejects a body whose plaintext is SEC1 rather than PKCS#8, as cosign does', async () => {
    const error = await caughtAsync(() => decryptPrivateKey(fixture('cosign-cosign-label-ec-sec1.key'), 'hello'));
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('INVALID_KEY');
  });

  it('decrypts a cosign key made with the empty password (N=65536)', async () => {
    const pem = fixture('sigstore-rs-cosign-generated-empty-password.key');
    expect(envelopeOf(pem)).toMatchObject({ kdf: { params: { N: 65536, r: 8, p: 1 } } });
    const key = await decryptPrivateKey(pem, '');
    expect(verify(key.publicKey, message, sign(key, message))).toBe(true);
  });

  it('serializes an envelope byte for byte as cosign (Go encoding/json) wrote it', () => {
    for (const name of ['cosign-sigstore-label.key', 'cosign-cosign-label.key', 'sigstore-rs-cosign-generated-empty-password.key']) {
      const body = decodePem(fixture(name)).der;
      expect(Buffer.from(serializeEnvelope(parseEnvelope(body))).toString()).toBe(Buffer.from(body).toString());
    }
  });

  it('fails a wrong password with DECRYPTION_FAILED and no secret in the message', async () => {
    const error = await caughtAsync(() => decryptPrivateKey(fixture('cosign-sigstore-label.key'), 'hell0-not-it'));
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('DECRYPTION_FAILED');
    expect((error as CryptoError).message).not.toContain('hell0-not-it');
  });
});

describe('our encrypted keys', () => {
  it('writes cosign defaults and field layout', async () => {
    const { privateKey } = await generateKeyPair('ecdsa-p256');
    const pem = await encryptPrivateKey(privateKey, 'correct horse');
    expect(pem.startsWith('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n')).toBe(true);
    expect(pem.split('\n').every((line) => line.length <= 64)).toBe(true);
    const envelope = envelopeOf(pem);
    // Go's encoding/json field order and names.
    expect(Object.keys(envelope)).toEqual(['kdf', 'cipher', 'ciphertext']);
    expect(envelope).toMatchObject({
      kdf: { name: 'scrypt', params: { N: 65536, r: 8, p: 1 } },
      cipher: { name: 'nacl/secretbox' },
    });
    const kdf = envelope['kdf'] as { salt: string };
    const cipher = envelope['cipher'] as { nonce: string };
    expect(Buffer.from(kdf.salt, 'base64')).toHaveLength(32);
    expect(Buffer.from(cipher.nonce, 'base64')).toHaveLength(24);
    const back = await decryptPrivateKey(pem, 'correct horse');
    expect(exportPrivateKey(back, 'der')).toEqual(exportPrivateKey(privateKey, 'der'));
  });

  it('round-trips every key type', async () => {
    for (const type of ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa'] as const) {
      const { privateKey } = await generateKeyPair(type, { rsaBits: 2048 });
      const pem = await encryptPrivateKey(privateKey, 'correct horse', { scryptN: 32768 });
      const back = await decryptPrivateKey(pem, 'correct horse');
      expect(back.type).toBe(type);
      expect(exportPrivateKey(back, 'der')).toEqual(exportPrivateKey(privateKey, 'der'));
      expect(exportPublicKey(back.publicKey, 'pem')).toBe(exportPublicKey(privateKey.publicKey, 'pem'));
    }
  });

  it('writes the older label and the other accepted scrypt strengths on request', async () => {
    const { privateKey } = await generateKeyPair('ecdsa-p256');
    const pem = await encryptPrivateKey(privateKey, 'pw', { label: 'ENCRYPTED COSIGN PRIVATE KEY', scryptN: 32768 });
    expect(decodePem(pem).label).toBe('ENCRYPTED COSIGN PRIVATE KEY');
    expect(envelopeOf(pem)).toMatchObject({ kdf: { params: { N: 32768 } } });
    expect((await decryptPrivateKey(pem, 'pw')).type).toBe('ecdsa-p256');
  });

  it('accepts the empty password and bytes passwords', async () => {
    const { privateKey } = await generateKeyPair('ed25519');
    const pem = await encryptPrivateKey(privateKey, '', { scryptN: 32768 });
    expect((await decryptPrivateKey(pem, new Uint8Array())).type).toBe('ed25519');
    const error = await caughtAsync(() => decryptPrivateKey(pem, 'x'));
    expect((error as CryptoError).code).toBe('DECRYPTION_FAILED');
  });

  it('refuses unsupported options and mislabelled input', async () => {
    const { privateKey } = await generateKeyPair('ecdsa-p256');
    const badN = await caughtAsync(() => encryptPrivateKey(privateKey, 'pw', { scryptN: 1024 as never }));
    expect((badN as CryptoError).code).toBe('UNSUPPORTED_KDF_PARAMETERS');
    const badLabel = await caughtAsync(() => encryptPrivateKey(privateKey, 'pw', { label: 'PRIVATE KEY' as never }));
    expect((badLabel as CryptoError).code).toBe('UNSUPPORTED_ALGORITHM');
    const plain = await caughtAsync(() => decryptPrivateKey(exportPrivateKey(privateKey, 'pem'), 'pw'));
    expect((plain as CryptoError).code).toBe('INVALID_PEM');
  });
});
