import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { MetadataKind } from '@tufjs/models';
import { importPublicKey } from '@sigstack/crypto';
import { expiringRoles, formatVerifyReport, verifyRepository } from './client.js';
import { ScaffoldingError } from './error.js';
import { gatherTrustMaterial } from './gather.js';
import type { DeploymentSpec, FetchLike } from './gather.js';
import { initRepository } from './init.js';
import { generateKeyFile } from './keys.js';
import type { TufKeyType } from './keys.js';
import { metadataText, parseMetadata } from './metadata.js';
import { proposalStatus, proposeRoot, publishRoot, signRootProposal, updateTargets } from './ops.js';
import type { RoleSpec } from './ops.js';
import { passwordSource } from './password.js';
import { parseExpiryPolicy } from './policy.js';
import { formatRefreshLine, refreshRepository } from './refresh.js';
import { hasRepository, readRepository, writeAtomic } from './repository.js';
import { serveRepository } from './serve.js';
import type { RunningServer } from './serve.js';
import { fileSigner, tufKey } from './signer.js';
import type { TufSigner } from './signer.js';
import { rotationWindows } from './trust-merge.js';
import { parseTrustFiles, publishTrustMaterial, trustTargetFiles } from './trust-targets.js';
import { readSettings, workdirPaths, writeSettings } from './workdir.js';

/** What the CLI touches of the outside world; injected so tests run it in-process. */
export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin?: NodeJS.ReadStream;
  readonly fetch?: FetchLike;
  readonly now?: () => Date;
  /** Called with the running server by `serve` (tests stop it; the CLI waits for a signal). */
  readonly onServe?: (server: RunningServer) => Promise<void>;
}

/** Exit codes: 0 ok, 1 error (one line on stderr), 2 a warning monitoring should see. */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_WARN = 2;

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  run(values: Values, io: CliIo, positionals: string[]): Promise<number>;
}

const DIR: Options = { dir: { type: 'string', short: 'd' } };
const PASSWORD: Options = { 'password-env': { type: 'string' } };
const MATERIAL: Options = {
  fulcio: { type: 'string' },
  rekor: { type: 'string', multiple: true },
  'rekor-v2': { type: 'string', multiple: true },
  ctlog: { type: 'string', multiple: true },
  tsa: { type: 'string', multiple: true },
  oidc: { type: 'string', multiple: true },
  operator: { type: 'string' },
  'valid-from': { type: 'string' },
  'trusted-root': { type: 'string' },
  'signing-config': { type: 'string' },
};
const ROTATED_AT: Options = { 'rotated-at': { type: 'string' } };
const ROTATED_AT_USAGE = `  --rotated-at ISO-TIME  when the service stopped signing with the key(s) this replaces: the
                         old windows end then, the new ones start at that whole second
                         (default: now for both)`;
const MATERIAL_USAGE = `trust material (from the services, or from files):
  --fulcio URL[,chain=FILE]        Fulcio; chain from GET /api/v2/trustBundle unless given
  --rekor URL[,key=FILE]           Rekor v1; key from GET /api/v1/log/publicKey unless given
  --rekor-v2 URL,key=FILE[,origin=NAME]  Rekor v2; origin from URL/api/v2/checkpoint unless given
  --ctlog URL,key=FILE             CT log
  --tsa URL[,chain=FILE]           TSA; chain from GET /api/v1/timestamp/certchain unless given
  --oidc URL                       OIDC issuer for signing_config
  --operator NAME  --valid-from ISO-TIME
  --trusted-root FILE  --signing-config FILE   whole files instead (or in addition)`;

