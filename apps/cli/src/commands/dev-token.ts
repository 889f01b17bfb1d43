// sigstack dev-token: a fresh ID token from the local stack's dev OIDC provider (npm start),
// so keyless signing against the local stack is one line:
//   npx sigstack sign-blob --identity-token "$(npx sigstack dev-token)" ...
import { DevTokenError, devToken, readStackFile, type DevTokenErrorCode } from '@sigstack/dev-token';
import { parseFlags, positionals, str } from '../args.js';
import type { Command } from '../command.js';
import { CliError, type CliErrorCode } from '../errors.js';
import { resolvePath } from '../files.js';

const FLAGS = { state: { type: 'string' }, profile: { type: 'string' } } as const;

const EXIT_FOR: Readonly<Record<DevTokenErrorCode, CliErrorCode>> = {
  NOT_RUNNING: 'SERVICE',
  BAD_STATE: 'INPUT',
  TOKEN_FAILED: 'AUTH',
};

export const devTokenCommand: Command = {
  name: 'dev-token',
  summary: "Print a fresh ID token from the local stack's dev OIDC provider (a user, or a workload such as github-actions)",
  usage: 'sigstack dev-token [--state .sigstack] [--profile alice|bob|github-actions|gitlab-ci|buildkite|kubernetes|spiffe]',
  async run(argv, io) {
    const p = parseFlags('dev-token', argv, FLAGS);
    positionals(p, 'dev-token', []);
    try {
      const source = readStackFile(resolvePath(io, str(p, 'state') ?? '.sigstack'));
      io.stdout(`${await devToken(source, str(p, 'profile') ?? 'alice')}\n`);
    } catch (error) {
      if (error instanceof DevTokenError) throw new CliError(EXIT_FOR[error.code], `dev-token: ${error.message}`, { cause: error });
      throw error;
    }
    return 0;
  },
};
