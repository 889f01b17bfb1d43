import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { CryptoError, decodePemBundle, importPublicKey } from '@sigstack/crypto';
import type { PublicKey } from '@sigstack/crypto';
import { bytesEqual, TAG, children, contents, readSingle } from '../../src/der.js';
import { X509Error } from '../../src/errors.js';
import { decodeName } from './names.js';
import type { DistinguishedName } from '../../src/names.js';
import { OID } from '../../src/oids.js';
import { splitCertificate } from '../../src/parts.js';
import type { CertificateParts, RawExtension } from '../../src/parts.js';
import { decodeSctList } from '../../src/sct.js';
import type { SignedCertificateTimestamp } from '../../src/sct.js';
import { decodeSigstoreExtensions } from '../../src/sigstore-extensions.js';
import type { SigstoreExtensions } from '../../src/sigstore-extensions.js';
import { decodeUtf8String } from '../../src/sigstore-extensions.js';

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
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

function parseDer(der: Uint8Array): ParsedCertificate {
  const parts = splitCertificate(der);
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch (cause) {
    throw new X509Error(C, 'certificate does not decode', { cause });
  }
  // Strict DER: what the schema re-encodes must be the very bytes given.
  let again: Uint8Array;
  try {
    again = new Uint8Array(AsnConvert.serialize(cert));
  } catch (cause) {
    throw new X509Error(C, 'certificate does not re-encode', { cause });
  }
  if (!bytesEqual(again, der)) throw new X509Error(C, 'certificate is not canonical DER');

  const tbs = cert.tbsCertificate;
  const version = tbs.version + 1;
  if (version !== 1 && version !== 2 && version !== 3) throw new X509Error(C, 'unknown certificate version');
  if (parts.extensions.length > 0 && version !== 3) throw new X509Error(C, 'extensions need a v3 certificate');
  const serialTlv = readSerial(parts.tbs);

  const ext = new Map(parts.extensions.map((e) => [e.oid, e]));
  const sigstore = wrap(() => decodeSigstoreExtensions(parts.extensions));
  const poison = ext.get(OID.precertPoison);
  if (poison && !(poison.critical && poison.value.length === 2 && poison.value[0] === 0x05 && poison.value[1] === 0x00)) {
    throw new X509Error('MALFORMED_EXTENSION', 'the precertificate poison must be a critical NULL');
  }
  const sctExt = ext.get(OID.sctList);

  let key: PublicKey | undefined;
  const result: ParsedCertificate = {
    ...parts,
    version,
    serialNumber: Buffer.from(serialTlv).toString('hex'),
    signatureAlgorithmOid: cert.signatureAlgorithm.algorithm,
    issuerName: decodeName(tbs.issuer, parts.issuer),
    subjectName: decodeName(tbs.subject, parts.subject),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    ...optional('subjectAltNames', decodeExt(ext.get(OID.subjectAltName), SubjectAlternativeName, decodeSans)),
    ...optional('keyUsage', decodeExt(ext.get(OID.keyUsage), KeyUsage, (ku) => ku.toJSON() as KeyUsageName[])),
    ...optional('extendedKeyUsage', decodeExt(ext.get(OID.extKeyUsage), ExtendedKeyUsage, (eku) => [...eku])),
    ...optional(
      'basicConstraints',
      decodeExt(ext.get(OID.basicConstraints), BasicConstraints, (bc) =>
        bc.pathLenConstraint === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLength: bc.pathLenConstraint },
      ),
    ),
    ...optional('subjectKeyId', decodeExt(ext.get(OID.subjectKeyIdentifier), SubjectKeyIdentifier, (ski) => new Uint8Array(ski.buffer))),
    ...optional(
      'authorityKeyId',
      decodeExt(ext.get(OID.authorityKeyIdentifier), AuthorityKeyIdentifier, (aki) =>
        aki.keyIdentifier ? new Uint8Array(aki.keyIdentifier.buffer) : undefined,
      ),
    ),
    sigstore,
    isPrecertificate: poison !== undefined,
    ...optional('embeddedScts', sctExt ? decodeSctList(unwrapOctetString(sctExt.value)) : undefined),
    publicKey(): PublicKey {
      key ??= importKey(parts.subjectPublicKeyInfo);
      return key;
    },
  };
  return Object.freeze(result);
}

function readSerial(tbsDer: Uint8Array): Uint8Array {
  const tbs = readSingle(tbsDer, TAG.SEQUENCE, C);
  const fields = children(tbsDer, tbs, C);
  const serial = fields[0]?.tag === TAG.CONTEXT_0 ? fields[1] : fields[0];
  if (!serial) throw new X509Error(C, 'missing serial number');
  const bytes = contents(tbsDer, serial);
  if (bytes.length === 0 || bytes.length > 21) throw new X509Error(C, 'serial number has a bad length');
  return bytes;
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

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof X509Error) throw cause;
    throw new X509Error('MALFORMED_EXTENSION', 'extension does not decode', { cause });
  }
}

function decodeExt<S, T>(ext: RawExtension | undefined, schema: new () => S, map: (value: S) => T): T | undefined {
  if (!ext) return undefined;
  return wrap(() => {
    const value = AsnConvert.parse(ext.value, schema);
    if (!bytesEqual(new Uint8Array(AsnConvert.serialize(value)), ext.value)) {
      throw new X509Error('MALFORMED_EXTENSION', `extension ${ext.oid} is not canonical DER`);
    }
    return map(value);
  });
}

function decodeSans(san: SubjectAlternativeName): SubjectAltNames {
  const emails: string[] = [];
  const uris: string[] = [];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const otherNames: OtherNameSan[] = [];
  let username: string | undefined;
  for (const name of san) {
    if (name.rfc822Name !== undefined) emails.push(name.rfc822Name);
    else if (name.uniformResourceIdentifier !== undefined) uris.push(name.uniformResourceIdentifier);
    else if (name.dNSName !== undefined) dnsNames.push(name.dNSName);
    else if (name.iPAddress !== undefined) ipAddresses.push(name.iPAddress);
    else if (name.otherName !== undefined) {
      const value = new Uint8Array(name.otherName.value);
      otherNames.push({ typeId: name.otherName.typeId, value });
      if (name.otherName.typeId === OID.sigstoreUsername) {
        if (username !== undefined) throw new X509Error('MALFORMED_EXTENSION', 'more than one username OtherName');
        username = decodeUtf8String(value, 'username OtherName');
      }
    }
  }
  return { emails, uris, dnsNames, ipAddresses, otherNames, ...(username === undefined ? {} : { username }) };
}

// Re-exported for the CT code: an OCTET STRING wrapper around TLS bytes.
export function wrapOctetString(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(new OctetString(bytes)));
}
