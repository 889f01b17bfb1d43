import type { HashAlgorithm } from '@sigstack/crypto';
import { checkStrictDer, parseCertificate, type ParsedCertificate } from '@sigstack/x509';
import { childrenOf, contentsOf, elementOf, oidText, readWhole, type Tlv } from './der.js';
import { fail } from './error.js';

// RFC 3161 timestamps as Sigstore bundles carry them: the DER TimeStampResp
// (timestampVerificationData.rfc3161Timestamps[].signedTimestamp). Attacker-controlled:
// read by hand from the DER, strictly (DER lengths, the types RFC 3161 and RFC 5652 give
// each field, in order, nothing left over), and every structural rule checked before any
// cryptography.

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
} as const;

const HASHES: Readonly<Record<string, HashAlgorithm>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const HASH_SIZE: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** How the CMS signer names its certificate. */
export type SignerId =
  | { readonly issuer: Uint8Array; readonly serialNumber: Uint8Array }
  | { readonly subjectKeyId: Uint8Array };

/** A parsed, not yet verified, RFC 3161 timestamp. */
export interface Rfc3161Timestamp {
  /** TSTInfo genTime: when the TSA says it saw the message imprint. */
  readonly genTime: Date;
  /** The message imprint: which hash, and the hash of the timestamped data. */
  readonly imprintAlgorithm: HashAlgorithm;
  readonly hashedMessage: Uint8Array;
  /** The DER TSTInfo (the signed content). */
  readonly tstInfo: Uint8Array;
  /** The signer's digest algorithm over the TSTInfo and the signed attributes. */
  readonly digestAlgorithm: HashAlgorithm;
  /** The messageDigest signed attribute: the digest of `tstInfo`. */
  readonly messageDigest: Uint8Array;
  /** The signed attributes re-tagged as a SET OF: the bytes the signature covers. */
  readonly signedAttributes: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
  readonly signerId: SignerId;
  /** DER certificates embedded in the SignedData, if any. */
  readonly certificates: readonly Uint8Array[];
}

const invalid = (message: string, cause?: unknown) => fail('TIMESTAMP_INVALID', `RFC 3161 timestamp: ${message}`, cause);

const TAG = { BOOLEAN: 0x01, INTEGER: 0x02, OCTET_STRING: 0x04, OID: 0x06, GENERALIZED_TIME: 0x18, SEQUENCE: 0x30, SET: 0x31 } as const;

/** One DER element in a walk: its bytes, and its children when it is constructed. */
class Node {
  constructor(
    readonly der: Uint8Array,
    readonly tlv: Tlv,
    readonly what: string,
  ) {}

  static whole(der: Uint8Array, tag: number, what: string): Node {
    const tlv = readWhole(der, tag);
    if (tlv === undefined) throw invalid(`${what} does not decode`);
    return new Node(der, tlv, what);
  }

  get tag(): number {
    return this.tlv.tag;
  }

  get contents(): Uint8Array {
    return contentsOf(this.der, this.tlv);
  }

  get element(): Uint8Array {
    return elementOf(this.der, this.tlv);
  }

  children(): Node[] {
    const kids = childrenOf(this.der, this.tlv);
    if (kids === undefined) throw invalid(`${this.what} does not decode`);
    return kids.map((k, i) => new Node(this.der, k, `${this.what}[${i}]`));
  }

  expect(tag: number): this {
    if (this.tlv.tag !== tag) throw invalid(`${this.what} has the wrong type`);
    return this;
  }

  oid(): string {
    const text = oidText(this.expect(TAG.OID).contents);
    if (text === undefined) throw invalid(`${this.what} is not a valid OID`);
    return text;
  }

  /** A non-negative INTEGER that fits a small number (versions, statuses). */
  smallInt(): number {
    const b = this.expect(TAG.INTEGER).contents;
    if (b.length === 0 || b.length > 4 || ((b[0] as number) & 0x80) !== 0 || (b.length > 1 && b[0] === 0 && ((b[1] as number) & 0x80) === 0)) {
      throw invalid(`${this.what} is not a small INTEGER`);
    }
    return b.reduce((n, x) => n * 256 + x, 0);
  }

  /** INTEGER contents (serial numbers, nonces): non-empty, otherwise as given. */
  integer(): Uint8Array {
    const b = this.expect(TAG.INTEGER).contents;
    if (b.length === 0) throw invalid(`${this.what} is an empty INTEGER`);
    return b;
  }
}

