// sigstack attest-blob: an in-toto statement about a blob, signed as DSSE, logged, timestamped.
import { IN_TOTO_PAYLOAD_TYPE, parseStatement } from '@sigstack/bundle';
import { digest } from '@sigstack/crypto';
import { parseFlags, positionals, str } from '../args.js';
import type { Command } from '../command.js';
import { usage } from '../errors.js';
import { readInput, readText, writeOutput } from '../files.js';
import { SIGN_FLAGS, signWithFlags, writeOutputs } from '../sign/options.js';
import { predicateTypeUri, predicateValue, statementFor } from '../sign/predicate.js';

const FLAGS = {
  ...SIGN_FLAGS,
  predicate: { type: 'string' },
  statement: { type: 'string' },
  type: { type: 'string' },
  hash: { type: 'string' },
  'output-attestation': { type: 'string' },
} as const;

export const attestBlob: Command = {
  name: 'attest-blob',
  summary: 'Attest to a blob: an in-toto statement with --predicate FILE --type TYPE, signed as DSSE',
  usage: 'sigstack attest-blob --predicate FILE [--type cyclonedx|spdxjson|slsaprovenance|link|vuln|custom|URI] [--key cosign.key] --bundle OUT [--yes] FILE',
  async run(argv, io) {
    const p = parseFlags('attest-blob', argv, FLAGS);
    let payload: Uint8Array;
    const statementFile = str(p, 'statement');
    if (statementFile !== undefined) {
      if (str(p, 'predicate') !== undefined) throw usage('attest-blob: --statement and --predicate are mutually exclusive');
      positionals(p, 'attest-blob', p.positionals.length === 0 ? [] : ['FILE']);
      payload = readInput(io, statementFile, 'statement');
      parseStatement(payload);
    } else {
      const predicateFile = str(p, 'predicate');
      if (predicateFile === undefined) throw usage('attest-blob: --predicate or --statement is required');
      const hash = str(p, 'hash');
      const [file] = positionals(p, 'attest-blob', ['FILE']);
      const sha256 = hash ?? Buffer.from(digest('sha256', readInput(io, file as string, 'artifact'))).toString('hex');
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw usage('attest-blob: --hash must be a hex SHA-256 digest');
      const typeName = str(p, 'type') ?? 'custom';
      payload = statementFor(file as string, sha256, predicateTypeUri(typeName), predicateValue(typeName, readText(io, predicateFile, 'predicate'), io.now()));
    }
    const outcome = await signWithFlags(io, p, 'attest-blob', { kind: 'dsse', payload, payloadType: IN_TOTO_PAYLOAD_TYPE });
    const attestationFile = str(p, 'output-attestation');
    if (attestationFile !== undefined && outcome.bundle.content.$case === 'dsseEnvelope') {
      const env = outcome.bundle.content.dsseEnvelope;
      writeOutput(io, attestationFile, JSON.stringify({ payloadType: env.payloadType, payload: Buffer.from(env.payload).toString('base64'), signatures: env.signatures.map((s) => ({ keyid: s.keyid ?? '', sig: Buffer.from(s.sig).toString('base64') })) }), 'attestation');
    }
    writeOutputs(io, p, outcome);
    return 0;
  },
};
