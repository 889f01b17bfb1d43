import { X509Certificate, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PublicKeyDetails, ServiceSelector } from '@sigstore/protobuf-specs';
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import { Updater } from 'tuf-js';
import type { Fetcher } from 'tuf-js';
import { parseSigningConfig, parseTrustedRoot } from '@sigstack/trust';
import type { CertificateAuthority, SigningConfig, TransparencyLogInstance, TrustedRoot, ValidityWindow } from '@sigstack/trust';
import { ScaffoldingError } from './error.js';
import { FolderFetcher, localFolder } from './folder-fetcher.js';
import type { RoleExpiry } from './refresh.js';

export interface VerifyOptions {
  /** http(s) URL of the mirror, a file:// URL, or a folder (a copy of the published repository, or root-signing's layout). */
  readonly repository: string;
  /** The root the client starts from (root.json bytes), distributed out of band. */
  readonly initialRoot: Uint8Array;
  /** Where the client keeps its metadata between runs; a fresh temporary folder if unset. */
  readonly cacheDir?: string;
  /** The TUF reference time (client workflow 5.1); now if unset. */
  readonly at?: Date;
  /** Refuse any network URL: only folders and file:// mirrors. */
  readonly offline?: boolean;
  /** A tuf-js fetcher to use instead of the default (tests). */
  readonly fetcher?: Fetcher;
}

export interface VerifiedTarget {
  readonly name: string;
  readonly length: number;
  readonly sha256: string;
}

export interface VerifyReport {
  readonly repository: string;
  readonly at: Date;
  readonly roles: readonly RoleExpiry[];
  readonly targets: readonly VerifiedTarget[];
  readonly trustedRoot: TrustedRoot | undefined;
  readonly signingConfig: SigningConfig | undefined;
}

/** What tuf-js keeps private and this client reads: the verified metadata and its reference time. */
interface UpdaterInternals {
  trustedSet: {
    referenceTime: Date;
    root: Metadata<Root>;
    timestamp?: Metadata<Timestamp>;
    snapshot?: Metadata<Snapshot>;
    targets?: Metadata<Targets>;
  };
  loadTargets(role: string, parent: string): Promise<Metadata<Targets> | undefined>;
}

function internals(updater: Updater): UpdaterInternals {
  const inner = updater as unknown as UpdaterInternals;
  // Guard against a tuf-js that moved its internals: fail loudly, never verify at the wrong time.
  if (!(inner.trustedSet?.referenceTime instanceof Date) || typeof inner.loadTargets !== 'function') {
    throw new ScaffoldingError('VERIFY_FAILED', 'unsupported tuf-js version (internals changed)');
  }
  return inner;
}

/**
 * Acts as a TUF client (tuf-js's Updater, the client inside sigstore-js): starts from
 * `initialRoot`, walks the root chain, checks timestamp, snapshot, targets and delegated
 * targets, downloads every top-level target and checks its hash, then parses
 * trusted_root.json and signing_config.v0.2.json strictly. Any failure is a
 * ScaffoldingError: EXPIRED for expired metadata, VERIFY_FAILED otherwise.
 */
export async function verifyRepository(options: VerifyOptions): Promise<VerifyReport> {
  const folder = localFolder(options.repository);
  if (folder === undefined && options.offline) {
    throw new ScaffoldingError('OFFLINE', `offline: refusing the network mirror ${options.repository} (give a folder or file:// URL)`);
  }
  if (folder !== undefined && !existsSync(folder)) throw new ScaffoldingError('REPOSITORY_NOT_FOUND', `no such folder ${folder}`);
  const folderFetcher = folder === undefined ? undefined : new FolderFetcher(folder);
  const baseUrl = folderFetcher?.baseUrl ?? options.repository.replace(/\/+$/, '');
  const temporary = options.cacheDir === undefined ? await mkdtemp(path.join(tmpdir(), 'sigstack-tuf-')) : undefined;
  const cacheDir = options.cacheDir ?? (temporary as string);
  try {
    const targetDir = path.join(cacheDir, 'targets');
    await mkdir(targetDir, { recursive: true });
    if (!existsSync(path.join(cacheDir, 'root.json'))) await writeFile(path.join(cacheDir, 'root.json'), options.initialRoot);
    const updater = construct(() => new Updater({
      metadataDir: cacheDir,
      metadataBaseUrl: baseUrl,
      targetDir,
      targetBaseUrl: `${baseUrl}/targets`,
      fetcher: options.fetcher ?? folderFetcher,
      config: { fetchRetry: 0 },
    }));
    const inner = internals(updater);
    const at = options.at ?? inner.trustedSet.referenceTime;
    inner.trustedSet.referenceTime = at;

    await clientStep(() => updater.refresh());
    const set = inner.trustedSet;
    const roles: RoleExpiry[] = [];
    const add = (role: string, md: Metadata<Root | Timestamp | Snapshot | Targets> | undefined) => {
      if (md) roles.push({ role, version: md.signed.version, expires: new Date(md.signed.expires) });
    };
    add('root', set.root);
    add('timestamp', set.timestamp);
    add('snapshot', set.snapshot);
    add('targets', set.targets);
    for (const role of Object.keys(set.targets?.signed.delegations?.roles ?? {})) {
      add(role, await clientStep(() => inner.loadTargets(role, 'targets')));
    }

    const targets: VerifiedTarget[] = [];
    const contents = new Map<string, Buffer>();
    for (const [name, info] of Object.entries(set.targets?.signed.targets ?? {})) {
      // The cache may be shared with other clients running now (parallel commands under one
      // HOME). tuf-js copies a verified download over the path it is given, so each client
      // downloads to a file of its own, reads that, and renames it into the cache: others
      // see the old file or the new one, whole, never one being written.
      const file = path.join(targetDir, encodeURIComponent(name));
      const own = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await clientStep(() => updater.downloadTarget(info, own));
        contents.set(name, await readFile(own));
        await rename(own, file);
      } finally {
        await rm(own, { force: true });
      }
      targets.push({ name, length: info.length, sha256: info.hashes['sha256'] ?? '' });
    }
    const parse = <T>(name: string, parser: (text: string) => T): T | undefined => {
      const bytes = contents.get(name);
      if (bytes === undefined) return undefined;
      try {
        return parser(bytes.toString('utf8'));
      } catch (cause) {
        throw new ScaffoldingError('VERIFY_FAILED', `${name} is signed but does not parse: ${(cause as Error).message}`, { cause });
      }
    };
    return {
      repository: options.repository,
      at,
      roles,
      targets,
      trustedRoot: parse('trusted_root.json', parseTrustedRoot),
      signingConfig: parse('signing_config.v0.2.json', parseSigningConfig),
    };
  } finally {
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
  }
}

