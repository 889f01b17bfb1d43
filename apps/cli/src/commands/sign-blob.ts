// sigstack sign-blob: cosign's sign-blob, writing a Sigstore bundle v0.3.
import { serializeBundle } from '@sigstack/bundle';
import { parseFlags, positionals } from '../args.js';
import type { Command } from '../command.js';
import { readInput, writeOutput } from '../files.js';
import type { CliIo } from '../io.js';
import { signAndWitness } from '../sign/flow.js';
import { selectSigningServices } from '../sign/services.js';
import { SIGN_FLAGS, signWithFlags, writeOutputs } from '../sign/options.js';
import { TrustSource } from '../trust/load.js';
import { IN_TOTO_PAYLOAD_TYPE } from '@sigstack/bundle';
import { usage } from '../errors.js';

export const signBlob: Command = {
  name: 'sign-blob',
  summary: 'Sign a blob with a key or keyless (Fulcio), log it in Rekor, timestamp it',
  usage: 'sigstack sign-blob [--key cosign.key] --bundle OUT [--yes] FILE',
  async run(argv, io) {
    const p = parseFlags('sign-blob', argv, SIGN_FLAGS);
    const [file] = positionals(p, 'sign-blob', ['FILE']);
    const outcome = await signWithFlags(io, p, 'sign-blob', { kind: 'message', data: readInput(io, file as string, 'artifact') });
    writeOutputs(io, p, outcome);
    return 0;
  },
};

export interface ConformanceSign {
  readonly file: string;
  readonly identityToken: string;
  readonly bundle: string;
  readonly trustedRoot: string | undefined;
  readonly signingConfig: string | undefined;
  readonly inToto: boolean;
  readonly staging: boolean;
}

/** The conformance suite's sign-bundle: keyless, services from the signing config, no prompts. */
export async function signBundleForConformance(io: CliIo, c: ConformanceSign): Promise<void> {
  if (c.staging && c.signingConfig === undefined) throw usage('conformance sign-bundle: --staging needs --signing-config and --trusted-root (the staging root is not built in)');
  const trust = new TrustSource(io, false);
  const config = await trust.signingConfig(c.signingConfig);
  const trustedRoot = await trust.trustedRoot(c.trustedRoot);
  const services = selectSigningServices(config, { tlogUpload: true }, io.now());
  const data = readInput(io, c.file, 'artifact');
  const content = c.inToto ? { kind: 'dsse' as const, payload: data, payloadType: IN_TOTO_PAYLOAD_TYPE } : { kind: 'message' as const, data };
  const outcome = await signAndWitness(io, content, { kind: 'keyless', token: c.identityToken }, services, trustedRoot);
  writeOutput(io, c.bundle, `${serializeBundle(outcome.bundle)}\n`, 'bundle');
}
