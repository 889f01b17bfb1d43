import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/** An RFC 3161 query from OpenSSL itself (the reference client), DER. */
export async function opensslQuery(dir: string, dataFile: string, args: readonly string[] = ['-sha256', '-cert']): Promise<Buffer> {
  const out = join(dir, `q-${Math.random().toString(36).slice(2)}.tsq`);
  await run('openssl', ['ts', '-query', '-data', dataFile, ...args, '-out', out]);
  return readFile(out);
}

/** `openssl ts -verify` of a reply against the data, trusting `root` and taking `untrusted` certificates. */
export async function opensslVerify(dir: string, reply: Uint8Array, dataFile: string, rootPem: string, untrustedPem?: string): Promise<{ ok: boolean; output: string }> {
  const tag = Math.random().toString(36).slice(2);
  const files: Record<string, string | Uint8Array> = { [`r-${tag}.tsr`]: reply, [`root-${tag}.pem`]: rootPem };
  if (untrustedPem) files[`u-${tag}.pem`] = untrustedPem;
  await writeFiles(dir, files);
  const args = ['ts', '-verify', '-data', dataFile, '-in', join(dir, `r-${tag}.tsr`), '-CAfile', join(dir, `root-${tag}.pem`)];
  if (untrustedPem) args.push('-untrusted', join(dir, `u-${tag}.pem`));
  try {
    const { stdout, stderr } = await run('openssl', args);
    return { ok: /Verification: OK/.test(stdout), output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The reply as OpenSSL prints it (`openssl ts -reply -text`). */
export async function opensslText(dir: string, reply: Uint8Array): Promise<string> {
  const file = join(dir, `t-${Math.random().toString(36).slice(2)}.tsr`);
  await writeFile(file, reply);
  const { stdout } = await run('openssl', ['ts', '-reply', '-in', file, '-text']);
  return stdout;
}
