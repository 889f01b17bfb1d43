import { parseSigningConfig, parseTrustedRoot, serializeSigningConfig, serializeTrustedRoot } from '@sigstack/trust';
import type { SigningConfig, TrustedRoot } from '@sigstack/trust';
import { ScaffoldingError } from './error.js';
import type { TrustMaterial } from './gather.js';
import { currentTargetFiles, updateTargets } from './ops.js';
import type { PublishOptions } from './ops.js';
import { readRepository } from './repository.js';
import type { RepositoryState } from './repository.js';
import { mergeSigningConfig, mergeTrustedRoot } from './trust-merge.js';

/** The target names of the public Sigstore root, which every client looks for. */
export const TRUSTED_ROOT_TARGET = 'trusted_root.json';
export const SIGNING_CONFIG_TARGET = 'signing_config.v0.2.json';

/** The two targets' bytes for a trust material, written by @sigstack/trust (so they parse back). */
export function trustTargetFiles(material: Partial<TrustMaterial>): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  try {
    if (material.trustedRoot) files.set(TRUSTED_ROOT_TARGET, Buffer.from(serializeTrustedRoot(material.trustedRoot), 'utf8'));
    if (material.signingConfig) files.set(SIGNING_CONFIG_TARGET, Buffer.from(serializeSigningConfig(material.signingConfig), 'utf8'));
  } catch (cause) {
    throw new ScaffoldingError('INVALID_ARGUMENT', `trust material does not serialise: ${(cause as Error).message}`, { cause });
  }
  return files;
}

/** Reads trusted_root.json / signing_config.v0.2.json given as files, strictly. */
export function parseTrustFiles(files: { trustedRoot?: string; signingConfig?: string }): Partial<TrustMaterial> {
  try {
    return {
      ...(files.trustedRoot !== undefined ? { trustedRoot: parseTrustedRoot(files.trustedRoot) } : {}),
      ...(files.signingConfig !== undefined ? { signingConfig: parseSigningConfig(files.signingConfig) } : {}),
    };
  } catch (cause) {
    throw new ScaffoldingError('INVALID_ARGUMENT', `trust file does not parse: ${(cause as Error).message}`, { cause });
  }
}

/** The trust material the repository publishes now (either part may be absent). */
export async function publishedTrustMaterial(dir: string): Promise<{ trustedRoot?: TrustedRoot; signingConfig?: SigningConfig }> {
  const files = await currentTargetFiles(await readRepository(dir));
  const text = (name: string) => {
    const bytes = files.get(name);
    return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
  };
  const trustedRoot = text(TRUSTED_ROOT_TARGET);
  const signingConfig = text(SIGNING_CONFIG_TARGET);
  return parseTrustFiles({
    ...(trustedRoot !== undefined ? { trustedRoot } : {}),
    ...(signingConfig !== undefined ? { signingConfig } : {}),
  });
}

export interface PublishTrustOptions extends PublishOptions {
  readonly material: Partial<TrustMaterial>;
  /** Replace the published trust material instead of merging (history is then the caller's job). */
  readonly replace?: boolean;
  /**
   * When the services stopped using the keys this update replaces: the end of their windows
   * (default `now`). Give the new material `validFrom: rotationWindows(rotatedAt).start`.
   */
  readonly rotatedAt?: Date;
}

/**
 * Publishes new trust material as targets: merged into what is published (rotated keys
 * and CAs keep their history with an end to their window; see mergeTrustedRoot), then
 * a new targets, snapshot and timestamp.
 */
export async function publishTrustMaterial(options: PublishTrustOptions): Promise<RepositoryState> {
  const current = options.replace ? {} : await publishedTrustMaterial(options.dir);
  const trustedRoot = options.material.trustedRoot && (options.replace ? options.material.trustedRoot : mergeTrustedRoot(current.trustedRoot, options.material.trustedRoot, options.rotatedAt ?? options.now));
  const signingConfig = options.material.signingConfig && (options.replace ? options.material.signingConfig : mergeSigningConfig(current.signingConfig, options.material.signingConfig));
  return updateTargets({ ...options, set: trustTargetFiles({ ...(trustedRoot ? { trustedRoot } : {}), ...(signingConfig ? { signingConfig } : {}) }) });
}
