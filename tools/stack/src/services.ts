// How each app is configured for the local stack: environment variables only, exactly as an
// operator would run it alone (the apps' docs list every variable used here).
import path from 'node:path';
import type { ServiceSpec } from './supervisor.js';
import type { ServiceName, Settings } from './settings.js';
import { serviceUrl } from './settings.js';
import type { CaFiles, OpenedState } from './state.js';

/** The workload kinds of apps/oidc and Fulcio's built-in issuer type for each (apps/fulcio config). */
const WORKLOAD_ISSUERS: readonly { kind: string; type: string; extra?: string }[] = [
  { kind: 'github-actions', type: 'github-workflow' },
  { kind: 'gitlab-ci', type: 'gitlab-pipeline' },
  { kind: 'buildkite', type: 'buildkite-job' },
  { kind: 'kubernetes', type: 'kubernetes' },
  { kind: 'spiffe', type: 'spiffe', extra: '    spiffe-trust-domain: sigstack.test\n' },
];

/** Fulcio's issuer configuration for the dev provider at `issuer` (docs/oidc.md). */
export function issuerConfig(issuer: string): string {
  let out = `# Written by the local stack launcher at every start.\noidc-issuers:\n  ${issuer}:\n    issuer-url: ${issuer}\n    client-id: sigstore\n    type: email\n`;
  for (const w of WORKLOAD_ISSUERS) {
    const url = `${issuer}/workloads/${w.kind}`;
    out += `  ${url}:\n    issuer-url: ${url}\n    client-id: sigstore\n    type: ${w.type}\n${w.extra ?? ''}`;
  }
  return out;
}

/** The few variables a Node process needs from the launcher's environment; nothing else leaks in. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'TZ', 'SystemRoot', 'NODE_EXTRA_CA_CERTS']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export interface StackFiles {
  readonly ca: CaFiles;
  readonly issuerConfigFile: string;
  readonly ctlogKeyFile: string;
  readonly ctlogPublicKeyFile: string;
  readonly rekorKeyFile: string;
  readonly rekorV2KeyFile: string;
  /** REKOR_RETIRED_KEYS: the v1 log's earlier keys (empty before the first rotation). */
  readonly rekorRetiredKeys: string;
}

/** The Rekor v2 checkpoint origin: the bare host (no port), as sigstore-go and cosign name the verifier after the URL's hostname. */
export const rekorV2Origin = (settings: Pick<Settings, 'host'>): string => settings.host;

export function serviceSpecs(root: string, settings: Settings, state: OpenedState, files: StackFiles): Record<Exclude<ServiceName, 'tuf'>, ServiceSpec> {
  const l = state.layout;
  const common = (name: ServiceName) => ({
    ...baseEnv(),
    HOST: settings.host,
    PORT: String(settings.ports[name]),
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT: '5s',
  });
  const db: Record<string, string> = settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {};
  const spec = (name: Exclude<ServiceName, 'tuf'>, label: string, app: string, env: Record<string, string>): ServiceSpec => ({
    name,
    label,
    entry: path.join(root, 'apps', app, 'dist', 'main.js'),
    env: { ...common(name), ...env },
    url: serviceUrl(settings, name),
    logFile: path.join(l.logs, `${name}.log`),
  });
  return {
    oidc: spec('oidc', 'the OIDC provider', 'oidc', {
      DATA_DIR: l.oidc,
      ISSUER_URL: serviceUrl(settings, 'oidc'),
    }),
    ctlog: spec('ctlog', 'the CT log', 'ctlog', {
      ...db,
      DATA_DIR: l.ctlog,
      CTLOG_ROOTS: files.ca.rootFile,
      CTLOG_KEY_FILE: files.ctlogKeyFile,
      CTLOG_GENERATE_KEY: 'false',
      // Several stacks may share one PostgreSQL database: each CT log keeps its own name.
      CTLOG_LOG_NAME: `ctlog-${state.marker.id}`,
    }),
    tsa: spec('tsa', 'the TSA', 'tsa', { DATA_DIR: l.tsa }),
    rekor: spec('rekor', 'Rekor', 'rekor', {
      ...db,
      DATA_DIR: l.rekor,
      REKOR_HOSTNAME: settings.host,
      REKOR_KEY_FILE: files.rekorKeyFile,
      ...(files.rekorRetiredKeys ? { REKOR_RETIRED_KEYS: files.rekorRetiredKeys } : {}),
      REKOR_V2_ENABLED: 'true',
      REKOR_V2_ORIGIN: rekorV2Origin(settings),
      REKOR_V2_KEY_FILE: files.rekorV2KeyFile,
      REKOR_GENERATE_KEYS: 'false',
    }),
    fulcio: spec('fulcio', 'Fulcio', 'fulcio', {
      ISSUER_CONFIG_FILE: files.issuerConfigFile,
      CA: 'file',
      CA_KEY_FILE: files.ca.keyFile,
      CA_CHAIN_FILE: files.ca.chainFile,
      CA_KEY_PASSWORD: state.password,
      CT_LOG_URL: serviceUrl(settings, 'ctlog'),
      CT_LOG_PUBLIC_KEY_FILE: files.ctlogPublicKeyFile,
    }),
  };
}
