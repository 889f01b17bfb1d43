// sigstack generate-key-pair: cosign.key (cosign's encrypted format) and cosign.pub.
import { existsSync } from 'node:fs';
import { encryptPrivateKey, exportPublicKey, generateKeyPair } from '@sigstack/crypto';
import { parseFlags, positionals, str } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { resolvePath, writeOutput } from '../files.js';
import { confirm, prompt } from '../io.js';

const FLAGS = { 'output-key-prefix': { type: 'string' } } as const;

export const generateKeyPairCommand: Command = {
  name: 'generate-key-pair',
  summary: "Generate an ECDSA P-256 key pair: cosign.key (encrypted, cosign's format) and cosign.pub",
  usage: 'sigstack generate-key-pair [--output-key-prefix cosign]',
  async run(argv, io) {
    const p = parseFlags('generate-key-pair', argv, FLAGS);
    positionals(p, 'generate-key-pair', []);
    const prefix = str(p, 'output-key-prefix') ?? 'cosign';
    const keyFile = `${prefix}.key`;
    const pubFile = `${prefix}.pub`;
    if (existsSync(resolvePath(io, keyFile))) {
      const ok = await confirm(io, `File ${keyFile} already exists. Overwrite?`, `${keyFile} already exists: remove it first (no terminal to confirm overwriting)`);
      if (!ok) throw new CliError('CANCELLED', `${keyFile} kept`);
    }
    let pw = io.env['COSIGN_PASSWORD'];
    if (pw === undefined) {
      const noTty = 'no password: set COSIGN_PASSWORD (stdin is not a terminal to ask at)';
      pw = await prompt(io, 'Enter password for private key: ', true, noTty);
      const again = await prompt(io, 'Enter password for private key again: ', true, noTty);
      if (again !== pw) throw new CliError('AUTH', 'passwords do not match');
    }
    const { privateKey, publicKey } = await generateKeyPair('ecdsa-p256');
    writeOutput(io, keyFile, await encryptPrivateKey(privateKey, pw), 'private key', 0o600);
    io.stderr(`Private key written to ${keyFile}\n`);
    writeOutput(io, pubFile, exportPublicKey(publicKey, 'pem'), 'public key');
    io.stderr(`Public key written to ${pubFile}\n`);
    return 0;
  },
};
