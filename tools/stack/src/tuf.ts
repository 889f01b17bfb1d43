// The stack's TUF repository, made by scaffolding/ from the keys of the running services.
// The working folder has the layout of `sigstack-tuf init` (keys/root-1.key, targets.key,
// online.key, sigstack-tuf.json, repository/), so the sigstack-tuf CLI works on it too.
//
// First start: keys, then root v1 with the gathered trust material. Every later start:
// re-sign timestamp and snapshot when due (online key), and publish new targets only when
// what the services serve differs from what is published (a changed port, a rotated key);
// otherwise nothing changes, so clients initialised earlier keep the same root.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DEFAULT_EXPIRY,
  fileSigner,
  gatherTrustMaterial,
  generateKeyFile,
  hasRepository,
  initRepository,
  mergeTrustedRoot,
  publishTrustMaterial,
  publishedTrustMaterial,
  refreshRepository,
  rotationWindows,
  ScaffoldingError,
  trustTargetFiles,
} from '@sigstack/scaffolding';
import type { DeploymentSpec, ExpiryPolicy, TrustMaterial, TufSigner } from '@sigstack/scaffolding';
import { exportPublicKey, importPublicKey } from '@sigstack/crypto';
import { serializeSigningConfig, serializeTrustedRoot } from '@sigstack/trust';
import type { SigningConfig, TransparencyLogInstance } from '@sigstack/trust';
import { StackError } from './errors.js';
import type { RotatedKeys } from './log-keys.js';
import type { OpenedState } from './state.js';
import { writeAtomic } from './state.js';

export interface TufResult {
  /** root.json of the repository (the newest root; on a fresh repository also 1.root.json). */
  readonly rootFile: string;
  readonly rootVersion: number;
  /** What happened, for the progress line. */
  readonly action: 'created' | 'published' | 'unchanged';
}

const KEY_NAMES = ['root-1', 'targets', 'online'] as const;

function tufError(what: string, cause: unknown): StackError {
  if (cause instanceof StackError) return cause;
  const code = cause instanceof ScaffoldingError ? `${cause.code}: ` : '';
  const badState = cause instanceof ScaffoldingError && ['KEY_FILE', 'INVALID_METADATA'].includes(cause.code);
  return new StackError(badState ? 'BAD_STATE' : 'TUF_FAILED', `${what}: ${code}${(cause as Error).message}`, { cause });
}

async function signer(state: OpenedState, name: (typeof KEY_NAMES)[number]): Promise<TufSigner> {
  return fileSigner(path.join(state.layout.tuf, 'keys', `${name}.key`), state.password);
}

async function expiryPolicy(dir: string): Promise<ExpiryPolicy> {
  const file = path.join(dir, 'sigstack-tuf.json');
  if (!existsSync(file)) {
    await writeFile(file, `${JSON.stringify({ expiry: DEFAULT_EXPIRY }, null, 2)}\n`);
    return DEFAULT_EXPIRY;
  }
  return (JSON.parse(await readFile(file, 'utf8')) as { expiry: ExpiryPolicy }).expiry;
}

/** The signing config without its validity windows, which a fresh gather always sets to now. */
function comparableSigningConfig(config: SigningConfig | undefined): string {
  if (config === undefined) return '';
  const strip = (services: SigningConfig['caUrls']) => services.map((s) => `${s.url} v${s.majorApiVersion} ${s.operator}`).join(',');
  return [strip(config.caUrls), strip(config.oidcUrls), strip(config.rekorTlogUrls), strip(config.tsaUrls)].join(' | ');
}

export async function ensureRepository(state: OpenedState, spec: DeploymentSpec, now = new Date()): Promise<TufResult> {
  const dir = state.layout.tuf;
  const repo = state.layout.repository;
  try {
    const expiry = await expiryPolicy(dir);
    let material: TrustMaterial;
    try {
      material = await gatherTrustMaterial(spec, { now });
    } catch (cause) {
      throw tufError('gathering the trust material from the running services failed', cause);
    }
    let action: TufResult['action'];
    if (!hasRepository(repo)) {
      if (!state.fresh) throw new StackError('BAD_STATE', `${repo} has no root.json, but this state folder already published one; delete ${state.layout.dir} to start over`);
      const keysDir = path.join(dir, 'keys');
      const signers: Partial<Record<(typeof KEY_NAMES)[number], TufSigner>> = {};
      for (const name of KEY_NAMES) {
        const file = path.join(keysDir, `${name}.key`);
        // A first start interrupted after the keys were made reuses them.
        signers[name] = existsSync(file)
          ? await signer(state, name)
          : (await generateKeyFile({ dir: keysDir, name, password: state.password, type: 'ecdsa-p256', scryptN: 32768 })).signer;
      }
      await initRepository({
        dir: repo,
        rootSigners: [signers['root-1'] as TufSigner],
        rootThreshold: 1,
        targetsSigners: [signers.targets as TufSigner],
        onlineSigners: [signers.online as TufSigner],
        expiry,
        now,
        targetFiles: trustTargetFiles(material),
      });
      action = 'created';
    } else {
      const online = await signer(state, 'online');
      const published = await publishedTrustMaterial(repo);
      const merged = mergeTrustedRoot(published.trustedRoot, material.trustedRoot, now);
      const rootChanged = published.trustedRoot === undefined || serializeTrustedRoot(merged) !== serializeTrustedRoot(published.trustedRoot);
      const configChanged = comparableSigningConfig(published.signingConfig) !== comparableSigningConfig(material.signingConfig);
      if (rootChanged || configChanged) {
        await publishTrustMaterial({ dir: repo, expiry, now, material, targetsSigners: [await signer(state, 'targets')], onlineSigners: [online] });
        action = 'published';
      } else {
        await refreshRepository({ dir: repo, onlineSigners: [online], expiry, now });
        action = 'unchanged';
      }
    }
    // Plain copies of the targets, for clients and scripts that take files (--trusted-root).
    const current = await publishedTrustMaterial(repo);
    if (current.trustedRoot) await writeAtomic(state.layout.trustedRoot, serializeTrustedRoot(current.trustedRoot));
    if (current.signingConfig) await writeAtomic(state.layout.signingConfig, serializeSigningConfig(current.signingConfig));
    const rootFile = path.join(repo, 'root.json');
    const rootVersion = (JSON.parse(await readFile(rootFile, 'utf8')) as { signed: { version: number } }).signed.version;
    return { rootFile, rootVersion, action };
  } catch (cause) {
    throw tufError('the TUF repository', cause);
  }
}

