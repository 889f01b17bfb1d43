import { CryptoError, decodePemBundle, importPublicKey } from '@sigstack/crypto';
import type { PublicKey } from '@sigstack/crypto';
import { TAG, checkCanonical, children, contents, decodeOid, encodeTlv, readSingle, timeFromDigits } from './der.js';
import type { Tlv } from './der.js';
import { X509Error } from './errors.js';
import { decodeName, latin1 } from './names.js';
import type { DistinguishedName } from './names.js';
import { OID } from './oids.js';
import { splitWalkedCertificate } from './parts.js';
import type { CertificateParts, RawExtension } from './parts.js';
import { decodeSctList } from './sct.js';
import type { SignedCertificateTimestamp } from './sct.js';
import { decodeSigstoreExtensions } from './sigstore-extensions.js';
import type { SigstoreExtensions } from './sigstore-extensions.js';
import { decodeUtf8String } from './sigstore-extensions.js';

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  // RFC 5280 spells it cRLSign; the name here is the one decoding has always returned.
  | 'crlSign'
  | 'encipherOnly'
  | 'decipherOnly';

export interface OtherNameSan {
  readonly typeId: string;
  /** The DER of the value inside the [0] EXPLICIT wrapper. */
  readonly value: Uint8Array;
}

export interface SubjectAltNames {
  readonly emails: readonly string[];
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly otherNames: readonly OtherNameSan[];
  /** Fulcio's username OtherName (1.3.6.1.4.1.57264.1.7), decoded. */
  readonly username?: string;
}

export interface BasicConstraintsValue {
  readonly ca: boolean;
  readonly pathLength?: number;
}

/** A strictly parsed certificate with every extension Sigstore cares about decoded. */
export interface ParsedCertificate extends CertificateParts {
  readonly version: 1 | 2 | 3;
  /** Lowercase hex of the serial number's DER content bytes. */
  readonly serialNumber: string;
  /** The signature algorithm OID (verification refuses the ones it does not support). */
  readonly signatureAlgorithmOid: string;
  readonly issuerName: DistinguishedName;
  readonly subjectName: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectAltNames?: SubjectAltNames;
  readonly keyUsage?: readonly KeyUsageName[];
  /** EKU OIDs. */
  readonly extendedKeyUsage?: readonly string[];
  readonly basicConstraints?: BasicConstraintsValue;
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  readonly sigstore: SigstoreExtensions;
  /** Carries the RFC 6962 poison extension. */
  readonly isPrecertificate: boolean;
  /** The embedded SCTs (RFC 6962 3.3), if any. */
  readonly embeddedScts?: readonly SignedCertificateTimestamp[];
  /** The subject public key as a @sigstack/crypto key; UNSUPPORTED_ALGORITHM for other key types. */
  publicKey(): PublicKey;
}

const C = 'MALFORMED_CERTIFICATE';

/** Parses one certificate: DER bytes, or PEM text holding exactly one CERTIFICATE block. */
export function parseCertificate(input: string | Uint8Array): ParsedCertificate {
  if (typeof input === 'string') {
    const certs = parseCertificates(input);
    if (certs.length !== 1) throw new X509Error('INVALID_PEM', `expected one certificate, found ${certs.length}`);
    return certs[0] as ParsedCertificate;
  }
  return parseDer(input);
}

/** Parses PEM text holding one or more CERTIFICATE blocks, in order. */
export function parseCertificates(pem: string): ParsedCertificate[] {
  if (typeof pem !== 'string') throw new X509Error('INVALID_ARGUMENT', 'PEM input must be a string');
  let blocks;
  try {
    blocks = decodePemBundle(pem);
  } catch (cause) {
    throw new X509Error('INVALID_PEM', cause instanceof CryptoError ? cause.message : 'invalid PEM', { cause });
  }
  return blocks.map((block) => {
    if (block.label !== 'CERTIFICATE') throw new X509Error('INVALID_PEM', 'expected CERTIFICATE blocks');
    return parseDer(block.der);
  });
}

