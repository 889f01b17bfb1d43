import type {
  HashOutput,
  InclusionPromise,
  InclusionProof,
  KindVersion,
  LogId,
  MessageSignature,
  PublicKeyIdentifier,
  TimestampVerificationData,
  TransparencyLogEntry,
  X509Certificate,
  X509CertificateChain,
} from '@sigstore/protobuf-specs';
import type { BundleMediaType } from './media-type.js';

/**
 * A DSSE signature. Like protobuf-specs' `Signature`, except that `keyid` keeps
 * whether it was present: producers differ (some write `"keyid": ""`), and a
 * parsed bundle must serialise back to the same JSON value.
 */
export interface DsseSignature {
  sig: Buffer;
  keyid?: string;
}

/** A DSSE envelope (protobuf-specs `Envelope` with presence-preserving `keyid`). */
export interface DsseEnvelope {
  payload: Buffer;
  payloadType: string;
  signatures: DsseSignature[];
}

export type BundleMessageSignature = MessageSignature & { messageDigest: HashOutput };

export type BundleContent =
  | { $case: 'messageSignature'; messageSignature: BundleMessageSignature }
  | { $case: 'dsseEnvelope'; dsseEnvelope: DsseEnvelope };

export type VerificationMaterialContent =
  | { $case: 'publicKey'; publicKey: PublicKeyIdentifier }
  | { $case: 'x509CertificateChain'; x509CertificateChain: X509CertificateChain }
  | { $case: 'certificate'; certificate: X509Certificate };

/** A protobuf-specs TransparencyLogEntry whose required members are known to be set. */
export type TlogEntry = TransparencyLogEntry & {
  logId: LogId;
  kindVersion: KindVersion;
  inclusionPromise: InclusionPromise | undefined;
  inclusionProof: InclusionProof | undefined;
};

export interface BundleVerificationMaterial {
  content: VerificationMaterialContent;
  tlogEntries: TlogEntry[];
  timestampVerificationData: TimestampVerificationData | undefined;
}

/**
 * A Sigstore bundle that passed strict validation. Shaped like protobuf-specs'
 * `Bundle`, with the optional members the version rules require made non-optional.
 */
export interface SigstoreBundle {
  mediaType: BundleMediaType;
  verificationMaterial: BundleVerificationMaterial;
  content: BundleContent;
}
