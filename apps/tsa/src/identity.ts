import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePemBundle, decryptPrivateKey, encodePem, exportPrivateKey, exportPublicKey, generateKeyPair, importPrivateKey } from '@sigstack/crypto';
import type { PrivateKey, PublicKey } from '@sigstack/crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, ExtendedKeyUsage, id_ce_extKeyUsage } from '@peculiar/asn1-x509';
import { issueCertificate, keyIdentifierOf, nameOf } from './certificate.js';
import { OID } from './oids.js';
import { keySigner } from './signer.js';
import type { Signer } from './signer.js';

/** The TSA's signer and the chain that certifies it: DER, leaf first, root last. */
export interface TsaIdentity {
  readonly signer: Signer;
  readonly chain: readonly Uint8Array[];
}

/** Start-up failures of the key or chain; the message says what to fix. */
export class IdentityError extends Error {
  readonly code = 'TSA_IDENTITY_INVALID';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdentityError';
  }
}

const ENCRYPTED_LABELS = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'];

/** Reads a PEM private key: PKCS#8/SEC1, or cosign's encrypted format with `password`. */
export async function readPrivateKey(pem: string, password: string | undefined): Promise<PrivateKey> {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
  if (label !== undefined && ENCRYPTED_LABELS.includes(label)) return decryptPrivateKey(pem, password ?? '');
  return importPrivateKey(pem);
}

/** Splits a PEM chain into DER certificates, refusing anything that is not a certificate. */
export function readChain(pem: string): Uint8Array[] {
  const blocks = decodePemBundle(pem);
  if (blocks.some((b) => b.label !== 'CERTIFICATE')) throw new IdentityError('the chain file may hold CERTIFICATE blocks only');
  return blocks.map((b) => b.der);
}

export function chainToPem(chain: readonly Uint8Array[]): string {
  return chain.map((der) => encodePem('CERTIFICATE', der)).join('');
}

function sameKey(a: PublicKey, b: { export(o: { format: 'der'; type: 'spki' }): Buffer }): boolean {
  return Buffer.from(exportPublicKey(a, 'der')).equals(b.export({ format: 'der', type: 'spki' }));
}

/**
 * Checks the chain the way sigstore/timestamp-authority does before serving: a leaf
 * and at least one CA, each certificate signed by the next and valid now, the last one
 * self-signed, every certificate after the leaf a CA, the leaf not a CA and with one
 * extended key usage, timeStamping, marked critical (RFC 3161 2.3), intermediates
 * allowed to issue for timeStamping, and the leaf's key the signer's.
 */
export function validateChain(chain: readonly Uint8Array[], signer: Signer, now: Date = new Date()): void {
  if (chain.length < 2) throw new IdentityError('the chain must hold the TSA certificate and at least its root');
  let certs: X509Certificate[];
  try {
    certs = chain.map((der) => new X509Certificate(der));
  } catch (cause) {
    throw new IdentityError('a certificate in the chain does not parse', { cause });
  }
  certs.forEach((cert, i) => {
    const issuer = certs[i + 1] ?? cert;
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
      throw new IdentityError(`certificate ${i} of the chain is not signed by ${i + 1 < certs.length ? `certificate ${i + 1}` : 'itself (the root)'}`);
    }
    if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) throw new IdentityError(`certificate ${i} of the chain is not valid now`);
    if (i > 0 && !cert.ca) throw new IdentityError(`certificate ${i} of the chain is not a CA`);
  });
  const leaf = certs[0] as X509Certificate;
  if (leaf.ca) throw new IdentityError('the TSA certificate must not be a CA');

  const eku = AsnConvert.parse(chain[0] as Uint8Array, Certificate).tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  const usages = eku ? [...AsnConvert.parse(eku.extnValue.buffer, ExtendedKeyUsage)] : [];
  if (!eku || usages.length !== 1 || usages[0] !== OID.timeStamping) {
    throw new IdentityError('the TSA certificate must have exactly one extended key usage, timeStamping');
  }
  if (!eku.critical) throw new IdentityError('the TSA certificate must mark its extended key usage critical');
  for (const [i, cert] of certs.entries()) {
    if (i === 0 || i === certs.length - 1) continue;
    if (!(cert.keyUsage ?? []).includes(OID.timeStamping)) {
      throw new IdentityError(`intermediate certificate ${i} must allow the timeStamping extended key usage`);
    }
  }
  if (!sameKey(signer.publicKey, leaf.publicKey)) throw new IdentityError('the signing key does not match the TSA certificate');
}