// Every element is read by hand from the DER, strictly: definite minimal lengths (der.ts),
// the types RFC 5280 gives each field, DER's one encoding of each value (TRUE is 0xff, a
// DEFAULT value is never written, INTEGERs are minimal, times are YYMMDDHHMMSSZ or
// YYYYMMDDHHMMSSZ and real), and nothing left over anywhere.
function parseDer(der: Uint8Array): ParsedCertificate {
  if (!(der instanceof Uint8Array)) throw new X509Error('INVALID_ARGUMENT', 'certificate must be bytes');
  checkCanonical(der, readSingle(der, TAG.SEQUENCE, C), C);
  const parts = splitWalkedCertificate(der);
  const tbsDer = parts.tbs;
  const fields = children(tbsDer, readSingle(tbsDer, TAG.SEQUENCE, C), C);
  let i = 0;
  let version: 1 | 2 | 3 = 1;
  const first = fields[0];
  if (first?.tag === TAG.CONTEXT_0) {
    version = readVersion(tbsDer, first);
    i = 1;
  }
  if (parts.extensions.length > 0 && version !== 3) throw new X509Error(C, 'extensions need a v3 certificate');
  const [serialTlv, innerAlg, , validity, , spki] = fields.slice(i, i + 6) as Tlv[];
  const serial = readSerial(tbsDer, serialTlv as Tlv);
  const signatureAlgorithmOid = algorithmOid(parts.signatureAlgorithm);
  algorithmOid(slice(tbsDer, innerAlg as Tlv));
  const [notBefore, notAfter] = readValidity(tbsDer, validity as Tlv);
  checkSpki(slice(tbsDer, spki as Tlv));
  for (const field of fields.slice(i + 6)) {
    // issuerUniqueID [1], subjectUniqueID [2]: IMPLICIT BIT STRING (extensions [3] are in parts).
    if (field.tag === 0x81 || field.tag === 0x82) bitString(contents(tbsDer, field), 'unique identifier');
    else if (field.tag !== TAG.CONTEXT_3) throw new X509Error(C, 'unexpected TBSCertificate field');
  }

  const ext = new Map(parts.extensions.map((e) => [e.oid, e]));
  const sigstore = wrap(() => decodeSigstoreExtensions(parts.extensions));
  const poison = ext.get(OID.precertPoison);
  if (poison && !(poison.critical && poison.value.length === 2 && poison.value[0] === 0x05 && poison.value[1] === 0x00)) {
    throw new X509Error('MALFORMED_EXTENSION', 'the precertificate poison must be a critical NULL');
  }
  const sctExt = ext.get(OID.sctList);

  let key: PublicKey | undefined;
  // Built field by field (optional ones only when present), in this order.
  const result: Record<string, unknown> = {
    der: parts.der,
    tbs: parts.tbs,
    signatureAlgorithm: parts.signatureAlgorithm,
    signature: parts.signature,
    issuer: parts.issuer,
    subject: parts.subject,
    subjectPublicKeyInfo: parts.subjectPublicKeyInfo,
    extensions: parts.extensions,
    version,
    serialNumber: Buffer.from(serial.buffer, serial.byteOffset, serial.byteLength).toString('hex'),
    signatureAlgorithmOid,
    issuerName: decodeName(parts.issuer),
    subjectName: decodeName(parts.subject),
    notBefore,
    notAfter,
  };
  const set = (name: string, value: unknown): void => {
    if (value !== undefined) result[name] = value;
  };
  set('subjectAltNames', decodeExt(ext.get(OID.subjectAltName), decodeSans));
  set('keyUsage', decodeExt(ext.get(OID.keyUsage), decodeKeyUsage));
  set('extendedKeyUsage', decodeExt(ext.get(OID.extKeyUsage), decodeExtKeyUsage));
  set('basicConstraints', decodeExt(ext.get(OID.basicConstraints), decodeBasicConstraints));
  set('subjectKeyId', decodeExt(ext.get(OID.subjectKeyIdentifier), (v) => Uint8Array.from(primitive(v, TAG.OCTET_STRING, 'subject key identifier'))));
  set('authorityKeyId', decodeExt(ext.get(OID.authorityKeyIdentifier), decodeAuthorityKeyId));
  result['sigstore'] = sigstore;
  result['isPrecertificate'] = poison !== undefined;
  set('embeddedScts', sctExt ? decodeSctList(unwrapOctetString(sctExt.value)) : undefined);
  result['publicKey'] = (): PublicKey => {
    key ??= importKey(parts.subjectPublicKeyInfo);
    return key;
  };
  return Object.freeze(result) as unknown as ParsedCertificate;
}

const slice = (buf: Uint8Array, tlv: Tlv): Uint8Array => buf.subarray(tlv.start, tlv.end);

