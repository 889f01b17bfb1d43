// Runs each service as its own process (the built `apps/<app>/dist/main.js`, as production
// runs it), waits for its /readyz, and stops them all cleanly: SIGTERM, a grace period for
// their graceful shutdown, then SIGKILL. Children get their own process group, so a Ctrl-C
// at the terminal reaches only the launcher, which then stops each child exactly once (a
// second signal would make a service skip its graceful shutdown).
//
// Once the stack is up, a service that dies (a crash, an OOM kill, `kill -9` from a test)
// is started again, as a process manager would: after a short backoff that doubles with each
// recent restart, with a progress line each time, and only so often: a service that keeps
// dying (RestartPolicy.maxRestarts within windowMs) is given up on, and the stack stops with
// its last output, as at start-up. A failure during start-up is never retried: it is almost
// always configuration, and retrying would only bury the message.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import path from 'node:path';
import { StackError } from './errors.js';

export interface ServiceSpec {
  /** Short name: oidc, fulcio, ... */
  readonly name: string;
  readonly label: string;
  /** Absolute path of the built entry point. */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  /** Base URL; readiness is `${url}/readyz`. */
  readonly url: string;
  readonly logFile: string;
}

const TAIL_LINES = 12;

export class RunningService {
  private readonly tail: string[] = [];
  private partial = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly spec: ServiceSpec,
    readonly child: ChildProcess,
    private readonly log: WriteStream,
    echo: boolean,
  ) {
    const take = (chunk: Buffer, stream: 'out' | 'err') => {
      log.write(chunk);
      if (echo) process.stderr.write(prefixLines(spec.name, chunk.toString('utf8')));
      if (stream === 'err') this.remember(chunk.toString('utf8'));
    };
    child.stdout?.on('data', (c: Buffer) => take(c, 'out'));
    child.stderr?.on('data', (c: Buffer) => take(c, 'err'));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
      child.once('error', () => {
        this.exitInfo ??= { code: null, signal: null };
        resolve();
      });
    });
  }

  private remember(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines the service wrote to stderr, to explain a failure. */
  lastLines(): string[] {
    return this.partial.trim() === '' ? [...this.tail] : [...this.tail, this.partial];
  }

  exitDescription(): string {
    const info = this.exitInfo;
    if (info === undefined) return 'is still running';
    return info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Closes the log file of a process that is gone (stop() does it for a stopped one). */
  async closeLog(): Promise<void> {
    if (this.log.closed || this.log.writableEnded) return;
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return this.closeLog();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    await this.closeLog();
  }

  /** Synchronous last resort (process 'exit'): no waiting possible. */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

function prefixLines(name: string, text: string): string {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `[${name}] ${l}\n`)
    .join('');
}

export function startService(spec: ServiceSpec, echo: boolean): RunningService {
  if (!existsSync(spec.entry)) {
    throw new StackError('NOT_BUILT', `${spec.label} is not built (${path.relative(process.cwd(), spec.entry) || spec.entry} is missing); run \`npm run build\` (npm ci builds everything)`);
  }
  const log = createWriteStream(spec.logFile, { flags: 'a' });
  log.write(`\n--- ${new Date().toISOString()} starting ${spec.name}\n`);
  const child = spawn(process.execPath, [spec.entry], {
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    cwd: path.dirname(spec.logFile),
  });
  return new RunningService(spec, child, log, echo);
}

/** Polls `${url}/readyz` until 200; fails as soon as the service exits, or after `timeoutMs`. */
export async function waitReady(service: RunningService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const url = `${service.spec.url}/readyz`;
  while (Date.now() < deadline) {
    if (!service.running) throw failed(service, `${service.exitDescription()} before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await Promise.race([service.exited, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  throw failed(service, `was not ready within ${Math.round(timeoutMs / 1000)} s (${url})`);
}

export function failed(service: RunningService, what: string): StackError {
  const lines = service.lastLines();
  const detail = lines.length > 0 ? `; its last output:\n${lines.map((l) => `    ${l}`).join('\n')}` : '';
  return new StackError('SERVICE_FAILED', `${service.spec.label} ${what} (full log: ${service.spec.logFile})${detail}`);
}

export interface RestartPolicy {
  /** The wait before the first restart; it doubles with each restart inside the window. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Restarts allowed within `windowMs`; one more and the service is given up on. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialBackoffMs: 250, maxBackoffMs: 4_000, maxRestarts: 5, windowMs: 60_000 };

export interface SupervisorOptions {
  readonly echo: boolean;
  readonly readyTimeoutMs: number;
  readonly policy?: RestartPolicy;
  /** One line per event (restarting, ready again, giving up). */
  readonly progress: (line: string) => void;
  /** A (re)started process is ready: stack.json records its pid. */
  readonly onReady?: (service: SupervisedService) => void | Promise<void>;
}

/**
 * One service for the life of the stack: its current process, started again when it dies
 * after `supervise()` (see the top of this file), replaced on request with another spec
 * (a rotated key), stopped once.
 */
export class SupervisedService {
  private current: RunningService;
  private supervising = false;
  private stopped = false;
  /** Processes this class stopped on purpose: their exit is not a failure. */
  private readonly intentional = new WeakSet<RunningService>();
  /** A replace() in progress: the watcher waits for it instead of restarting. */
  private replacing: Promise<void> | undefined;
  private readonly recent: number[] = [];
  private wake: (() => void) | undefined;
  private giveUp!: (error: StackError) => void;
  private restartCount = 0;
  /** Resolves when the service is given up on (it kept dying); never while it runs. */
  readonly failure: Promise<StackError>;

  private constructor(
    private specValue: ServiceSpec,
    private readonly options: SupervisorOptions,
  ) {
    this.failure = new Promise((resolve) => (this.giveUp = resolve));
    this.current = startService(specValue, options.echo);
  }

  /** Starts the process (throws NOT_BUILT at once); `ready()` waits for it. */
  static start(spec: ServiceSpec, options: SupervisorOptions): SupervisedService {
    return new SupervisedService(spec, options);
  }

  get spec(): ServiceSpec {
    return this.specValue;
  }

  get pid(): number | undefined {
    return this.current.pid;
  }

  /** How many times the process was started again after it died (replace() does not count). */
  get restarts(): number {
    return this.restartCount;
  }

  get running(): boolean {
    return this.current.running;
  }

  /** Waits until the first process is ready (start-up: a failure here is final). */
  async ready(): Promise<void> {
    await waitReady(this.current, this.options.readyTimeoutMs);
    await this.options.onReady?.(this);
  }

  /** From now on a process that dies is started again. */
  supervise(): void {
    if (this.supervising || this.stopped) return;
    this.supervising = true;
    void this.watch();
  }

  private get policy(): RestartPolicy {
    return this.options.policy ?? DEFAULT_RESTART_POLICY;
  }

  /** Waits `ms`, or less if the service is stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async watch(): Promise<void> {
    for (;;) {
      const process_ = this.current;
      await process_.exited;
      if (this.stopped) return;
      if (this.intentional.has(process_)) {
        await this.replacing;
        if (this.stopped) return;
        if (this.current !== process_) continue;
        // The replacement never started (its spec could not be made): start the old one again.
      }
      await process_.closeLog();
      const label = this.specValue.label;
      const now = Date.now();
      while (this.recent.length > 0 && now - (this.recent[0] as number) > this.policy.windowMs) this.recent.shift();
      if (this.recent.length >= this.policy.maxRestarts) {
        const error = failed(process_, `${process_.exitDescription()}, and was restarted ${this.recent.length} times within ${Math.round(this.policy.windowMs / 1000)} s; giving up`);
        this.options.progress(`${label} ${process_.exitDescription()} again; giving up after ${this.recent.length} restarts within ${Math.round(this.policy.windowMs / 1000)} s`);
        this.giveUp(error);
        return;
      }
      this.recent.push(now);
      const backoff = Math.min(this.policy.initialBackoffMs * 2 ** (this.recent.length - 1), this.policy.maxBackoffMs);
      this.options.progress(
        `${label} ${process_.exitDescription()}; restarting it in ${(backoff / 1000).toFixed(1)} s (restart ${this.recent.length} of at most ${this.policy.maxRestarts} within ${Math.round(this.policy.windowMs / 1000)} s; log: ${this.specValue.logFile})`,
      );
      await this.pause(backoff);
      if (this.stopped) return;
      try {
        this.current = startService(this.specValue, this.options.echo);
        this.restartCount += 1;
        await waitReady(this.current, this.options.readyTimeoutMs);
      } catch (error) {
        // Not ready: it died (the loop sees its exit) or hangs (stop it, then the same).
        if (this.current.running) this.current.killNow();
        if (error instanceof StackError && error.code === 'NOT_BUILT') {
          this.giveUp(error);
          return;
        }
        continue;
      }
      if (this.stopped) return;
      this.options.progress(`${label} is ready again at ${this.specValue.url} (process ${this.current.pid}, restart ${this.restartCount})`);
      await this.options.onReady?.(this);
    }
  }

  /**
   * Stops the process on purpose and starts one with the spec `next` gives (e.g. after a key
   * rotation), waiting until it is ready. `next` runs while no process is running.
   */
  async replace(graceMs: number, next: () => ServiceSpec | Promise<ServiceSpec>): Promise<void> {
    if (this.stopped) throw new StackError('NOT_RUNNING', `${this.specValue.label} is stopping`);
    let finish!: () => void;
    const previous = this.replacing;
    this.replacing = new Promise((resolve) => (finish = resolve));
    try {
      await previous;
      const old = this.current;
      this.intentional.add(old);
      await old.stop(graceMs);
      const spec = await next();
      this.specValue = spec;
      this.current = startService(spec, this.options.echo);
      await waitReady(this.current, this.options.readyTimeoutMs);
      await this.options.onReady?.(this);
    } finally {
      finish();
    }
  }

  /** Stops the process for good (no restart). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.current.stop(graceMs);
  }

  /** Synchronous last resort (process 'exit'). */
  killNow(): void {
    this.stopped = true;
    this.current.killNow();
  }
}
