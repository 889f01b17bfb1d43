import { BundleError, checkTlogEntryBody, type SigstoreBundle, type TlogEntry } from '@sigstack/bundle';
import { hashLeaf, MerkleError, verifyInclusion } from '@sigstack/merkle';
import { isWithin, type TransparencyLogInstance, type TrustedRoot } from '@sigstack/trust';
import { bytesEqual, toBase64 } from './bytes.js';
import { verifyCheckpoint } from './checkpoint.js';
import { fail } from './error.js';
import { verifySet } from './set.js';
import type { VerifiedTimestamp, VerifiedTlogEntry } from './types.js';

/** Log clocks and ours differ a little; an entry may be integrated this far "ahead" of `now`. */
const CLOCK_SKEW_MS = 60_000;

/** Rekor v2 (rekor-tiles) writes hashedrekord and dsse 0.0.2; intoto 0.0.2 is a Rekor v1 kind. */
export function isRekorV2(entry: TlogEntry): boolean {
  const { kind, version } = entry.kindVersion;
  return version === '0.0.2' && (kind === 'hashedrekord' || kind === 'dsse');
}

const entryName = (i: number) => `tlog entry ${i}`;

/** The integrated time of a Rekor v1 entry, or undefined (Rekor v2 entries have none). */
export function integratedTime(entry: TlogEntry): Date | undefined {
  if (entry.integratedTime === '0' || entry.integratedTime === '') return undefined;
  const seconds = Number(entry.integratedTime);
  const time = new Date(seconds * 1000);
  return Number.isSafeInteger(seconds) && !Number.isNaN(time.getTime()) ? time : undefined;
}

/** The trusted root's log with the entry's log id, valid at every one of `times`. */
function trustedLog(root: TrustedRoot, entry: TlogEntry, i: number, times: readonly Date[]): TransparencyLogInstance {
  const id = entry.logId.keyId;
  const logs = root.tlogs.filter((log) => bytesEqual(log.logId.keyId, id));
  if (logs.length === 0) throw fail('UNTRUSTED_LOG', `${entryName(i)}: log ${toBase64(id)} is not in the trusted root`);
  const valid = logs.find((log) => times.every((t) => isWithin(log.publicKey.validFor, t)));
  if (valid === undefined) {
    throw fail('UNTRUSTED_LOG', `${entryName(i)}: the key of log ${toBase64(id)} is not valid at ${times.map((t) => t.toISOString()).join(', ')}`);
  }
  return valid;
}

/**
 * Signing times from the entries' signed entry timestamps (Rekor v1 inclusion promises).
 * A promise that does not verify fails the bundle (SET_INVALID); so does an entry integrated
 * after `now`. An entry without a promise gives no time: an unsigned integratedTime proves nothing.
 */
export function tlogTimestamps(bundle: SigstoreBundle, root: TrustedRoot, now: Date): VerifiedTimestamp[] {
  const out: VerifiedTimestamp[] = [];
  bundle.verificationMaterial.tlogEntries.forEach((entry, i) => {
    if (entry.inclusionPromise === undefined) return;
    const time = integratedTime(entry);
    if (isRekorV2(entry) || time === undefined) throw fail('SET_INVALID', `${entryName(i)}: an inclusion promise needs a Rekor v1 entry with an integrated time`);
    const log = trustedLog(root, entry, i, [time]);
    if (!verifySet(entry, log.publicKey.rawBytes)) {
      throw fail('SET_INVALID', `${entryName(i)}: the signed entry timestamp does not verify with the key of ${log.baseUrl}`);
    }
    if (time.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw fail('INTEGRATED_TIME_IN_FUTURE', `${entryName(i)}: integrated at ${time.toISOString()}, after the current time ${now.toISOString()}`);
    }
    out.push({ source: 'transparency-log', time, authority: log.baseUrl });
  });
  return out;
}

function bodyCheck(bundle: SigstoreBundle, i: number): void {
  try {
    checkTlogEntryBody(bundle, i);
  } catch (cause) {
    if (cause instanceof BundleError && cause.code === 'UNSUPPORTED_ENTRY_KIND') throw fail('TLOG_ENTRY_UNSUPPORTED', `${entryName(i)}: ${cause.message}`, cause);
    if (cause instanceof BundleError) throw fail('TLOG_BODY_MISMATCH', `${entryName(i)}: ${cause.message}`, cause);
    throw cause;
  }
}

