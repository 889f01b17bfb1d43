// cosign's signing flags shared by sign-blob and attest-blob, and the steps between flags and
// the signing flow: trust, services, identity, the upload confirmation, the outputs.
import { serializeBundle } from '@sigstack/bundle';
import type { TrustedRoot } from '@sigstack/trust';
import { bool, str, type FlagSpecs, type Parsed } from '../args.js';
import { CliError, usage } from '../errors.js';
import { writeOutput } from '../files.js';
import { confirm, type CliIo } from '../io.js';
import { identityToken } from '../identity/token.js';
import { loadPrivateKey } from '../keys.js';
import { TrustSource } from '../trust/load.js';
import { signAndWitness, type SignContent, type SignOutcome, type SigningIdentity } from './flow.js';
import { selectSigningServices, type SigningServices } from './services.js';

export const SIGN_FLAGS: FlagSpecs = {
  key: { type: 'string' },
  bundle: { type: 'string' },
  'new-bundle-format': { type: 'boolean', default: true },
  'output-signature': { type: 'string' },
  'output-certificate': { type: 'string' },
  'identity-token': { type: 'string' },
  'oidc-issuer': { type: 'string' },
  'oidc-client-id': { type: 'string' },
  'oidc-disable-ambient-providers': { type: 'boolean' },
  'fulcio-auth-flow': { type: 'string' },
  'fulcio-url': { type: 'string' },
  'rekor-url': { type: 'string' },
  'timestamp-server-url': { type: 'string' },
  'signing-config': { type: 'string' },
  'use-signing-config': { type: 'boolean', default: true },
  'trusted-root': { type: 'string' },
  'tlog-upload': { type: 'boolean', default: true },
  'issue-certificate': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
};

export interface Prepared {
  readonly services: SigningServices;
  readonly trustedRoot: TrustedRoot | undefined;
  readonly identity: SigningIdentity;
}

/** Services, trust and identity from cosign's flags. */
export async function prepareSigning(io: CliIo, p: Parsed, command: string): Promise<Prepared> {
  if (!bool(p, 'new-bundle-format')) throw usage(`${command}: only the Sigstore bundle format is written (--new-bundle-format=false is not supported)`);
  const trust = new TrustSource(io, false);
  const legacy = str(p, 'fulcio-url') ?? str(p, 'rekor-url') ?? str(p, 'timestamp-server-url');
  const configFile = str(p, 'signing-config');
  // cosign 3: the TUF signing config unless --use-signing-config=false; older set-ups name URLs.
  const useConfig = configFile !== undefined || (bool(p, 'use-signing-config') && legacy === undefined);
  const config = useConfig ? await trust.signingConfig(configFile) : undefined;
  const services = selectSigningServices(config, {
    fulcioUrl: str(p, 'fulcio-url'),
    rekorUrl: str(p, 'rekor-url'),
    tsaUrl: str(p, 'timestamp-server-url'),
    tlogUpload: bool(p, 'tlog-upload'),
  }, io.now());
  const rootFile = str(p, 'trusted-root');
  // Verify what we made whenever a trusted root is at hand: given, or from the same TUF repository.
  const trustedRoot = rootFile !== undefined || (useConfig && configFile === undefined) ? await trust.trustedRoot(rootFile) : undefined;
  const keyFile = str(p, 'key');
  if (keyFile !== undefined && bool(p, 'issue-certificate')) throw usage(`${command}: --issue-certificate with --key is not supported`);
  let identity: SigningIdentity;
  if (keyFile !== undefined) {
    identity = { kind: 'key', key: await loadPrivateKey(io, keyFile) };
  } else {
    const token = await identityToken(io, {
      flag: str(p, 'identity-token'),
      issuer: str(p, 'oidc-issuer') ?? services.oidcIssuer,
      clientId: str(p, 'oidc-client-id') ?? 'sigstore',
      disableAmbient: bool(p, 'oidc-disable-ambient-providers'),
      flow: str(p, 'fulcio-auth-flow') ?? 'normal',
      openBrowser: io.env['SIGSTACK_NO_BROWSER'] === undefined,
    });
    identity = { kind: 'keyless', token };
  }
  if (services.rekor.length > 0 && !bool(p, 'yes')) {
    const ok = await confirm(
      io,
      `The signature${identity.kind === 'keyless' ? ', and the identity in your certificate (for example your email address),' : ''} will be stored permanently in the transparency log${services.rekor.length > 1 ? 's' : ''} ${services.rekor.map((r) => r.url).join(', ')} and cannot be removed.\nAre you sure you would like to continue?`,
      `${command} uploads to a transparency log: pass --yes to confirm without a terminal`,
    );
    if (!ok) throw new CliError('CANCELLED', 'signing cancelled');
  }
  return { services, trustedRoot, identity };
}

export async function signWithFlags(io: CliIo, p: Parsed, command: string, content: SignContent): Promise<SignOutcome> {
  const prepared = await prepareSigning(io, p, command);
  return signAndWitness(io, content, prepared.identity, prepared.services, prepared.trustedRoot);
}

/** Writes --bundle, --output-signature and --output-certificate as cosign does. */
export function writeOutputs(io: CliIo, p: Parsed, outcome: SignOutcome): void {
  const bundleFile = str(p, 'bundle');
  if (bundleFile !== undefined) {
    writeOutput(io, bundleFile, `${serializeBundle(outcome.bundle)}\n`, 'bundle');
    io.stderr(`Wrote bundle to file ${bundleFile}\n`);
  }
  const sig = Buffer.from(outcome.signature).toString('base64');
  const sigFile = str(p, 'output-signature');
  if (sigFile !== undefined) {
    writeOutput(io, sigFile, sig, 'signature');
    io.stderr(`Signature wrote in the file ${sigFile}\n`);
  }
  const certFile = str(p, 'output-certificate');
  if (certFile !== undefined && outcome.certificatePem !== undefined) {
    writeOutput(io, certFile, outcome.certificatePem, 'certificate');
    io.stderr(`Certificate wrote in the file ${certFile}\n`);
  }
  // cosign prints the signature on stdout when it is not written to a file.
  if (bundleFile === undefined && sigFile === undefined) io.stdout(`${sig}\n`);
}