function construct<T>(make: () => T): T {
  try {
    return make();
  } catch (cause) {
    throw new ScaffoldingError('INVALID_METADATA', `the initial root is not usable: ${(cause as Error).message}`, { cause });
  }
}

async function clientStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (cause) {
    if (cause instanceof ScaffoldingError) throw cause;
    const message = (cause as Error).message ?? String(cause);
    // tuf-js wraps snapshot and targets errors in a RuntimeError carrying the message only.
    const expired = (cause as Error).constructor?.name === 'ExpiredMetadataError' || /expired/i.test(message);
    throw new ScaffoldingError(expired ? 'EXPIRED' : 'VERIFY_FAILED', message, { cause });
  }
}

/** The roles that expire at or before `at + days`. */
export function expiringRoles(report: VerifyReport, days: number): RoleExpiry[] {
  const limit = report.at.getTime() + days * 86_400_000;
  return report.roles.filter((r) => r.expires.getTime() <= limit);
}

// ---- the human-readable report ----

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const windowText = (w: ValidityWindow) => `valid ${iso(w.start)} .. ${w.end ? iso(w.end) : 'open'}`;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function logLines(kind: string, log: TransparencyLogInstance): string[] {
  const lines = [
    `  ${kind} ${log.baseUrl}`,
    `    key ${PublicKeyDetails[log.publicKey.keyDetails]} logId ${b64(log.logId.keyId)}${log.checkpointKeyId ? ` checkpointKeyId ${b64(log.checkpointKeyId.keyId)}` : ''}`,
    `    ${windowText(log.publicKey.validFor)}${log.operator ? ` operator ${log.operator}` : ''}`,
  ];
  return lines;
}

function authorityLines(kind: string, ca: CertificateAuthority): string[] {
  const name = [ca.subject.organization, ca.subject.commonName].filter(Boolean).join(' / ');
  const lines = [`  ${kind} ${ca.uri || '(no uri)'} ${name}`, `    ${windowText(ca.validFor)}${ca.operator ? ` operator ${ca.operator}` : ''}`];
  for (const cert of ca.certChain.certificates) {
    try {
      const x = new X509Certificate(cert.rawBytes);
      lines.push(`    cert ${x.subject.replace(/\n/g, ', ')} (not after ${iso(new Date(x.validTo))})`);
    } catch {
      lines.push('    cert (unparseable)');
    }
  }
  return lines;
}

/** The report as text: role expiries, every key, URL and window the client would trust. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`repository ${report.repository} verified at ${iso(report.at)}`, 'roles:'];
  for (const r of report.roles) lines.push(`  ${r.role} v${r.version} expires ${iso(r.expires)}`);
  lines.push('targets:');
  for (const t of report.targets) lines.push(`  ${t.name} ${t.length} bytes sha256:${t.sha256}`);
  const root = report.trustedRoot;
  if (root) {
    lines.push(`trusted_root.json (${root.mediaType}):`);
    for (const t of root.tlogs) lines.push(...logLines('tlog', t));
    for (const c of root.certificateAuthorities) lines.push(...authorityLines('ca', c));
    for (const t of root.ctlogs) lines.push(...logLines('ctlog', t));
    for (const c of root.timestampAuthorities) lines.push(...authorityLines('tsa', c));
  }
  const config = report.signingConfig;
  if (config) {
    lines.push(`signing_config.v0.2.json (${config.mediaType}):`);
    const services = [['ca', config.caUrls], ['oidc', config.oidcUrls], ['rekor', config.rekorTlogUrls], ['tsa', config.tsaUrls]] as const;
    for (const [kind, list] of services) {
      for (const s of list) lines.push(`  ${kind} ${s.url} v${s.majorApiVersion} ${windowText(s.validFor)}${s.operator ? ` operator ${s.operator}` : ''}`);
    }
    if (config.rekorTlogConfig) lines.push(`  rekor selector ${ServiceSelector[config.rekorTlogConfig.selector]}${config.rekorTlogConfig.count ? ` count ${config.rekorTlogConfig.count}` : ''}`);
    if (config.tsaConfig) lines.push(`  tsa selector ${ServiceSelector[config.tsaConfig.selector]}${config.tsaConfig.count ? ` count ${config.tsaConfig.count}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
