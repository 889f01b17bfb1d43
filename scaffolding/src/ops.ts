import { MetadataKind } from '@tufjs/models';
import type { Key, Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import { ScaffoldingError } from './error.js';
import {
  addDays,
  assertThreshold,
  formatExpires,
  newMetadata,
  roleKeys,
  signersForRole,
  signMetadata,
  validSigners,
} from './metadata.js';
import type { TopLevelRole } from './metadata.js';
import type { ExpiryPolicy } from './policy.js';
import { hasRepository, metaFileFor, publish, readRepository, readTarget, targetInfo } from './repository.js';
import type { RepositoryState } from './repository.js';
import type { TufSigner } from './signer.js';

/** Keys and threshold of one top-level role. */
export interface RoleSpec {
  readonly keys: readonly Key[];
  readonly threshold: number;
}

export interface ProposeRootOptions {
  /** The repository folder; the proposal follows its newest root (or is version 1). */
  readonly dir: string;
  /** Roles to set; a role left out keeps its keys from the current root (all four are needed for v1). */
  readonly roles: Partial<Record<TopLevelRole, RoleSpec>>;
  readonly expiry: ExpiryPolicy;
  readonly now: Date;
}

/**
 * The next root, unsigned: the first step of a key ceremony. Each root key holder then
 * signs it with {@link signRootProposal} on their own device, and {@link publishRoot}
 * publishes it once the old and the new root thresholds are both met.
 */
export async function proposeRoot(options: ProposeRootOptions): Promise<Metadata<Root>> {
  const current = hasRepository(options.dir) ? (await readRepository(options.dir)).root.signed : undefined;
  const keys: Record<string, unknown> = {};
  const roles: Record<string, unknown> = {};
  for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
    const spec = options.roles[role] ?? (current ? roleKeys(current, role) : undefined);
    if (spec === undefined) throw new ScaffoldingError('INVALID_ARGUMENT', `the first root needs ${role} keys`);
    const ids = [...new Set(spec.keys.map((k) => k.keyID))];
    if (!Number.isSafeInteger(spec.threshold) || spec.threshold < 1 || spec.threshold > ids.length) {
      throw new ScaffoldingError('INVALID_ARGUMENT', `${role} threshold ${spec.threshold} needs 1..${ids.length} keys`);
    }
    for (const key of spec.keys) keys[key.keyID] = key.toJSON();
    roles[role] = { keyids: ids.sort(), threshold: spec.threshold };
  }
  return newMetadata(MetadataKind.Root, {
    version: (current?.version ?? 0) + 1,
    expires: formatExpires(addDays(options.now, options.expiry.root)),
    consistent_snapshot: true,
    keys,
    roles,
  });
}

/**
 * Adds one root key holder's signature to a proposed root. The key must be a root key of
 * the proposal or of the current root (a retiring key signs the handover too).
 */
export async function signRootProposal(proposal: Metadata<Root>, signer: TufSigner, currentRoot?: Root): Promise<void> {
  const ids = new Set([...(proposal.signed.roles['root']?.keyIDs ?? []), ...(currentRoot?.roles['root']?.keyIDs ?? [])]);
  if (!ids.has(signer.key.keyID)) {
    throw new ScaffoldingError('KEY_NOT_IN_ROLE', `key ${signer.key.keyID} is not a root key of the current or the proposed root`);
  }
  await signMetadata(proposal, [signer]);
}

/** Who has signed a proposal so far, against both thresholds. */
export function proposalStatus(proposal: Metadata<Root>, currentRoot?: Root): { newRoot: [number, number]; oldRoot?: [number, number] } {
  const mine = roleKeys(proposal.signed, 'root');
  const status: { newRoot: [number, number]; oldRoot?: [number, number] } = {
    newRoot: [validSigners(proposal, mine.keys).length, mine.threshold],
  };
  if (currentRoot) {
    const old = roleKeys(currentRoot, 'root');
    status.oldRoot = [validSigners(proposal, old.keys).length, old.threshold];
  }
  return status;
}

export interface PublishOptions {
  readonly dir: string;
  readonly expiry: ExpiryPolicy;
  readonly now: Date;
  /** Targets keys; needed when the targets metadata must be (re)signed. */
  readonly targetsSigners?: readonly TufSigner[];
  /** The online key(s) for snapshot and timestamp. */
  readonly onlineSigners?: readonly TufSigner[];
}

/**
 * Publishes a signed root proposal: it must be the next version, signed by the threshold
 * of the current root (so clients accept the rotation) and of itself. Targets are re-signed
 * when their keys changed, and snapshot and timestamp always, so clients that fetch the new
 * root find metadata signed by its keys. For version 1 it also creates the first targets
 * (with `targetFiles`), snapshot and timestamp.
 */
