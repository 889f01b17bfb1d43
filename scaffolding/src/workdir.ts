import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ScaffoldingError } from './error.js';
import { checkExpiryPolicy, DEFAULT_EXPIRY } from './policy.js';
import type { ExpiryPolicy } from './policy.js';

// The CLI's working folder. Only repository/ is published; keys/ is where init puts
// generated keys (root keys then move to their holders' devices; see docs/trust-root.md).
//
//   <dir>/sigstack-tuf.json   settings: the expiry policy
//   <dir>/repository/         the TUF repository: serve or upload exactly this
//   <dir>/keys/               encrypted key files written by init
//   <dir>/ceremony/root.json  a proposed root collecting signatures

export const workdirPaths = (dir: string) => ({
  settings: path.join(dir, 'sigstack-tuf.json'),
  repository: path.join(dir, 'repository'),
  keys: path.join(dir, 'keys'),
  proposal: path.join(dir, 'ceremony', 'root.json'),
});

export interface Settings {
  readonly expiry: ExpiryPolicy;
}

export async function readSettings(dir: string): Promise<Settings> {
  const file = workdirPaths(dir).settings;
  if (!existsSync(file)) return { expiry: DEFAULT_EXPIRY };
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as { expiry?: unknown };
    return { expiry: checkExpiryPolicy(value.expiry) };
  } catch (cause) {
    if (cause instanceof ScaffoldingError) throw cause;
    throw new ScaffoldingError('INVALID_ARGUMENT', `${file} does not parse`, { cause });
  }
}

export async function writeSettings(dir: string, settings: Settings): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(workdirPaths(dir).settings, `${JSON.stringify(settings, null, 2)}\n`);
}
