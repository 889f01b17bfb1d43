import { createHash, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import type { PrivateKey, PublicKey } from '@sigstack/crypto';
import { keyId } from '@sigstack/crypto';
import { TAG, bytesEqual, children, decodeOid, contents, encodeTlv, readSingle, slice } from './der.js';
import { X509Error } from './errors.js';
import { OID } from './oids.js';
import type { CertificateParts } from './parts.js';
import { HASH_SHA256, SIGNATURE_ECDSA, SIGNATURE_RSA } from './sct.js';
import type { DigitallySigned, SignedCertificateTimestamp } from './sct.js';
import { TlsReader, TlsWriter } from './tls.js';

/** What a CT log signs and logs: a whole certificate, or a precertificate's TBS and issuer key hash. */
export type CtEntry =
  | { readonly type: 'x509_entry'; readonly certificate: Uint8Array }
  | { readonly type: 'precert_entry'; readonly issuerKeyHash: Uint8Array; readonly tbsCertificate: Uint8Array };

const ENTRY_TYPE = { x509_entry: 0, precert_entry: 1 } as const;

/**
 * A TBSCertificate with the extension `oid` taken out, re-encoded. If no extension is
 * left the [3] field goes too, as Go's encoder would omit an empty optional list.
 */
function tbsWithout(tbsDer: Uint8Array, oid: string, required: boolean): Uint8Array {
  const C = 'MALFORMED_CERTIFICATE';
  const tbs = readSingle(tbsDer, TAG.SEQUENCE, C);
  const fields = children(tbsDer, tbs, C);
  const extField = fields.find((f) => f.tag === TAG.CONTEXT_3);
  const list = extField && children(tbsDer, extField, C)[0];
  const items = list ? children(tbsDer, list, C) : [];
  const kept = items.filter((item) => {
    const oidTlv = children(tbsDer, item, C)[0];
    return !oidTlv || decodeOid(contents(tbsDer, oidTlv), C) !== oid;
  });
  if (kept.length === items.length) {
    if (required) throw new X509Error('WRONG_ENTRY_TYPE', `certificate has no extension ${oid}`);
    return tbsDer;
  }
  const rebuilt = fields.flatMap((f) => {
    if (f !== extField) return [slice(tbsDer, f)];
    if (kept.length === 0) return [];
    return [encodeTlv(TAG.CONTEXT_3, [encodeTlv(TAG.SEQUENCE, kept.map((k) => slice(tbsDer, k)))])];
  });
  return encodeTlv(TAG.SEQUENCE, rebuilt);
}

/** RFC 6962 3.2: the TBSCertificate a log signs for a precertificate (the poison removed). */
export function precertTbs(precert: Pick<CertificateParts, 'tbs'>): Uint8Array {
  return tbsWithout(precert.tbs, OID.precertPoison, true);
}

/**
 * The TBSCertificate of a final certificate with its SCT list removed: for a
 * precertificate issued directly by the CA, the same bytes the log signed.
 */
export function tbsWithoutSctList(cert: Pick<CertificateParts, 'tbs'>): Uint8Array {
  return tbsWithout(cert.tbs, OID.sctList, true);
}

/** SHA-256 of the issuing CA's DER SubjectPublicKeyInfo (RFC 6962 issuer_key_hash). */
export function issuerKeyHash(issuer: Pick<CertificateParts, 'subjectPublicKeyInfo'>): Uint8Array {
  return new Uint8Array(createHash('sha256').update(issuer.subjectPublicKeyInfo).digest());
}

/** The precert entry a log signed for this final certificate's embedded SCTs. */
export function embeddedSctEntry(cert: Pick<CertificateParts, 'tbs'>, issuer: Pick<CertificateParts, 'subjectPublicKeyInfo'>): CtEntry {
  return { type: 'precert_entry', issuerKeyHash: issuerKeyHash(issuer), tbsCertificate: tbsWithoutSctList(cert) };
}

function writeEntry(w: TlsWriter, entry: CtEntry): void {
  w.uint(2, ENTRY_TYPE[entry.type]);
  if (entry.type === 'x509_entry') {
    w.vector(3, nonEmpty(entry.certificate));
  } else {
    if (entry.issuerKeyHash.length !== 32) throw new X509Error('INVALID_ARGUMENT', 'issuer key hash must be 32 bytes');
    w.fixed(entry.issuerKeyHash).vector(3, nonEmpty(entry.tbsCertificate));
  }
}

function nonEmpty(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new X509Error('INVALID_ARGUMENT', 'entry bytes must not be empty');
  return bytes;
}

/** RFC 6962 3.2: the exact bytes an SCT's signature covers. */
export function sctSignedData(sct: Pick<SignedCertificateTimestamp, 'timestamp' | 'extensions'>, entry: CtEntry): Uint8Array {
  const w = new TlsWriter().uint(1, 0).uint(1, 0).uint(8, sct.timestamp);
  writeEntry(w, entry);
  return w.vector(2, sct.extensions).bytes();
}

/** RFC 6962 3.5: the bytes a TreeHeadSignature covers. */
export function treeHeadSignedData(head: { timestamp: number; treeSize: number; rootHash: Uint8Array }): Uint8Array {
  if (head.rootHash.length !== 32) throw new X509Error('INVALID_ARGUMENT', 'root hash must be 32 bytes');
  return new TlsWriter().uint(1, 0).uint(1, 1).uint(8, head.timestamp).uint(8, head.treeSize).fixed(head.rootHash).bytes();
}

/** RFC 6962 3.4 MerkleTreeLeaf (v1, timestamped_entry): the log's leaf input. */
export interface MerkleTreeLeaf {
  readonly timestamp: number;
  readonly entry: CtEntry;
  readonly extensions: Uint8Array;
}

export function encodeMerkleTreeLeaf(leaf: MerkleTreeLeaf): Uint8Array {
  const w = new TlsWriter().uint(1, 0).uint(1, 0).uint(8, leaf.timestamp);
  writeEntry(w, leaf.entry);
  return w.vector(2, leaf.extensions).bytes();
}

export function decodeMerkleTreeLeaf(bytes: Uint8Array): MerkleTreeLeaf {
  if (!(bytes instanceof Uint8Array)) throw new X509Error('INVALID_ARGUMENT', 'input must be bytes');
  const r = new TlsReader(bytes);
  if (r.uint(1) !== 0) throw new X509Error('MALFORMED_SCT', 'unknown MerkleTreeLeaf version');
  if (r.uint(1) !== 0) throw new X509Error('MALFORMED_SCT', 'unknown MerkleLeafType');
  const timestamp = r.uint(8);
  const type = r.uint(2);
  let entry: CtEntry;
  if (type === ENTRY_TYPE.x509_entry) entry = { type: 'x509_entry', certificate: r.vector(3, 1) };
  else if (type === ENTRY_TYPE.precert_entry) entry = { type: 'precert_entry', issuerKeyHash: r.fixed(32), tbsCertificate: r.vector(3, 1) };
  else throw new X509Error('MALFORMED_SCT', `unknown LogEntryType ${type}`);
  const extensions = r.vector(2);
  r.end();
  return { timestamp, entry, extensions };
}

/** The RFC 5246 algorithm pair for a log key; CT logs sign with ECDSA or RSA, SHA-256. */
function algorithmsFor(key: PublicKey): { hashAlgorithm: number; signatureAlgorithm: number } {
  if (key.type === 'ecdsa-p256') return { hashAlgorithm: HASH_SHA256, signatureAlgorithm: SIGNATURE_ECDSA };
  if (key.type === 'rsa') return { hashAlgorithm: HASH_SHA256, signatureAlgorithm: SIGNATURE_RSA };
  throw new X509Error('UNSUPPORTED_ALGORITHM', `CT logs sign with ECDSA P-256 or RSA, not ${key.type}`);
}

/** Signs `data` as an RFC 5246 digitally-signed struct with a log key (ECDSA P-256 or RSA, SHA-256). */
export function signDigitallySigned(key: PrivateKey, data: Uint8Array): DigitallySigned {
  const algs = algorithmsFor(key.publicKey);
  const signature = new Uint8Array(nodeSign('sha256', data, { key: key.keyObject, dsaEncoding: 'der' }));
  return { ...algs, signature };
}

/** Verifies a digitally-signed struct; false for a wrong signature or a mismatched algorithm. */
export function verifyDigitallySigned(key: PublicKey, data: Uint8Array, ds: DigitallySigned): boolean {
  const algs = algorithmsFor(key);
  if (ds.hashAlgorithm !== algs.hashAlgorithm || ds.signatureAlgorithm !== algs.signatureAlgorithm) return false;
  try {
    return nodeVerify('sha256', data, { key: key.keyObject, dsaEncoding: 'der' }, ds.signature);
  } catch {
    return false;
  }
}

/** Issues a v1 SCT for `entry` (timestamp in milliseconds). */
export function signSct(key: PrivateKey, entry: CtEntry, timestamp: number, extensions: Uint8Array = new Uint8Array()): SignedCertificateTimestamp {
  const signature = signDigitallySigned(key, sctSignedData({ timestamp, extensions }, entry));
  return { version: 0, logId: keyId(key.publicKey), timestamp, extensions, signature };
}

/** Whether `sct` is the log's (by log id) valid signature over `entry`. */
export function verifySct(sct: SignedCertificateTimestamp, entry: CtEntry, logKey: PublicKey): boolean {
  if (!bytesEqual(sct.logId, keyId(logKey))) return false;
  return verifyDigitallySigned(logKey, sctSignedData(sct, entry), sct.signature);
}