export interface DevIdentityOptions {
  readonly dataDir: string;
  readonly keyType?: 'ecdsa-p256' | 'ecdsa-p384';
  readonly now?: Date;
}

const DEV_KEY = 'tsa-key.pem';
const DEV_CHAIN = 'tsa-chain.pem';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** A fresh root, intermediate and TSA leaf (the shape of upstream's in-memory chain), with the leaf's key. */
export async function generateDevIdentity(keyType: 'ecdsa-p256' | 'ecdsa-p384' = 'ecdsa-p256', now = new Date()): Promise<{ key: PrivateKey; chain: Uint8Array[] }> {
  const [root, intermediate, leaf] = await Promise.all([generateKeyPair(keyType), generateKeyPair(keyType), generateKeyPair(keyType)]);
  const organization = 'sigstack dev';
  const notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  const rootSubject = { commonName: 'sigstack dev TSA root', organization };
  const rootDer = issueCertificate(
    { subject: rootSubject, publicKey: root.publicKey, notBefore, notAfter: new Date(now.getTime() + 10 * YEAR_MS), ca: true },
    { selfKey: root.privateKey },
  );
  const intermediateSubject = { commonName: 'sigstack dev TSA intermediate', organization };
  const intermediateDer = issueCertificate(
    {
      subject: intermediateSubject,
      publicKey: intermediate.publicKey,
      notBefore,
      notAfter: new Date(now.getTime() + 10 * YEAR_MS),
      ca: true,
      extKeyUsage: [OID.timeStamping],
    },
    { name: nameOf(rootSubject), key: root.privateKey, keyIdentifier: keyIdentifierOf(root.publicKey) },
  );
  const leafDer = issueCertificate(
    {
      subject: { commonName: 'sigstack dev TSA', organization },
      publicKey: leaf.publicKey,
      notBefore,
      notAfter: new Date(now.getTime() + 9 * YEAR_MS),
      ca: false,
      extKeyUsage: [OID.timeStamping],
      ekuCritical: true,
    },
    { name: nameOf(intermediateSubject), key: intermediate.privateKey, keyIdentifier: keyIdentifierOf(intermediate.publicKey) },
  );
  return { key: leaf.privateKey, chain: [leafDer, intermediateDer, rootDer] };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, path);
}

/**
 * The dev identity under `dataDir`: generated on first start, reused afterwards, so
 * a trust root made from the chain keeps working across restarts. The chain is written
 * before the key; a start that finds only one of them (a crash in between) generates both anew.
 */
export async function devIdentity(options: DevIdentityOptions): Promise<TsaIdentity> {
  const keyPath = join(options.dataDir, DEV_KEY);
  const chainPath = join(options.dataDir, DEV_CHAIN);
  const [keyPem, chainPem] = await Promise.all([readIfExists(keyPath), readIfExists(chainPath)]);
  if (keyPem !== undefined && chainPem !== undefined) return loadIdentity(keyPem, chainPem, undefined, options.now);
  const { key, chain } = await generateDevIdentity(options.keyType, options.now);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  await writeAtomically(chainPath, chainToPem(chain), 0o644);
  await writeAtomically(keyPath, exportPrivateKey(key, 'pem'), 0o600);
  const signer = keySigner(key);
  validateChain(chain, signer, options.now);
  return { signer, chain };
}

/** The identity from PEM texts (an operator's files), checked before it signs anything. */
export async function loadIdentity(keyPem: string, chainPem: string, password: string | undefined, now?: Date): Promise<TsaIdentity> {
  let key: PrivateKey;
  try {
    key = await readPrivateKey(keyPem, password);
  } catch (cause) {
    throw new IdentityError(`the TSA key cannot be read (${(cause as { code?: string }).code ?? 'invalid'})`, { cause });
  }
  let chain: Uint8Array[];
  try {
    chain = readChain(chainPem);
  } catch (cause) {
    if (cause instanceof IdentityError) throw cause;
    throw new IdentityError('the certificate chain is not PEM', { cause });
  }
  let signer: Signer;
  try {
    signer = keySigner(key);
  } catch (cause) {
    throw new IdentityError((cause as Error).message, { cause });
  }
  validateChain(chain, signer, now);
  return { signer, chain };
}