function readVersion(tbsDer: Uint8Array, field: Tlv): 2 | 3 {
  const inner = children(tbsDer, field, C);
  const value = inner.length === 1 && inner[0]?.tag === TAG.INTEGER ? contents(tbsDer, inner[0]) : undefined;
  // v1 is the DEFAULT, which DER never writes; anything else is unknown.
  if (value === undefined || value.length !== 1 || (value[0] !== 1 && value[0] !== 2)) throw new X509Error(C, 'unknown certificate version');
  return value[0] === 1 ? 2 : 3;
}

function readSerial(tbsDer: Uint8Array, serial: Tlv): Uint8Array {
  const bytes = contents(tbsDer, serial);
  if (bytes.length === 0 || bytes.length > 21) throw new X509Error(C, 'serial number has a bad length');
  return bytes;
}

/** An AlgorithmIdentifier: SEQUENCE { OID, parameters ANY OPTIONAL }; its OID. */
function algorithmOid(der: Uint8Array): string {
  const parts = children(der, readSingle(der, TAG.SEQUENCE, C), C);
  const oid = parts[0];
  if (oid === undefined || oid.tag !== TAG.OID || parts.length > 2) throw new X509Error(C, 'malformed AlgorithmIdentifier');
  return decodeOid(contents(der, oid), C);
}

/** BIT STRING contents: the unused-bits count (0-7, 0 when empty) then the bits. */
function bitString(bytes: Uint8Array, what: string): { unused: number; bits: Uint8Array } {
  const unused = bytes[0];
  if (unused === undefined || unused > 7 || (bytes.length === 1 && unused !== 0)) throw new X509Error(C, `${what} is not a valid BIT STRING`);
  return { unused, bits: bytes.subarray(1) };
}

function checkSpki(der: Uint8Array): void {
  const parts = children(der, readSingle(der, TAG.SEQUENCE, C), C);
  const [alg, key] = parts;
  if (parts.length !== 2 || alg === undefined || key === undefined || alg.tag !== TAG.SEQUENCE || key.tag !== TAG.BIT_STRING) {
    throw new X509Error(C, 'malformed SubjectPublicKeyInfo');
  }
  algorithmOid(slice(der, alg));
  // Keys are whole octets.
  if (bitString(contents(der, key), 'subjectPublicKey').unused !== 0) throw new X509Error(C, 'subjectPublicKey has unused bits');
}

/** A validity time: checkCanonical has seen it is DER UTCTime or GeneralizedTime and real. */
function readTime(der: Uint8Array, tlv: Tlv): Date {
  const text = latin1(contents(der, tlv));
  const time = tlv.tag === TAG.UTC_TIME || tlv.tag === TAG.GENERALIZED_TIME ? timeFromDigits(text, tlv.tag === TAG.UTC_TIME) : undefined;
  if (time === undefined) throw new X509Error(C, 'validity times must be DER UTCTime or GeneralizedTime');
  return time;
}

function readValidity(tbsDer: Uint8Array, validity: Tlv): [Date, Date] {
  const times = children(tbsDer, validity, C);
  const [from, to] = times;
  if (times.length !== 2 || from === undefined || to === undefined) throw new X509Error(C, 'validity needs two times');
  return [readTime(tbsDer, from), readTime(tbsDer, to)];
}

function importKey(spki: Uint8Array): PublicKey {
  try {
    return importPublicKey(spki);
  } catch (cause) {
    const code = cause instanceof CryptoError && cause.code === 'INVALID_KEY' ? C : 'UNSUPPORTED_ALGORITHM';
    throw new X509Error(code, 'subject public key is not a supported key', { cause });
  }
}

/** The contents of a DER OCTET STRING (the SCT list extension wraps its TLS bytes in one). */
export function unwrapOctetString(der: Uint8Array): Uint8Array {
  const tlv = readSingle(der, TAG.OCTET_STRING, 'MALFORMED_EXTENSION');
  return contents(der, tlv);
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof X509Error) throw cause;
    throw new X509Error('MALFORMED_EXTENSION', 'extension does not decode', { cause });
  }
}

const E = 'MALFORMED_EXTENSION';

/** Decodes an extension's value; any malformation is MALFORMED_EXTENSION. */
function decodeExt<T>(ext: RawExtension | undefined, decode: (value: Uint8Array) => T): T | undefined {
  if (!ext) return undefined;
  try {
    checkCanonical(ext.value, readSingle(ext.value, ext.value[0] ?? 0, E), E);
    return decode(ext.value);
  } catch (cause) {
    if (cause instanceof X509Error && cause.code === E) throw cause;
    throw new X509Error(E, `extension ${ext.oid} does not decode`, { cause });
  }
}

