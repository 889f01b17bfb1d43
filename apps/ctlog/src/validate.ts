import { createHash } from 'node:crypto';
import {
  OID,
  X509Error,
  issuerKeyHash,
  parseCertificate,
  precertTbs,
  splitCertificate,
  verifyCertificateSignatureAsync,
  verifyIssuerChain,
} from '@sigstack/x509';
import type { CertificateParts, CtEntry, ParsedCertificate } from '@sigstack/x509';
import { ctErrors } from './errors.js';
import { uint24Vector } from './tls-lists.js';

export type EntryKind = CtEntry['type'];

/** A submission that passed every check: what to log, what to keep beside it, how to dedup it. */
export interface ValidatedSubmission {
  readonly entry: CtEntry;
  /** SHA-256 over the entry type and the submitted leaf DER: a resubmission gets the same SCT. */
  readonly identity: Uint8Array;
  /** The submitted leaf (certificate or precertificate). */
  readonly leaf: Uint8Array;
  /** The verified issuer chain, issuer first, root last (what extra_data lists). */
  readonly chain: readonly Uint8Array[];
}

interface IssuerPath {
  /** Issuer first, root last. */
  readonly path: readonly ParsedCertificate[];
  /** The path stops being valid after this time (the earliest notAfter). */
  readonly validUntil: number;
}

const MAX_CACHED_PATHS = 1024;

/**
 * Checks submitted chains against the configured roots. The CA part of a chain repeats
 * for every submission of a deployment, so it is parsed and verified once and cached by
 * its bytes; the leaf, new every time, is only sliced (splitCertificate) and its
 * signature checked on libuv's thread pool, so the event loop stays free.
 * Chains are attacker-controlled: every failure is one of this service's 400 codes.
 */
export class ChainValidator {
  private readonly paths = new Map<string, IssuerPath>();
  readonly roots: readonly ParsedCertificate[];

  constructor(
    roots: readonly ParsedCertificate[],
    private readonly options: { readonly maxChain: number; readonly clock: () => number },
  ) {
    if (roots.length === 0) throw new Error('the CT log needs at least one root');
    this.roots = roots;
  }

  async validate(chain: readonly Uint8Array[], kind: EntryKind): Promise<ValidatedSubmission> {
    if (chain.length === 0) throw ctErrors.create('INVALID_CHAIN', 'the chain is empty');
    if (chain.length > this.options.maxChain) throw ctErrors.create('INVALID_CHAIN', `the chain has more than ${this.options.maxChain} certificates`);
    const leafDer = chain[0] as Uint8Array;
    let leaf: CertificateParts;
    try {
      leaf = splitCertificate(leafDer);
    } catch (cause) {
      throw ctErrors.create('INVALID_CHAIN', 'certificate 0 is not a DER certificate', { cause });
    }
    checkPoison(leaf, kind);
    const { path } = this.issuerPath(chain.slice(1), leaf);
    const issuer = path[0] as ParsedCertificate;
    if (issuer.extendedKeyUsage?.includes(OID.precertSigning)) {
      throw ctErrors.create('UNSUPPORTED_CERTIFICATE', 'precertificates issued by a precertificate signing certificate are not accepted');
    }
    let ok: boolean;
    try {
      ok = await verifyCertificateSignatureAsync(leaf, issuer.publicKey());
    } catch (cause) {
      if (cause instanceof X509Error && cause.code === 'UNSUPPORTED_ALGORITHM') {
        throw ctErrors.create('UNSUPPORTED_CERTIFICATE', cause.message, { cause });
      }
      if (cause instanceof X509Error) throw ctErrors.create('UNTRUSTED_CHAIN', cause.message, { cause });
      throw cause;
    }
    if (!ok) throw ctErrors.create('UNTRUSTED_CHAIN', 'the leaf signature does not verify with its issuer');

    const entry: CtEntry =
      kind === 'x509_entry'
        ? { type: 'x509_entry', certificate: leafDer }
        : { type: 'precert_entry', issuerKeyHash: issuerKeyHash(issuer), tbsCertificate: precertTbs(leaf) };
    const identity = createHash('sha256').update(kind === 'x509_entry' ? 'x509:' : 'precert:').update(leafDer).digest();
    return { entry, identity: new Uint8Array(identity), leaf: leafDer, chain: path.map((c) => c.der) };
  }

  /** The verified issuer path for a leaf (from the submitted issuers, or a root by name). */
  private issuerPath(issuers: readonly Uint8Array[], leaf: CertificateParts): IssuerPath {
    const hash = createHash('sha256');
    if (issuers.length === 0) hash.update('root-by-name:').update(leaf.issuer);
    for (const der of issuers) hash.update(uint24Vector(der));
    const key = hash.digest('base64');
    const now = this.options.clock();
    const hit = this.paths.get(key);
    if (hit && now <= hit.validUntil) return hit;

    let parsed: ParsedCertificate[];
    if (issuers.length === 0) {
      parsed = this.roots.filter((r) => Buffer.from(r.subject).equals(leaf.issuer));
      if (parsed.length === 0) throw ctErrors.create('UNTRUSTED_CHAIN', 'no configured root issued the leaf, and no issuers were sent');
      parsed = parsed.slice(0, 1);
    } else {
      parsed = issuers.map((der, i) => {
        try {
          return parseCertificate(der);
        } catch (cause) {
          throw ctErrors.create('INVALID_CHAIN', `certificate ${i + 1} is not a strict DER certificate`, { cause });
        }
      });
    }
    if (!Buffer.from((parsed[0] as ParsedCertificate).subject).equals(leaf.issuer)) {
      throw ctErrors.create('UNTRUSTED_CHAIN', 'certificate 1 did not issue the leaf');
    }
    let path: ParsedCertificate[];
    try {
      path = verifyIssuerChain(parsed, { roots: this.roots, at: new Date(now) });
    } catch (cause) {
      if (cause instanceof X509Error && cause.code === 'UNSUPPORTED_ALGORITHM') {
        throw ctErrors.create('UNSUPPORTED_CERTIFICATE', cause.message, { cause });
      }
      if (cause instanceof X509Error) throw ctErrors.create('UNTRUSTED_CHAIN', cause.message, { cause });
      throw cause;
    }
    const result = { path, validUntil: Math.min(...path.map((c) => c.notAfter.getTime())) };
    if (this.paths.size >= MAX_CACHED_PATHS) this.paths.clear();
    this.paths.set(key, result);
    return result;
  }
}

function checkPoison(leaf: CertificateParts, kind: EntryKind): void {
  const poison = leaf.extensions.find((e) => e.oid === OID.precertPoison);
  if (poison && !(poison.critical && poison.value.length === 2 && poison.value[0] === 0x05 && poison.value[1] === 0x00)) {
    throw ctErrors.create('INVALID_CHAIN', 'the precertificate poison must be a critical NULL');
  }
  if (kind === 'precert_entry' && !poison) throw ctErrors.create('WRONG_ENTRY_TYPE', 'add-pre-chain takes a precertificate (with the poison extension)');
  if (kind === 'x509_entry' && poison) throw ctErrors.create('WRONG_ENTRY_TYPE', 'add-chain takes a final certificate; send precertificates to add-pre-chain');
}
