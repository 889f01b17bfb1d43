import { createHash } from 'node:crypto';
import { Attribute, CertificateChoices, CertificateSet, DigestAlgorithmIdentifiers, EncapsulatedContent, EncapsulatedContentInfo, IssuerAndSerialNumber, SignedData, SignerIdentifier, SignerInfo, SignerInfos } from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Accuracy, MessageImprint, PKIStatus, PKIStatusInfo, TSTInfo } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier, Certificate, GeneralName, GeneralNames, Time } from '@peculiar/asn1-x509';
import {
  EssCertIdV2,
  IssuerSerial,
  ObjectIdentifierValue,
  OctetStringAttribute,
  SignedAttributeSet,
  SignedDataContentInfo,
  SigningCertificateV2,
  TimeAttribute,
  TimeStampRespOut,
} from './ess.js';
import { precompute } from './precomputed.js';
import { OID, OID_BY_HASH } from './oids.js';
import type { SerialSource } from './serial.js';
import type { Signer } from './signer.js';
import { SIGNATURE_ALGORITHMS } from './signer.js';

/** A request that passed every check: what goes into the token. */
export interface AcceptedRequest {
  /** Echoed as the request sent it: RFC 3161 says the token's imprint MUST be the same. */
  readonly messageImprint: MessageImprint;
  /** The nonce's INTEGER content bytes, echoed exactly. */
  readonly nonce?: ArrayBuffer;
  /** The policy to state; already checked against the accepted ones. */
  readonly policy: string;
  /** Whether to put the TSA certificate (and the chain, if configured) into the token. */
  readonly certReq: boolean;
}

export interface TokenBuilderOptions {
  readonly signer: Signer;
  /** DER certificates, the TSA leaf first, then its issuers up to the root. */
  readonly chain: readonly Uint8Array[];
  /** How far genTime may be from the true time, in milliseconds; 0 leaves accuracy out. */
  readonly accuracyMs: number;
  /** With certReq: true adds the issuing chain after the leaf, false the leaf alone (as upstream). */
  readonly includeChain: boolean;
  readonly serials: SerialSource;
  /** Milliseconds since the epoch; injected so tests can freeze time. */
  readonly clock?: () => number;
}

const der = (value: unknown): ArrayBuffer => AsnConvert.serialize(value);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function accuracyOf(ms: number): Accuracy | undefined {
  if (ms <= 0) return undefined;
  const seconds = Math.floor(ms / 1000);
  const millis = ms % 1000;
  const accuracy = new Accuracy();
  // Absent, not zero: DER and RFC 3161 (millis 1..999) both want missing parts left out.
  (accuracy as { seconds?: number }).seconds = seconds > 0 ? seconds : undefined;
  if (millis > 0) accuracy.millis = millis;
  return accuracy;
}

/**
 * Builds granted TimeStampResps (RFC 3161 with the RFC 5816 ESSCertIDv2 attribute).
 * Everything that does not depend on the request (certificates, signer identifier,
 * algorithm identifiers, accuracy, TSA name, the signing-certificate attribute) is
 * encoded once here and spliced in (see precomputed.ts); a request costs one TSTInfo,
 * two small attributes, one signature and the enclosing sequences.
 */
export class TokenBuilder {
  readonly #signer: Signer;
  readonly #digest: 'sha256' | 'sha384' | 'sha512';
  readonly #clock: () => number;
  readonly #serials: SerialSource;
  readonly #accuracy: Accuracy | undefined;
  readonly #tsaName: GeneralName;
  readonly #sid: SignerIdentifier;
  readonly #digestAlgorithm: AlgorithmIdentifier;
  readonly #digestAlgorithms: DigestAlgorithmIdentifiers;
  readonly #signatureAlgorithm: AlgorithmIdentifier;
  readonly #contentTypeAttr: Attribute;
  readonly #signingCertAttr: Attribute;
  readonly #certificates: CertificateSet;
  readonly #granted: PKIStatusInfo;
  /** Imprint hash AlgorithmIdentifiers by OID and parameters (absent or NULL), encoded once each. */
  readonly #imprintAlgorithms = new Map<string, AlgorithmIdentifier>();
  /** Positions of [contentType, signingTime, messageDigest, signingCertificateV2] in DER SET OF order. */
  readonly #attrOrder: readonly number[];