/** The contents of the one DER element with `tag` that is all of `der`. */
function primitive(der: Uint8Array, tag: number, what: string): Uint8Array {
  const tlv = readSingle(der, tag, E);
  if (tag & 0x20) throw new X509Error(E, `${what}: expected a primitive element`);
  return contents(der, tlv);
}

/** The children of the one constructed element with `tag` that is all of `der`. */
function sequence(der: Uint8Array, tag: number = TAG.SEQUENCE): Tlv[] {
  return children(der, readSingle(der, tag, E), E);
}

/** A DER INTEGER's value as a non-negative safe number: minimal, at most 6 bytes. */
function smallUint(bytes: Uint8Array, what: string): number {
  const b0 = bytes[0];
  if (b0 === undefined || bytes.length > 6 || b0 & 0x80 || (bytes.length > 1 && b0 === 0 && ((bytes[1] as number) & 0x80) === 0)) {
    throw new X509Error(E, `${what} is not a minimal non-negative INTEGER`);
  }
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

// KeyUsage bits 0-8 in the order (and the names) this library has always listed them.
const KEY_USAGE_ORDER: readonly (readonly [number, KeyUsageName])[] = [
  [6, 'crlSign'],
  [3, 'dataEncipherment'],
  [8, 'decipherOnly'],
  [0, 'digitalSignature'],
  [7, 'encipherOnly'],
  [4, 'keyAgreement'],
  [5, 'keyCertSign'],
  [2, 'keyEncipherment'],
  [1, 'nonRepudiation'],
];

function decodeKeyUsage(value: Uint8Array): KeyUsageName[] {
  const { unused, bits } = bitString(primitive(value, TAG.BIT_STRING, 'key usage'), 'key usage');
  const length = bits.length * 8 - unused;
  const set = (bit: number): boolean => bit < length && (((bits[bit >> 3] as number) >> (7 - (bit & 7))) & 1) === 1;
  return KEY_USAGE_ORDER.filter(([bit]) => set(bit)).map(([, name]) => name);
}

function decodeExtKeyUsage(value: Uint8Array): string[] {
  return sequence(value).map((oid) => {
    if (oid.tag !== TAG.OID) throw new X509Error(E, 'an extended key usage is not an OID');
    return decodeOid(contents(value, oid), E);
  });
}

function decodeBasicConstraints(value: Uint8Array): BasicConstraintsValue {
  const items = sequence(value);
  let at = 0;
  let ca = false;
  const first = items[0];
  if (first?.tag === TAG.BOOLEAN) {
    const flag = contents(value, first);
    // cA is DEFAULT FALSE: DER writes it only as TRUE (0xff).
    if (flag.length !== 1 || flag[0] !== 0xff) throw new X509Error(E, 'basic constraints cA is not DER TRUE');
    ca = true;
    at = 1;
  }
  const limit = items[at];
  if (limit === undefined) {
    if (items.length !== at) throw new X509Error(E, 'malformed basic constraints');
    return { ca };
  }
  if (limit.tag !== TAG.INTEGER || items.length !== at + 1) throw new X509Error(E, 'malformed basic constraints');
  return { ca, pathLength: smallUint(contents(value, limit), 'pathLenConstraint') };
}

function decodeAuthorityKeyId(value: Uint8Array): Uint8Array | undefined {
  let keyId: Uint8Array | undefined;
  let last = -1;
  for (const item of sequence(value)) {
    // [0] keyIdentifier IMPLICIT OCTET STRING, [1] authorityCertIssuer GeneralNames, [2] serial INTEGER; in order.
    const n = item.tag === 0x80 ? 0 : item.tag === 0xa1 ? 1 : item.tag === 0x82 ? 2 : -1;
    if (n <= last) throw new X509Error(E, 'malformed authority key identifier');
    last = n;
    if (n === 0) keyId = Uint8Array.from(contents(value, item));
    if (n === 1) for (const name of children(value, item, E)) generalName(value, name);
    if (n === 2 && contents(value, item).length === 0) throw new X509Error(E, 'empty authority certificate serial');
  }
  return keyId;
}

type GeneralName =
  | { readonly kind: 'email' | 'uri' | 'dns' | 'ip'; readonly value: string }
  | { readonly kind: 'other'; readonly value: OtherNameSan }
  | { readonly kind: 'ignored' };

/** One GeneralName (RFC 5280 4.2.1.6), checked; the kinds Sigstore reads are decoded. */
function generalName(der: Uint8Array, tlv: Tlv): GeneralName {
  const bytes = contents(der, tlv);
  switch (tlv.tag) {
    case 0xa0: {
      // otherName: [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }.
      const parts = children(der, tlv, E);
      const [typeTlv, wrapper] = parts;
      if (parts.length !== 2 || typeTlv?.tag !== TAG.OID || wrapper?.tag !== TAG.CONTEXT_0) throw new X509Error(E, 'malformed OtherName');
      const inner = children(der, wrapper, E);
      const only = inner[0];
      if (inner.length !== 1 || only === undefined) throw new X509Error(E, 'malformed OtherName value');
      return { kind: 'other', value: { typeId: decodeOid(contents(der, typeTlv), E), value: Uint8Array.from(slice(der, only)) } };
    }
    case 0x81:
      return { kind: 'email', value: latin1(bytes) };
    case 0x82:
      return { kind: 'dns', value: latin1(bytes) };
    case 0x86:
      return { kind: 'uri', value: latin1(bytes) };
    case 0x87:
      return { kind: 'ip', value: ipText(bytes) };
    case 0x88:
      decodeOid(bytes, E);
      return { kind: 'ignored' };
    case 0xa4: {
      // directoryName: [4] EXPLICIT Name.
      const inner = children(der, tlv, E);
      const only = inner[0];
      if (inner.length !== 1 || only === undefined) throw new X509Error(E, 'malformed directoryName');
      try {
        decodeName(slice(der, only));
      } catch (cause) {
        throw new X509Error(E, 'malformed directoryName', { cause });
      }
      return { kind: 'ignored' };
    }
    default:
      // x400Address [3] and ediPartyName [5] included: nobody issues them, so nothing reads them.
      throw new X509Error(E, `unknown GeneralName tag 0x${tlv.tag.toString(16)}`);
  }
}

function decodeSans(value: Uint8Array): SubjectAltNames {
  const emails: string[] = [];
  const uris: string[] = [];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const otherNames: OtherNameSan[] = [];
  let username: string | undefined;
  for (const tlv of sequence(value)) {
    const name = generalName(value, tlv);
    if (name.kind === 'email') emails.push(name.value);
    else if (name.kind === 'uri') uris.push(name.value);
    else if (name.kind === 'dns') dnsNames.push(name.value);
    else if (name.kind === 'ip') ipAddresses.push(name.value);
    else if (name.kind === 'other') {
      otherNames.push(name.value);
      if (name.value.typeId === OID.sigstoreUsername) {
        if (username !== undefined) throw new X509Error(E, 'more than one username OtherName');
        username = decodeUtf8String(name.value.value, 'username OtherName');
      }
    }
  }
  return { emails, uris, dnsNames, ipAddresses, otherNames, ...(username === undefined ? {} : { username }) };
}

/** IPv6 text: hex groups, the longest run of two or more zero groups as `::`. */
function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  let best = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  if (bestLength < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

const popcount = (bytes: Uint8Array): number => bytes.reduce((n, b) => n + (b.toString(2).match(/1/g)?.length ?? 0), 0);

/** A network mask of `prefix` leading ones, `length` bytes long. */
function prefixMask(prefix: number, length: number): Uint8Array {
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) mask[i] = prefix >= 8 * (i + 1) ? 0xff : prefix > 8 * i ? (0xff << (8 - (prefix - 8 * i))) & 0xff : 0;
  return mask;
}

/**
 * An iPAddress name as text: IPv4 or IPv6, or (in name constraints) an address and a mask
 * of leading ones as a CIDR prefix. Any other length or mask is refused.
 */
function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length === 16) return ipv6Text(bytes);
  if (bytes.length === 8 || bytes.length === 32) {
    const half = bytes.length / 2;
    if (bytes.every((b) => b === 0)) return bytes.length === 8 ? '0.0.0.0/0' : '::/0';
    const mask = bytes.subarray(half);
    const prefix = popcount(mask);
    if (!Buffer.from(prefixMask(prefix, half)).equals(mask)) throw new X509Error(E, 'an iPAddress mask is not a prefix');
    const address = half === 4 ? bytes.subarray(0, 4).join('.') : ipv6Text(bytes.subarray(0, 16));
    return `${address}/${prefix}`;
  }
  throw new X509Error(E, `an iPAddress of ${bytes.length} bytes`);
}

// Re-exported for the CT code: an OCTET STRING wrapper around TLS bytes.
export function wrapOctetString(bytes: Uint8Array): Uint8Array {
  return encodeTlv(TAG.OCTET_STRING, [bytes]);
}
