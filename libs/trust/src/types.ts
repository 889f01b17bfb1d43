import type {
  CertificateAuthority as PbCertificateAuthority,
  DistinguishedName,
  LogId,
  PublicKey as PbPublicKey,
  Service as PbService,
  ServiceConfiguration,
  SigningConfig as PbSigningConfig,
  TimeRange,
  TransparencyLogInstance as PbTransparencyLogInstance,
  TrustedRoot as PbTrustedRoot,
  X509CertificateChain,
} from '@sigstore/protobuf-specs';

// The protobuf-specs types, narrowed to what a successful parse guarantees. Each one is
// still assignable to its protobuf-specs original, so a parsed root can be handed to
// sigstore-js (e.g. toTrustMaterial) as is.

/** A closed interval [start, end]; no end means "still valid". */
export interface ValidityWindow extends TimeRange {
  start: Date;
  end?: Date;
}

export interface PublicKey extends PbPublicKey {
  /** DER-encoded key (SubjectPublicKeyInfo, or PKCS#1 for the PKCS1_* key details). */
  rawBytes: Buffer;
  validFor: ValidityWindow;
}

export interface TransparencyLogInstance extends PbTransparencyLogInstance {
  publicKey: PublicKey;
  logId: LogId;
}

export interface CertificateAuthority extends PbCertificateAuthority {
  subject: DistinguishedName;
  certChain: X509CertificateChain;
  validFor: ValidityWindow;
}

export interface TrustedRoot extends PbTrustedRoot {
  tlogs: TransparencyLogInstance[];
  certificateAuthorities: CertificateAuthority[];
  ctlogs: TransparencyLogInstance[];
  timestampAuthorities: CertificateAuthority[];
}

export interface Service extends PbService {
  validFor: ValidityWindow;
}

export interface SigningConfig extends PbSigningConfig {
  caUrls: Service[];
  oidcUrls: Service[];
  rekorTlogUrls: Service[];
  tsaUrls: Service[];
  rekorTlogConfig: ServiceConfiguration | undefined;
  tsaConfig: ServiceConfiguration | undefined;
}

export type { ServiceConfiguration };
