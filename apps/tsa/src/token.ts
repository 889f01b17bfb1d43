import { createHash } from 'node:crypto';
import type { HashAlgorithm } from '@sigstack/crypto';
import { Attribute, CertificateChoices, CertificateSet, DigestAlgorithmIdentifiers, EncapsulatedContent, EncapsulatedContentInfo, IssuerAndSerialNumber, SignedData, SignerIdentifier, SignerInfo, SignerInfos } from '@peculiar/asn1-cms';
import { AsnConvert, AsnGeneralizedTimeConverter, OctetString } from '@peculiar/asn1-schema';
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
import { BoundedCache, buildTemplate } from './template.js';
import type { SlotSpec, Template } from './template.js';
import { OID, OID_BY_HASH } from './oids.js';
import type { SerialSource } from './serial.js';
import type { Signer } from './signer.js';
import { SIGNATURE_ALGORITHMS } from './signer.js';

/** A request that passed every check: what goes into the token. */
export interface AcceptedRequest {
  /** The message imprint's hash; the token echoes the imprint exactly as the request sent it. */
  readonly hash: HashAlgorithm;
  /** The imprint's AlgorithmIdentifier parameters as sent: absent or NULL (RFC 5754 allows both). */
  readonly hashParameters: 'absent' | 'null';
  /** The hashed message, as long as `hash` makes it. */
  readonly hashedMessage: Uint8Array;
  /** The nonce's INTEGER content bytes, echoed exactly. */
  readonly nonce?: Uint8Array;
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
  /**
   * false: encode every token with the library from scratch, never from a template
   * (template.ts). The tests compare the two byte for byte.
   */
  readonly templates?: boolean;
}

const der = (value: unknown): Uint8Array => new Uint8Array(AsnConvert.serialize(value));

/** An exact ArrayBuffer copy, for asn1-schema's ArrayBuffer-typed INTEGER contents. */
const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

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

/** The library's encodings of the two times a token states: TSTInfo genTime and the signing-time attribute. */
const encodeGenTime = (date: Date): Uint8Array => new Uint8Array(AsnGeneralizedTimeConverter.toASN(date).toBER());
const encodeSigningTime = (date: Date): Uint8Array => der(new Time(date));

/** What varies in a TSTInfo, besides the request. */
interface TstFields {
  readonly serial: Uint8Array;
  readonly genTime: Date;
}

type TstSlot = 'hashedMessage' | 'serial' | 'genTime' | 'nonce';
type AttrSlot = 'signingTime' | 'messageDigest';
type TokenSlot = 'eContent' | 'signingTime' | 'messageDigest' | 'signature';

/** The times of one second, encoded once: tokens are issued in whole seconds. */
interface Second {
  readonly ms: number;
  readonly date: Date;
  readonly genTime: Uint8Array;
  readonly signingTime: Uint8Array;
}

/**
 * Builds granted TimeStampResps (RFC 3161 with the RFC 5816 ESSCertIDv2 attribute).
 *
 * The library (asn1-schema) encodes everything. Constant parts (certificates, signer
 * identifier, algorithm identifiers, accuracy, TSA name, the signing-certificate
 * attribute) are encoded once and spliced in (precomputed.ts). And a token's shape (its
 * policy, imprint hash, serial and nonce lengths, certReq, signature length) is encoded
 * once into a template (template.ts) whose slots a request fills with its imprint,
 * serial, nonce, times, digest and signature: same lengths, so the bytes are those the
 * library would encode. A shape whose template cannot be made is encoded from scratch.
 */
export class TokenBuilder {
  readonly #signer: Signer;
  readonly #digest: HashAlgorithm;
  readonly #clock: () => number;
  readonly #serials: SerialSource;
  readonly #templates: boolean;
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
  /** Imprint hash AlgorithmIdentifiers by hash and parameters (absent or NULL), encoded once each. */
  readonly #imprintAlgorithms = new Map<string, AlgorithmIdentifier>();
  /** Positions of [contentType, signingTime, messageDigest, signingCertificateV2] in DER SET OF order. */
  readonly #attrOrder: readonly number[];
  /** Templates by shape; null: the shape has none (encoded from scratch). */
  readonly #tstTemplates = new BoundedCache<Template<string> | null>(64);
  readonly #attrTemplates = new BoundedCache<Template<AttrSlot> | null>(4);
  readonly #tokenTemplates = new BoundedCache<Template<TokenSlot> | null>(128);
  #second: Second | undefined;
  #templated = 0;
  #scratch = 0;

