import { createHash, randomBytes } from 'node:crypto';
import { exportPublicKey, sign } from '@sigstack/crypto';
import type { PrivateKey, PublicKey } from '@sigstack/crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { OID } from './oids.js';

/** What one certificate of the dev chain says; the issuer signs it. */
export interface CertificateTemplate {
  readonly subject: { readonly commonName: string; readonly organization: string };
  readonly publicKey: PublicKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ca: boolean;
  /** Extended key usages; `ekuCritical` marks the extension critical (RFC 3161 2.3 wants it for the TSA). */
  readonly extKeyUsage?: readonly string[];
  readonly ekuCritical?: boolean;
}

export interface CertificateIssuer {
  readonly name: Name;
  readonly key: PrivateKey;
  readonly keyIdentifier: Uint8Array;
}

const SIGNATURE_OID: Readonly<Record<string, string>> = {
  'ecdsa-p256': OID.ecdsaWithSha256,
  'ecdsa-p384': OID.ecdsaWithSha384,
};

export function nameOf(subject: CertificateTemplate['subject']): Name {
  const rdn = (type: string, value: string) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
  // organizationName, then commonName, as Go's pkix.Name orders them.
  return new Name([rdn('2.5.4.10', subject.organization), rdn('2.5.4.3', subject.commonName)]);
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits (an identifier, not a security use). */
export function keyIdentifierOf(key: PublicKey): Uint8Array {
  const spki = AsnConvert.parse(exportPublicKey(key, 'der'), SubjectPublicKeyInfo);
  return new Uint8Array(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest());
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/**
 * Issues an X.509 v3 certificate with @peculiar/asn1-x509's schemas. With no issuer
 * the certificate is self-signed by `selfKey`. Used for the generated dev chain only.
 */
export function issueCertificate(template: CertificateTemplate, issuer: CertificateIssuer | { readonly selfKey: PrivateKey }): Uint8Array {
  const subject = nameOf(template.subject);
  const subjectKeyId = keyIdentifierOf(template.publicKey);
  const signer = 'selfKey' in issuer ? { name: subject, key: issuer.selfKey, keyIdentifier: subjectKeyId } : issuer;
  const signatureOid = SIGNATURE_OID[signer.key.type];
  if (!signatureOid) throw new TypeError(`cannot issue certificates with a ${signer.key.type} key`);
  const signatureAlgorithm = new AlgorithmIdentifier({ algorithm: signatureOid });

  const serial = new Uint8Array(randomBytes(16));
  serial[0] = ((serial[0] ?? 0) % 0x7f) + 1;
  const usage = template.ca ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : KeyUsageFlags.digitalSignature;
  const extensions = [
    extension(id_ce_keyUsage, true, new KeyUsage(usage)),
    extension(id_ce_basicConstraints, true, new BasicConstraints(template.ca ? { cA: true } : {})),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyId)),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(signer.keyIdentifier) })),
  ];
  if (template.extKeyUsage) {
    extensions.push(extension(id_ce_extKeyUsage, template.ekuCritical === true, new ExtendedKeyUsage([...template.extKeyUsage])));
  }
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.buffer,
    signature: signatureAlgorithm,
    issuer: signer.name,
    validity: new Validity({ notBefore: template.notBefore, notAfter: template.notAfter }),
    subject,
    subjectPublicKeyInfo: AsnConvert.parse(exportPublicKey(template.publicKey, 'der'), SubjectPublicKeyInfo),
    extensions: new Extensions(extensions),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = sign(signer.key, tbsDer);
  const certificate = new Certificate({ tbsCertificate: tbs, signatureAlgorithm, signatureValue: new Uint8Array(signature).buffer });
  return new Uint8Array(AsnConvert.serialize(certificate));
}
