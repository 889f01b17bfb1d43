// The Sigstore conformance CLI protocol (sigstore-conformance docs/cli_protocol.md):
//   sign-bundle [--staging] [--in-toto] --identity-token T --bundle OUT [--trusted-root F] [--signing-config F] FILE
//   verify-bundle [--staging] --bundle F (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM) [--trusted-root F] FILE_OR_sha256:HEX
// The answer is the exit code; failures still print their one line on stderr.
import { parseFlags, positionals, required, str } from '../args.js';
import type { Command } from '../command.js';
import { usage } from '../errors.js';
import { artifactArgument } from '../verify/artifact.js';
import { signBundleForConformance } from './sign-blob.js';
import { verifyFromFlags } from './verify-blob.js';

const VERIFY_FLAGS = {
  staging: { type: 'boolean' },
  bundle: { type: 'string' },
  'certificate-identity': { type: 'string' },
  'certificate-oidc-issuer': { type: 'string' },
  key: { type: 'string' },
  'trusted-root': { type: 'string' },
} as const;

const SIGN_FLAGS = {
  staging: { type: 'boolean' },
  'in-toto': { type: 'boolean' },
  'identity-token': { type: 'string' },
  bundle: { type: 'string' },
  'trusted-root': { type: 'string' },
  'signing-config': { type: 'string' },
} as const;

export const conformance: Command = {
  name: 'conformance',
  summary: 'The Sigstore conformance test protocol (sign-bundle, verify-bundle)',
  usage: 'sigstack conformance sign-bundle [--staging] [--in-toto] --identity-token TOKEN --bundle OUT [--trusted-root F] [--signing-config F] FILE\n       sigstack conformance verify-bundle [--staging] --bundle F (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM) [--trusted-root F] FILE_OR_DIGEST',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'verify-bundle') {
      const p = parseFlags('conformance verify-bundle', rest, VERIFY_FLAGS);
      const [file] = positionals(p, 'conformance verify-bundle', ['FILE_OR_DIGEST']);
      required(p, 'conformance verify-bundle', 'bundle');
      if (str(p, 'key') === undefined) {
        required(p, 'conformance verify-bundle', 'certificate-identity');
        required(p, 'conformance verify-bundle', 'certificate-oidc-issuer');
      }
      if (p.booleans.get('staging') && str(p, 'trusted-root') === undefined) {
        throw usage('conformance verify-bundle: --staging needs --trusted-root (the staging root is not built in)');
      }
      await verifyFromFlags(io, p, 'conformance verify-bundle', () => artifactArgument(io, file as string));
      return 0;
    }
    if (sub === 'sign-bundle') {
      const p = parseFlags('conformance sign-bundle', rest, SIGN_FLAGS);
      const [file] = positionals(p, 'conformance sign-bundle', ['FILE']);
      await signBundleForConformance(io, {
        file: file as string,
        identityToken: required(p, 'conformance sign-bundle', 'identity-token'),
        bundle: required(p, 'conformance sign-bundle', 'bundle'),
        trustedRoot: str(p, 'trusted-root'),
        signingConfig: str(p, 'signing-config'),
        inToto: p.booleans.get('in-toto') ?? false,
        staging: p.booleans.get('staging') ?? false,
      });
      return 0;
    }
    throw usage(`conformance: expected sign-bundle or verify-bundle, got ${sub === undefined ? 'nothing' : JSON.stringify(sub)}`);
  },
};