  constructor(options: TokenBuilderOptions) {
    const [leafDer] = options.chain;
    if (!leafDer) throw new TypeError('the certificate chain is empty');
    this.#signer = options.signer;
    this.#digest = SIGNATURE_ALGORITHMS[options.signer.algorithm].digest;
    this.#clock = options.clock ?? Date.now;
    this.#serials = options.serials;
    this.#templates = options.templates ?? true;
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
    this.#contentTypeAttr = precompute(new Attribute({ attrType: OID.contentType, attrValues: [AsnConvert.serialize(new ObjectIdentifierValue(OID.tstInfo))] }));
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
    this.#signingCertAttr = precompute(new Attribute({ attrType: OID.signingCertificateV2, attrValues: [AsnConvert.serialize(signingCertificate)] }));
    const included = options.includeChain ? certs : [leaf];
    this.#certificates = new CertificateSet(included.map((certificate) => precompute(new CertificateChoices({ certificate }))));
    this.#granted = precompute(new PKIStatusInfo({ status: PKIStatus.granted }));

    // DER sorts a SET OF by the encodings. Only signingTime and messageDigest vary per
    // token, and their encoded lengths are fixed (UTCTime is always 13 characters until
    // 2050, a digest's length is its hash's), so the order found here holds for every token.
    const probe = this.#attributes(new Date(this.#clock()), new Uint8Array(createHash(this.#digest).digest()));
    const encoded = probe.map((a) => der(a));
    this.#attrOrder = encoded.map((_, i) => i).sort((a, b) => compareBytes(encoded[a] as Uint8Array, encoded[b] as Uint8Array));
  }

  // The library encodings: of a whole token when it has no template, and of the templates.

