import type { CliIo } from './io.js';

/** One subcommand: `run` resolves to the exit code or throws a CliError. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
