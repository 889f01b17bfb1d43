import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '@sigstack/server';
import { keySigner } from '../src/signer.js';
import { generateDevIdentity } from '../src/identity.js';
import type { TsaIdentity } from '../src/identity.js';
import { tsaConfigSchema } from '../src/config.js';
import type { TsaConfig } from '../src/config.js';

export const run = promisify(execFile);

export function testConfig(env: Record<string, string> = {}): TsaConfig {
  return parseConfig(tsaConfigSchema, { env: { LOG_LEVEL: 'silent', ...env } });
}

const identities = new Map<string, Promise<TsaIdentity>>();

/** A generated root/intermediate/leaf identity, one per key type per test file. */
export function testIdentity(keyType: 'ecdsa-p256' | 'ecdsa-p384' = 'ecdsa-p256'): Promise<TsaIdentity> {
  let identity = identities.get(keyType);
  if (!identity) {
    identity = generateDevIdentity(keyType).then(({ key, chain }) => ({ signer: keySigner(key), chain }));
    identities.set(keyType, identity);
  }
  return identity;
}

/** A temporary folder, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tsa-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  await Promise.all(Object.entries(files).map(([name, data]) => writeFile(join(dir, name), data)));
}
