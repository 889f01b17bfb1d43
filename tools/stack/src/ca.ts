// The Fulcio CA of the local stack: a root and an intermediate generated once into the state
// folder, so the trust root survives restarts (Fulcio's own `CA=ephemeral` makes a new one
// at every start). Shaped like Fulcio's certificate specification for CAs: the root signs
// only certificates (pathlen 1), the intermediate issues code-signing leaves (pathlen 0,
// extKeyUsage codeSigning).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface GeneratedCa {
  /** PKCS#8 PEM of the intermediate's private key (the issuing key). */
  readonly issuingKeyPem: string;
  /** Intermediate first, root last, as Fulcio's file CA wants it. */
  readonly chainPem: string;
  readonly rootPem: string;
}

const YEAR = 365 * 24 * 60 * 60 * 1000;

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

function pkcs8Pem(der: ArrayBuffer): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

export async function generateCa(organization = 'sigstack', now = new Date()): Promise<GeneratedCa> {
  const P384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
  const P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const rootKeys = (await webcrypto.subtle.generateKey(P384, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const issuingKeys = (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(now.getTime() - 60_000);
  const caUsage = new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);
  const rootName = `O=${organization}, CN=${organization} local Fulcio root`;
  const root = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: rootName,
    issuer: rootName,
    notBefore,
    notAfter: new Date(now.getTime() + 10 * YEAR),
    signingAlgorithm: P384,
    publicKey: rootKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      caUsage,
      new x509.BasicConstraintsExtension(true, 1, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `O=${organization}, CN=${organization} local Fulcio intermediate`,
    issuer: root.subject,
    notBefore,
    notAfter: new Date(now.getTime() + 5 * YEAR),
    signingAlgorithm: P384,
    publicKey: issuingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      caUsage,
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      new x509.BasicConstraintsExtension(true, 0, true),
      await x509.SubjectKeyIdentifierExtension.create(issuingKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root),
    ],
  });
  const rootPem = `${root.toString('pem')}\n`;
  return {
    issuingKeyPem: pkcs8Pem(await webcrypto.subtle.exportKey('pkcs8', issuingKeys.privateKey)),
    chainPem: `${intermediate.toString('pem')}\n${rootPem}`,
    rootPem,
  };
}
