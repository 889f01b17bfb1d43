// The bundle assembler: signature or envelope, signing certificate or key hint, log entries
// and timestamps, as Sigstore bundle v0.3 protobuf JSON. Every bundle is then parsed back
// strictly by @sigstack/bundle, so nothing malformed is ever written.
import { BUNDLE_V03_MEDIA_TYPE, parseBundle, type SigstoreBundle } from '@sigstack/bundle';

export const BUNDLE_MEDIA_TYPE = BUNDLE_V03_MEDIA_TYPE;

/** A transparency log entry in protobuf JSON, as Rekor v2 answers and rekor.ts converts v1 answers. */
export type TlogEntryJson = Record<string, unknown>;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

interface Material {
  /** The leaf certificate (keyless), or undefined with a `keyHint` (key-based). */
  readonly certificate: Uint8Array | undefined;
  readonly keyHint?: string;
  readonly tlogEntries: readonly TlogEntryJson[];
  /** DER RFC 3161 TimeStampResponses over the signature. */
  readonly timestamps: readonly Uint8Array[];
}

function verificationMaterial(m: Material): Record<string, unknown> {
  const vm: Record<string, unknown> = {};
  if (m.certificate !== undefined) vm['certificate'] = { rawBytes: b64(m.certificate) };
  else vm['publicKey'] = { hint: m.keyHint ?? '' };
  vm['tlogEntries'] = m.tlogEntries;
  if (m.timestamps.length > 0) vm['timestampVerificationData'] = { rfc3161Timestamps: m.timestamps.map((t) => ({ signedTimestamp: b64(t) })) };
  return vm;
}

export function messageSignatureBundleJson(input: Material & { mediaType: string; digest: Uint8Array; signature: Uint8Array }): Record<string, unknown> {
  return {
    mediaType: input.mediaType,
    verificationMaterial: verificationMaterial(input),
    messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: b64(input.digest) }, signature: b64(input.signature) },
  };
}

export function dsseBundleJson(input: Material & { envelope: { payload: Uint8Array; payloadType: string; signature: Uint8Array } }): Record<string, unknown> {
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: verificationMaterial(input),
    dsseEnvelope: { payload: b64(input.envelope.payload), payloadType: input.envelope.payloadType, signatures: [{ sig: b64(input.envelope.signature), keyid: '' }] },
  };
}

/** Parses the assembled JSON strictly: the bundle we write is one our verifier reads. */
export function finishBundle(json: Record<string, unknown>): SigstoreBundle {
  return parseBundle(JSON.stringify(json));
}
