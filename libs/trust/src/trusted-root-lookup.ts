import type { DistinguishedName, HashAlgorithm, PublicKeyDetails } from '@sigstore/protobuf-specs';
import { decodeBase64 } from './base64.js';
import { TrustError } from './error.js';
import type { CertificateAuthority, TransparencyLogInstance, TrustedRoot, ValidityWindow } from './types.js';
import { checkTime, isWithin } from './validity.js';

/** A transparency log (Rekor or CT) key, as a verifier needs it. */
export interface TransparencyLogKey {
  baseUrl: string;
  hashAlgorithm: HashAlgorithm;
  /** logId.keyId: SHA-256 of the SPKI for Rekor v1 and CT logs, the signed-note key id for Rekor v2. */
  logId: Uint8Array;
  checkpointKeyId: Uint8Array | undefined;
  /** The 4-byte signed-note key hint of this key's checkpoint signatures. */
  keyHint: Uint8Array;
  /** DER-encoded public key; keyDetails says the encoding and the signature algorithm. */
  publicKey: Uint8Array;
  keyDetails: PublicKeyDetails;
  validFor: ValidityWindow;
  operator: string;
}

/** A certificate or timestamp authority's chain, as a verifier needs it. */
export interface CertificateAuthorityInfo {
  subject: DistinguishedName;
  uri: string;
  /** DER certificates in the file's order: the last one is the trust anchor. */
  certificates: Uint8Array[];
  validFor: ValidityWindow;
  operator: string;
}

function toLogKey(log: TransparencyLogInstance): TransparencyLogKey {
  // As protobuf-specs and sigstore-js have it: the hint is the head of checkpointKeyId when
  // set, else of logId. That head equals C2SP's key id in both real cases: SHA-256(SPKI)
  // for ECDSA (Rekor v1) and SHA-256(name || 0x0A || 0x01 || key) for Ed25519 (Rekor v2,
  // whose logId is that full hash).
  const hintSource = log.checkpointKeyId?.keyId ?? log.logId.keyId;
  return {
    baseUrl: log.baseUrl,
    hashAlgorithm: log.hashAlgorithm,
    logId: log.logId.keyId,
    checkpointKeyId: log.checkpointKeyId?.keyId,
    keyHint: hintSource.subarray(0, 4),
    publicKey: log.publicKey.rawBytes,
    keyDetails: log.publicKey.keyDetails,
    validFor: log.publicKey.validFor,
    operator: log.operator,
  };
}

function toBytes(value: Uint8Array | string, name: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  try {
    return decodeBase64(value, name);
  } catch (cause) {
    throw new TrustError('INVALID_ARGUMENT', `${name} is neither bytes nor base64`, { cause });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function logKeyById(logs: TransparencyLogInstance[], kind: string, logId: Uint8Array | string, time?: Date): TransparencyLogKey {
  const id = toBytes(logId, 'logId');
  const matches = logs.filter((log) => sameBytes(log.logId.keyId, id)).map(toLogKey);
  if (matches.length === 0) {
    throw new TrustError('KEY_NOT_FOUND', `no ${kind} with log id ${Buffer.from(id).toString('base64')}`);
  }
  if (time === undefined) return matches[0] as TransparencyLogKey;
  checkTime(time);
  const valid = matches.find((key) => isWithin(key.validFor, time));
  if (valid === undefined) {
    throw new TrustError(
      'KEY_OUTSIDE_VALIDITY',
      `${kind} ${Buffer.from(id).toString('base64')} is not valid at ${time.toISOString()}`,
    );
  }
  return valid;
}

/** The Rekor key with this log id (bytes or base64), valid at `time` when one is given. */
export function tlogKeyById(root: TrustedRoot, logId: Uint8Array | string, time?: Date): TransparencyLogKey {
  return logKeyById(root.tlogs, 'transparency log', logId, time);
}

/** The CT log key with this log id (an SCT's log id), valid at `time` when one is given. */
export function ctlogKeyById(root: TrustedRoot, logId: Uint8Array | string, time?: Date): TransparencyLogKey {
  return logKeyById(root.ctlogs, 'CT log', logId, time);
}

export interface CheckpointKeyQuery {
  /** The signature line's key name; when given it must equal the log's baseUrl without scheme. */
  keyName?: string;
  /** Keep only keys whose validity window contains this time. */
  time?: Date;
}

/**
 * The Rekor keys whose signed-note key hint is `hint` (4 bytes, or their base64). Several
 * keys may share a hint, so the caller tries each; none is an empty list, not an error,
 * because checkpoints routinely carry witness cosignatures from keys not in the root.
 */
export function tlogKeysByCheckpointHint(
  root: TrustedRoot,
  hint: Uint8Array | string,
  query: CheckpointKeyQuery = {},
): TransparencyLogKey[] {
  const hintBytes = toBytes(hint, 'hint');
  if (hintBytes.length !== 4) throw new TrustError('INVALID_ARGUMENT', 'a checkpoint key hint is 4 bytes');
  const { keyName, time } = query;
  if (time !== undefined) checkTime(time);
  return root.tlogs
    .map(toLogKey)
    .filter(
      (key) =>
        sameBytes(key.keyHint, hintBytes) &&
        (keyName === undefined || keyNameOf(key.baseUrl) === keyName) &&
        (time === undefined || isWithin(key.validFor, time)),
    );
}

// A log's signed-note key name is its origin: the base URL without its scheme.
function keyNameOf(baseUrl: string): string {
  return baseUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
}

function toAuthorityInfo(ca: CertificateAuthority): CertificateAuthorityInfo {
  return {
    subject: ca.subject,
    uri: ca.uri,
    certificates: ca.certChain.certificates.map((c) => c.rawBytes),
    validFor: ca.validFor,
    operator: ca.operator,
  };
}

/** Every certificate authority (Fulcio) whose validity window contains `time`. */
export function certificateAuthoritiesAt(root: TrustedRoot, time: Date): CertificateAuthorityInfo[] {
  checkTime(time);
  return root.certificateAuthorities.filter((ca) => isWithin(ca.validFor, time)).map(toAuthorityInfo);
}

/** Every timestamp authority whose validity window contains `time`. */
export function timestampAuthoritiesAt(root: TrustedRoot, time: Date): CertificateAuthorityInfo[] {
  checkTime(time);
  return root.timestampAuthorities.filter((ca) => isWithin(ca.validFor, time)).map(toAuthorityInfo);
}
