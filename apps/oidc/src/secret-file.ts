import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Secret } from '@sigstack/server';

/**
 * The workload secret when WORKLOAD_SECRET is not set: DATA_DIR/workload-secret, made on
 * first start (mode 0600) and reused after, so scripts on this machine can read it.
 */
export async function workloadSecretFile(dir: string): Promise<{ secret: Secret; path: string; created: boolean }> {
  const path = join(dir, 'workload-secret');
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (text.length >= 16) return { secret: new Secret(text), path, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const value = randomBytes(24).toString('base64url');
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  return { secret: new Secret(value), path, created: true };
}
