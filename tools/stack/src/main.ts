// The launcher behind `npm start` (and `node tools/stack/dist/main.js dev-token`). Every
// failure is one line on stderr and exit code 1 (2 for usage), never a stack trace.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devToken } from './dev-token.js';
import { StackError, errorLine } from './errors.js';
import { USAGE, parseSettings } from './settings.js';
import type { Settings } from './settings.js';
import { layout } from './state.js';
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
  const file = layout(settings.state).stackJson;
  if (!existsSync(file)) throw new StackError('NOT_RUNNING', `${file} does not exist; start the stack first (npm start${settings.stateArg === '.sigstack' ? '' : ` -- --state ${settings.stateArg}`})`);
  let stack: { services?: { oidc?: string }; devToken?: { workloadSecretFile?: string } };
  try {
    stack = JSON.parse(readFileSync(file, 'utf8')) as typeof stack;
  } catch (cause) {
    throw new StackError('BAD_STATE', `${file} does not parse; start the stack again to rewrite it`, { cause });
  }
  const issuer = stack.services?.oidc;
  const secret = stack.devToken?.workloadSecretFile;
  if (!issuer || !secret) throw new StackError('BAD_STATE', `${file} has no services.oidc or devToken.workloadSecretFile; start the stack again to rewrite it`);
  process.stdout.write(`${await devToken({ issuer, workloadSecretFile: secret }, settings.profile ?? 'alice')}\n`);
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
    return settings.command === 'dev-token' ? await token(settings) : await up(settings);
  } catch (error) {
    process.stderr.write(`${errorLine(error)}\n`);
    if (!(error instanceof StackError) && process.env['SIGSTACK_DEBUG']) process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// Open handles (timers, sockets) must not keep a stopped launcher alive.
process.exit();