/** Reads `nodes` in order: each optional field by its tag, then nothing may be left. */
class Fields {
  private at = 0;
  constructor(
    private readonly nodes: readonly Node[],
    private readonly what: string,
  ) {}

  next(name: string): Node {
    const node = this.nodes[this.at++];
    if (node === undefined) throw invalid(`${this.what} has no ${name}`);
    return node;
  }

  optional(tag: number): Node | undefined {
    const node = this.nodes[this.at];
    if (node?.tag !== tag) return undefined;
    this.at++;
    return node;
  }

  done(): void {
    if (this.at !== this.nodes.length) throw invalid(`${this.what} has unexpected fields`);
  }
}

/** Every element, read here or not, in strict DER (tags, lengths, and each universal type's one encoding). */
function strict(der: Uint8Array, what: string): void {
  try {
    checkStrictDer(der);
  } catch (cause) {
    throw invalid(`${what} does not decode: ${cause instanceof Error ? cause.message : ''}`, cause);
  }
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }: its OID. */
function algorithm(node: Node): string {
  const parts = node.expect(TAG.SEQUENCE).children();
  if (parts.length < 1 || parts.length > 2) throw invalid(`${node.what} is not an AlgorithmIdentifier`);
  return (parts[0] as Node).oid();
}

function hashOf(oid: string, what: string): HashAlgorithm {
  const hash = Object.hasOwn(HASHES, oid) ? HASHES[oid] : undefined;
  // SHA-1 and anything unknown are refused, as sigstore-go and the timestamp-authority do.
  if (hash === undefined) throw invalid(`${what} algorithm ${oid} is not SHA-256, SHA-384 or SHA-512`);
  return hash;
}

const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/;

/** TSTInfo genTime: GeneralizedTime YYYYMMDDhhmmss[.s...]Z (RFC 3161 2.4.2), a real instant, to the millisecond. */
function genTime(node: Node): Date {
  const text = Buffer.from(node.expect(TAG.GENERALIZED_TIME).contents).toString('latin1');
  const m = GENERALIZED_TIME.exec(text);
  if (m === null) throw invalid('genTime is not a time');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] === undefined ? 0 : Math.floor(1e3 * Number(`0.${m[7]}`));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    throw invalid('genTime is not a time');
  }
  return date;
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }: checked, returned as its DER. */
function name(node: Node): Uint8Array {
  for (const rdn of node.expect(TAG.SEQUENCE).children()) {
    for (const atv of rdn.expect(TAG.SET).children()) {
      const parts = atv.expect(TAG.SEQUENCE).children();
      if (parts.length !== 2) throw invalid(`${atv.what} is not a name attribute`);
      (parts[0] as Node).oid();
    }
  }
  return node.element;
}

/** TSTInfo tsa [0] EXPLICIT GeneralName: an IA5 name, an address, an OID, or a directory name. */
function tsaName(node: Node): void {
  const inner = node.children();
  const only = inner[0];
  if (inner.length !== 1 || only === undefined) throw invalid('tsa does not decode');
  if (only.tag === 0xa4) {
    const wrapped = only.children();
    if (wrapped.length !== 1) throw invalid('tsa does not decode');
    name(wrapped[0] as Node);
  } else if (only.tag === 0x88) {
    if (oidText(only.contents) === undefined) throw invalid('tsa is not a valid OID');
  } else if (only.tag !== 0x81 && only.tag !== 0x82 && only.tag !== 0x86 && only.tag !== 0x87) {
    throw invalid('tsa has the wrong type');
  }
}

/** Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY }. */
function attribute(node: Node): { type: string; values: Node[] } {
  const parts = node.expect(TAG.SEQUENCE).children();
  if (parts.length !== 2) throw invalid(`${node.what} is not an Attribute`);
  return { type: (parts[0] as Node).oid(), values: (parts[1] as Node).expect(TAG.SET).children() };
}

function singleAttribute(attrs: readonly { type: string; values: Node[] }[], oid: string, name: string): Node {
  const found = attrs.filter((a) => a.type === oid);
  const only = found[0];
  if (found.length !== 1 || only === undefined || only.values.length !== 1) throw invalid(`needs exactly one ${name} signed attribute`);
  return only.values[0] as Node;
}

// Embedded certificates are parsed (strictly) while the timestamp is read; verification asks
// for the parse of the very same array object, so nothing outlives the one timestamp.
const parsedCertificates = new WeakMap<Uint8Array, ParsedCertificate>();

