import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { OID, encodeSigstoreExtensions, encodeSubjectAltName } from '@sigstack/x509';

// A Fulcio-shaped PKI for the benchmark, built with @peculiar/asn1-x509 and node:crypto.
// Leaves are stamped out from one template TBS by rewriting its serial number in place
// (same length), so tens of thousands of distinct certificates cost one signature each.

const ECDSA_SHA256 = new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' });
const ECDSA_SHA256_DER = Buffer.from(AsnConvert.serialize(ECDSA_SHA256));

function name(cn: string): Name {
  const attr = (type: string, value: string) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
  return new Name([attr('2.5.4.10', 'sigstack-bench'), attr('2.5.4.3', cn)]);
}

function ext(oid: string, critical: boolean, value: ArrayBuffer | Uint8Array): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(value) });
}

function spki(key: KeyObject): SubjectPublicKeyInfo {
  return AsnConvert.parse(key.export({ format: 'der', type: 'spki' }), SubjectPublicKeyInfo);
}

function skid(key: KeyObject): Extension {
  const id = createHash('sha1').update(key.export({ format: 'der', type: 'spki' })).digest();
  return ext('2.5.29.14', false, AsnConvert.serialize(new SubjectKeyIdentifier(id)));
}

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const length = n < 0x80 ? Buffer.of(n) : n < 0x100 ? Buffer.of(0x81, n) : Buffer.of(0x82, n >> 8, n & 0xff);
  return Buffer.concat([Buffer.of(tag), length, body]);
}

/** A certificate from DER TBS bytes, signed with `key` (ECDSA with SHA-256). */
function signTbs(tbs: Buffer, key: KeyObject): Buffer {
  const signature = sign('sha256', tbs, { key, dsaEncoding: 'der' });
  return tlv(0x30, Buffer.concat([tbs, ECDSA_SHA256_DER, tlv(0x03, Buffer.concat([Buffer.of(0), signature]))]));
}

function tbs(fields: { serial: Buffer; issuer: Name; subject: Name; key: KeyObject; extensions: Extension[]; notBefore: Date; notAfter: Date }): Buffer {
  return Buffer.from(
    AsnConvert.serialize(
      new TBSCertificate({
        version: Version.v3,
        serialNumber: new Uint8Array(fields.serial).buffer,
        signature: ECDSA_SHA256,
        issuer: fields.issuer,
        validity: new Validity({ notBefore: fields.notBefore, notAfter: fields.notAfter }),
        subject: fields.subject,
        subjectPublicKeyInfo: spki(fields.key),
        extensions: new Extensions(fields.extensions),
      }),
    ),
  );
}

function caExtensions(key: KeyObject, pathLength?: number): Extension[] {
  const bc = new BasicConstraints({ cA: true, ...(pathLength === undefined ? {} : { pathLenConstraint: pathLength }) });
  return [
    ext('2.5.29.19', true, AsnConvert.serialize(bc)),
    ext('2.5.29.15', true, AsnConvert.serialize(new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign))),
    skid(key),
  ];
}

const serial = (): Buffer => Buffer.concat([Buffer.of(0x01), randomBytes(19)]);

export interface BenchPki {
  readonly root: Buffer;
  readonly intermediate: Buffer;
  /** A fresh Fulcio-style leaf (precertificate with `precert`) on every call. */
  leaf(): Buffer;
}

export function makeBenchPki(precert: boolean): BenchPki {
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const interKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  const rootName = name('bench root');
  const interName = name('bench intermediate');
  const root = signTbs(tbs({ serial: serial(), issuer: rootName, subject: rootName, key: rootKey.publicKey, extensions: caExtensions(rootKey.publicKey), notBefore, notAfter }), rootKey.privateKey);
  const intermediate = signTbs(
    tbs({ serial: serial(), issuer: rootName, subject: interName, key: interKey.publicKey, extensions: caExtensions(interKey.publicKey, 0), notBefore, notAfter }),
    rootKey.privateKey,
  );

  // What Fulcio issues for a GitHub Actions identity: SAN URI, the Sigstore extensions, poison.
  const identity = 'https://github.com/sigstack/bench/.github/workflows/release.yml@refs/heads/main';
  const san = encodeSubjectAltName({ uris: [identity] });
  const extensions = [
    ext('2.5.29.15', true, AsnConvert.serialize(new KeyUsage(KeyUsageFlags.digitalSignature))),
    ext('2.5.29.37', false, AsnConvert.serialize(new ExtendedKeyUsage([OID.codeSigning]))),
    skid(leafKey.publicKey),
    ext(san.oid, san.critical, san.value),
    ...encodeSigstoreExtensions({
      issuer: 'https://token.actions.githubusercontent.com',
      buildSignerUri: identity,
      runnerEnvironment: 'github-hosted',
      sourceRepositoryUri: 'https://github.com/sigstack/bench',
      sourceRepositoryRef: 'refs/heads/main',
      buildTrigger: 'push',
    }).map((e) => ext(e.oid, e.critical, e.value)),
    ...(precert ? [ext(OID.precertPoison, true, Uint8Array.of(0x05, 0x00))] : []),
  ];
  const templateSerial = serial();
  const template = tbs({
    serial: templateSerial,
    issuer: interName,
    subject: new Name([]),
    key: leafKey.publicKey,
    extensions,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 10 * 60_000),
  });
  const at = template.indexOf(templateSerial);
  return {
    root,
    intermediate,
    leaf() {
      const copy = Buffer.from(template);
      randomBytes(19).copy(copy, at + 1);
      return signTbs(copy, interKey.privateKey);
    },
  };
}
