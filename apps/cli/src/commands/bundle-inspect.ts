// sigstack bundle inspect: what a bundle holds, without verifying it.
import { bundleVersion, type SigstoreBundle } from '@sigstack/bundle';
import { parseCertificate } from '@sigstack/x509';
import { bool, parseFlags, positionals } from '../args.js';
import type { Command } from '../command.js';
import { readBundle } from '../verify/bundle-input.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function leafDer(bundle: SigstoreBundle): Uint8Array | undefined {
  const c = bundle.verificationMaterial.content;
  if (c.$case === 'certificate') return c.certificate.rawBytes;
  if (c.$case === 'x509CertificateChain') return c.x509CertificateChain.certificates[0]?.rawBytes;
  return undefined;
}

export function describeBundle(bundle: SigstoreBundle): Record<string, unknown> {
  const der = leafDer(bundle);
  const cert = der === undefined ? undefined : parseCertificate(der);
  const sans = cert?.subjectAltNames;
  const c = bundle.content;
  const vm = bundle.verificationMaterial;
  return {
    mediaType: bundle.mediaType,
    version: bundleVersion(bundle),
    content:
      c.$case === 'messageSignature'
        ? { kind: 'messageSignature', digest: c.messageSignature.messageDigest.digest.length > 0 ? `sha256:${Buffer.from(c.messageSignature.messageDigest.digest).toString('hex')}` : undefined, signature: b64(c.messageSignature.signature) }
        : { kind: 'dsseEnvelope', payloadType: c.dsseEnvelope.payloadType, payloadBytes: c.dsseEnvelope.payload.length, signatures: c.dsseEnvelope.signatures.length },
    signer:
      cert === undefined
        ? { kind: 'publicKey', hint: vm.content.$case === 'publicKey' ? vm.content.publicKey.hint : undefined }
        : {
            kind: 'certificate',
            subjectAlternativeNames: sans ? [...sans.emails, ...sans.uris, ...sans.dnsNames, ...sans.ipAddresses] : [],
            issuer: cert.sigstore.issuer ?? cert.sigstore.issuerV1,
            notBefore: cert.notBefore.toISOString(),
            notAfter: cert.notAfter.toISOString(),
            certificateIssuer: cert.issuerName.text,
          },
    tlogEntries: vm.tlogEntries.map((e) => ({
      logIndex: e.logIndex,
      logId: b64(e.logId.keyId),
      kind: `${e.kindVersion.kind} ${e.kindVersion.version}`,
      integratedTime: e.integratedTime === '0' ? undefined : new Date(Number(e.integratedTime) * 1000).toISOString(),
      inclusionProof: e.inclusionProof !== undefined,
      inclusionPromise: e.inclusionPromise !== undefined,
    })),
    rfc3161Timestamps: vm.timestampVerificationData?.rfc3161Timestamps.length ?? 0,
  };
}

export const bundleInspect: Command = {
  name: 'bundle inspect',
  summary: 'Print what a Sigstore bundle holds (not a verification)',
  usage: 'sigstack bundle inspect [--payload] BUNDLE',
  async run(argv, io) {
    const p = parseFlags('bundle inspect', argv, { payload: { type: 'boolean' } });
    const [file] = positionals(p, 'bundle inspect', ['BUNDLE']);
    const bundle = readBundle(io, file as string);
    if (bool(p, 'payload') && bundle.content.$case === 'dsseEnvelope') {
      io.stdout(`${Buffer.from(bundle.content.dsseEnvelope.payload).toString('utf8')}\n`);
      return 0;
    }
    io.stdout(`${JSON.stringify(describeBundle(bundle), null, 2)}\n`);
    return 0;
  },
};
