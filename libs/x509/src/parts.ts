import { TAG, checkNesting, children, contents, decodeOid, readSingle, slice } from './der.js';
import type { Tlv } from './der.js';
import { X509Error } from './errors.js';

/** One extension as it sits in the certificate: OID, critical flag, the OCTET STRING's contents. */
export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
  /** The whole Extension element. */
  readonly der: Uint8Array;
}

/**
 * The pieces of a certificate a CT log and a chain check need, sliced straight out of
 * the DER (no copies, no decoding of names or times). Fast enough for a log's hot path;
 * parseCertificate() gives the fully decoded, strictly validated view.
 */
export interface CertificateParts {
  readonly der: Uint8Array;
  /** The TBSCertificate element, the bytes the issuer signed. */
  readonly tbs: Uint8Array;
  /** The outer AlgorithmIdentifier element. */
  readonly signatureAlgorithm: Uint8Array;
  /** The signature BIT STRING's bits (with no unused bits). */
  readonly signature: Uint8Array;
  /** The issuer and subject Name elements. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  /** The SubjectPublicKeyInfo element. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly extensions: readonly RawExtension[];
}

const C = 'MALFORMED_CERTIFICATE';

/** Slices a DER certificate. Throws MALFORMED_CERTIFICATE for anything but one well-nested DER certificate. */
export function splitCertificate(der: Uint8Array): CertificateParts {
  return split(der, false);
}

/** splitCertificate, for a caller that has already walked every element (checkCanonical does). */
export function splitWalkedCertificate(der: Uint8Array): CertificateParts {
  return split(der, true);
}

function split(der: Uint8Array, walked: boolean): CertificateParts {
  if (!(der instanceof Uint8Array)) throw new X509Error('INVALID_ARGUMENT', 'certificate must be bytes');
  const cert = readSingle(der, TAG.SEQUENCE, C);
  if (!walked) checkNesting(der, cert, C);
  const top = children(der, cert, C);
  const [tbs, sigAlg, sig] = top;
  if (top.length !== 3 || !tbs || !sigAlg || !sig) throw new X509Error(C, 'a certificate has three parts');
  expectTag(tbs, TAG.SEQUENCE, 'TBSCertificate');
  expectTag(sigAlg, TAG.SEQUENCE, 'signatureAlgorithm');
  expectTag(sig, TAG.BIT_STRING, 'signatureValue');
  const bits = contents(der, sig);
  if (bits.length < 1 || bits[0] !== 0) throw new X509Error(C, 'signature BIT STRING has unused bits');

  const fields = children(der, tbs, C);
  let i = 0;
  if (fields[0]?.tag === TAG.CONTEXT_0) i = 1; // explicit version; certificate.ts checks its value
  const [serial, innerAlg, issuer, validity, subject, spki] = fields.slice(i, i + 6);
  if (!serial || !innerAlg || !issuer || !validity || !subject || !spki) throw new X509Error(C, 'TBSCertificate is missing fields');
  expectTag(serial, TAG.INTEGER, 'serialNumber');
  expectTag(innerAlg, TAG.SEQUENCE, 'signature');
  expectTag(issuer, TAG.SEQUENCE, 'issuer');
  expectTag(validity, TAG.SEQUENCE, 'validity');
  expectTag(subject, TAG.SEQUENCE, 'subject');
  expectTag(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const rest = fields.slice(i + 6);
  // issuerUniqueID [1] and subjectUniqueID [2] (IMPLICIT, primitive or constructed) may precede [3].
  let extensions: RawExtension[] = [];
  let seen = 0;
  for (const field of rest) {
    const number = field.tag & 0x1f;
    if ((field.tag & 0xc0) !== 0x80 || number <= seen || number > 3) throw new X509Error(C, 'unexpected TBSCertificate field');
    seen = number;
    if (number === 3) {
      if (field.tag !== TAG.CONTEXT_3) throw new X509Error(C, 'extensions must be explicitly tagged');
      extensions = readExtensions(der, field);
    }
  }
  if (!bytesEq(slice(der, innerAlg), slice(der, sigAlg))) {
    throw new X509Error(C, 'inner and outer signature algorithms differ');
  }
  return {
    der,
    tbs: slice(der, tbs),
    signatureAlgorithm: slice(der, sigAlg),
    signature: bits.subarray(1),
    issuer: slice(der, issuer),
    subject: slice(der, subject),
    subjectPublicKeyInfo: slice(der, spki),
    extensions,
  };
}

function readExtensions(der: Uint8Array, field: Tlv): RawExtension[] {
  const inner = children(der, field, C);
  const list = inner[0];
  if (inner.length !== 1 || !list || list.tag !== TAG.SEQUENCE) throw new X509Error(C, 'extensions must be one SEQUENCE');
  const items = children(der, list, C);
  if (items.length === 0) throw new X509Error(C, 'extensions must not be empty');
  const seen = new Set<string>();
  return items.map((item) => {
    expectTag(item, TAG.SEQUENCE, 'Extension');
    const parts = children(der, item, C);
    const [oidTlv, second, third] = parts;
    if (!oidTlv || !second || parts.length > 3) throw new X509Error(C, 'malformed Extension');
    expectTag(oidTlv, TAG.OID, 'extnID');
    const oid = decodeOid(contents(der, oidTlv), C);
    let critical = false;
    let valueTlv = second;
    if (third) {
      expectTag(second, TAG.BOOLEAN, 'critical');
      const flag = contents(der, second);
      // DER: TRUE is 0xff, and the DEFAULT FALSE is never encoded.
      if (flag.length !== 1 || flag[0] !== 0xff) throw new X509Error(C, 'critical flag is not DER TRUE');
      critical = true;
      valueTlv = third;
    }
    expectTag(valueTlv, TAG.OCTET_STRING, 'extnValue');
    if (seen.has(oid)) throw new X509Error(C, `extension ${oid} appears twice`);
    seen.add(oid);
    return { oid, critical, value: contents(der, valueTlv), der: slice(der, item) };
  });
}

function expectTag(tlv: Tlv, tag: number, what: string): void {
  if (tlv.tag !== tag) throw new X509Error(C, `${what} has the wrong DER tag`);
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