const str = (v: Values, name: string): string | undefined => v[name] as string | undefined;
const list = (v: Values, name: string): string[] => (v[name] as string[] | undefined) ?? [];
const required = (v: Values, name: string): string => {
  const value = str(v, name);
  if (value === undefined) throw new ScaffoldingError('INVALID_ARGUMENT', `--${name} is required`);
  return value;
};
const intOption = (v: Values, name: string, fallback: number): number => {
  const raw = str(v, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ScaffoldingError('INVALID_ARGUMENT', `--${name} must be a whole number`);
  return Number(raw);
};
const dateOption = (v: Values, name: string): Date | undefined => {
  const raw = str(v, name);
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw new ScaffoldingError('INVALID_ARGUMENT', `--${name} is not a date: ${raw}`);
  return date;
};
const readText = async (file: string, what: string): Promise<string> => {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new ScaffoldingError('INVALID_ARGUMENT', `cannot read ${what} ${file}`, { cause });
  }
};
const now = (io: CliIo) => (io.now ?? (() => new Date()))();
const workdir = (v: Values) => path.resolve(str(v, 'dir') ?? '.');

/** "URL,key=FILE,origin=NAME" into the URL and its named parts. */
function serviceArg(value: string, allowed: string[]): { url: string; parts: Record<string, string> } {
  const [url, ...rest] = value.split(',');
  const parts: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq);
    if (eq < 1 || !allowed.includes(name)) throw new ScaffoldingError('INVALID_ARGUMENT', `unknown part "${part}" in ${value} (allowed: ${allowed.join(', ')})`);
    parts[name] = part.slice(eq + 1);
  }
  return { url: url as string, parts };
}

async function deploymentSpec(v: Values): Promise<DeploymentSpec | undefined> {
  const fulcio = str(v, 'fulcio');
  const any = fulcio !== undefined || ['rekor', 'rekor-v2', 'ctlog', 'tsa', 'oidc'].some((n) => list(v, n).length > 0);
  if (!any) return undefined;
  const file = async (parts: Record<string, string>, name: string) => (parts[name] === undefined ? undefined : readText(parts[name], name));
  const need = async (parts: Record<string, string>, name: string, flag: string) => {
    const text = await file(parts, name);
    if (text === undefined) throw new ScaffoldingError('INVALID_ARGUMENT', `--${flag} needs ${name}=FILE`);
    return text;
  };
  const rotatedAt = dateOption(v, 'rotated-at');
  const validFrom = dateOption(v, 'valid-from') ?? (rotatedAt && rotationWindows(rotatedAt).start);
  const f = fulcio === undefined ? undefined : serviceArg(fulcio, ['chain']);
  const fulcioChain = f && (await file(f.parts, 'chain'));
  return {
    ...(f ? { fulcio: { url: f.url, ...(fulcioChain !== undefined ? { chainPem: fulcioChain } : {}) } } : {}),
    rekor: await Promise.all(list(v, 'rekor').map(async (r) => {
      const { url, parts } = serviceArg(r, ['key']);
      const key = await file(parts, 'key');
      return { url, ...(key !== undefined ? { publicKeyPem: key } : {}) };
    })),
    rekorV2: await Promise.all(list(v, 'rekor-v2').map(async (r) => {
      const { url, parts } = serviceArg(r, ['key', 'origin']);
      return { url, publicKeyPem: await need(parts, 'key', 'rekor-v2'), ...(parts['origin'] !== undefined ? { origin: parts['origin'] } : {}) };
    })),
    ctlogs: await Promise.all(list(v, 'ctlog').map(async (c) => {
      const { url, parts } = serviceArg(c, ['key']);
      return { url, publicKeyPem: await need(parts, 'key', 'ctlog') };
    })),
    tsa: await Promise.all(list(v, 'tsa').map(async (t) => {
      const { url, parts } = serviceArg(t, ['chain']);
      const chain = await file(parts, 'chain');
      return { url, ...(chain !== undefined ? { chainPem: chain } : {}) };
    })),
    oidc: list(v, 'oidc').map((url) => ({ url })),
    ...(str(v, 'operator') !== undefined ? { operator: str(v, 'operator') as string } : {}),
    ...(validFrom ? { validFrom } : {}),
  };
}

