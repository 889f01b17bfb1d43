import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportPrivateKey, generateKeyPair } from '@sigstack/crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLogKey } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'log-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('log key files', () => {
  it('generates a key on first start (mode 0600) and reads the same key after', async () => {
    const file = path.join(dir, 'nested', 'log.pem');
    const first = await loadLogKey({ file, type: 'ed25519', accept: ['ed25519'], generate: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await loadLogKey({ file, type: 'ed25519', accept: ['ed25519'], generate: true });
    expect(exportPrivateKey(again, 'pem')).toBe(exportPrivateKey(first, 'pem'));
  });

  it('refuses a missing file when generation is off, and a key of a type the log does not sign with', async () => {
    await expect(loadLogKey({ file: path.join(dir, 'absent.pem'), type: 'ecdsa-p256', accept: ['ecdsa-p256'], generate: false })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    const file = path.join(dir, 'p384.pem');
    writeFileSync(file, exportPrivateKey((await generateKeyPair('ecdsa-p384')).privateKey, 'pem'));
    await expect(loadLogKey({ file, type: 'ecdsa-p256', accept: ['ecdsa-p256'], generate: true })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('ecdsa-p384'),
    });
  });
});
