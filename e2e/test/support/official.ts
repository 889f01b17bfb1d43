// The official Sigstore clients, pointed at the stack's TUF repository: the `sigstore`
// package (in this process) and @sigstore/cli 0.8 (its `sigstore` bin, run by this Node).
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import type { VerifyOptions } from 'sigstore';
import { ROOT, run } from './stack.js';
import type { CommandResult, Stack } from './stack.js';

const SIGSTORE_CLI = path.join(ROOT, 'node_modules', '@sigstore', 'cli', 'bin', 'run');

/** Runs `sigstore ARGS` (@sigstore/cli) in `stack.work` with the stack's private HOME, without colours. */
export function sigstoreCli(stack: Stack, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  // nx forces colours on for its children; plain text keeps the output comparable.
  const plain = { FORCE_COLOR: '0', NO_COLOR: '1' };
  return run(process.execPath, [SIGSTORE_CLI, ...args], { cwd: stack.work, env: { ...stack.env, ...plain, ...env }, timeoutMs: 120_000 });
}

/** sigstore.verify options: trust from the stack's TUF mirror (a fresh cache), one identity. */
export function officialVerifyOptions(stack: Stack, identity: { identity: string; issuer: string }): VerifyOptions {
  const pin = identity.identity.includes('@') && !identity.identity.includes('://') ? { certificateIdentityEmail: identity.identity } : { certificateIdentityURI: identity.identity };
  return {
    tufMirrorURL: stack.info.services.tuf,
    tufRootPath: stack.info.tufRoot,
    tufCachePath: mkdtempSync(path.join(stack.work, 'sigstore-js-tuf-')),
    certificateIssuer: identity.issuer,
    ...pin,
  };
}

/** What sigstore.verify resolves to for a bundle signed by `identity`. */
export function signedBy(identity: { identity: string; issuer: string }): { identity: { subjectAlternativeName: string; extensions: { issuer: string } } } {
  return { identity: { subjectAlternativeName: identity.identity, extensions: { issuer: identity.issuer } } };
}
