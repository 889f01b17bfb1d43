// sigstack trusted-root create: cosign 3's command, for deployments that hand clients one
// trusted_root.json instead of a TUF repository.
import { decodePemBundle, exportPublicKey, importPublicKey, keyId } from '@sigstack/crypto';
import { noteKeyId } from '@sigstack/scaffolding';
import { parseTrustedRoot, serializeTrustedRoot, TRUSTED_ROOT_MEDIA_TYPE_V01 } from '@sigstack/trust';
import { parseCertificate } from '@sigstack/x509';
import { list, parseFlags, positionals, str } from '../args.js';
import type { Command } from '../command.js';
import { CliError, usage } from '../errors.js';
import { readText, writeOutput } from '../files.js';
import type { CliIo } from '../io.js';
import { keyDetails } from '../key-details.js';
import { parseSpec, specTime } from '../trust/spec.js';

const FLAGS = {
  fulcio: { type: 'string', multiple: true },
  ctfe: { type: 'string', multiple: true },
  tsa: { type: 'string', multiple: true },
  rekor: { type: 'string', multiple: true },
  out: { type: 'string' },
} as const;

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function validFor(flag: string, spec: Map<string, string>, fallbackStart: string | undefined): Record<string, string> {
  const start = specTime(flag, spec.get('start-time')) ?? fallbackStart;
  if (start === undefined) throw usage(`--${flag}: missing start-time`);
  const end = specTime(flag, spec.get('end-time'));
  return end === undefined ? { start } : { start, end };
}

function log(io: CliIo, flag: string, text: string): Record<string, unknown> {
  const spec = parseSpec(flag, text, ['url', 'public-key', 'start-time'], ['end-time', 'origin']);
  const key = importPublicKey(readText(io, spec.get('public-key') as string, `--${flag} public key`));
  const origin = spec.get('origin');
  // A Rekor v2 log signs checkpoints as its origin: its id is the signed-note key hash.
  const id = origin === undefined ? keyId(key) : noteKeyId(origin, key);
  return {
    baseUrl: spec.get('url'),
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(exportPublicKey(key, 'der')), keyDetails: keyDetails(key), validFor: validFor(flag, spec, undefined) },
    logId: { keyId: b64(id) },
    ...(origin === undefined ? {} : { checkpointKeyId: { keyId: b64(id) } }),
  };
}

function authority(io: CliIo, flag: string, text: string): Record<string, unknown> {
  const spec = parseSpec(flag, text, ['url', 'certificate-chain'], ['start-time', 'end-time']);
  const blocks = decodePemBundle(readText(io, spec.get('certificate-chain') as string, `--${flag} certificate chain`)).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) throw new CliError('INPUT', `--${flag}: the certificate chain holds no certificate`);
  const certs = blocks.map((b) => parseCertificate(b.der));
  const root = certs[certs.length - 1] as (typeof certs)[number];
  const attr = (name: string) => root.subjectName.attributes.find((a) => a.name === name)?.value;
  const o = attr('O');
  const cn = attr('CN');
  // Without a start-time the window opens when the chain's first certificate became valid.
  const earliest = new Date(Math.max(...certs.map((c) => c.notBefore.getTime()))).toISOString();
  return {
    subject: { ...(o ? { organization: o } : {}), ...(cn ? { commonName: cn } : {}) },
    uri: spec.get('url'),
    certChain: { certificates: blocks.map((b) => ({ rawBytes: b64(b.der) })) },
    validFor: validFor(flag, spec, earliest),
  };
}

export const trustedRootCreate: Command = {
  name: 'trusted-root create',
  summary: 'Write a trusted_root.json for a deployment without TUF (cosign 3 flags)',
  usage: 'sigstack trusted-root create [--fulcio url=..,certificate-chain=FILE] [--rekor url=..,public-key=FILE,start-time=T[,origin=O]] [--ctfe url=..,public-key=FILE,start-time=T] [--tsa url=..,certificate-chain=FILE] [--out FILE]',
  async run(argv, io) {
    const p = parseFlags('trusted-root create', argv, FLAGS);
    positionals(p, 'trusted-root create', []);
    const json = {
      mediaType: TRUSTED_ROOT_MEDIA_TYPE_V01,
      tlogs: list(p, 'rekor').map((t) => log(io, 'rekor', t)),
      certificateAuthorities: list(p, 'fulcio').map((t) => authority(io, 'fulcio', t)),
      ctlogs: list(p, 'ctfe').map((t) => log(io, 'ctfe', t)),
      timestampAuthorities: list(p, 'tsa').map((t) => authority(io, 'tsa', t)),
    };
    // Parse what we built: the file we write is one every reader accepts.
    const text = `${serializeTrustedRoot(parseTrustedRoot(JSON.stringify(json)))}\n`;
    const out = str(p, 'out');
    if (out === undefined) io.stdout(text);
    else writeOutput(io, out, text, 'trusted root');
    return 0;
  },
};

