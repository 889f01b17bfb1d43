// The TUF client side of trust: `initialize` bootstraps a mirror, later commands refresh it
// (tuf-js, through @sigstack/scaffolding's verifyRepository). Without `initialize` the public
// Sigstore mirror and its embedded root are used.
import { existsSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ScaffoldingError, verifyRepository } from '@sigstack/scaffolding';
import { parseSigningConfig, parseTrustedRoot } from '@sigstack/trust';
import type { SigningConfig, TrustedRoot } from '@sigstack/trust';
import { PUBLIC_GOOD_MIRROR, PUBLIC_GOOD_TUF_ROOT } from '../embedded/public-good-root.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { mirrorCacheDir, remoteFile } from './config-dir.js';

export interface TufTrust {
  readonly mirror: string;
  readonly trustedRoot: TrustedRoot | undefined;
  readonly signingConfig: SigningConfig | undefined;
}

interface Remote {
  mirror: string;
}

function trustError(mirror: string, cause: unknown): CliError {
  const code = cause instanceof ScaffoldingError ? `${cause.code}: ` : '';
  return new CliError('TRUST', `TUF repository ${mirror}: ${code}${(cause as Error).message}`, { cause });
}

/** The mirror `initialize` chose, else the public Sigstore one. */
export function currentMirror(io: CliIo): { mirror: string; initialRoot: Uint8Array } {
  const file = remoteFile(io);
  if (existsSync(file)) {
    try {
      const remote = JSON.parse(readFileSync(file, 'utf8')) as Remote;
      const dir = mirrorCacheDir(io, remote.mirror);
      return { mirror: remote.mirror, initialRoot: readFileSync(path.join(dir, 'root.json')) };
    } catch (cause) {
      throw new CliError('TRUST', `the TUF cache under ${path.dirname(file)} is damaged; run initialize again (${(cause as Error).message})`, { cause });
    }
  }
  return { mirror: PUBLIC_GOOD_MIRROR, initialRoot: Buffer.from(PUBLIC_GOOD_TUF_ROOT, 'utf8') };
}

/** Bootstraps trust from `mirror` starting at `root`; replaces any earlier cache of that mirror. */
export async function initializeTuf(io: CliIo, mirror: string, root: Uint8Array): Promise<TufTrust> {
  const dir = mirrorCacheDir(io, mirror);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let trust: TufTrust;
  try {
    const report = await verifyRepository({ repository: mirror, initialRoot: root, cacheDir: dir, at: io.now() });
    trust = { mirror, trustedRoot: report.trustedRoot, signingConfig: report.signingConfig };
  } catch (cause) {
    rmSync(dir, { recursive: true, force: true });
    throw trustError(mirror, cause);
  }
  writeFileSync(remoteFile(io), `${JSON.stringify({ mirror } satisfies Remote)}\n`);
  return trust;
}

/**
 * The current trust material: refreshed from the mirror (tuf-js checks signatures, versions
 * and expiry), or with `offline` read from the last verified copy in the cache.
 */
export async function tufTrust(io: CliIo, offline: boolean): Promise<TufTrust> {
  const { mirror, initialRoot } = currentMirror(io);
  const dir = mirrorCacheDir(io, mirror);
  if (offline) {
    const read = (name: string) => {
      const file = path.join(dir, 'targets', encodeURIComponent(name));
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    };
    const root = read('trusted_root.json');
    if (root === undefined) {
      throw new CliError('TRUST', `offline and no cached trusted root for ${mirror}: pass --trusted-root FILE, or run initialize while online`);
    }
    const config = read('signing_config.v0.2.json');
    return { mirror, trustedRoot: parseTrustedRoot(root), signingConfig: config === undefined ? undefined : parseSigningConfig(config) };
  }
  mkdirSync(dir, { recursive: true });
  try {
    const report = await verifyRepository({ repository: mirror, initialRoot, cacheDir: dir, at: io.now() });
    return { mirror, trustedRoot: report.trustedRoot, signingConfig: report.signingConfig };
  } catch (cause) {
    throw trustError(mirror, cause);
  }
}
