// The signing flow shared by sign-blob, attest-blob and the conformance sign-bundle: key (or
// an ephemeral key and a Fulcio certificate), signature, then the witnesses in parallel
// (Rekor v1/v2 entries, RFC 3161 timestamps), assembled into a bundle v0.3 and, when a
// trusted root is at hand, verified before anything is written.
import { buildDsseV001Request, buildHashedRekordV001, preAuthEncoding, type SigstoreBundle } from '@sigstack/bundle';
import { digest, encodePem, exportPublicKey, generateKeyPair, keyIdBase64, sign, type PrivateKey } from '@sigstack/crypto';
import type { TrustedRoot } from '@sigstack/trust';
import { verifyBundle, type VerificationResult } from '@sigstack/verify';
import { CliError } from '../errors.js';
import { keyDetails } from '../key-details.js';
import type { CliIo } from '../io.js';
import { fulcioCertificate } from '../services/fulcio.js';
import { rekorV1Add, rekorV2Add } from '../services/rekor.js';
import { timestamp } from '../services/tsa.js';
import { BUNDLE_MEDIA_TYPE, dsseBundleJson, finishBundle, messageSignatureBundleJson, type TlogEntryJson } from './assemble.js';
import type { RekorTarget, SigningServices } from './services.js';

export type SignContent =
  | { readonly kind: 'message'; readonly data: Uint8Array }
  | { readonly kind: 'dsse'; readonly payload: Uint8Array; readonly payloadType: string };

export type SigningIdentity = { readonly kind: 'key'; readonly key: PrivateKey } | { readonly kind: 'keyless'; readonly token: string };

export interface SignOutcome {
  readonly bundle: SigstoreBundle;
  readonly signature: Uint8Array;
  /** Keyless: the Fulcio certificate, PEM. */
  readonly certificatePem: string | undefined;
  /** Set when the bundle was verified against a trusted root after signing. */
  readonly verified: VerificationResult | undefined;
}

interface Signed {
  readonly key: PrivateKey;
  readonly certificate: Uint8Array | undefined;
  readonly signature: Uint8Array;
  /** hashedrekord: SHA-256 of the artifact. */
  readonly digest: Uint8Array;
}

async function logEntry(io: CliIo, log: RekorTarget, content: SignContent, s: Signed): Promise<TlogEntryJson> {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const verifierPem = s.certificate !== undefined ? encodePem('CERTIFICATE', s.certificate) : exportPublicKey(s.key.publicKey, 'pem');
  if (log.version === 1) {
    if (content.kind === 'message') {
      const body = buildHashedRekordV001({ algorithm: 'sha256', digest: s.digest, signature: s.signature, publicKey: verifierPem });
      return rekorV1Add(io.fetch, log.url, JSON.parse(Buffer.from(body).toString('utf8')));
    }
    const envelope = JSON.stringify({ payload: b64(content.payload), payloadType: content.payloadType, signatures: [{ sig: b64(s.signature), keyid: '' }] });
    return rekorV1Add(io.fetch, log.url, buildDsseV001Request(envelope, [verifierPem]));
  }
  const verifier = {
    ...(s.certificate !== undefined ? { x509Certificate: { rawBytes: b64(s.certificate) } } : { publicKey: { rawBytes: b64(exportPublicKey(s.key.publicKey, 'der')) } }),
    keyDetails: keyDetails(s.key.publicKey),
  };
  if (content.kind === 'message') {
    return rekorV2Add(io.fetch, log.url, { hashedRekordRequestV002: { digest: b64(s.digest), signature: { content: b64(s.signature), verifier } } });
  }
  return rekorV2Add(io.fetch, log.url, {
    dsseRequestV002: { envelope: { payload: b64(content.payload), payloadType: content.payloadType, signatures: [{ sig: b64(s.signature), keyid: '' }] }, verifiers: [verifier] },
  });
}

export async function signAndWitness(
  io: CliIo,
  content: SignContent,
  identity: SigningIdentity,
  services: SigningServices,
  trustedRoot: TrustedRoot | undefined,
): Promise<SignOutcome> {
  let key: PrivateKey;
  let certificate: Uint8Array | undefined;
  if (identity.kind === 'key') {
    key = identity.key;
  } else {
    if (services.fulcio === undefined) throw new CliError('TRUST', 'keyless signing needs a Fulcio URL: --fulcio-url, or a signing config with a CA');
    key = (await generateKeyPair('ecdsa-p256')).privateKey;
    certificate = (await fulcioCertificate(io.fetch, services.fulcio, identity.token, key))[0];
  }
  if (content.kind === 'message' && key.type !== 'ecdsa-p256') {
    throw new CliError('USAGE', `a blob signature (hashedrekord) needs an ECDSA P-256 key, not ${key.type}; attest-blob signs with any key`);
  }
  const toSign = content.kind === 'message' ? content.data : preAuthEncoding(content.payloadType, content.payload);
  const signed: Signed = {
    key,
    certificate,
    signature: sign(key, toSign),
    digest: content.kind === 'message' ? digest('sha256', content.data) : new Uint8Array(),
  };
  const [tlogEntries, timestamps] = await Promise.all([
    Promise.all(services.rekor.map((log) => logEntry(io, log, content, signed))),
    Promise.all(services.tsa.map((url) => timestamp(io.fetch, url, signed.signature))),
  ]);
  const material = {
    certificate,
    keyHint: identity.kind === 'key' ? keyIdBase64(key.publicKey) : undefined,
    tlogEntries,
    timestamps,
  };
  const json =
    content.kind === 'message'
      ? messageSignatureBundleJson({ ...material, mediaType: BUNDLE_MEDIA_TYPE, digest: signed.digest, signature: signed.signature })
      : dsseBundleJson({ ...material, envelope: { payload: content.payload, payloadType: content.payloadType, signature: signed.signature } });
  let bundle: SigstoreBundle;
  try {
    bundle = finishBundle(json);
  } catch (cause) {
    throw new CliError('SERVICE', `the services' answers do not make a valid bundle: ${(cause as Error).message}`, { cause });
  }
  let verified: VerificationResult | undefined;
  if (trustedRoot !== undefined) {
    const artifact = content.kind === 'message' ? { data: content.data } : undefined;
    verified = verifyBundle(bundle, {
      trustedRoot,
      policy: identity.kind === 'key' ? { publicKey: key.publicKey } : { identity: { subjectAlternativeName: /.*/, issuer: /.*/ } },
      ...(artifact ? { artifact } : {}),
      tlogThreshold: services.rekor.length > 0 ? 1 : 0,
      timestampThreshold: services.rekor.length + services.tsa.length > 0 ? 1 : 0,
      now: io.now(),
    });
  }
  return {
    bundle,
    signature: signed.signature,
    certificatePem: certificate === undefined ? undefined : encodePem('CERTIFICATE', certificate),
    verified,
  };
}
