import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  decodePemBundle,
  decryptPrivateKey,
  exportPublicKey,
  generateKeyPair,
  importPrivateKey,
  keySigner,
} from '@sigstack/crypto';
import type { KeyType, PrivateKey, Signer } from '@sigstack/crypto';
import { OID } from '@sigstack/x509';
import { bitString, extension, oid, seq, time, tlv, utf8String } from '../der.js';
import { CaError, keyIdentifier } from './authority.js';
import type { CaBackend } from './authority.js';

const COSIGN_LABELS = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'];

/**
 * The file backend, as Fulcio's fileca reads its files: a PEM private key (encrypted
 * PKCS#8 "ENCRYPTED PRIVATE KEY" with a password, a cosign/sigstore encrypted key, or,
 * for tests, an unencrypted key) and a PEM chain, issuing certificate first, root last.
 */
export async function fileBackend(keyPath: string, chainPath: string, password: string | undefined): Promise<CaBackend> {
  const [keyPem, chainPem] = await Promise.all([readFile(keyPath, 'utf8'), readFile(chainPath, 'utf8')]);
  return pemBackend(keyPem, chainPem, password);
}

export async function pemBackend(keyPem: string, chainPem: string, password: string | undefined): Promise<CaBackend> {
  let key: PrivateKey;
  try {
    key = await readCaKey(keyPem, password);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new CaError(`the CA key cannot be read${code ? ` (${code})` : ''}`, { cause });
  }
  let chain: Uint8Array[];
  try {
    const blocks = decodePemBundle(chainPem);
    if (blocks.length === 0 || blocks.some((b) => b.label !== 'CERTIFICATE')) throw new CaError('the chain file may hold CERTIFICATE blocks only');
    chain = blocks.map((b) => b.der);
  } catch (cause) {
    if (cause instanceof CaError) throw cause;
    throw new CaError('the CA chain is not PEM', { cause });
  }
  return { signer: keySigner(key), chain };
}

async function readCaKey(pem: string, password: string | undefined): Promise<PrivateKey> {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
  if (label !== undefined && COSIGN_LABELS.includes(label)) return decryptPrivateKey(pem, password ?? '');
  if (label === 'ENCRYPTED PRIVATE KEY') {
    if (password === undefined) throw new CaError('the CA key is encrypted: set CA_KEY_PASSWORD');
    // PKCS#8 EncryptedPrivateKeyInfo (PBES2), as fileca and openssl write it.
    const keyObject = createPrivateKey({ key: pem, format: 'pem', passphrase: password });
    return importPrivateKey(keyObject.export({ format: 'pem', type: 'pkcs8' }) as string);
  }
  return importPrivateKey(pem);
}

export interface EphemeralOptions {
  readonly keyType?: KeyType;
  /** Milliseconds since the epoch (default Date.now). */
  readonly now?: number;
  readonly organization?: string;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The ephemeral backend, for development and tests: a root and an intermediate
 * generated in memory at start (so every restart is a new trust root), in the
 * certificate specification's CA profile. The root key is discarded once it has signed.
 */
export async function ephemeralBackend(options: EphemeralOptions = {}): Promise<CaBackend> {
  const { key, chain } = await generateCaChain(options);
  return { signer: keySigner(key), chain };
}

/** A generated root and intermediate, and the intermediate's key (for the file backend in benchmarks and tests). */
export async function generateCaChain(options: EphemeralOptions = {}): Promise<{ key: PrivateKey; chain: Uint8Array[] }> {
  const keyType = options.keyType ?? 'ecdsa-p256';
  const now = options.now ?? Date.now();
  const org = options.organization ?? 'sigstack';
  const root = await generateKeyPair(keyType === 'ecdsa-p256' ? 'ecdsa-p384' : keyType);
  const intermediate = await generateKeyPair(keyType);
  const rootSigner = keySigner(root.privateKey);
  const rootName = name(org, `${org}-fulcio-root`);
  const rootSpki = exportPublicKey(root.publicKey, 'der');
  const rootDer = await caCertificate({
    signer: rootSigner,
    issuerName: rootName,
    subjectName: rootName,
    spki: rootSpki,
    issuerSpki: rootSpki,
    notBefore: now - 60_000,
    notAfter: now + 10 * 365 * DAY,
    pathLength: 1,
    codeSigning: false,
  });
  const intermediateDer = await caCertificate({
    signer: rootSigner,
    issuerName: rootName,
    subjectName: name(org, `${org}-fulcio-intermediate`),
    spki: exportPublicKey(intermediate.publicKey, 'der'),
    issuerSpki: rootSpki,
    notBefore: now - 60_000,
    notAfter: now + 3 * 365 * DAY,
    pathLength: 0,
    codeSigning: true,
  });
  return { key: intermediate.privateKey, chain: [intermediateDer, rootDer] };
}

function name(organization: string, commonName: string): Uint8Array {
  const rdn = (type: string, value: string) => tlv(0x31, seq(oid(type), utf8String(value)));
  return seq(rdn('2.5.4.10', organization), rdn('2.5.4.3', commonName));
}

const CA_ALGORITHMS: Readonly<Record<string, Uint8Array>> = {
  'ecdsa-sha256': seq(oid('1.2.840.10045.4.3.2')),
  'ecdsa-sha384': seq(oid('1.2.840.10045.4.3.3')),
  ed25519: seq(oid('1.3.101.112')),
  'rsa-pkcs1v15-sha256': seq(oid('1.2.840.113549.1.1.11'), Uint8Array.of(0x05, 0x00)),
};

interface CaCertificateInput {
  readonly signer: Signer;
  readonly issuerName: Uint8Array;
  readonly subjectName: Uint8Array;
  readonly spki: Uint8Array;
  readonly issuerSpki: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly pathLength: number;
  readonly codeSigning: boolean;
}

/** A CA certificate in the profile of Fulcio's certificate specification (root or intermediate). */
async function caCertificate(input: CaCertificateInput): Promise<Uint8Array> {
  const algorithm = CA_ALGORITHMS[input.signer.algorithm];
  if (!algorithm) throw new CaError(`cannot make CA certificates with ${input.signer.algorithm}`);
  const serial = crypto.getRandomValues(new Uint8Array(20));
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  const extensions = [
    // keyCertSign and cRLSign, critical.
    extension(oid(OID.keyUsage), true, Uint8Array.of(0x03, 0x02, 0x01, 0x06)),
    ...(input.codeSigning ? [extension(oid(OID.extKeyUsage), false, seq(oid('1.3.6.1.5.5.7.3.3')))] : []),
    extension(oid(OID.basicConstraints), true, seq(Uint8Array.of(0x01, 0x01, 0xff), tlv(0x02, Uint8Array.of(input.pathLength)))),
    extension(oid(OID.subjectKeyIdentifier), false, tlv(0x04, keyIdentifier(input.spki))),
    extension(oid(OID.authorityKeyIdentifier), false, seq(tlv(0x80, keyIdentifier(input.issuerSpki)))),
  ];
  const tbs = seq(
    Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02),
    tlv(0x02, serial),
    algorithm,
    input.issuerName,
    seq(time(input.notBefore), time(input.notAfter)),
    input.subjectName,
    input.spki,
    tlv(0xa3, seq(...extensions)),
  );
  return seq(tbs, algorithm, bitString(await input.signer.sign(tbs)));
}