export async function publishRoot(
  proposal: Metadata<Root>,
  options: PublishOptions & { readonly targetFiles?: ReadonlyMap<string, Uint8Array> },
): Promise<RepositoryState> {
  const current = hasRepository(options.dir) ? await readRepository(options.dir) : undefined;
  const expected = (current?.root.signed.version ?? 0) + 1;
  if (proposal.signed.version !== expected) {
    throw new ScaffoldingError('INVALID_ARGUMENT', `the proposal is root v${proposal.signed.version}, the next version is ${expected}`);
  }
  if (!proposal.signed.consistentSnapshot) throw new ScaffoldingError('INVALID_ARGUMENT', 'roots must use consistent snapshots');
  if (proposal.signed.isExpired(options.now)) throw new ScaffoldingError('EXPIRED', `the proposed root expired at ${proposal.signed.expires}`);
  if (current) assertThreshold(current.root.signed, 'root', proposal, `root v${expected}`);
  assertThreshold(proposal.signed, 'root', proposal, `root v${expected}`);
  if (current === undefined && options.targetFiles === undefined) {
    throw new ScaffoldingError('INVALID_ARGUMENT', 'the first root is published with its targets (targetFiles)');
  }

  const root = proposal.signed;
  let targets = current?.targets;
  let targetFiles: Map<string, Uint8Array> | undefined;
  const sameKeys = (role: TopLevelRole) =>
    current !== undefined &&
    JSON.stringify(roleKeys(current.root.signed, role)) === JSON.stringify(roleKeys(root, role));
  if (targets === undefined || options.targetFiles !== undefined || !sameKeys('targets')) {
    targetFiles = options.targetFiles ? new Map(options.targetFiles) : await currentTargetFiles(current);
    targets = await signTargets(root, targetFiles, (targets?.signed.version ?? 0) + 1, options);
  }
  const { snapshot, timestamp } = await signSnapshotAndTimestamp(root, targets, current, options);
  await publish(options.dir, { targetFiles, targets: targetFiles ? targets : undefined, snapshot, root: proposal, timestamp });
  return readRepository(options.dir);
}

export interface UpdateTargetsOptions extends PublishOptions {
  /** Targets to add or replace, by name. */
  readonly set?: ReadonlyMap<string, Uint8Array>;
  /** Target names to remove. */
  readonly remove?: readonly string[];
}

/** A new targets version (added, replaced or removed targets; or only re-signed), then snapshot and timestamp. */
export async function updateTargets(options: UpdateTargetsOptions): Promise<RepositoryState> {
  const current = await readRepository(options.dir);
  const files = await currentTargetFiles(current);
  for (const name of options.remove ?? []) {
    if (!files.delete(name)) throw new ScaffoldingError('INVALID_ARGUMENT', `no target named ${name}`);
  }
  for (const [name, bytes] of options.set ?? []) files.set(checkTargetName(name), bytes);
  const root = current.root.signed;
  const targets = await signTargets(root, files, (current.targets?.signed.version ?? 0) + 1, options);
  const { snapshot, timestamp } = await signSnapshotAndTimestamp(root, targets, current, options);
  await publish(options.dir, { targetFiles: files, targets, snapshot, timestamp });
  return readRepository(options.dir);
}

/** The published targets, read back and checked against their metadata. */
export async function currentTargetFiles(state: RepositoryState | undefined): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  if (state?.targets === undefined) return files;
  for (const name of Object.keys(state.targets.signed.targets)) {
    const bytes = await readTarget(state.dir, state.targets, name);
    if (bytes !== undefined) files.set(name, bytes);
  }
  return files;
}

function checkTargetName(name: string): string {
  // Names become file names under targets/ and URL paths: keep them plain.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.length > 200) {
    throw new ScaffoldingError('INVALID_ARGUMENT', `bad target name ${JSON.stringify(name)}`);
  }
  return name;
}

async function signTargets(root: Root, files: ReadonlyMap<string, Uint8Array>, version: number, options: PublishOptions): Promise<Metadata<Targets>> {
  if (!options.targetsSigners?.length) throw new ScaffoldingError('INVALID_ARGUMENT', 'targets must be signed: no targets key given');
  const targets: Record<string, unknown> = {};
  for (const name of [...files.keys()].sort()) targets[checkTargetName(name)] = targetInfo(name, files.get(name) as Uint8Array).toJSON();
  const metadata = newMetadata(MetadataKind.Targets, {
    version,
    expires: formatExpires(addDays(options.now, options.expiry.targets)),
    targets,
  });
  await signMetadata(metadata, signersForRole(root, 'targets', options.targetsSigners));
  assertThreshold(root, 'targets', metadata, `targets v${version}`);
  return metadata;
}

async function signSnapshotAndTimestamp(
  root: Root,
  targets: Metadata<Targets>,
  current: RepositoryState | undefined,
  options: PublishOptions,
): Promise<{ snapshot: Metadata<Snapshot>; timestamp: Metadata<Timestamp> }> {
  if (!options.onlineSigners?.length) throw new ScaffoldingError('INVALID_ARGUMENT', 'snapshot and timestamp must be signed: no online key given');
  const snapshot = newMetadata(MetadataKind.Snapshot, {
    version: (current?.snapshot?.signed.version ?? 0) + 1,
    expires: formatExpires(addDays(options.now, options.expiry.snapshot)),
    meta: { 'targets.json': metaFileFor(targets) },
  });
  await signMetadata(snapshot, signersForRole(root, 'snapshot', options.onlineSigners));
  assertThreshold(root, 'snapshot', snapshot, 'snapshot');
  const timestamp = await signTimestamp(root, snapshot, current, options);
  return { snapshot, timestamp };
}

export async function signTimestamp(
  root: Root,
  snapshot: Metadata<Snapshot>,
  current: RepositoryState | undefined,
  options: PublishOptions,
): Promise<Metadata<Timestamp>> {
  const timestamp = newMetadata(MetadataKind.Timestamp, {
    version: (current?.timestamp?.signed.version ?? 0) + 1,
    expires: formatExpires(addDays(options.now, options.expiry.timestamp)),
    meta: { 'snapshot.json': metaFileFor(snapshot) },
  });
  await signMetadata(timestamp, signersForRole(root, 'timestamp', options.onlineSigners ?? []));
  assertThreshold(root, 'timestamp', timestamp, 'timestamp');
  return timestamp;
}
