// Sigstore bundles as plain JSON, for reading what a client wrote and for making precise
// tampered copies of it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCertificate } from '@sigstack/x509';
import type { ParsedCertificate } from '@sigstack/x509';

/** The parts of a bundle (v0.3 JSON) the scenarios read or tamper with. */
export interface BundleJson {
  mediaType: string;
  verificationMaterial: {
    certificate?: { rawBytes: string };
    publicKey?: { hint: string };
    tlogEntries: TlogEntryJson[];
    timestampVerificationData?: { rfc3161Timestamps: unknown[] };
  };
  messageSignature?: { messageDigest: { algorithm: string; digest: string }; signature: string };
  dsseEnvelope?: { payload: string; payloadType: string; signatures: unknown[] };
}

export interface TlogEntryJson {
  logIndex: string;
  logId: { keyId: string };
  kindVersion: { kind: string; version: string };
  integratedTime?: string;
  inclusionPromise?: { signedEntryTimestamp: string };
  inclusionProof?: { logIndex: string; rootHash: string; treeSize: string; hashes: string[]; checkpoint: { envelope: string } };
  canonicalizedBody: string;
}

export function readBundle(dir: string, file: string): BundleJson {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as BundleJson;
}

/** Writes a changed copy of `from` as `to`; `change` edits a deep copy in place. */
export function tamper(dir: string, from: string, to: string, change: (bundle: BundleJson) => void): BundleJson {
  const copy = structuredClone(readBundle(dir, from));
  change(copy);
  writeFileSync(path.join(dir, to), JSON.stringify(copy));
  return copy;
}

/** The bundle's signing certificate, parsed. */
export function signingCertificate(bundle: BundleJson): ParsedCertificate {
  const raw = bundle.verificationMaterial.certificate?.rawBytes;
  if (raw === undefined) throw new Error('the bundle has no signing certificate');
  return parseCertificate(Buffer.from(raw, 'base64'));
}

/** The in-toto statement a DSSE bundle signs. */
export function statementOf(bundle: BundleJson): { _type: string; subject: { name: string; digest: Record<string, string> }[]; predicateType: string; predicate: unknown } {
  if (bundle.dsseEnvelope === undefined) throw new Error('the bundle has no DSSE envelope');
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
}
