// What the launcher is asked to do: the command, the state folder, the ports, the database.
// Flags first, then SIGSTACK_* environment variables, then the defaults of the real services.
import path from 'node:path';
import { StackError } from './errors.js';

export type ServiceName = 'oidc' | 'fulcio' | 'rekor' | 'ctlog' | 'tsa' | 'tuf';

export interface PortSpec {
  readonly service: ServiceName;
  /** What people call it, in messages. */
  readonly label: string;
  readonly defaultPort: number;
  readonly env: string;
  readonly flag: string;
}

/** Default local ports follow the real services (ARCHITECTURE.md). */
export const PORTS: readonly PortSpec[] = [
  { service: 'oidc', label: 'OIDC provider', defaultPort: 5556, env: 'SIGSTACK_OIDC_PORT', flag: 'oidc-port' },
  { service: 'fulcio', label: 'Fulcio', defaultPort: 5555, env: 'SIGSTACK_FULCIO_PORT', flag: 'fulcio-port' },
  { service: 'rekor', label: 'Rekor', defaultPort: 3000, env: 'SIGSTACK_REKOR_PORT', flag: 'rekor-port' },
  { service: 'ctlog', label: 'CT log', defaultPort: 6962, env: 'SIGSTACK_CTLOG_PORT', flag: 'ctlog-port' },
  { service: 'tsa', label: 'TSA', defaultPort: 3004, env: 'SIGSTACK_TSA_PORT', flag: 'tsa-port' },
  { service: 'tuf', label: 'TUF repository', defaultPort: 8088, env: 'SIGSTACK_TUF_PORT', flag: 'tuf-port' },
];

export interface Settings {
  readonly command: 'up' | 'dev-token' | 'rotate-key' | 'help';
  /** rotate-key: whose keys (only Rekor's logs today). */
  readonly rotate: 'rekor' | undefined;
  /** Absolute path of the state folder. */
  readonly state: string;
  /** The state folder as the user wrote it (for printing). */
  readonly stateArg: string;
  readonly host: string;
  readonly ports: Readonly<Record<ServiceName, number>>;
  readonly databaseUrl: string | undefined;
  /** dev-token: the user or workload profile. */
  readonly profile: string | undefined;
  /** Print the services' own logs to the terminal as well. */
  readonly verbose: boolean;
}

export const USAGE = `Usage:
  npm start [-- --state DIR] [--verbose] [--<service>-port N ...]
  node tools/stack/dist/main.js dev-token [--state DIR] [--profile NAME]
  node tools/stack/dist/main.js rotate-key rekor [--state DIR]

Brings up the whole Sigstore stack on loopback (OIDC, Fulcio, CT log, Rekor, TSA, TUF
repository), keeping its keys and logs in the state folder (default .sigstack).

rotate-key rekor gives Rekor's v1 and v2 logs new signing keys and publishes a new
trusted_root.json through the TUF repository: the old keys' windows end now and the new
ones start, so bundles signed before keep verifying and new entries carry the new log IDs.
The stack may be running (Rekor restarts with its new keys) or stopped.

Options:
  --state DIR         state folder (or SIGSTACK_STATE); created on first start, reused after
  --verbose           also print the services' logs here (they always go to DIR/logs/)
  --oidc-port N       and --fulcio-port, --rekor-port, --ctlog-port, --tsa-port, --tuf-port
                      (or SIGSTACK_OIDC_PORT, SIGSTACK_FULCIO_PORT, ...); defaults 5556, 5555,
                      3000, 6962, 3004, 8088
  --profile NAME      dev-token: a user (alice, bob) or a workload profile (github-actions,
                      gitlab-ci, buildkite, kubernetes, spiffe); default alice

Environment: DATABASE_URL puts the Rekor and CT logs in PostgreSQL instead of the embedded
PGlite files under the state folder.
`;

function parsePort(value: string, where: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new StackError('USAGE', `${where} must be a port number (1-65535), not ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseSettings(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Settings {
  const args = [...argv];
  let command: Settings['command'] = 'up';
  let rotate: Settings['rotate'];
  if (args[0] === 'dev-token' || args[0] === 'up' || args[0] === 'rotate-key') command = args.shift() as Settings['command'];
  if (command === 'rotate-key') {
    const what = args[0];
    if (what === '--help' || what === '-h' || what === 'help') return { ...defaults(env, cwd), command: 'help' };
    if (what !== 'rekor') throw new StackError('USAGE', `rotate-key needs the service whose keys to rotate: rekor${what === undefined || what.startsWith('-') ? '' : ` (not ${JSON.stringify(what)})`}`);
    args.shift();
    rotate = what;
  }
  const flags = new Map<string, string>();
  let verbose = false;
  const valued = new Set(['state', 'profile', ...PORTS.map((p) => p.flag)]);
  while (args.length > 0) {
    const arg = args.shift() as string;
    if (arg === '--help' || arg === '-h' || arg === 'help') return { ...defaults(env, cwd), command: 'help' };
    if (arg === '--verbose') {
      verbose = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !valued.has(m[1] as string)) throw new StackError('USAGE', `unknown argument ${JSON.stringify(arg)} (see --help)`);
    const value = m[2] ?? args.shift();
    if (value === undefined || value === '') throw new StackError('USAGE', `--${m[1]} needs a value`);
    flags.set(m[1] as string, value);
  }
  const base = defaults(env, cwd);
  const stateArg = flags.get('state') ?? base.stateArg;
  const ports = { ...base.ports };
  for (const spec of PORTS) {
    const fromFlag = flags.get(spec.flag);
    if (fromFlag !== undefined) ports[spec.service] = parsePort(fromFlag, `--${spec.flag}`);
  }
  const seen = new Map<number, string>();
  for (const spec of PORTS) {
    const other = seen.get(ports[spec.service]);
    if (other) throw new StackError('USAGE', `${spec.label} and ${other} are both given port ${ports[spec.service]}`);
    seen.set(ports[spec.service], spec.label);
  }
  if (command !== 'dev-token' && flags.has('profile')) throw new StackError('USAGE', '--profile belongs to dev-token');
  return {
    ...base,
    command,
    stateArg,
    state: path.resolve(cwd, stateArg),
    ports,
    profile: flags.get('profile'),
    verbose,
    rotate,
  };
}

function defaults(env: NodeJS.ProcessEnv, cwd: string): Settings {
  const stateArg = env['SIGSTACK_STATE'] || '.sigstack';
  const ports = {} as Record<ServiceName, number>;
  for (const spec of PORTS) {
    const value = env[spec.env];
    ports[spec.service] = value ? parsePort(value, spec.env) : spec.defaultPort;
  }
  return {
    command: 'up',
    state: path.resolve(cwd, stateArg),
    stateArg,
    host: '127.0.0.1',
    ports,
    databaseUrl: env['DATABASE_URL'] || undefined,
    profile: undefined,
    verbose: false,
    rotate: undefined,
  };
}

export const serviceUrl = (settings: Pick<Settings, 'host' | 'ports'>, service: ServiceName): string => `http://${settings.host}:${settings.ports[service]}`;
