import { SignedData, type ContentInfo } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import type { HashAlgorithm } from '@sigstack/crypto';
import { childrenOf, readTlv } from '../../src/der.js';
import { fail } from '../../src/error.js';

// RFC 3161 timestamps as Sigstore bundles carry them: the DER TimeStampResp
// (timestampVerificationData.rfc3161Timestamps[].signedTimestamp). Attacker-controlled:
// parsed strictly, and every structural rule checked before any cryptography.

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

function parse<T>(bytes: ArrayBuffer | Uint8Array, type: new () => T, what: string): T {
  try {
    return AsnConvert.parse(bytes, type);
  } catch (cause) {
    throw invalid(`${what} does not decode`, cause);
  }
}

function hashOf(oid: string, what: string): HashAlgorithm {
  const hash = Object.hasOwn(HASHES, oid) ? HASHES[oid] : undefined;
  // SHA-1 and anything unknown are refused, as sigstore-go and the timestamp-authority do.
  if (hash === undefined) throw invalid(`${what} algorithm ${oid} is not SHA-256, SHA-384 or SHA-512`);
  return hash;
}

const bytes = (b: ArrayBuffer | ArrayBufferView): Uint8Array =>
  b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

function singleAttribute(attrs: { attrType: string; attrValues: ArrayBuffer[] }[], oid: string, name: string): Uint8Array {
  const found = attrs.filter((a) => a.attrType === oid);
  const only = found[0];
  if (found.length !== 1 || only === undefined || only.attrValues.length !== 1) throw invalid(`needs exactly one ${name} signed attribute`);
  return bytes(only.attrValues[0] as ArrayBuffer);
}

/** Reads the contents of a DER primitive with `tag` that spans all of `der`. */
function primitive(der: Uint8Array, tag: number, what: string): Uint8Array {
  if (der.length < 2 || der[0] !== tag) throw invalid(`${what} has the wrong type`);
  let len = der[1] as number;
  let offset = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 2 || der.length < 2 + n) throw invalid(`${what} has a bad length`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[2 + i] as number);
    offset = 2 + n;
  }
  if (offset + len !== der.length) throw invalid(`${what} has a bad length`);
  return der.subarray(offset);
}

/**
 * The signer's signed attributes exactly as encoded, re-tagged as the SET OF the signature
 * covers (RFC 5652 5.4): read from the bytes, because a decoder's re-encoding need not match.
 */
function rawSignedAttributes(signedData: Uint8Array): Uint8Array {
  const sd = readTlv(signedData, 0);
  const parts = sd && sd.end === signedData.length ? childrenOf(signedData, sd) : undefined;
  const infos = parts?.[parts.length - 1];
  const info = infos && infos.tag === 0x31 ? childrenOf(signedData, infos) : undefined;
  const first = info?.length === 1 ? info[0] : undefined;
  const fields = first && first.tag === 0x30 ? childrenOf(signedData, first) : undefined;
  const attrs = fields?.find((f) => f.tag === 0xa0);
  if (attrs === undefined) throw invalid('signed attributes not found');
  const out = Uint8Array.from(signedData.subarray(attrs.start, attrs.end));
  out[0] = 0x31;
  return out;
}

/** Parses a DER TimeStampResp; throws VerificationError TIMESTAMP_INVALID on anything unexpected. */
export function parseRfc3161Timestamp(der: Uint8Array): Rfc3161Timestamp {
  if (!(der instanceof Uint8Array) || der.length === 0) throw invalid('empty');
  const resp = parse(der, TimeStampResp, 'TimeStampResp');
  // granted (0) or grantedWithMods (1); anything else carries no token worth reading.
  if (resp.status.status !== 0 && resp.status.status !== 1) throw invalid(`status ${resp.status.status} is not granted`);
  const token: ContentInfo | undefined = resp.timeStampToken;
  if (token === undefined) throw invalid('response carries no token');
  if (token.contentType !== OID.signedData) throw invalid('token is not CMS SignedData');
  const signed = parse(token.content, SignedData, 'SignedData');
  const eci = signed.encapContentInfo;
  if (eci.eContentType !== OID.tstInfo) throw invalid('content is not a TSTInfo');
  const content = eci.eContent?.single;
  if (content === undefined) throw invalid('TSTInfo is missing');
  const tstInfo = bytes(content.buffer);
  const info = parse(tstInfo, TSTInfo, 'TSTInfo');
  if (info.version !== 1) throw invalid(`TSTInfo version ${info.version} is not 1`);
  const imprintAlgorithm = hashOf(info.messageImprint.hashAlgorithm.algorithm, 'message imprint');
  const hashedMessage = bytes(info.messageImprint.hashedMessage.buffer);
  if (hashedMessage.length !== HASH_SIZE[imprintAlgorithm]) throw invalid('message imprint has the wrong length');
  if (!(info.genTime instanceof Date) || Number.isNaN(info.genTime.getTime())) throw invalid('genTime is not a time');

  if (signed.signerInfos.length !== 1) throw invalid(`expected one signer, found ${signed.signerInfos.length}`);
  const signer = signed.signerInfos[0];
  if (signer === undefined) throw invalid('no signer');
  if (signer.signedAttrs === undefined) throw invalid('signer has no signed attributes');
  const signedAttributes = rawSignedAttributes(bytes(token.content));
  const contentType = singleAttribute(signer.signedAttrs, OID.contentType, 'content-type');
  // An OBJECT IDENTIFIER 1.2.840.113549.1.9.16.1.4, DER encoded.
  if (Buffer.from(contentType).toString('hex') !== '060b2a864886f70d0109100104') throw invalid('content-type attribute is not TSTInfo');
  const messageDigest = primitive(singleAttribute(signer.signedAttrs, OID.messageDigest, 'message-digest'), 0x04, 'message-digest');

  let signerId: SignerId;
  if (signer.sid.issuerAndSerialNumber !== undefined) {
    const ias = signer.sid.issuerAndSerialNumber;
    signerId = { issuer: new Uint8Array(AsnConvert.serialize(ias.issuer)), serialNumber: bytes(ias.serialNumber) };
  } else if (signer.sid.subjectKeyIdentifier !== undefined) {
    signerId = { subjectKeyId: bytes(signer.sid.subjectKeyIdentifier.buffer) };
  } else {
    throw invalid('signer identifier is empty');
  }
  const certificates = (signed.certificates ?? []).flatMap((c) => (c.certificate === undefined ? [] : [new Uint8Array(AsnConvert.serialize(c.certificate))]));

  return {
    genTime: info.genTime,
    imprintAlgorithm,
    hashedMessage,
    tstInfo,
    digestAlgorithm: hashOf(signer.digestAlgorithm.algorithm, 'signer digest'),
    messageDigest,
    signedAttributes,
    signatureAlgorithm: signer.signatureAlgorithm.algorithm,
    signature: bytes(signer.signature.buffer),
    signerId,
    certificates,
  };
}