  #attributes(signingTime: Date, messageDigest: Uint8Array): object[] {
    return [
      this.#contentTypeAttr,
      new TimeAttribute({ attrType: OID.signingTime, attrValues: [new Time(signingTime)] }),
      new OctetStringAttribute({ attrType: OID.messageDigest, attrValues: [new OctetString(messageDigest)] }),
      this.#signingCertAttr,
    ];
  }

  #signedAttributes(signingTime: Date, messageDigest: Uint8Array): Attribute[] {
    const attrs = this.#attributes(signingTime, messageDigest);
    return this.#attrOrder.map((i) => attrs[i] as Attribute);
  }

  #imprint(request: AcceptedRequest): MessageImprint {
    const key = `${request.hash}/${request.hashParameters}`;
    let algorithm = this.#imprintAlgorithms.get(key);
    if (!algorithm) {
      const oid = OID_BY_HASH[request.hash];
      algorithm = precompute(new AlgorithmIdentifier(request.hashParameters === 'null' ? { algorithm: oid, parameters: null } : { algorithm: oid }));
      this.#imprintAlgorithms.set(key, algorithm);
    }
    return new MessageImprint({ hashAlgorithm: algorithm, hashedMessage: new OctetString(request.hashedMessage) });
  }

  #encodeTstInfo(request: AcceptedRequest, fields: TstFields): Uint8Array {
    const tstInfo = new TSTInfo({
      version: 1,
      policy: request.policy,
      messageImprint: this.#imprint(request),
      serialNumber: arrayBuffer(fields.serial),
      genTime: fields.genTime,
      ordering: false,
      tsa: this.#tsaName,
    });
    if (this.#accuracy) tstInfo.accuracy = this.#accuracy;
    if (request.nonce) tstInfo.nonce = arrayBuffer(request.nonce);
    return der(tstInfo);
  }

  #encodeSignedAttributes(signingTime: Date, messageDigest: Uint8Array): Uint8Array {
    return der(new SignedAttributeSet(this.#signedAttributes(signingTime, messageDigest)));
  }

  #encodeToken(tstInfo: Uint8Array, signingTime: Date, messageDigest: Uint8Array, signature: Uint8Array, certReq: boolean): Uint8Array {
    const signerInfo = new SignerInfo({
      version: 1,
      sid: this.#sid,
      digestAlgorithm: this.#digestAlgorithm,
      signedAttrs: this.#signedAttributes(signingTime, messageDigest),
      signatureAlgorithm: this.#signatureAlgorithm,
      signature: new OctetString(signature),
    });
    const signedData = new SignedData({
      // 3, not 1: the encapsulated content is not id-data (RFC 5652 5.1).
      version: 3,
      digestAlgorithms: this.#digestAlgorithms,
      encapContentInfo: new EncapsulatedContentInfo({
        eContentType: OID.tstInfo,
        eContent: new EncapsulatedContent({ single: new OctetString(tstInfo) }),
      }),
      signerInfos: new SignerInfos([signerInfo]),
    });
    if (certReq) signedData.certificates = this.#certificates;
    const token = new SignedDataContentInfo({ contentType: OID.signedData, content: signedData });
    return der(new TimeStampRespOut({ status: this.#granted, timeStampToken: token }));
  }

  // Templates: one per shape, found or made on first use.

  #template<K extends string>(cache: BoundedCache<Template<K> | null>, key: string, make: () => Template<K> | undefined): Template<K> | undefined {
    if (!this.#templates) return undefined;
    let template = cache.get(key);
    if (template === undefined) {
      template = make() ?? null;
      cache.set(key, template);
    }
    return template ?? undefined;
  }

  #tstInfo(request: AcceptedRequest, serial: Uint8Array, second: Second): Uint8Array {
    const { hashedMessage, nonce } = request;
    const key = `${request.policy} ${request.hash} ${request.hashParameters} ${hashedMessage.length} ${serial.length} ${nonce ? nonce.length : '-'} ${second.genTime.length}`;
    const template = this.#template(this.#tstTemplates, key, () => {
      const specs: Partial<Record<TstSlot, SlotSpec>> = {
        hashedMessage: { kind: 'bytes', length: hashedMessage.length },
        serial: { kind: 'bytes', length: serial.length },
        genTime: { kind: 'time', encode: encodeGenTime },
      };
      if (nonce) specs.nonce = { kind: 'bytes', length: nonce.length };
      return buildTemplate(specs as Record<string, SlotSpec>, (v) => {
        const shaped: AcceptedRequest = { ...request, hashedMessage: v['hashedMessage'] as Uint8Array, ...(nonce ? { nonce: v['nonce'] as Uint8Array } : {}) };
        return this.#encodeTstInfo(shaped, { serial: v['serial'] as Uint8Array, genTime: v['genTime'] as Date });
      }, second.date);
    });
    if (!template) return this.#encodeTstInfo(request, { serial, genTime: second.date });
    const values: Record<string, Uint8Array> = { hashedMessage, serial, genTime: second.genTime };
    if (nonce) values['nonce'] = nonce;
    return template.fill(values);
  }

  #toBeSigned(second: Second, messageDigest: Uint8Array): Uint8Array {
    const template = this.#template(this.#attrTemplates, `${second.signingTime.length} ${messageDigest.length}`, () =>
      buildTemplate(
        { signingTime: { kind: 'time', encode: encodeSigningTime }, messageDigest: { kind: 'bytes', length: messageDigest.length } },
        (v) => this.#encodeSignedAttributes(v.signingTime as Date, v.messageDigest as Uint8Array),
        second.date,
      ),
    );
    if (!template) return this.#encodeSignedAttributes(second.date, messageDigest);
    return template.fill({ signingTime: second.signingTime, messageDigest });
  }

  #token(tstInfo: Uint8Array, second: Second, messageDigest: Uint8Array, signature: Uint8Array, certReq: boolean): Uint8Array {
    const key = `${tstInfo.length} ${second.signingTime.length} ${messageDigest.length} ${signature.length} ${certReq}`;
    const template = this.#template(this.#tokenTemplates, key, () =>
      buildTemplate(
        {
          eContent: { kind: 'bytes', length: tstInfo.length },
          signingTime: { kind: 'time', encode: encodeSigningTime },
          messageDigest: { kind: 'bytes', length: messageDigest.length },
          signature: { kind: 'bytes', length: signature.length },
        },
        (v) => this.#encodeToken(v.eContent as Uint8Array, v.signingTime as Date, v.messageDigest as Uint8Array, v.signature as Uint8Array, certReq),
        second.date,
      ),
    );
    if (!template) {
      this.#scratch++;
      return this.#encodeToken(tstInfo, second.date, messageDigest, signature, certReq);
    }
    this.#templated++;
    return template.fill({ eContent: tstInfo, signingTime: second.signingTime, messageDigest, signature });
  }

  #secondOf(now: number): Second {
    // Whole seconds, as Go's encoder writes them (and sigstore-js parses only .000 fractions);
    // the accuracy covers the truncation.
    const ms = now - (((now % 1000) + 1000) % 1000);
    let second = this.#second;
    if (second?.ms !== ms) {
      const date = new Date(ms);
      second = { ms, date, genTime: encodeGenTime(date), signingTime: encodeSigningTime(date) };
      this.#second = second;
    }
    return second;
  }

  /** Tokens whose outer encoding came from a template, and those encoded from scratch. */
  get stats(): { readonly templated: number; readonly scratch: number } {
    return { templated: this.#templated, scratch: this.#scratch };
  }

  /** A granted TimeStampResp for an accepted request, DER encoded. */
  async issue(request: AcceptedRequest): Promise<Uint8Array> {
    const second = this.#secondOf(this.#clock());
    const serial = new Uint8Array(this.#serials());
    const tstInfo = this.#tstInfo(request, serial, second);
    const digest = new Uint8Array(createHash(this.#digest).update(tstInfo).digest());
    const signature = await this.#signer.sign(this.#toBeSigned(second, digest));
    return this.#token(tstInfo, second, digest, signature, request.certReq);
  }
}