function safeIndex(value: string, what: string, i: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw fail('INCLUSION_PROOF_INVALID', `${entryName(i)}: ${what} ${value} is out of range`);
  return n;
}

/**
 * Verifies the inclusion proof and its checkpoint. Returns false when the proof carries no
 * checkpoint (Rekor v1 in a v0.1 bundle): its root hash is then unsigned and proves nothing.
 */
function verifyProof(entry: TlogEntry, i: number, log: TransparencyLogInstance, root: TrustedRoot): boolean {
  const proof = entry.inclusionProof;
  if (proof === undefined) return false;
  // logIndex is attacker-controlled. Rekor v1 entries carry a global index across the log's
  // shards and the proof the index within its tree, so they differ; a Rekor v2 log has one tree.
  if (isRekorV2(entry) && proof.logIndex !== entry.logIndex) {
    throw fail('INCLUSION_PROOF_INVALID', `${entryName(i)}: the proof is for index ${proof.logIndex}, not ${entry.logIndex}`);
  }
  const index = safeIndex(proof.logIndex, 'log index', i);
  const size = safeIndex(proof.treeSize, 'tree size', i);
  try {
    verifyInclusion(index, size, hashLeaf(entry.canonicalizedBody), proof.hashes, proof.rootHash);
  } catch (cause) {
    if (cause instanceof MerkleError) throw fail('INCLUSION_PROOF_INVALID', `${entryName(i)}: ${cause.message}`, cause);
    throw cause;
  }
  if (proof.checkpoint === undefined) return false;
  const checkpoint = verifyCheckpoint(proof.checkpoint.envelope, log, root, isRekorV2(entry));
  if (checkpoint.size !== size || !bytesEqual(checkpoint.rootHash, proof.rootHash)) {
    throw fail('CHECKPOINT_INVALID', `${entryName(i)}: the checkpoint is for tree size ${checkpoint.size} with another root, not the proof's tree of size ${size}`);
  }
  return true;
}

export interface TlogCheckOptions {
  readonly offline: boolean;
  /** Verified signing times: a Rekor v2 log key must be valid at each (v2 entries carry no time). */
  readonly signingTimes: readonly Date[];
}

/**
 * Verifies every transparency log entry: a log of the trusted root, a body that records this
 * bundle, and evidence of inclusion (a proof to a checkpoint signed by the log, and/or a
 * verified signed entry timestamp for Rekor v1). Fails closed on any entry that does not verify.
 */
export function verifyTlogEntries(bundle: SigstoreBundle, root: TrustedRoot, options: TlogCheckOptions): VerifiedTlogEntry[] {
  return bundle.verificationMaterial.tlogEntries.map((entry, i) => {
    const v2 = isRekorV2(entry);
    const time = integratedTime(entry);
    const log = trustedLog(root, entry, i, v2 ? options.signingTimes : time === undefined ? [] : [time]);
    bodyCheck(bundle, i);
    const proofVerified = verifyProof(entry, i, log, root);
    // tlogTimestamps already verified every inclusion promise.
    const promiseVerified = entry.inclusionPromise !== undefined;
    if (!proofVerified) {
      if (v2) throw fail('INCLUSION_PROOF_MISSING', `${entryName(i)}: a Rekor v2 entry needs an inclusion proof with a checkpoint`);
      if (!promiseVerified) throw fail('INCLUSION_PROOF_MISSING', `${entryName(i)}: no inclusion proof with a checkpoint and no signed entry timestamp`);
      if (!options.offline) throw fail('INCLUSION_PROOF_MISSING', `${entryName(i)}: only a signed entry timestamp; online verification needs an inclusion proof with a checkpoint`);
    }
    return {
      logIndex: entry.logIndex,
      baseUrl: log.baseUrl,
      kind: entry.kindVersion.kind,
      version: entry.kindVersion.version,
      inclusionProof: proofVerified,
      inclusionPromise: promiseVerified,
    };
  });
}
