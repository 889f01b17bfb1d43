// `npm start`: the whole stack on loopback. Order: check the ports and the state folder,
// make the keys a first start needs, start OIDC, CT log, TSA and Rekor together, then Fulcio
// (it needs the CT log and the OIDC provider), then build or refresh the TUF repository from
// what the running services serve, serve it, and print what works.
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { serveRepository } from '@sigstack/scaffolding';
import type { RunningServer } from '@sigstack/scaffolding';
import { jwtClaims, listWorkloads, userToken, workloadToken } from '@sigstack/dev-token';
import { StackError } from './errors.js';
import { banner, sh, stackJson } from './output.js';
import type { Identity, StackInfo } from './output.js';
import { checkPorts, probePort } from './ports.js';
import { issuerConfig, rekorV2Origin, serviceSpecs } from './services.js';
import type { Settings } from './settings.js';
import { PORTS, serviceUrl } from './settings.js';
import { ensureFulcioCa, ensureLogKey, markComplete, openState, writeAtomic } from './state.js';
import type { OpenedState } from './state.js';
import { controlPath, listenControl } from './control.js';
import type { ControlServer } from './control.js';
import { currentKeyFile, readKeyRing, retiredKeysSetting, rotateKeyRing } from './log-keys.js';
import type { RekorKeyRing, RotatedKeys } from './log-keys.js';
import { SupervisedService } from './supervisor.js';
import type { RestartPolicy } from './supervisor.js';
import { ensureRepository, publishRekorRotation, refreshTuf } from './tuf.js';
import type { PublishedRotation } from './tuf.js';

export interface StackOptions {
  /** The workspace root (apps/<app>/dist/main.js live under it). */
  readonly root: string;
  readonly settings: Settings;
  /** Progress lines (stderr in the CLI). */
  readonly progress: (line: string) => void;
  /** The banner and other output for people (stdout in the CLI). */
  readonly print: (text: string) => void;
  /** How long a service may take to become ready. */
  readonly readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL at shutdown. */
  readonly stopGraceMs?: number;
  /** When a service that died is started again, and when it is given up on. */
  readonly restartPolicy?: RestartPolicy;
}

export interface RunningStack {
  readonly info: StackInfo;
  /**
   * Resolves when a service is given up on (it kept dying after start-up, see
   * supervisor.ts), with the error; never while the services run or are being restarted.
   */
  readonly failure: Promise<StackError>;
  stop(): Promise<void>;
}

const DEMO_TEXT = 'Hello from the local sigstack.\n';
const DEMO_PREDICATE = {
  buildDefinition: { buildType: 'https://sigstack.dev/local-demo/v1', externalParameters: { source: 'local' } },
  runDetails: { builder: { id: 'https://sigstack.dev/local-stack' } },
};

/** Refuses to start a second stack on the same state folder while the first still runs. */
async function checkNotRunning(state: OpenedState): Promise<void> {
  if (!existsSync(state.layout.stackJson)) return;
  let pid: number | undefined;
  try {
    pid = (JSON.parse(await readFile(state.layout.stackJson, 'utf8')) as { pid?: number }).pid;
  } catch {
    return; // Rewritten below.
  }
  if (pid === undefined || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // Gone: a stale file from a stack that was killed.
  }
  throw new StackError('PORT_IN_USE', `a stack is already running from ${state.layout.dir} (process ${pid}); stop it first (Ctrl-C in its terminal, or kill ${pid})`);
}

/**
 * Which commands the bundled client has, so only working commands are printed: each command
 * is its own module, apps/cli/dist/commands/<name>.js (reading the folder costs nothing;
 * asking `sigstack --help` would cost a process start).
 */
function cliCommands(root: string): Set<string> {
  const dir = path.join(root, 'apps', 'cli', 'dist', 'commands');
  if (!existsSync(dir)) return new Set();
  return new Set(readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)));
}

/**
 * The identities the printed commands verify, read from real tokens (this also proves the
 * sign-in flow works before anyone pastes a command).
 */