/** Re-signs timestamp and snapshot when due (the periodic refresh of a running stack). */
export async function refreshTuf(state: OpenedState, now = new Date()): Promise<void> {
  const expiry = await expiryPolicy(state.layout.tuf);
  await refreshRepository({ dir: state.layout.repository, onlineSigners: [await signer(state, 'online')], expiry, now });
}

export interface RotatedLog {
  readonly log: 'v1' | 'v2';
  readonly baseUrl: string;
  /** Hex log IDs (logId.keyId) before and after. */
  readonly previousLogId: string;
  readonly logId: string;
}

export interface PublishedRotation {
  readonly at: Date;
  readonly logs: readonly RotatedLog[];
  readonly targetsVersion: number;
  readonly timestampVersion: number;
  readonly trustedRootFile: string;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * Publishes rotated Rekor keys: a trusted_root.json where each log's previous key ends at
 * the rotation and the new key starts then (rotationWindows), as new targets, snapshot and
 * timestamp, so clients pick it up at their next refresh. The logs keep the base URLs the
 * published trusted root gives them.
 */
export async function publishRekorRotation(state: OpenedState, rotated: RotatedKeys, v2Origin: string, now = new Date()): Promise<PublishedRotation> {
  const repo = state.layout.repository;
  try {
    const published = (await publishedTrustMaterial(repo)).trustedRoot;
    const der = (pem: string) => Buffer.from(exportPublicKey(importPublicKey(pem), 'der'));
    const find = (log: 'v1' | 'v2'): TransparencyLogInstance => {
      const previous = der(rotated[log].previous);
      const found = published?.tlogs.find((t) => t.publicKey.validFor.end === undefined && Buffer.from(t.publicKey.rawBytes).equals(previous));
      if (found === undefined) throw new StackError('BAD_STATE', `the published trusted root does not list Rekor's current ${log} key as valid; was the state folder changed by hand?`);
      return found;
    };
    const v1 = find('v1');
    const v2 = find('v2');
    const { start } = rotationWindows(rotated.at);
    const material = await gatherTrustMaterial(
      {
        rekor: [{ url: v1.baseUrl, publicKeyPem: rotated.v1.current }],
        rekorV2: [{ url: v2.baseUrl, publicKeyPem: rotated.v2.current, origin: v2Origin }],
        operator: v1.operator,
        validFrom: start,
      },
      { now: rotated.at },
    );
    const repository = await publishTrustMaterial({
      dir: repo,
      expiry: await expiryPolicy(state.layout.tuf),
      now,
      material: { trustedRoot: material.trustedRoot },
      rotatedAt: rotated.at,
      targetsSigners: [await signer(state, 'targets')],
      onlineSigners: [await signer(state, 'online')],
    });
    const current = await publishedTrustMaterial(repo);
    if (current.trustedRoot) await writeAtomic(state.layout.trustedRoot, serializeTrustedRoot(current.trustedRoot));
    const [newV1, newV2] = material.trustedRoot.tlogs as [TransparencyLogInstance, TransparencyLogInstance];
    return {
      at: rotated.at,
      logs: [
        { log: 'v1', baseUrl: v1.baseUrl, previousLogId: hex(v1.logId.keyId), logId: hex(newV1.logId.keyId) },
        { log: 'v2', baseUrl: v2.baseUrl, previousLogId: hex(v2.logId.keyId), logId: hex(newV2.logId.keyId) },
      ],
      targetsVersion: repository.targets?.signed.version ?? 0,
      timestampVersion: repository.timestamp?.signed.version ?? 0,
      trustedRootFile: state.layout.trustedRoot,
    };
  } catch (cause) {
    throw tufError('publishing the rotated Rekor keys', cause);
  }
}
