// What the launcher tells people and scripts once the stack is up: the URLs, the files,
// commands that work when pasted into another terminal, and <state>/stack.json.
import path from 'node:path';
import type { ServiceName } from './settings.js';

export interface Identity {
  /** The certificate identity (SAN) Fulcio puts in the certificate. */
  readonly identity: string;
  readonly issuer: string;
}

export interface StackInfo {
  readonly state: string;
  readonly services: Readonly<Record<ServiceName, string>>;
  readonly tufRoot: string;
  readonly trustedRoot: string;
  readonly signingConfig: string;
  readonly logs: string;
  readonly stackJson: string;
  readonly workloadSecretFile: string;
  readonly demoFile: string;
  readonly predicateFile: string;
  readonly rekorV2Origin: string;
  /** The person the default dev token is for, and a CI workload. */
  readonly user: Identity & { readonly profile: string };
  readonly workload: Identity & { readonly profile: string };
  readonly workloadProfiles: readonly string[];
  /** How to get a dev token now: the argv prefix (before --profile). */
  readonly devTokenCommand: string;
  /** The same with absolute paths (stack.json). */
  readonly devTokenCommandAbsolute: string;
  /** Commands of the bundled client that exist in this build. */
  readonly cliCommands: ReadonlySet<string>;
  readonly startSeconds: number;
  readonly fresh: boolean;
}

/** A path as the user should type it: relative to the current folder when inside it. */
export function shownIn(file: string, cwd: string | undefined = process.cwd()): string {
  if (cwd === undefined) return file;
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Quotes for a POSIX shell when needed. */
export function sh(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

export function tokenCommand(info: Pick<StackInfo, 'devTokenCommand'>, profile?: string): string {
  return profile === undefined ? info.devTokenCommand : `${info.devTokenCommand} --profile ${sh(profile)}`;
}

/** The client commands to paste, in order; each works once the ones before it ran. */
export function clientCommands(info: StackInfo, cwd: string | undefined = process.cwd()): string[] {
  const shown = (file: string) => shownIn(file, cwd);
  const has = (c: string) => info.cliCommands.has(c);
  const tuf = has('initialize');
  const signTrust = tuf ? '' : ` --signing-config ${sh(shown(info.signingConfig))} --trusted-root ${sh(shown(info.trustedRoot))}`;
  const verifyTrust = tuf ? '' : ` --trusted-root ${sh(shown(info.trustedRoot))}`;
  const file = sh(shown(info.demoFile));
  const bundle = sh(`${shown(info.demoFile)}.sigstore.json`);
  const commands: string[] = [];
  if (tuf) commands.push(`npx sigstack initialize --mirror ${info.services.tuf} --root ${sh(shown(info.tufRoot))}`);
  commands.push(`npx sigstack sign-blob --yes${signTrust} --identity-token "$(${tokenCommand(info)})" --bundle ${bundle} ${file}`);
  commands.push(
    `npx sigstack verify-blob${verifyTrust} --bundle ${bundle} --certificate-identity ${sh(info.user.identity)} --certificate-oidc-issuer ${sh(info.user.issuer)} ${file}`,
  );
  if (has('attest-blob')) {
    const att = sh(`${shown(info.demoFile)}.intoto.sigstore.json`);
    commands.push(
      `npx sigstack attest-blob --yes${signTrust} --identity-token "$(${tokenCommand(info, info.workload.profile)})" --predicate ${sh(shown(info.predicateFile))} --type slsaprovenance1 --bundle ${att} ${file}`,
    );
    if (has('verify-blob-attestation')) {
      commands.push(
        `npx sigstack verify-blob-attestation${verifyTrust} --bundle ${att} --type slsaprovenance1 --certificate-identity ${sh(info.workload.identity)} --certificate-oidc-issuer ${sh(info.workload.issuer)} ${file}`,
      );
    }
  }
  return commands;
}

export function curlTokenCommand(info: Pick<StackInfo, 'services' | 'workloadSecretFile'>, workload: string, cwd: string | undefined = process.cwd()): string {
  const shown = (file: string) => shownIn(file, cwd);
  return `curl -s -X POST ${info.services.oidc}/workload/token -H "authorization: Bearer $(cat ${sh(shown(info.workloadSecretFile))})" -H 'content-type: application/json' -d '{"workload":"${workload}"}'`;
}

export const COMMANDS_START = 'Try it in another terminal, from this folder:';

const shown = (file: string) => shownIn(file, process.cwd());

/** The block printed once everything is ready. */
export function banner(info: StackInfo): string {
  const row = (label: string, value: string) => `  ${label.padEnd(16)}${value}`;
  const lines = [
    '',
    `sigstack is up: ${info.fresh ? 'first start (keys generated)' : 'same logs and trust root as before'}, ready in ${info.startSeconds.toFixed(1)} s. Ctrl-C stops it.`,
    '',
    'Services',
    row('OIDC (dev)', info.services.oidc),
    row('Fulcio', info.services.fulcio),
    row('Rekor', `${info.services.rekor}   (v1 API, and the v2 log under /api/v2, origin ${info.rekorV2Origin})`),
    row('CT log', info.services.ctlog),
    row('TSA', `${info.services.tsa}/api/v1/timestamp`),
    row('TUF repository', info.services.tuf),
    '',
    'Files',
    row('root.json', shown(info.tufRoot)),
    row('trusted root', shown(info.trustedRoot)),
    row('signing config', shown(info.signingConfig)),
    row('for scripts', shown(info.stackJson)),
    row('service logs', `${shown(info.logs)}${path.sep}`),
    '',
    COMMANDS_START,
    '',
    ...clientCommands(info).map((c) => `    ${c}`),
    '',
    `Dev tokens (ID tokens for ${info.user.profile} or a CI workload, valid 5 minutes):`,
    '',
    `    ${tokenCommand(info)}`,
    `    ${tokenCommand(info, info.workload.profile)}`,
    `    ${curlTokenCommand(info, info.workload.profile)}`,
    '',
    `  Profiles: users alice, bob; workloads ${info.workloadProfiles.join(', ')}.`,
    `  ${info.user.profile} signs as ${info.user.identity} (issuer ${info.user.issuer});`,
    `  ${info.workload.profile} as ${info.workload.identity} (issuer ${info.workload.issuer}).`,
    '',
  ];
  return lines.join('\n');
}

/** <state>/stack.json: the same, for scripts. */
export function stackJson(info: StackInfo): Record<string, unknown> {
  return {
    services: info.services,
    tufRoot: info.tufRoot,
    signingConfig: info.signingConfig,
    trustedRoot: info.trustedRoot,
    devToken: {
      command: info.devTokenCommandAbsolute,
      profiles: { users: ['alice', 'bob'], workloads: info.workloadProfiles },
      workloadTokenUrl: `${info.services.oidc}/workload/token`,
      workloadSecretFile: info.workloadSecretFile,
      curl: curlTokenCommand(info, info.workload.profile, undefined),
    },
    identities: { user: info.user, workload: info.workload },
    rekorV2: { url: info.services.rekor, origin: info.rekorV2Origin },
    commands: clientCommands({ ...info, devTokenCommand: info.devTokenCommandAbsolute }, undefined),
    state: info.state,
    logs: info.logs,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
}
