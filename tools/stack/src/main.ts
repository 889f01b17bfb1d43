// The launcher behind `npm start` (and `node tools/stack/dist/main.js dev-token`, `rotate-key`). Every
// failure is one line on stderr and exit code 1 (2 for usage), never a stack trace.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevTokenError, devToken, readStackFile } from '@sigstack/dev-token';
import { StackError, errorLine } from './errors.js';
import { rotateRekorKeys, rotationSummary } from './rotate.js';
import { USAGE, parseSettings } from './settings.js';
import type { Settings } from './settings.js';
import { startStack } from './stack.js';

/** tools/stack/dist/main.js -> the workspace root. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function up(settings: Settings): Promise<number> {
  let signalled: NodeJS.Signals | undefined;
  let stopRequested: (() => void) | undefined;
  const stopSignal = new Promise<void>((resolve) => (stopRequested = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled !== undefined) {
      process.stderr.write(`\nsigstack-stack: ${signal} again; stopping harder\n`);
      return;
    }
    signalled = signal;
    stopRequested?.();
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

  const starting = startStack({
    root: ROOT,
    settings,
    progress: (line) => process.stderr.write(`${line}\n`),
    print: (text) => process.stdout.write(`${text}\n`),
  });
  // A signal during start-up: let the start finish or fail, then stop.
  const stack = await Promise.race([starting, stopSignal.then(() => undefined)]);
  if (stack === undefined) {
    process.stderr.write('Stopping (start-up interrupted)...\n');
    try {
      const s = await starting;
      await s.stop();
    } catch {
      // It failed while starting, and stopped what it had started.
    }
    return 130;
  }
  const outcome = await Promise.race([stack.failure, stopSignal.then(() => undefined)]);
  process.stderr.write(outcome ? `${errorLine(outcome)}\nStopping the other services...\n` : `\nStopping the stack (${signalled})...\n`);
  await stack.stop();
  if (outcome) return 1;
  process.stderr.write('Stopped.\n');
  return 0;
}

async function token(settings: Settings): Promise<number> {
  try {
    const source = readStackFile(settings.state);
    process.stdout.write(`${await devToken(source, settings.profile ?? 'alice')}\n`);
  } catch (error) {
    // The launcher prints its own errors; dev-token's codes are among them.
    if (error instanceof DevTokenError) throw new StackError(error.code, error.message, { cause: error });
    throw error;
  }
  return 0;
}

async function rotateKey(settings: Settings): Promise<number> {
  const started = Date.now();
  const result = await rotateRekorKeys(settings, (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`));
  process.stdout.write(rotationSummary(result));
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let settings: Settings;
  try {
    settings = parseSettings(argv, process.env, process.cwd());
  } catch (error) {
    process.stderr.write(`${errorLine(error)}\n`);
    return 2;
  }
  if (settings.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    if (settings.command === 'dev-token') return await token(settings);
    if (settings.command === 'rotate-key') return await rotateKey(settings);
    return await up(settings);
  } catch (error) {
    process.stderr.write(`${errorLine(error)}\n`);
    if (!(error instanceof StackError) && process.env['SIGSTACK_DEBUG']) process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// Open handles (timers, sockets) must not keep a stopped launcher alive.
process.exit();
