// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { importPrivateKey } from '@sigstack/crypto';
import type { PrivateKey } from '@sigstack/crypto';
import type { ExtensionInput } from '../src/index.js';

// A throwaway PKI for tests, built with @peculiar/x509 (an independent encoder).
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type CryptoKeyPair = webcrypto.CryptoKeyPair;

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCa {
  cert: x509.X509Certificate;
  der: Uint8Array;
  keys: CryptoKeyPair;
}

export async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function toPrivateKey(keys: CryptoKeyPair): Promise<PrivateKey> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return importPrivateKey(new Uint8Array(pkcs8));
}

let serial = 1;
const nextSerial = (): string => (serial++).toString(16).padStart(4, '0').replace(/^/, '01');

export interface CertOptions {
  subject?: string;
  issuer?: TestCa;
  ca?: boolean;
  pathLength?: number;
  notBefore?: Date;
  notAfter?: Date;
  keyUsage?: number;
  extensions?: readonly ExtensionInput[];
  poison?: boolean;
  keys?: CryptoKeyPair;
  extraExtensions?: x509.Extension[];
}

export async function makeCert(options: CertOptions = {}): Promise<TestCa> {
  const keys = options.keys ?? (await keyPair());
  const notBefore = options.notBefore ?? new Date('2025-01-01T00:00:00Z');
  const notAfter = options.notAfter ?? new Date('2035-01-01T00:00:00Z');
  const extensions: x509.Extension[] = [];
  if (options.ca) {
    extensions.push(new x509.BasicConstraintsExtension(true, options.pathLength, true));
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  } else {
    extensions.push(new x509.KeyUsagesExtension(options.keyUsage ?? x509.KeyUsageFlags.digitalSignature, true));
    extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.3']));
  }
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (options.issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(options.issuer.cert));
  for (const e of options.extensions ?? []) extensions.push(new x509.Extension(e.oid, e.critical, toBuffer(e.value)));
  extensions.push(...(options.extraExtensions ?? []));
  if (options.poison) extensions.push(new x509.Extension('1.3.6.1.4.1.11129.2.4.3', true, Uint8Array.of(0x05, 0x00)));
  const subject = options.subject ?? (options.ca ? 'CN=Test CA, O=sigstack' : '');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject,
    issuer: options.issuer?.cert.subject ?? subject,
    notBefore,
    notAfter,
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: options.issuer?.keys.privateKey ?? keys.privateKey,
    extensions,
  });
  return { cert, der: new Uint8Array(cert.rawData), keys };
}

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Root -> intermediate, as Fulcio's public-good hierarchy is shaped. */
export async function makeHierarchy(): Promise<{ root: TestCa; intermediate: TestCa }> {
  const root = await makeCert({ ca: true, subject: 'CN=Test Root, O=sigstack' });
  const intermediate = await makeCert({ ca: true, pathLength: 0, subject: 'CN=Test Intermediate, O=sigstack', issuer: root });
  return { root, intermediate };
}