/** Trust material from the material flags: files first, then services layered over them. */
async function trustMaterial(v: Values, io: CliIo) {
  const trustedRootFile = str(v, 'trusted-root');
  const signingConfigFile = str(v, 'signing-config');
  const fromFiles = parseTrustFiles({
    ...(trustedRootFile ? { trustedRoot: await readText(trustedRootFile, 'trusted root') } : {}),
    ...(signingConfigFile ? { signingConfig: await readText(signingConfigFile, 'signing config') } : {}),
  });
  const spec = await deploymentSpec(v);
  if (spec === undefined) return fromFiles;
  const gathered = await gatherTrustMaterial(spec, { now: now(io), ...(io.fetch ? { fetch: io.fetch } : {}) });
  if (fromFiles.trustedRoot || fromFiles.signingConfig) {
    throw new ScaffoldingError('INVALID_ARGUMENT', 'give either service flags or --trusted-root/--signing-config files, not both');
  }
  return gathered;
}

async function signers(files: string[], v: Values, io: CliIo): Promise<TufSigner[]> {
  const passwords = passwordSource(io.env, str(v, 'password-env') ?? 'SIGSTACK_TUF_PASSWORD', io.stdin, process.stderr);
  const result: TufSigner[] = [];
  for (const file of files) result.push(await fileSigner(file, await passwords.get(file)));
  return result;
}

const defaultKey = (v: Values, name: string) => path.join(workdirPaths(workdir(v)).keys, `${name}.key`);
const keyFiles = (v: Values, flag: string, fallback: string) => {
  const given = list(v, flag);
  if (given.length > 0) return given;
  const file = defaultKey(v, fallback);
  if (!existsSync(file)) throw new ScaffoldingError('KEY_FILE', `no --${flag} given and ${file} does not exist`);
  return [file];
};
const KEYS: Options = { 'targets-key': { type: 'string', multiple: true }, 'online-key': { type: 'string', multiple: true } };

async function publicKeysRole(files: string[], threshold: number): Promise<RoleSpec> {
  const keys = await Promise.all(files.map(async (f) => {
    try {
      return tufKey(importPublicKey(await readText(f, 'public key')));
    } catch (cause) {
      if (cause instanceof ScaffoldingError) throw cause;
      throw new ScaffoldingError('KEY_FILE', `${f} is not a PEM public key`, { cause });
    }
  }));
  return { keys, threshold };
}

