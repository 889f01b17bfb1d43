import { Metadata, Signature } from '@tufjs/models';
import type { Key, MetadataKind, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import { canonicalJson } from './canonical-json.js';
import { ScaffoldingError } from './error.js';
import type { TufSigner } from './signer.js';

export type AnyMetadata = Metadata<Root> | Metadata<Timestamp> | Metadata<Snapshot> | Metadata<Targets>;
type Json = Record<string, unknown>;

export const SPEC_VERSION = '1.0';
export const TOP_LEVEL_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type TopLevelRole = (typeof TOP_LEVEL_ROLES)[number];

/** TUF expiry timestamps are whole seconds in UTC ("2026-08-28T19:25:56Z"). */
export function formatExpires(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new ScaffoldingError('INVALID_ARGUMENT', 'invalid date');
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function addDays(now: Date, days: number): Date {
  return new Date(now.getTime() + days * 86_400_000);
}

/** Parses metadata of a known kind, strictly enough that a wrong `_type` is an error. */
export function parseMetadata(kind: MetadataKind.Root, bytes: Uint8Array | string): Metadata<Root>;
export function parseMetadata(kind: MetadataKind.Timestamp, bytes: Uint8Array | string): Metadata<Timestamp>;
export function parseMetadata(kind: MetadataKind.Snapshot, bytes: Uint8Array | string): Metadata<Snapshot>;
export function parseMetadata(kind: MetadataKind.Targets, bytes: Uint8Array | string): Metadata<Targets>;
export function parseMetadata(kind: MetadataKind, bytes: Uint8Array | string): AnyMetadata {
  try {
    const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads of fromJSON narrow by kind
    return Metadata.fromJSON(kind as any, JSON.parse(text)) as AnyMetadata;
  } catch (cause) {
    throw new ScaffoldingError('INVALID_METADATA', `${kind} metadata does not parse: ${(cause as Error).message}`, { cause });
  }
}

/** Builds metadata from the JSON of its `signed` part (validated by @tufjs/models). */
export function newMetadata(kind: MetadataKind.Root, signed: Json): Metadata<Root>;
export function newMetadata(kind: MetadataKind.Timestamp, signed: Json): Metadata<Timestamp>;
export function newMetadata(kind: MetadataKind.Snapshot, signed: Json): Metadata<Snapshot>;
export function newMetadata(kind: MetadataKind.Targets, signed: Json): Metadata<Targets>;
export function newMetadata(kind: MetadataKind, signed: Json): AnyMetadata {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see parseMetadata
  return Metadata.fromJSON(kind as any, { signed: { _type: kind, spec_version: SPEC_VERSION, ...signed }, signatures: [] } as any) as AnyMetadata;
}

/** The exact bytes every TUF client verifies a signature over. */
export function signedBytes(metadata: AnyMetadata): Uint8Array {
  return Buffer.from(canonicalJson(metadata.signed.toJSON()), 'utf8');
}

/** Adds (or replaces) one signature per signer. Signers are asynchronous: a KMS may answer later. */
export async function signMetadata(metadata: AnyMetadata, signers: readonly TufSigner[]): Promise<void> {
  const bytes = signedBytes(metadata);
  for (const signer of signers) {
    const sig = await signer.sign(bytes);
    metadata.signatures[signer.key.keyID] = new Signature({ keyID: signer.key.keyID, sig: Buffer.from(sig).toString('hex') });
  }
}

/** The key ids (among `keys`) whose signature on `metadata` verifies. Empty `sig`s count for nothing. */
export function validSigners(metadata: AnyMetadata, keys: readonly Key[]): string[] {
  const valid: string[] = [];
  for (const key of keys) {
    try {
      key.verifySignature(metadata);
      valid.push(key.keyID);
    } catch {
      // missing, empty or wrong signature: not a vote
    }
  }
  return valid;
}

/** The keys and threshold a root gives a top-level role. */
export function roleKeys(root: Root, role: TopLevelRole): { keys: Key[]; threshold: number } {
  const entry = root.roles[role];
  if (entry === undefined) throw new ScaffoldingError('INVALID_METADATA', `root has no ${role} role`);
  const keys = entry.keyIDs.map((id) => {
    const key = root.keys[id];
    if (key === undefined) throw new ScaffoldingError('INVALID_METADATA', `root lists key ${id} for ${role} without the key`);
    return key;
  });
  return { keys, threshold: entry.threshold };
}

/** Throws THRESHOLD_NOT_MET unless `metadata` carries `threshold` valid signatures for `role` of `root`. */
export function assertThreshold(root: Root, role: TopLevelRole, metadata: AnyMetadata, what: string): void {
  const { keys, threshold } = roleKeys(root, role);
  const valid = validSigners(metadata, keys);
  if (valid.length < threshold) {
    throw new ScaffoldingError('THRESHOLD_NOT_MET', `${what} has ${valid.length} of the ${threshold} ${role} signatures it needs`);
  }
}

/** The signers among `signers` whose key the root lists for `role` (KEY_NOT_IN_ROLE if none). */
export function signersForRole(root: Root, role: TopLevelRole, signers: readonly TufSigner[]): TufSigner[] {
  const ids = new Set(root.roles[role]?.keyIDs ?? []);
  const usable = signers.filter((s) => ids.has(s.key.keyID));
  if (usable.length === 0) throw new ScaffoldingError('KEY_NOT_IN_ROLE', `none of the given keys is a ${role} key of root v${root.version}`);
  return usable;
}

/** Metadata as written to disk: one-space indent as sigstore/root-signing writes, final newline. */
export function metadataText(metadata: AnyMetadata): string {
  return `${JSON.stringify(metadata.toJSON(), null, 1)}\n`;
}