  constructor(options: TokenBuilderOptions) {
    const [leafDer] = options.chain;
    if (!leafDer) throw new TypeError('the certificate chain is empty');
    this.#signer = options.signer;
    this.#digest = SIGNATURE_ALGORITHMS[options.signer.algorithm].digest;
    this.#clock = options.clock ?? Date.now;
    this.#serials = options.serials;
    const accuracy = accuracyOf(options.accuracyMs);
    this.#accuracy = accuracy && precompute(accuracy);

    const certs = options.chain.map((c) => AsnConvert.parse(c, Certificate));
    const leaf = certs[0] as Certificate;
    const tbs = leaf.tbsCertificate;
    this.#tsaName = precompute(new GeneralName({ directoryName: tbs.subject }));
    this.#sid = precompute(
      new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: tbs.issuer, serialNumber: tbs.serialNumber }) }),
    );
    // RFC 5754: SHA-2 identifiers without parameters; RFC 5758: ECDSA ones likewise.
    const digestAlgorithm = new AlgorithmIdentifier({ algorithm: OID_BY_HASH[this.#digest] });
    this.#digestAlgorithm = precompute(digestAlgorithm);
    this.#digestAlgorithms = precompute(new DigestAlgorithmIdentifiers([digestAlgorithm]));
    this.#signatureAlgorithm = precompute(new AlgorithmIdentifier({ algorithm: SIGNATURE_ALGORITHMS[options.signer.algorithm].oid }));
    this.#contentTypeAttr = precompute(new Attribute({ attrType: OID.contentType, attrValues: [der(new ObjectIdentifierValue(OID.tstInfo))] }));
    // ESSCertIDv2 with SHA-256 (the DEFAULT, so no hashAlgorithm) and the issuer/serial,
    // as sigstore/timestamp-authority writes it.
    const signingCertificate = new SigningCertificateV2({
      certs: [
        new EssCertIdV2({
          certHash: new OctetString(createHash('sha256').update(leafDer).digest()),
          issuerSerial: new IssuerSerial({
            issuer: new GeneralNames([new GeneralName({ directoryName: tbs.issuer })]),
            serialNumber: tbs.serialNumber,
          }),
        }),
      ],
    });
    this.#signingCertAttr = precompute(new Attribute({ attrType: OID.signingCertificateV2, attrValues: [der(signingCertificate)] }));
    const included = options.includeChain ? certs : [leaf];
    this.#certificates = new CertificateSet(included.map((certificate) => precompute(new CertificateChoices({ certificate }))));
    this.#granted = precompute(new PKIStatusInfo({ status: PKIStatus.granted }));

    // DER sorts a SET OF by the encodings. Only signingTime and messageDigest vary per
    // token, and their encoded lengths are fixed (UTCTime is always 13 characters until
    // 2050, a digest's length is its hash's), so the order found here holds for every token.
    const probe = this.#signedAttributes(new Date(this.#clock()), new Uint8Array(createHash(this.#digest).digest()));
    const encoded = probe.map((a) => new Uint8Array(der(a)));
    this.#attrOrder = encoded.map((_, i) => i).sort((a, b) => compareBytes(encoded[a] as Uint8Array, encoded[b] as Uint8Array));
  }

  #signedAttributes(genTime: Date, messageDigest: Uint8Array): object[] {
    return [
      this.#contentTypeAttr,
      new TimeAttribute({ attrType: OID.signingTime, attrValues: [new Time(genTime)] }),
      new OctetStringAttribute({ attrType: OID.messageDigest, attrValues: [new OctetString(messageDigest)] }),
      this.#signingCertAttr,
    ];
  }

  #imprint(request: AcceptedRequest): MessageImprint {
    const { hashAlgorithm, hashedMessage } = request.messageImprint;
    const key = `${hashAlgorithm.algorithm}/${hashAlgorithm.parameters === null ? 'null' : hashAlgorithm.parameters === undefined ? 'absent' : 'other'}`;
    let algorithm = this.#imprintAlgorithms.get(key);
    if (!algorithm) {
      // The request parsers admit 3 hashes x 2 parameter forms; anything else is built as is.
      if (key.endsWith('/other')) return request.messageImprint;
      algorithm = precompute(new AlgorithmIdentifier({ algorithm: hashAlgorithm.algorithm, ...(hashAlgorithm.parameters === null ? { parameters: null } : {}) }));
      this.#imprintAlgorithms.set(key, algorithm);
    }
    return new MessageImprint({ hashAlgorithm: algorithm, hashedMessage });
  }

  /** A granted TimeStampResp for an accepted request, DER encoded. */
  async issue(request: AcceptedRequest): Promise<Uint8Array> {
    // Whole seconds, as Go's encoder writes them (and sigstore-js parses only .000 fractions);
    // the accuracy covers the truncation.
    const now = this.#clock();
    const genTime = new Date(now - (now % 1000));
    const tstInfo = new TSTInfo({
      version: 1,
      policy: request.policy,
      messageImprint: this.#imprint(request),
      serialNumber: this.#serials(),
      genTime,
      ordering: false,
      tsa: this.#tsaName,
    });
    if (this.#accuracy) tstInfo.accuracy = this.#accuracy;
    if (request.nonce) tstInfo.nonce = request.nonce;
    const tstInfoDer = der(tstInfo);

    const digest = createHash(this.#digest).update(new Uint8Array(tstInfoDer)).digest();
    const attrs = this.#signedAttributes(genTime, digest);
    const signedAttrs = this.#attrOrder.map((i) => attrs[i] as Attribute);
    const signature = await this.#signer.sign(new Uint8Array(der(new SignedAttributeSet(signedAttrs))));

    const signerInfo = new SignerInfo({
      version: 1,
      sid: this.#sid,
      digestAlgorithm: this.#digestAlgorithm,
      signedAttrs,
      signatureAlgorithm: this.#signatureAlgorithm,
      signature: new OctetString(signature),
    });
    const signedData = new SignedData({
      // 3, not 1: the encapsulated content is not id-data (RFC 5652 5.1).
      version: 3,
      digestAlgorithms: this.#digestAlgorithms,
      encapContentInfo: new EncapsulatedContentInfo({
        eContentType: OID.tstInfo,
        eContent: new EncapsulatedContent({ single: new OctetString(tstInfoDer) }),
      }),
      signerInfos: new SignerInfos([signerInfo]),
    });
    if (request.certReq) signedData.certificates = this.#certificates;
    const token = new SignedDataContentInfo({ contentType: OID.signedData, content: signedData });
    return new Uint8Array(der(new TimeStampRespOut({ status: this.#granted, timeStampToken: token })));
  }
}
