// The `sigstack` command line: dispatches to one command module, and turns every failure into
// one line on stderr and a documented exit code (errors.ts), never a stack trace.
import type { Command } from './command.js';
import { attestBlob } from './commands/attest-blob.js';
import { bundleInspect } from './commands/bundle-inspect.js';
import { conformance } from './commands/conformance.js';
import { devTokenCommand } from './commands/dev-token.js';
import { generateKeyPairCommand } from './commands/generate-key-pair.js';
import { initialize } from './commands/initialize.js';
import { signBlob } from './commands/sign-blob.js';
import { signingConfigCreate } from './commands/signing-config-create.js';
import { trustedRootCreate } from './commands/trusted-root-create.js';
import { verifyBlob } from './commands/verify-blob.js';
import { verifyBlobAttestation } from './commands/verify-blob-attestation.js';
import { EXIT_CODES, errorLine, toCliError, usage } from './errors.js';
import type { CliIo } from './io.js';

export const COMMANDS: readonly Command[] = [
  initialize,
  generateKeyPairCommand,
  signBlob,
  verifyBlob,
  attestBlob,
  verifyBlobAttestation,
  trustedRootCreate,
  signingConfigCreate,
  bundleInspect,
  conformance,
  devTokenCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'sigstack: sign and verify with a Sigstore deployment (cosign-compatible commands and flags)',
    '',
    'Usage: sigstack COMMAND [flags] [args]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sigstack COMMAND --help` for a command\'s usage. Documentation: docs/cli.md.',
    '',
  ].join('\n');
}

/** Runs one command line; resolves to the process exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      io.stdout(help());
      return name === undefined ? EXIT_CODES.USAGE : 0;
    }
    const twoWord = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === `${name} ${rest[0]}`);
    const chosen = twoWord ?? COMMANDS.find((c) => c.name === name);
    if (chosen === undefined) throw usage(`unknown command ${JSON.stringify(name)}; run sigstack --help`);
    const args = twoWord ? rest.slice(1) : rest;
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout(`${chosen.summary}\n\nUsage: ${chosen.usage}\n\nSee docs/cli.md for every flag.\n`);
      return 0;
    }
    return await chosen.run(args, io);
  } catch (error) {
    const e = toCliError(error);
    io.stderr(`${errorLine(e)}\n`);
    return EXIT_CODES[e.code];
  }
}