/** An embedded certificate: its DER, parsed now so a malformed one fails the timestamp here. */
function certificate(node: Node): Uint8Array {
  const der = node.element;
  try {
    parsedCertificates.set(der, parseCertificate(der));
  } catch (cause) {
    throw invalid('an embedded certificate does not decode', cause);
  }
  return der;
}

/** The parse of one of `certificates` of a parsed timestamp (or of any other DER). */
export function embeddedCertificate(der: Uint8Array): ParsedCertificate {
  return parsedCertificates.get(der) ?? parseCertificate(der);
}

/** Parses a DER TimeStampResp; throws VerificationError TIMESTAMP_INVALID on anything unexpected. */
export function parseRfc3161Timestamp(der: Uint8Array): Rfc3161Timestamp {
  if (!(der instanceof Uint8Array) || der.length === 0) throw invalid('empty');
  strict(der, 'TimeStampResp');
  // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }
  const resp = new Fields(Node.whole(der, TAG.SEQUENCE, 'TimeStampResp').children(), 'TimeStampResp');
  // PKIStatusInfo ::= SEQUENCE { status INTEGER, statusString SEQUENCE OPTIONAL, failInfo BIT STRING OPTIONAL }
  const statusInfo = resp.next('status').expect(TAG.SEQUENCE).children();
  const first = statusInfo[0];
  if (first === undefined || statusInfo.length > 3) throw invalid('status does not decode');
  const status = first.smallInt();
  // granted (0) or grantedWithMods (1); anything else carries no token worth reading.
  if (status !== 0 && status !== 1) throw invalid(`status ${status} is not granted`);
  const tokenNode = resp.optional(TAG.SEQUENCE);
  if (tokenNode === undefined) throw invalid('response carries no token');
  resp.done();

  // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
  const token = tokenNode.children();
  if (token.length !== 2) throw invalid('token is not a ContentInfo');
  if ((token[0] as Node).oid() !== OID.signedData) throw invalid('token is not CMS SignedData');
  const wrapped = (token[1] as Node).expect(0xa0).children();
  if (wrapped.length !== 1) throw invalid('token content does not decode');
  const signedDataNode = (wrapped[0] as Node).expect(TAG.SEQUENCE);

  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, certificates [0] IMPLICIT OPTIONAL,
  //   crls [1] IMPLICIT OPTIONAL, signerInfos SET }
  const sd = new Fields(signedDataNode.children(), 'SignedData');
  sd.next('version').smallInt();
  for (const alg of sd.next('digestAlgorithms').expect(TAG.SET).children()) algorithm(alg);
  const eci = sd.next('encapContentInfo').expect(TAG.SEQUENCE).children();
  const certificateSet = sd.optional(0xa0);
  sd.optional(0xa1);
  const signerInfos = sd.next('signerInfos').expect(TAG.SET).children();
  sd.done();

  // EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
  if (eci.length < 1 || eci.length > 2) throw invalid('content info does not decode');
  if ((eci[0] as Node).oid() !== OID.tstInfo) throw invalid('content is not a TSTInfo');
  const eContent = eci[1]?.expect(0xa0).children();
  if (eContent === undefined) throw invalid('TSTInfo is missing');
  if (eContent.length !== 1) throw invalid('TSTInfo does not decode');
  const tstInfo = (eContent[0] as Node).expect(TAG.OCTET_STRING).contents;
  strict(tstInfo, 'TSTInfo');

  // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, accuracy OPTIONAL,
  //   ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL, tsa [0] OPTIONAL, extensions [1] OPTIONAL }
  const info = new Fields(Node.whole(tstInfo, TAG.SEQUENCE, 'TSTInfo').children(), 'TSTInfo');
  const version = info.next('version').smallInt();
  if (version !== 1) throw invalid(`TSTInfo version ${version} is not 1`);
  info.next('policy').oid();
  const imprint = info.next('messageImprint').expect(TAG.SEQUENCE).children();
  if (imprint.length !== 2) throw invalid('message imprint does not decode');
  const imprintAlgorithm = hashOf(algorithm(imprint[0] as Node), 'message imprint');
  const hashedMessage = (imprint[1] as Node).expect(TAG.OCTET_STRING).contents;
  if (hashedMessage.length !== HASH_SIZE[imprintAlgorithm]) throw invalid('message imprint has the wrong length');
  info.next('serialNumber').integer();
  const time = genTime(info.next('genTime'));
  const accuracy = info.optional(TAG.SEQUENCE);
  if (accuracy !== undefined) {
    // Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] IMPLICIT INTEGER OPTIONAL, micros [1] IMPLICIT INTEGER OPTIONAL }
    const parts = new Fields(accuracy.children(), 'accuracy');
    parts.optional(TAG.INTEGER)?.integer();
    for (const tag of [0x80, 0x81]) if (parts.optional(tag)?.contents.length === 0) throw invalid('accuracy is an empty INTEGER');
    parts.done();
  }
  const ordering = info.optional(TAG.BOOLEAN);
  // DEFAULT FALSE is never written in DER: only TRUE (0xff) may appear.
  if (ordering !== undefined && (ordering.contents.length !== 1 || ordering.contents[0] !== 0xff)) throw invalid('ordering is not DER TRUE');
  info.optional(TAG.INTEGER)?.integer();
  const tsa = info.optional(0xa0);
  if (tsa !== undefined) tsaName(tsa);
  const extensions = info.optional(0xa1);
  // extensions [1] IMPLICIT SEQUENCE OF Extension { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
  for (const ext of extensions?.children() ?? []) {
    const parts = new Fields(ext.expect(TAG.SEQUENCE).children(), 'TSTInfo extension');
    parts.next('extnID').oid();
    parts.optional(TAG.BOOLEAN);
    parts.next('extnValue').expect(TAG.OCTET_STRING);
    parts.done();
  }
  info.done();

  if (signerInfos.length !== 1) throw invalid(`expected one signer, found ${signerInfos.length}`);
  // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL,
  //   signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
  const signerNode = (signerInfos[0] as Node).expect(TAG.SEQUENCE);
  const signer = new Fields(signerNode.children(), 'SignerInfo');
  signer.next('version').smallInt();
  const sid = signer.next('sid');
  const digestAlgorithm = hashOf(algorithm(signer.next('digestAlgorithm')), 'signer digest');
  const attrsNode = signer.optional(0xa0);
  if (attrsNode === undefined) throw invalid('signer has no signed attributes');
  const signatureAlgorithm = algorithm(signer.next('signatureAlgorithm'));
  const signature = signer.next('signature').expect(TAG.OCTET_STRING).contents;
  signer.optional(0xa1)?.children();
  signer.done();

  const attrs = attrsNode.children().map(attribute);
  // The signed attributes exactly as encoded, re-tagged as the SET OF the signature covers
  // (RFC 5652 5.4): read from the bytes, because a re-encoding need not match.
  const signedAttributes = Uint8Array.from(attrsNode.element);
  signedAttributes[0] = 0x31;
  // An OBJECT IDENTIFIER 1.2.840.113549.1.9.16.1.4, DER encoded.
  const contentType = singleAttribute(attrs, OID.contentType, 'content-type');
  if (Buffer.from(contentType.element).toString('hex') !== '060b2a864886f70d0109100104') throw invalid('content-type attribute is not TSTInfo');
  const digestNode = singleAttribute(attrs, OID.messageDigest, 'message-digest');
  if (digestNode.tag !== TAG.OCTET_STRING) throw invalid('message-digest has the wrong type');
  const messageDigest = digestNode.contents;

  let signerId: SignerId;
  if (sid.tag === TAG.SEQUENCE) {
    // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }
    const ias = sid.children();
    if (ias.length !== 2) throw invalid('signer identifier does not decode');
    signerId = { issuer: name(ias[0] as Node), serialNumber: (ias[1] as Node).integer() };
  } else if (sid.tag === 0x80) {
    signerId = { subjectKeyId: sid.contents };
  } else {
    throw invalid('signer identifier is empty');
  }

  // CertificateChoices: a certificate is a SEQUENCE; the other choices ([0]-[3]) are not read.
  const certificates = (certificateSet?.children() ?? []).flatMap((c) => {
    if (c.tag === TAG.SEQUENCE) return [certificate(c)];
    if (c.tag >= 0xa0 && c.tag <= 0xa3) return [];
    throw invalid('an embedded certificate has the wrong type');
  });

  return {
    genTime: time,
    imprintAlgorithm,
    hashedMessage,
    tstInfo,
    digestAlgorithm,
    messageDigest,
    signedAttributes,
    signatureAlgorithm,
    signature,
    signerId,
    certificates,
  };
}