async function readIdentities(oidcUrl: string, workloadSecretFile: string) {
  const workloads = await listWorkloads(oidcUrl);
  const userClaims = jwtClaims(await userToken(oidcUrl, 'alice'));
  const user: Identity & { profile: string } = { profile: 'alice', identity: String(userClaims['email']), issuer: String(userClaims['iss']) };
  const gha = workloads.find((w) => w.kind === 'github-actions') ?? workloads[0];
  let workload: Identity & { profile: string } = user;
  if (gha !== undefined) {
    const claims = jwtClaims(await workloadToken({ issuer: oidcUrl, workloadSecretFile }, gha.name));
    // Fulcio's github-workflow issuer type: the SAN is the job workflow ref as a URL.
    const identity = gha.kind === 'github-actions' && typeof claims['job_workflow_ref'] === 'string' ? `https://github.com/${claims['job_workflow_ref']}` : gha.subject;
    workload = { profile: gha.name, identity, issuer: String(claims['iss']) };
  }
  return { workloads, user, workload };
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { settings, root } = options;
  const started = Date.now();
  const progress = (line: string) => options.progress(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const readyTimeout = options.readyTimeoutMs ?? 90_000;
  const grace = options.stopGraceMs ?? 8_000;

  await checkPorts(settings);
  const state = await openState(settings.state);
  await checkNotRunning(state);
  const l = state.layout;
  if (state.fresh) progress(`Creating the state folder ${l.dir}: generating the dev keys (first start only)...`);

  const ca = await ensureFulcioCa(state);
  const ctlogKeyFile = path.join(l.ctlog, 'ctlog-key.pem');
  // Rekor's current keys (rotate-key makes new ones; log-keys.ts keeps the history).
  const ring = await readKeyRing(state);
  const rekorKeyFile = currentKeyFile(state, ring, 'v1');
  const rekorV2KeyFile = currentKeyFile(state, ring, 'v2');
  await ensureLogKey(state, ctlogKeyFile, 'ecdsa-p256');
  await ensureLogKey(state, rekorKeyFile, 'ecdsa-p256');
  const rekorV2Pem = await ensureLogKey(state, rekorV2KeyFile, 'ed25519');
  const issuerConfigFile = path.join(l.fulcio, 'issuers.yaml');
  await writeAtomic(issuerConfigFile, issuerConfig(serviceUrl(settings, 'oidc')));
  if (!existsSync(path.join(l.demo, 'hello.txt'))) await writeFile(path.join(l.demo, 'hello.txt'), DEMO_TEXT);
  if (!existsSync(path.join(l.demo, 'predicate.json'))) await writeFile(path.join(l.demo, 'predicate.json'), `${JSON.stringify(DEMO_PREDICATE, null, 2)}\n`);

  const specsFor = (keys: RekorKeyRing) =>
    serviceSpecs(root, settings, state, {
      ca,
      issuerConfigFile,
      ctlogKeyFile,
      ctlogPublicKeyFile: ctlogKeyFile.replace(/\.pem$/, '.pub'),
      rekorKeyFile: currentKeyFile(state, keys, 'v1'),
      rekorV2KeyFile: currentKeyFile(state, keys, 'v2'),
      rekorRetiredKeys: retiredKeysSetting(state, keys),
    });
  const specs = specsFor(ring);
  const running: SupervisedService[] = [];
  // stack.json once the stack is up; rewritten when a restarted service has a new pid.
  let stackValue: Record<string, unknown> | undefined;
  let stackWrite = Promise.resolve();
  const processes = () => Object.fromEntries(running.map((s) => [s.spec.name, { pid: s.pid ?? null, restarts: s.restarts }]));
  const writeStackJson = (): Promise<void> => {
    if (stackValue === undefined) return stackWrite;
    const value = { ...stackValue, processes: processes() };
    // One write at a time, in order: the last one always holds the newest pids.
    stackWrite = stackWrite.then(() => writeAtomic(l.stackJson, `${JSON.stringify(value, null, 2)}\n`)).catch((error: unknown) => {
      options.progress(`warning: writing ${l.stackJson} failed: ${(error as Error).message}`);
    });
    return stackWrite;
  };
  let tufServer: RunningServer | undefined;
  let control: ControlServer | undefined;
  let refresher: ReturnType<typeof setInterval> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(refresher);
      await control?.close().catch(() => undefined);
      await tufServer?.close().catch(() => undefined);
      // Reverse order: Fulcio first (it depends on the others).
      await Promise.all([...running].reverse().map((s) => s.stop(grace)));
      await stackWrite;
      // The file says where a running stack is; once stopped it must not claim one.
      try {
        const text = await readFile(l.stackJson, 'utf8');
        const value = JSON.parse(text) as Record<string, unknown>;
        if (value['pid'] === process.pid) {
          const stopped = Object.fromEntries(Object.keys((value['processes'] as Record<string, unknown> | undefined) ?? {}).map((name) => [name, { pid: null }]));
          await writeAtomic(l.stackJson, `${JSON.stringify({ ...value, pid: null, processes: stopped, stoppedAt: new Date().toISOString() }, null, 2)}\n`);
        }
      } catch {
        // Nothing written yet.
      }
    })();
    return stopping;
  };
  /**
   * Rotates Rekor's keys while the stack runs: stop Rekor, record the switch and make the new
   * keys while nothing signs, start it with them, then publish the new trusted root.
   */
  const rotateRunningRekor = async (say: (line: string) => void): Promise<PublishedRotation> => {
    const rekor = running.find((s) => s.spec.name === 'rekor');
    if (rekor === undefined || stopping) throw new StackError('NOT_RUNNING', 'the stack is stopping');
    say('Rotating Rekor\'s log keys: stopping Rekor...');
    let rotated: RotatedKeys | undefined;
    try {
      await rekor.replace(grace, async () => {
        rotated = await rotateKeyRing(state, new Date());
        say(`Rekor's new keys take over at ${rotated.at.toISOString()}; starting Rekor with them...`);
        return specsFor(await readKeyRing(state)).rekor;
      });
    } catch (error) {
      if (rotated === undefined) throw error;
      throw new StackError('SERVICE_FAILED', `Rekor did not start with its new keys (${(error as Error).message.split('\n')[0]}); the launcher keeps restarting it, see ${rekor.spec.logFile}`, { cause: error });
    }
    say('Rekor is ready with its new keys; publishing the new trusted root...');
    const published = await publishRekorRotation(state, rotated as RotatedKeys, rekorV2Origin(settings));
    say(`trusted_root.json published as targets v${published.targetsVersion} (timestamp v${published.timestampVersion})`);
    return published;
  };
  process.once('exit', () => {
    for (const s of running) s.killNow();
  });

  try {
    const launch = async (name: keyof typeof specs) => {
      const service = SupervisedService.start(specs[name], {
        echo: settings.verbose,
        readyTimeoutMs: readyTimeout,
        ...(options.restartPolicy ? { policy: options.restartPolicy } : {}),
        progress,
        onReady: () => writeStackJson(),
      });
      running.push(service);
      await service.ready();
      progress(`${specs[name].label} is ready at ${specs[name].url}`);
      return service;
    };
    progress(`Starting the services${settings.databaseUrl ? ' (logs in PostgreSQL: DATABASE_URL)' : ''}...`);
    // All at once: Fulcio needs the CT log and the OIDC provider only when it issues (its
    // readiness does not call them), and nothing else depends on another service.
    const names = ['oidc', 'ctlog', 'tsa', 'rekor', 'fulcio'] as const;
    // The first failure stops the start at once (stop() below ends the others).
    await Promise.all(names.map((name) => launch(name)));

    const oidcUrl = serviceUrl(settings, 'oidc');
    const workloadSecretFile = path.join(l.oidc, 'workload-secret');
    // Read while the TUF step runs.
    const identities = readIdentities(oidcUrl, workloadSecretFile);
    // Settled here so a failure while the TUF step runs is not unhandled; rethrown below.
    identities.catch(() => undefined);
    progress(state.fresh ? 'Creating the TUF repository from the running services (first start only)...' : 'Checking the TUF repository against the running services...');
    const origin = rekorV2Origin(settings);
    const tuf = await ensureRepository(state, {
      fulcio: { url: serviceUrl(settings, 'fulcio') },
      rekor: [{ url: serviceUrl(settings, 'rekor') }],
      rekorV2: [{ url: serviceUrl(settings, 'rekor'), publicKeyPem: rekorV2Pem, origin }],
      ctlogs: [{ url: serviceUrl(settings, 'ctlog'), publicKeyPem: await readFile(ctlogKeyFile.replace(/\.pem$/, '.pub'), 'utf8') }],
      tsa: [{ url: serviceUrl(settings, 'tsa') }],
      oidc: [{ url: serviceUrl(settings, 'oidc') }],
      operator: 'sigstack local stack',
    });
    const probe = await probePort(settings.host, settings.ports.tuf);
    if (probe !== undefined) {
      const spec = PORTS.find((p) => p.service === 'tuf');
      throw new StackError('PORT_IN_USE', `port ${settings.ports.tuf} (TUF repository) was taken while the stack started; choose another with ${spec?.env}=N`);
    }
    tufServer = await serveRepository({ dir: l.repository, host: settings.host, port: settings.ports.tuf });
    progress(`the TUF repository is ${tuf.action === 'created' ? 'created and ' : tuf.action === 'published' ? 'updated (new targets) and ' : ''}served at ${tufServer.url} (root v${tuf.rootVersion})`);
    await markComplete(state);
    // A stack left running for days: re-sign timestamp and snapshot before they expire
    // (refresh only re-signs once less than half a lifetime is left).
    refresher = setInterval(() => {
      void refreshTuf(state).catch((error: unknown) => options.progress(`warning: refreshing the TUF repository failed: ${(error as Error).message}`));
    }, 60 * 60 * 1000);
    refresher.unref();

    const { workloads, user, workload } = await identities;
    const commands = cliCommands(root);
    const launcher = path.join(root, 'tools', 'stack', 'dist', 'main.js');
    const defaultState = path.resolve(process.cwd(), '.sigstack') === l.dir;
    const relLauncher = path.relative(process.cwd(), launcher);
    const shownLauncher = relLauncher.startsWith('..') ? launcher : relLauncher;
    const devTokenCommand = commands.has('dev-token')
      ? `npx sigstack dev-token${defaultState ? '' : ` --state ${sh(settings.stateArg)}`}`
      : `node ${sh(shownLauncher)} dev-token${defaultState ? '' : ` --state ${sh(settings.stateArg)}`}`;
    const info: StackInfo = {
      state: l.dir,
      services: {
        oidc: oidcUrl,
        fulcio: serviceUrl(settings, 'fulcio'),
        rekor: serviceUrl(settings, 'rekor'),
        ctlog: serviceUrl(settings, 'ctlog'),
        tsa: serviceUrl(settings, 'tsa'),
        tuf: tufServer.url.replace(/\/+$/, ''),
      },
      tufRoot: tuf.rootFile,
      trustedRoot: l.trustedRoot,
      signingConfig: l.signingConfig,
      logs: l.logs,
      stackJson: l.stackJson,
      workloadSecretFile,
      demoFile: path.join(l.demo, 'hello.txt'),
      predicateFile: path.join(l.demo, 'predicate.json'),
      rekorV2Origin: origin,
      user,
      workload,
      workloadProfiles: workloads.map((w) => w.name),
      devTokenCommand,
      devTokenCommandAbsolute: commands.has('dev-token')
        ? `npx sigstack dev-token --state ${sh(l.dir)}`
        : `node ${sh(launcher)} dev-token --state ${sh(l.dir)}`,
      cliCommands: commands,
      startSeconds: (Date.now() - started) / 1000,
      fresh: state.fresh,
    };
    // `rotate-key` from another terminal reaches this process through the control socket.
    control = await listenControl(controlPath(l.dir, state.marker.id), async (_request, report) => {
      const say = (line: string) => {
        progress(line);
        report(line);
      };
      return rotateRunningRekor(say);
    });
    stackValue = { ...stackJson(info), control: control.path };
    await writeStackJson();
    options.print(banner(info));

    // From here on a service that dies is started again; one that keeps dying ends the stack.
    for (const service of running) service.supervise();
    const failure = Promise.race(running.map((service) => service.failure));
    return { info, failure: failure.then((e) => (stopping ? new Promise<StackError>(() => undefined) : e)), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
