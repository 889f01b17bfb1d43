// Everything a command touches outside its arguments, injected so tests run commands in-process
// with their own environment, clock, network and terminal.
import { createInterface } from 'node:readline';
import { CliError } from './errors.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdin is a terminal: prompts are allowed only then. */
  readonly interactive: boolean;
  /** Asks one question at the terminal; `secret` hides the answer. */
  readonly ask: (question: string, secret: boolean) => Promise<string>;
  readonly fetch: FetchLike;
  readonly now: () => Date;
}

/** Reads one line from the terminal; secret input is not echoed. */
async function askTerminal(question: string, secret: boolean): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (secret) {
    // Replace echoed characters: readline writes through _writeToOutput.
    const internals = rl as unknown as { _writeToOutput: (s: string) => void };
    let prompted = false;
    internals._writeToOutput = (s: string) => {
      if (!prompted) {
        process.stderr.write(s);
        prompted = true;
      } else if (s.includes('\n') || s.includes('\r')) process.stderr.write('\n');
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

export function processIo(): CliIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: process.stdin.isTTY === true,
    ask: askTerminal,
    fetch: (input, init) => fetch(input, init),
    now: () => new Date(),
  };
}

/** A prompt, or a clear failure when there is no terminal to ask at. */
export async function prompt(io: CliIo, question: string, secret: boolean, whenNoTerminal: string): Promise<string> {
  if (!io.interactive) throw new CliError('NO_TERMINAL', whenNoTerminal);
  return io.ask(question, secret);
}

/** Asks a yes/no question (default no). */
export async function confirm(io: CliIo, question: string, whenNoTerminal: string): Promise<boolean> {
  const answer = await prompt(io, `${question} [y/N] `, false, whenNoTerminal);
  return /^y(es)?$/i.test(answer.trim());
}
