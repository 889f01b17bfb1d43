// Runs each service as its own process (the built `apps/<app>/dist/main.js`, as production
// runs it), waits for its /readyz, and stops them all cleanly: SIGTERM, a grace period for
// their graceful shutdown, then SIGKILL. Children get their own process group, so a Ctrl-C
// at the terminal reaches only the launcher, which then stops each child exactly once (a
// second signal would make a service skip its graceful shutdown).
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

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.log.end(resolve));
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