const commands: Record<string, Command> = {
  init: {
    summary: 'create keys and a new repository (one step, every key local)',
    usage: `sigstack-tuf init --dir DIR [--root-keys N] [--root-threshold M] [--key-type ecdsa-p256|ed25519]
  [--expiry root=365,targets=182,snapshot=21,timestamp=7] [--scrypt-n 65536] [trust material]
Writes DIR/keys/root-1..N.key, targets.key, online.key (encrypted with $SIGSTACK_TUF_PASSWORD,
or --password-env NAME, or a prompt), DIR/repository/ and DIR/sigstack-tuf.json. Refuses to
touch an existing repository or key. For root keys on separate devices use \`root propose\`.

${MATERIAL_USAGE}`,
    options: { ...DIR, ...PASSWORD, ...MATERIAL, 'root-keys': { type: 'string' }, 'root-threshold': { type: 'string' }, 'key-type': { type: 'string' }, expiry: { type: 'string' }, 'scrypt-n': { type: 'string' } },
    async run(v, io) {
      const dir = workdir(v);
      const paths = workdirPaths(dir);
      if (hasRepository(paths.repository)) throw new ScaffoldingError('REPOSITORY_EXISTS', `${paths.repository} already holds a repository; never regenerated`);
      const rootCount = intOption(v, 'root-keys', 3);
      const threshold = intOption(v, 'root-threshold', Math.min(2, rootCount));
      const type = (str(v, 'key-type') ?? 'ecdsa-p256') as TufKeyType;
      if (type !== 'ecdsa-p256' && type !== 'ed25519') throw new ScaffoldingError('INVALID_ARGUMENT', '--key-type is ecdsa-p256 or ed25519');
      const scrypt = intOption(v, 'scrypt-n', 65536);
      if (scrypt !== 32768 && scrypt !== 65536 && scrypt !== 131072) throw new ScaffoldingError('INVALID_ARGUMENT', '--scrypt-n is 32768, 65536 or 131072');
      const expiry = parseExpiryPolicy(str(v, 'expiry') ?? '');
      const material = await trustMaterial(v, io);
      const passwords = passwordSource(io.env, str(v, 'password-env') ?? 'SIGSTACK_TUF_PASSWORD', io.stdin, process.stderr);
      const make = async (name: string) => generateKeyFile({ dir: paths.keys, name, password: await passwords.get(path.join(paths.keys, `${name}.key`)), type, scryptN: scrypt });
      const root = [];
      for (let i = 1; i <= rootCount; i++) root.push(await make(`root-${i}`));
      const targets = await make('targets');
      const online = await make('online');
      await writeSettings(dir, { expiry });
      const state = await initRepository({
        dir: paths.repository,
        rootSigners: root.map((k) => k.signer),
        rootThreshold: threshold,
        targetsSigners: [targets.signer],
        onlineSigners: [online.signer],
        expiry,
        now: now(io),
        targetFiles: trustTargetFiles(material),
      });
      io.stdout(`initialised ${paths.repository}: root v${state.root.signed.version} (${threshold} of ${rootCount} root keys), targets [${Object.keys(state.targets?.signed.targets ?? {}).join(', ')}]; keys in ${paths.keys}`);
      return EXIT_OK;
    },
  },
  root: {
    summary: 'key ceremony: root propose | sign | status | publish',
    usage: `sigstack-tuf root propose --dir DIR [--root-pub FILE]... [--root-threshold M]
    [--targets-pub FILE]... [--targets-threshold M] [--online-pub FILE]... [--expiry root=DAYS]
    [--remove-root-key KEYID]... [--add-root-pub FILE]...
  Proposes the next root (v1 when DIR/repository is empty) into DIR/ceremony/root.json.
  Roles not given keep the current root's keys.
sigstack-tuf root sign --dir DIR --key FILE      one key holder signs (run once per key, on its device)
sigstack-tuf root status --dir DIR               signatures so far against both thresholds
sigstack-tuf root publish --dir DIR [--targets-key FILE]... [--online-key FILE]... [trust material]
  Publishes once the current and the new root thresholds are met; re-signs targets (when
  their keys changed), snapshot and timestamp.`,
    options: {
      ...DIR, ...PASSWORD, ...KEYS, ...MATERIAL,
      'root-pub': { type: 'string', multiple: true }, 'root-threshold': { type: 'string' },
      'targets-pub': { type: 'string', multiple: true }, 'targets-threshold': { type: 'string' },
      'online-pub': { type: 'string', multiple: true }, 'remove-root-key': { type: 'string', multiple: true },
      'add-root-pub': { type: 'string', multiple: true }, key: { type: 'string' }, expiry: { type: 'string' }, force: { type: 'boolean' },
    },
    async run(v, io, positionals) {
      const dir = workdir(v);
      const paths = workdirPaths(dir);
      const settings = await readSettings(dir);
      const current = hasRepository(paths.repository) ? (await readRepository(paths.repository)).root.signed : undefined;
      const action = positionals[0];
      const readProposal = async () => {
        if (!existsSync(paths.proposal)) throw new ScaffoldingError('NO_PROPOSAL', `no proposed root at ${paths.proposal} (run root propose)`);
        return parseMetadata(MetadataKind.Root, await readFile(paths.proposal));
      };
      const status = (proposal: Awaited<ReturnType<typeof readProposal>>) => {
        const s = proposalStatus(proposal, current);
        return `root v${proposal.signed.version}: ${s.newRoot[0]}/${s.newRoot[1]} new-root signatures${s.oldRoot ? `, ${s.oldRoot[0]}/${s.oldRoot[1]} current-root signatures` : ''}`;
      };
      if (action === 'propose') {
        if (existsSync(paths.proposal) && v['force'] !== true) throw new ScaffoldingError('INVALID_ARGUMENT', `${paths.proposal} exists (publish it, or --force to replace it)`);
        const expiry = str(v, 'expiry') ? parseExpiryPolicy(str(v, 'expiry') as string, settings.expiry) : settings.expiry;
        const roles: Partial<Record<'root' | 'targets' | 'snapshot' | 'timestamp', RoleSpec>> = {};
        let rootSpec: RoleSpec | undefined;
        if (list(v, 'root-pub').length > 0) rootSpec = await publicKeysRole(list(v, 'root-pub'), 0);
        else if (current && (list(v, 'remove-root-key').length > 0 || list(v, 'add-root-pub').length > 0 || str(v, 'root-threshold'))) {
          const ids = current.roles['root']?.keyIDs ?? [];
          const remove = new Set(list(v, 'remove-root-key'));
          for (const id of remove) if (!ids.includes(id)) throw new ScaffoldingError('INVALID_ARGUMENT', `${id} is not a current root key`);
          const added = await publicKeysRole(list(v, 'add-root-pub'), 0);
          rootSpec = { keys: [...ids.filter((id) => !remove.has(id)).map((id) => current.keys[id]).filter((k) => k !== undefined), ...added.keys], threshold: 0 };
        }
        if (rootSpec) roles.root = { keys: rootSpec.keys, threshold: intOption(v, 'root-threshold', current?.roles['root']?.threshold ?? Math.min(2, rootSpec.keys.length)) };
        if (list(v, 'targets-pub').length > 0) roles.targets = await publicKeysRole(list(v, 'targets-pub'), intOption(v, 'targets-threshold', 1));
        if (list(v, 'online-pub').length > 0) {
          roles.snapshot = await publicKeysRole(list(v, 'online-pub'), list(v, 'online-pub').length);
          roles.timestamp = roles.snapshot;
        }
        const proposal = await proposeRoot({ dir: paths.repository, roles, expiry, now: now(io) });
        await writeAtomic(paths.proposal, metadataText(proposal));
        io.stdout(`proposed ${status(proposal)}; root keys ${proposal.signed.roles['root']?.keyIDs.join(' ')}`);
        return EXIT_OK;
      }
      if (action === 'sign') {
        const proposal = await readProposal();
        const [signer] = await signers([required(v, 'key')], v, io);
        await signRootProposal(proposal, signer as TufSigner, current);
        await writeAtomic(paths.proposal, metadataText(proposal));
        io.stdout(`signed with ${signer?.key.keyID}; ${status(proposal)}`);
        return EXIT_OK;
      }
      if (action === 'status') {
        io.stdout(status(await readProposal()));
        return EXIT_OK;
      }
      if (action === 'publish') {
        const proposal = await readProposal();
        const material = await trustMaterial(v, io);
        const first = current === undefined;
        const needTargets = first || (list(v, 'targets-key').length > 0) || JSON.stringify(current?.roles['targets']) !== JSON.stringify(proposal.signed.roles['targets']);
        const state = await publishRoot(proposal, {
          dir: paths.repository,
          expiry: settings.expiry,
          now: now(io),
          ...(needTargets ? { targetsSigners: await signers(keyFiles(v, 'targets-key', 'targets'), v, io) } : {}),
          onlineSigners: await signers(keyFiles(v, 'online-key', 'online'), v, io),
          ...(first ? { targetFiles: trustTargetFiles(material) } : {}),
        });
        await mkdir(path.dirname(paths.proposal), { recursive: true });
        await rename(paths.proposal, path.join(path.dirname(paths.proposal), `${proposal.signed.version}.root.published.json`));
        if (first && !existsSync(paths.settings)) await writeSettings(dir, settings);
        io.stdout(`published root v${state.root.signed.version}; timestamp v${state.timestamp?.signed.version}`);
        return EXIT_OK;
      }
      throw new ScaffoldingError('INVALID_ARGUMENT', 'root needs an action: propose, sign, status or publish');
    },
  },
  add: {
    summary: 'add or update targets: trust material from services or files, or any file',
    usage: `sigstack-tuf add --dir DIR [trust material] [--target NAME=FILE]... [--remove NAME]...
    [--replace] [--rotated-at ISO-TIME] [--targets-key FILE]... [--online-key FILE]...
  New trust material is merged into the published trusted_root.json: a key or CA no longer
  served keeps its entry with an end to its validity window (old signatures still verify),
  a new one starts. --replace writes the material as given instead.

${MATERIAL_USAGE}
${ROTATED_AT_USAGE}`,
    options: { ...DIR, ...PASSWORD, ...KEYS, ...MATERIAL, ...ROTATED_AT, target: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true }, replace: { type: 'boolean' } },
    run: (v, io) => addTargets(v, io, 'updated'),
  },
  rotate: {
    summary: 'rotate: `rotate root` (a root key) or `rotate service` (a log, CA or TSA key)',
    usage: `sigstack-tuf rotate root --dir DIR --remove-root-key KEYID --add-root-pub FILE [--root-threshold M]
  Same as \`root propose\` with those flags; then \`root sign\` by the old and the new key holders
  (both thresholds) and \`root publish\`.
sigstack-tuf rotate service --dir DIR [trust material] [--rotated-at ISO-TIME] [--targets-key FILE]... [--online-key FILE]...
  Same as \`add\`: the old key's window ends now (or at --rotated-at), the new one's starts then.

${ROTATED_AT_USAGE}`,
    options: { ...DIR, ...PASSWORD, ...KEYS, ...MATERIAL, ...ROTATED_AT, 'remove-root-key': { type: 'string', multiple: true }, 'add-root-pub': { type: 'string', multiple: true }, 'root-threshold': { type: 'string' }, expiry: { type: 'string' }, force: { type: 'boolean' } },
    async run(v, io, positionals) {
      if (positionals[0] === 'root') return (commands['root'] as Command).run(v, io, ['propose']);
      if (positionals[0] === 'service') return addTargets(v, io, 'rotated');
      throw new ScaffoldingError('INVALID_ARGUMENT', 'rotate needs root or service');
    },
  },
  refresh: {
    summary: 're-sign timestamp and snapshot with the online key before they expire (cron)',
    usage: `sigstack-tuf refresh --dir DIR [--online-key FILE]... [--force]
  Re-signs what has less than half its lifetime left (all of it with --force). Prints one
  line: "OK ..." (exit 0), "WARN ..." when root or targets expire before the next timestamp
  would (exit 2: only a ceremony fixes that), or an error (exit 1).`,
    options: { ...DIR, ...PASSWORD, 'online-key': { type: 'string', multiple: true }, force: { type: 'boolean' } },
    async run(v, io) {
      const dir = workdir(v);
      const result = await refreshRepository({
        dir: workdirPaths(dir).repository,
        onlineSigners: await signers(keyFiles(v, 'online-key', 'online'), v, io),
        expiry: (await readSettings(dir)).expiry,
        now: now(io),
        force: v['force'] === true,
      });
      io.stdout(formatRefreshLine(result));
      return result.offlineExpiring.length > 0 ? EXIT_WARN : EXIT_OK;
    },
  },
  verify: {
    summary: 'act as a client (tuf-js): print what it would trust and when each role expires',
    usage: `sigstack-tuf verify --repo URL|DIR --root FILE [--at ISO-TIME] [--warn-days N] [--offline]
    [--cache DIR] [--json]
  --repo: http(s) mirror, file:// URL, or a folder (a copy of the repository, or root-signing's
  layout). --root: the root.json to start from. --offline refuses any network URL.
  Exit 0 when valid, 2 when something expires within --warn-days, 1 on any failure.`,
    options: { repo: { type: 'string' }, root: { type: 'string' }, at: { type: 'string' }, 'warn-days': { type: 'string' }, offline: { type: 'boolean' }, cache: { type: 'string' }, json: { type: 'boolean' } },
    async run(v, io) {
      const at = dateOption(v, 'at');
      const report = await verifyRepository({
        repository: required(v, 'repo'),
        initialRoot: await readFile(required(v, 'root')).catch((cause) => {
          throw new ScaffoldingError('INVALID_ARGUMENT', `cannot read --root ${str(v, 'root')}`, { cause });
        }),
        ...(at ? { at } : io.now ? { at: io.now() } : {}),
        offline: v['offline'] === true,
        ...(str(v, 'cache') ? { cacheDir: str(v, 'cache') as string } : {}),
      });
      if (v['json'] === true) io.stdout(JSON.stringify({ roles: report.roles, targets: report.targets }));
      else io.stdout(formatVerifyReport(report).trimEnd());
      const warnDays = str(v, 'warn-days');
      if (warnDays !== undefined) {
        const soon = expiringRoles(report, intOption(v, 'warn-days', 0));
        if (soon.length > 0) {
          io.stderr(`WARN expiring within ${warnDays} days: ${soon.map((r) => `${r.role} v${r.version} at ${r.expires.toISOString()}`).join(', ')}`);
          return EXIT_WARN;
        }
      }
      return EXIT_OK;
    },
  },
  serve: {
    summary: 'serve the repository over HTTP (development; production is any static host)',
    usage: `sigstack-tuf serve --dir DIR [--host 127.0.0.1] [--port 8088]
  Serves DIR/repository (or DIR itself when it is a repository) as static files.`,
    options: { ...DIR, host: { type: 'string' }, port: { type: 'string' } },
    async run(v, io) {
      const dir = workdir(v);
      const repo = hasRepository(workdirPaths(dir).repository) ? workdirPaths(dir).repository : dir;
      if (!hasRepository(repo)) throw new ScaffoldingError('REPOSITORY_NOT_FOUND', `no repository in ${dir}`);
      const server = await serveRepository({ dir: repo, host: str(v, 'host') ?? '127.0.0.1', port: intOption(v, 'port', 8088) });
      io.stdout(`serving ${repo} at ${server.url}`);
      if (io.onServe) await io.onServe(server);
      else await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return EXIT_OK;
    },
  },
};

