// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { OID, encodeSctListExtension } from '@sigstack/x509';
import type { SignedCertificateTimestamp } from '@sigstack/x509';

// A throwaway Fulcio-shaped PKI for tests, built with @peculiar/x509 (an independent encoder).
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type CryptoKeyPair = webcrypto.CryptoKeyPair;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCert {
  readonly cert: x509.X509Certificate;
  readonly der: Uint8Array;
  readonly keys: CryptoKeyPair;
}

export async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

let serial = 0x100;

async function issue(options: {
  subject: string;
  issuer?: TestCert;
  keys?: CryptoKeyPair;
  extensions: x509.Extension[];
  serialNumber?: string;
  notBefore?: Date;
  notAfter?: Date;
}): Promise<TestCert> {
  const keys = options.keys ?? (await keyPair());
  const extensions = [...options.extensions, await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)];
  if (options.issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(options.issuer.cert));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? (serial++).toString(16).padStart(6, '0'),
    subject: options.subject,
    issuer: options.issuer?.cert.subject ?? options.subject,
    notBefore: options.notBefore ?? new Date('2025-01-01T00:00:00Z'),
    notAfter: options.notAfter ?? new Date('2045-01-01T00:00:00Z'),
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: options.issuer?.keys.privateKey ?? keys.privateKey,
    extensions,
  });
  return { cert, der: new Uint8Array(cert.rawData), keys };
}

export interface TestPki {
  readonly root: TestCert;
  readonly intermediate: TestCert;
  readonly rootPem: string;
}

/** Root -> intermediate (pathlen 0), shaped like Fulcio's public-good hierarchy. */
export async function makePki(name = 'Test'): Promise<TestPki> {
  const ca = (pathLength?: number) => [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
  const root = await issue({ subject: `CN=${name} Root, O=sigstack`, extensions: ca() });
  const intermediate = await issue({ subject: `CN=${name} Intermediate, O=sigstack`, issuer: root, extensions: ca(0) });
  return { root, intermediate, rootPem: root.cert.toString('pem') };
}

export interface LeafOptions {
  readonly precert?: boolean;
  readonly scts?: readonly SignedCertificateTimestamp[];
  readonly serialNumber?: string;
  readonly keys?: CryptoKeyPair;
  readonly email?: string;
}

/** A Fulcio-style leaf (empty subject, critical email SAN, codeSigning), a precert, or a final cert with SCTs. */
export async function makeLeaf(issuer: TestCert, options: LeafOptions = {}): Promise<TestCert> {
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([OID.codeSigning]),
    new x509.SubjectAlternativeNameExtension([{ type: 'email', value: options.email ?? 'alice@example.com' }], true),
  ];
  if (options.precert) extensions.push(new x509.Extension(OID.precertPoison, true, Uint8Array.of(0x05, 0x00)));
  if (options.scts) {
    const ext = encodeSctListExtension(options.scts);
    extensions.push(new x509.Extension(ext.oid, ext.critical, Buffer.from(ext.value)));
  }
  return issue({
    subject: '',
    issuer,
    extensions,
    notBefore: new Date('2025-06-01T00:00:00Z'),
    notAfter: new Date('2025-06-01T00:10:00Z'),
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}),
  });
}
