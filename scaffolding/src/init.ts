import { ScaffoldingError } from './error.js';
import { proposeRoot, publishRoot, signRootProposal } from './ops.js';
import type { ExpiryPolicy } from './policy.js';
import { hasRepository } from './repository.js';
import type { RepositoryState } from './repository.js';
import type { TufSigner } from './signer.js';

export interface InitOptions {
  readonly dir: string;
  readonly rootSigners: readonly TufSigner[];
  readonly rootThreshold: number;
  readonly targetsSigners: readonly TufSigner[];
  readonly targetsThreshold?: number;
  /** Signs snapshot and timestamp (one online key for both, as Sigstore runs it). */
  readonly onlineSigners: readonly TufSigner[];
  readonly expiry: ExpiryPolicy;
  readonly now: Date;
  /** The first targets (trusted_root.json, signing_config.v0.2.json). */
  readonly targetFiles: ReadonlyMap<string, Uint8Array>;
}

/**
 * Creates a repository in one step when every key is at hand (development, the local
 * stack): root v1 signed by every root key, then targets, snapshot and timestamp. An
 * existing repository is never replaced (REPOSITORY_EXISTS). Production ceremonies use
 * proposeRoot / signRootProposal / publishRoot, one key holder at a time.
 */
export async function initRepository(options: InitOptions): Promise<RepositoryState> {
  if (hasRepository(options.dir)) throw new ScaffoldingError('REPOSITORY_EXISTS', `${options.dir} already holds a TUF repository`);
  const online = { keys: options.onlineSigners.map((s) => s.key), threshold: options.onlineSigners.length };
  const proposal = await proposeRoot({
    dir: options.dir,
    roles: {
      root: { keys: options.rootSigners.map((s) => s.key), threshold: options.rootThreshold },
      targets: { keys: options.targetsSigners.map((s) => s.key), threshold: options.targetsThreshold ?? options.targetsSigners.length },
      snapshot: online,
      timestamp: online,
    },
    expiry: options.expiry,
    now: options.now,
  });
  for (const signer of options.rootSigners) await signRootProposal(proposal, signer);
  return publishRoot(proposal, {
    dir: options.dir,
    expiry: options.expiry,
    now: options.now,
    targetsSigners: options.targetsSigners,
    onlineSigners: options.onlineSigners,
    targetFiles: options.targetFiles,
  });
}
