// cosign's verification flags, shared by verify-blob and verify-blob-attestation, turned
// into a @sigstack/verify policy.
import { importPublicKey } from '@sigstack/crypto';
import type { GitHubWorkflowPolicy, StringMatcher, VerificationPolicy } from '@sigstack/verify';
import { bool, str, type FlagSpecs, type Parsed } from '../args.js';
import { CliError, usage } from '../errors.js';
import { readText } from '../files.js';
import type { CliIo } from '../io.js';

export const IDENTITY_FLAGS: FlagSpecs = {
  'certificate-identity': { type: 'string' },
  'certificate-identity-regexp': { type: 'string' },
  'certificate-oidc-issuer': { type: 'string' },
  'certificate-oidc-issuer-regexp': { type: 'string' },
  'certificate-github-workflow-trigger': { type: 'string' },
  'certificate-github-workflow-sha': { type: 'string' },
  'certificate-github-workflow-name': { type: 'string' },
  'certificate-github-workflow-repository': { type: 'string' },
  'certificate-github-workflow-ref': { type: 'string' },
};

/** Flags every verifying command shares with cosign's verify-blob. */
export const COMMON_VERIFY_FLAGS: FlagSpecs = {
  ...IDENTITY_FLAGS,
  key: { type: 'string' },
  bundle: { type: 'string' },
  'trusted-root': { type: 'string' },
  offline: { type: 'boolean' },
  'insecure-ignore-tlog': { type: 'boolean' },
  'insecure-ignore-sct': { type: 'boolean' },
  'use-signed-timestamps': { type: 'boolean' },
  'new-bundle-format': { type: 'boolean', default: true },
  'rekor-url': { type: 'string' },
};

function matcher(p: Parsed, command: string, exact: string, regexp: string): StringMatcher {
  const e = str(p, exact);
  const r = str(p, regexp);
  if (e !== undefined && r !== undefined) throw usage(`${command}: --${exact} and --${regexp} are mutually exclusive`);
  if (e !== undefined) return e;
  if (r === undefined) throw usage(`${command}: --${exact} or --${regexp} is required for verification in keyless mode`);
  try {
    // Anchored: the whole value must match. Go's MatchString (cosign) is unanchored, so
    // `--certificate-identity-regexp github.com/acme` would also accept github.com/acme-evil;
    // here a pattern says exactly what it accepts, and a prefix needs an explicit `.*`.
    return new RegExp(`^(?:${r})$`);
  } catch (cause) {
    throw new CliError('USAGE', `${command}: --${regexp} is not a valid regular expression: ${(cause as Error).message}`, { cause });
  }
}

/** The key or identity policy the flags ask for. */
export function policyFromFlags(io: CliIo, p: Parsed, command: string): VerificationPolicy {
  const keyFile = str(p, 'key');
  if (keyFile !== undefined) {
    for (const flag of Object.keys(IDENTITY_FLAGS)) {
      if (str(p, flag) !== undefined) throw usage(`${command}: --key and --${flag} are mutually exclusive`);
    }
    return { publicKey: importPublicKey(readText(io, keyFile, 'public key')) };
  }
  const github: { -readonly [K in keyof GitHubWorkflowPolicy]: string } = {};
  for (const field of ['trigger', 'sha', 'name', 'repository', 'ref'] as const) {
    const value = str(p, `certificate-github-workflow-${field}`);
    if (value !== undefined) github[field] = value;
  }
  return {
    identity: {
      subjectAlternativeName: matcher(p, command, 'certificate-identity', 'certificate-identity-regexp'),
      issuer: matcher(p, command, 'certificate-oidc-issuer', 'certificate-oidc-issuer-regexp'),
      ...(Object.keys(github).length > 0 ? { github } : {}),
    },
  };
}

export const thresholds = (p: Parsed) => ({
  ...(bool(p, 'insecure-ignore-tlog') ? { tlogThreshold: 0 } : {}),
  ...(bool(p, 'insecure-ignore-sct') ? { ctlogThreshold: 0 } : {}),
});