async function addTargets(v: Values, io: CliIo, verb: string): Promise<number> {
  const dir = workdir(v);
  const paths = workdirPaths(dir);
  const settings = await readSettings(dir);
  const material = await trustMaterial(v, io);
  const extra = new Map<string, Uint8Array>();
  for (const t of list(v, 'target')) {
    const eq = t.indexOf('=');
    if (eq < 1) throw new ScaffoldingError('INVALID_ARGUMENT', `--target wants NAME=FILE, got ${t}`);
    extra.set(t.slice(0, eq), await readFile(t.slice(eq + 1)).catch((cause) => {
      throw new ScaffoldingError('INVALID_ARGUMENT', `cannot read ${t.slice(eq + 1)}`, { cause });
    }));
  }
  const common = {
    dir: paths.repository,
    expiry: settings.expiry,
    now: now(io),
    targetsSigners: await signers(keyFiles(v, 'targets-key', 'targets'), v, io),
    onlineSigners: await signers(keyFiles(v, 'online-key', 'online'), v, io),
  };
  const rotatedAt = dateOption(v, 'rotated-at');
  if (rotatedAt !== undefined && rotatedAt.getTime() > common.now.getTime()) throw new ScaffoldingError('INVALID_ARGUMENT', `--rotated-at ${rotatedAt.toISOString()} is in the future`);
  let state = material.trustedRoot || material.signingConfig
    ? await publishTrustMaterial({ ...common, material, replace: v['replace'] === true, ...(rotatedAt ? { rotatedAt } : {}) })
    : undefined;
  if (extra.size > 0 || list(v, 'remove').length > 0 || state === undefined) {
    state = await updateTargets({ ...common, set: extra, remove: list(v, 'remove') });
  }
  io.stdout(`${verb} targets v${state.targets?.signed.version}: [${Object.keys(state.targets?.signed.targets ?? {}).join(', ')}]; timestamp v${state.timestamp?.signed.version}`);
  return EXIT_OK;
}

const USAGE = `sigstack-tuf: the TUF repository of a private Sigstore deployment

commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`).join('\n')}

sigstack-tuf COMMAND --help for each command's options.`;

/** Runs one command line; returns the exit code. Every failure is one line on stderr. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name === undefined ? EXIT_ERROR : EXIT_OK;
  }
  const command = commands[name];
  if (command === undefined) {
    io.stderr(`error: unknown command "${name}" (sigstack-tuf --help lists them)`);
    return EXIT_ERROR;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage);
    return EXIT_OK;
  }
  try {
    const { values, positionals } = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
    return await command.run(values as Values, io, positionals);
  } catch (error) {
    const code = error instanceof ScaffoldingError ? error.code : (error as { code?: string }).code ?? 'ERROR';
    io.stderr(`error: ${code}: ${(error as Error).message.split('\n')[0]}`);
    return EXIT_ERROR;
  }
}
