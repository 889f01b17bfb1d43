// @sigstack/scaffolding: the TUF repository of a deployment (trusted_root.json and
// signing_config.v0.2.json as targets), its key ceremony, rotation and refresh, and a
// tuf-js client to check it. The `sigstack-tuf` CLI (cli.ts) is a thin layer over this.
export { ScaffoldingError } from './error.js';
export type { ScaffoldingErrorCode } from './error.js';

export { canonicalJson } from './canonical-json.js';
export { fileSigner, privateKeySigner, publicKeyOfTufKey, tufKey } from './signer.js';
export type { TufSigner } from './signer.js';
export { generateKeyFile } from './keys.js';
export type { GenerateKeyFileOptions, GeneratedKey, TufKeyType } from './keys.js';

export { DEFAULT_EXPIRY, checkExpiryPolicy, parseExpiryPolicy } from './policy.js';
export type { ExpiryPolicy } from './policy.js';
export { hasRepository, readRepository, readRootVersion } from './repository.js';
export type { RepositoryState } from './repository.js';

export { initRepository } from './init.js';
export type { InitOptions } from './init.js';
export { proposalStatus, proposeRoot, publishRoot, signRootProposal, updateTargets } from './ops.js';
export type { ProposeRootOptions, PublishOptions, RoleSpec, UpdateTargetsOptions } from './ops.js';
export { formatRefreshLine, refreshRepository } from './refresh.js';
export type { RefreshOptions, RefreshResult, RoleExpiry } from './refresh.js';

export { gatherTrustMaterial, noteKeyId } from './gather.js';
export type { DeploymentSpec, FetchLike, GatherOptions, TrustMaterial } from './gather.js';
export { mergeSigningConfig, mergeTrustedRoot, rotationWindows } from './trust-merge.js';
export {
  SIGNING_CONFIG_TARGET,
  TRUSTED_ROOT_TARGET,
  parseTrustFiles,
  publishTrustMaterial,
  publishedTrustMaterial,
  trustTargetFiles,
} from './trust-targets.js';
export type { PublishTrustOptions } from './trust-targets.js';

export { expiringRoles, formatVerifyReport, verifyRepository } from './client.js';
export type { VerifiedTarget, VerifyOptions, VerifyReport } from './client.js';
export { FolderFetcher } from './folder-fetcher.js';
export type { FolderLayout } from './folder-fetcher.js';
export { serveRepository } from './serve.js';
export type { RunningServer, ServeOptions } from './serve.js';
export { runCli } from './cli-run.js';
export type { CliIo } from './cli-run.js';
