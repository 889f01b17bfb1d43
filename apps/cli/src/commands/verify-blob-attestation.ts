// sigstack verify-blob-attestation: verifies a DSSE attestation bundle, that its statement is
// about this blob (--check-claims, default true) and, with --type, of that predicate type.
import type { Artifact } from '@sigstack/verify';
import { bool, parseFlags, positionals, str } from '../args.js';
import type { Command } from '../command.js';
import { CliError, usage } from '../errors.js';
import { predicateTypeUri } from '../sign/predicate.js';
import { artifactArgument } from '../verify/artifact.js';
import { COMMON_VERIFY_FLAGS } from '../verify/policy.js';
import { verifyFromFlags } from './verify-blob.js';

const FLAGS = {
  ...COMMON_VERIFY_FLAGS,
  type: { type: 'string' },
  'check-claims': { type: 'boolean', default: true },
  digest: { type: 'string' },
  digestAlg: { type: 'string' },
} as const;

export const verifyBlobAttestation: Command = {
  name: 'verify-blob-attestation',
  summary: 'Verify an in-toto attestation bundle about a blob',
  usage: 'sigstack verify-blob-attestation --bundle FILE [--type TYPE] (--key cosign.pub | --certificate-identity ID --certificate-oidc-issuer URL) FILE',
  async run(argv, io) {
    const p = parseFlags('verify-blob-attestation', argv, FLAGS);
    const digestHex = str(p, 'digest');
    let artifact: () => Artifact | undefined = () => undefined;
    if (digestHex !== undefined) {
      positionals(p, 'verify-blob-attestation', []);
      if ((str(p, 'digestAlg') ?? 'sha256') !== 'sha256' || !/^[0-9a-fA-F]{64}$/.test(digestHex)) throw usage('verify-blob-attestation: --digest must be a hex SHA-256 digest (--digestAlg sha256)');
      const fixed = { digest: Buffer.from(digestHex, 'hex'), algorithm: 'sha256' as const };
      artifact = () => fixed;
    } else if (bool(p, 'check-claims')) {
      const [file] = positionals(p, 'verify-blob-attestation', ['FILE']);
      artifact = () => artifactArgument(io, file as string);
    } else {
      positionals(p, 'verify-blob-attestation', p.positionals.length === 0 ? [] : ['FILE']);
    }
    // Without --check-claims (and no --digest) only the envelope is verified, as in cosign.
    const result = await verifyFromFlags(io, p, 'verify-blob-attestation', artifact);
    const type = str(p, 'type');
    if (type !== undefined) {
      const want = predicateTypeUri(type);
      if (result.statement?.predicateType !== want) {
        throw new CliError('VERIFICATION_FAILED', `PREDICATE_TYPE_MISMATCH: the statement's predicate type is ${JSON.stringify(result.statement?.predicateType ?? '')}, expected ${JSON.stringify(want)}`);
      }
    }
    if (result.payload === undefined) throw new CliError('VERIFICATION_FAILED', 'NOT_AN_ATTESTATION: the bundle holds a message signature, not a DSSE attestation');
    io.stderr('Verified OK\n');
    return 0;
  },
};
