import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptPrivateKey, generateKeyPair, verify, type KeyType } from '../../src/index.js';
import { scratchDir } from '../helpers.js';

// Our encrypted keys, opened by a second, independent implementation of cosign's
// format: libsodium's secretbox (PyNaCl) and OpenSSL's scrypt and PKCS#8 parser (through
// Debian's python3-nacl and python3-cryptography, which .ci/run installs). A key that
// decrypts there and signs a message we can verify is a key cosign's Go code can open.

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'decrypt_cosign_key.py');
const scratch = scratchDir();
afterAll(() => scratch.cleanup());

describe('our cosign-format keys open in an independent implementation', () => {
  it.each<KeyType>(['ecdsa-p256', 'ed25519'])('%s key', async (type) => {
    const { privateKey, publicKey } = await generateKeyPair(type);
    const file = path.join(scratch.dir, `${type}.key`);
    writeFileSync(file, await encryptPrivateKey(privateKey, 'correct horse'));
    const message = new TextEncoder().encode('signed by a key that Python decrypted');
    const signature = execFileSync('/usr/bin/python3', [script, file, 'correct horse'], { input: message });
    expect(verify(publicKey, message, new Uint8Array(signature))).toBe(true);
  });

  it('refuses a wrong password there too', async () => {
    const { privateKey } = await generateKeyPair('ecdsa-p256');
    const file = path.join(scratch.dir, 'wrong.key');
    writeFileSync(file, await encryptPrivateKey(privateKey, 'right'));
    expect(() => execFileSync('/usr/bin/python3', [script, file, 'wrong'], { input: '', stdio: 'pipe' })).toThrow();
  });
});
