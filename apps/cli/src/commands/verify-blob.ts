// sigstack verify-blob: cosign's verify-blob over @sigstack/verify.
import { bundleToJSON, type SigstoreBundle } from '@sigstack/bundle';
import { digest } from '@sigstack/crypto';
import { VerificationError, verifyBundle, type Artifact, type VerificationResult } from '@sigstack/verify';
import { bool, parseFlags, positionals, str, type Parsed } from '../args.js';
import type { Command } from '../command.js';
import { CliError, usage } from '../errors.js';
import type { CliIo } from '../io.js';
import { rekorV1Search } from '../services/rekor.js';
import { finishBundle } from '../sign/assemble.js';
import { TrustSource } from '../trust/load.js';
import { artifactArgument } from '../verify/artifact.js';
import { bundleFromDetached, readBundle } from '../verify/bundle-input.js';
import { withFetchedProofs } from '../verify/online-proof.js';
import { COMMON_VERIFY_FLAGS, policyFromFlags, thresholds } from '../verify/policy.js';

const FLAGS = {
  ...COMMON_VERIFY_FLAGS,
  signature: { type: 'string' },
  certificate: { type: 'string' },
} as const;

/** For detached signatures: the Rekor v1 entries that hold this signature, found online. */
async function withLogEntries(io: CliIo, p: Parsed, bundle: SigstoreBundle, artifact: Artifact): Promise<SigstoreBundle> {
  if (bool(p, 'insecure-ignore-tlog')) return bundle;
  const rekorUrl = str(p, 'rekor-url');
  if (rekorUrl === undefined || bool(p, 'offline')) {
    throw usage('verify-blob: a detached --signature has no log entry: give --bundle, or --rekor-url to look it up, or --insecure-ignore-tlog');
  }
  const hex = Buffer.from('data' in artifact ? digest('sha256', artifact.data) : artifact.digest).toString('hex');
  const entries = await rekorV1Search(io.fetch, rekorUrl, hex);
  const json = bundleToJSON(bundle) as { verificationMaterial: { tlogEntries: unknown[] } };
  json.verificationMaterial.tlogEntries = entries;
  // The body check picks the entry: try each candidate until one matches this signature.
  return finishBundle(json as unknown as Record<string, unknown>);
}

/** Verification as cosign's flags ask; `artifact` undefined verifies a DSSE envelope alone. */
export async function verifyFromFlags(io: CliIo, p: Parsed, command: string, artifactArg: () => Artifact | undefined): Promise<VerificationResult> {
  // Flags first, files after: a usage mistake is reported before any file is read.
  const policy = policyFromFlags(io, p, command);
  if (str(p, 'bundle') === undefined && str(p, 'signature') === undefined) throw usage(`${command}: --bundle (or --signature) is required`);
  const artifact = artifactArg();
  const trust = new TrustSource(io, bool(p, 'offline'));
  const trustedRoot = await trust.trustedRoot(str(p, 'trusted-root'));
  const bundleFile = str(p, 'bundle');
  const signature = str(p, 'signature');
  let bundle: SigstoreBundle;
  if (bundleFile !== undefined) {
    if (signature !== undefined || str(p, 'certificate') !== undefined) throw usage(`${command}: --bundle carries the signature and certificate; drop --signature/--certificate`);
    bundle = readBundle(io, bundleFile, artifact);
  } else if (signature !== undefined) {
    if (artifact === undefined) throw usage(`${command}: a detached --signature needs the artifact`);
    bundle = await withLogEntries(io, p, bundleFromDetached(io, { signature, certificate: str(p, 'certificate'), artifact }), artifact);
  } else {
    throw usage(`${command}: --bundle (or --signature) is required`);
  }
  const candidates = bundle.verificationMaterial.tlogEntries;
  const attempt = (b: SigstoreBundle) =>
    verifyBundle(b, { trustedRoot, policy, ...(artifact ? { artifact } : {}), offline: bool(p, 'offline'), now: io.now(), ...thresholds(p) });
  let result: VerificationResult;
  if (bundleFile === undefined && candidates.length > 1) {
    // Several log entries for one digest (other signers): the one whose body is ours verifies.
    let last: unknown;
    let found: VerificationResult | undefined;
    for (const entry of candidates) {
      try {
        found = attempt({ ...bundle, verificationMaterial: { ...bundle.verificationMaterial, tlogEntries: [entry] } });
        break;
      } catch (error) {
        last = error;
      }
    }
    if (found === undefined) throw last;
    result = found;
  } else {
    try {
      result = attempt(bundle);
    } catch (error) {
      // Online (no --offline): fetch missing inclusion proofs from the logs, then verify again.
      if (!(error instanceof VerificationError && error.code === 'INCLUSION_PROOF_MISSING') || bool(p, 'offline')) throw error;
      const completed = await withFetchedProofs(io, bundle, trustedRoot);
      if (completed === bundle) throw error;
      result = attempt(completed);
    }
  }
  if (bool(p, 'use-signed-timestamps') && !result.timestamps.some((t) => t.source === 'rfc3161')) {
    throw new CliError('VERIFICATION_FAILED', 'TIMESTAMP_MISSING: --use-signed-timestamps needs a verified RFC 3161 timestamp in the bundle');
  }
  return result;
}

export const verifyBlob: Command = {
  name: 'verify-blob',
  summary: 'Verify a signature on a blob (Sigstore bundle, or detached signature and certificate)',
  usage: 'sigstack verify-blob --bundle FILE (--certificate-identity ID | --certificate-identity-regexp RE) (--certificate-oidc-issuer URL | --certificate-oidc-issuer-regexp RE) FILE\n       sigstack verify-blob --bundle FILE --key cosign.pub FILE',
  async run(argv, io) {
    const p = parseFlags('verify-blob', argv, FLAGS);
    const [file] = positionals(p, 'verify-blob', ['FILE']);
    await verifyFromFlags(io, p, 'verify-blob', () => artifactArgument(io, file as string));
    io.stderr('Verified OK\n');
    return 0;
  },
};
