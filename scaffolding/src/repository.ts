import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MetadataKind, TargetFile } from '@tufjs/models';
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import { ScaffoldingError } from './error.js';
import type { AnyMetadata } from './metadata.js';
import { metadataText, parseMetadata } from './metadata.js';

// The published repository is exactly what clients fetch (sigstore-js, tuf-js, cosign,
// tuf-repo-cdn.sigstore.dev): consistent snapshots, so every metadata file but the
// timestamp carries its version and every target its hash.
//
//   N.root.json        every root ever published (clients walk the chain 1 -> N)
//   root.json          the newest root, for bootstrapping by hand
//   timestamp.json     the only unversioned file a client fetches
//   N.snapshot.json    N.targets.json
//   targets/<sha256>.<name>

/** The current state of a repository folder, all of it read and parsed. */
export interface RepositoryState {
  readonly dir: string;
  readonly root: Metadata<Root>;
  readonly timestamp: Metadata<Timestamp> | undefined;
  readonly snapshot: Metadata<Snapshot> | undefined;
  readonly targets: Metadata<Targets> | undefined;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function targetFileName(name: string, bytes: Uint8Array): string {
  return path.posix.join('targets', `${sha256Hex(bytes)}.${name}`);
}

export function hasRepository(dir: string): boolean {
  return existsSync(path.join(dir, 'root.json'));
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads the newest root and the metadata the timestamp points at (no signature checks). */
export async function readRepository(dir: string): Promise<RepositoryState> {
  const rootBytes = await readOptional(path.join(dir, 'root.json'));
  if (rootBytes === undefined) throw new ScaffoldingError('REPOSITORY_NOT_FOUND', `no TUF repository in ${dir} (root.json missing)`);
  const root = parseMetadata(MetadataKind.Root, rootBytes);
  const timestampBytes = await readOptional(path.join(dir, 'timestamp.json'));
  if (timestampBytes === undefined) return { dir, root, timestamp: undefined, snapshot: undefined, targets: undefined };
  const timestamp = parseMetadata(MetadataKind.Timestamp, timestampBytes);
  const snapshot = parseMetadata(MetadataKind.Snapshot, await readRequired(dir, `${timestamp.signed.snapshotMeta.version}.snapshot.json`));
  const targetsMeta = snapshot.signed.meta['targets.json'];
  if (targetsMeta === undefined) throw new ScaffoldingError('INVALID_METADATA', 'snapshot does not list targets.json');
  const targets = parseMetadata(MetadataKind.Targets, await readRequired(dir, `${targetsMeta.version}.targets.json`));
  return { dir, root, timestamp, snapshot, targets };
}

async function readRequired(dir: string, name: string): Promise<Buffer> {
  const bytes = await readOptional(path.join(dir, name));
  if (bytes === undefined) throw new ScaffoldingError('INVALID_METADATA', `${name} is missing from ${dir}`);
  return bytes;
}

/** A root version from the chain (N.root.json). */
export async function readRootVersion(dir: string, version: number): Promise<Metadata<Root>> {
  return parseMetadata(MetadataKind.Root, await readRequired(dir, `${version}.root.json`));
}

/** The bytes of a published target, checked against the targets metadata. */
export async function readTarget(dir: string, targets: Metadata<Targets>, name: string): Promise<Buffer | undefined> {
  const info = targets.signed.targets[name];
  if (info === undefined) return undefined;
  const hash = info.hashes['sha256'];
  if (hash === undefined) throw new ScaffoldingError('INVALID_METADATA', `target ${name} has no sha256`);
  const bytes = await readRequired(dir, path.join('targets', `${hash}.${name}`));
  if (sha256Hex(bytes) !== hash || bytes.length !== info.length) {
    throw new ScaffoldingError('INVALID_METADATA', `target ${name} on disk does not match its metadata`);
  }
  return bytes;
}

export function targetInfo(name: string, bytes: Uint8Array): TargetFile {
  return new TargetFile({ path: name, length: bytes.length, hashes: { sha256: sha256Hex(bytes) } });
}

/** Writes a file so that a reader sees the old or the new content, never a torn one. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * What one publication adds. Written in the order a client reads backwards: targets
 * files, targets, snapshot, root, and the timestamp last, so a crash at any step leaves
 * the previous timestamp pointing at a complete older snapshot; nothing a client can
 * reach is ever missing. Files are versioned, so nothing already published is overwritten.
 */
export interface Publication {
  readonly targetFiles?: ReadonlyMap<string, Uint8Array>;
  readonly targets?: Metadata<Targets>;
  readonly snapshot?: Metadata<Snapshot>;
  readonly root?: Metadata<Root>;
  readonly timestamp?: Metadata<Timestamp>;
}

export async function publish(dir: string, publication: Publication): Promise<void> {
  for (const [name, bytes] of publication.targetFiles ?? []) await writeAtomic(path.join(dir, targetFileName(name, bytes)), bytes);
  const versioned = async (metadata: AnyMetadata, role: string) => {
    const file = path.join(dir, `${metadata.signed.version}.${role}.json`);
    if (existsSync(file)) throw new ScaffoldingError('INVALID_METADATA', `${path.basename(file)} is already published`);
    await writeAtomic(file, metadataText(metadata));
  };
  if (publication.targets) await versioned(publication.targets, 'targets');
  if (publication.snapshot) await versioned(publication.snapshot, 'snapshot');
  if (publication.root) {
    await versioned(publication.root, 'root');
    await writeAtomic(path.join(dir, 'root.json'), metadataText(publication.root));
  }
  if (publication.timestamp) await writeAtomic(path.join(dir, 'timestamp.json'), metadataText(publication.timestamp));
}

/** The length and hashes a snapshot or timestamp records for a metadata file. */
export function metaFileFor(metadata: AnyMetadata): { version: number; length: number; hashes: { sha256: string } } {
  const bytes = Buffer.from(metadataText(metadata), 'utf8');
  return { version: metadata.signed.version, length: bytes.length, hashes: { sha256: sha256Hex(bytes) } };
}
