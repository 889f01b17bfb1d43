import { verify as nodeVerify } from 'node:crypto';
import { HashAlgorithm as PbHashAlgorithm } from '@sigstore/protobuf-specs';
import {
  IN_TOTO_PAYLOAD_TYPE,
  parseStatement,
  preAuthEncoding,
  type BundleMessageSignature,
  type DsseEnvelope,
  type InTotoStatement,
} from '@sigstack/bundle';
import { digest, verify, verifyDigest, type HashAlgorithm, type PublicKey } from '@sigstack/crypto';
import { bytesEqual, toHex } from './bytes.js';
import { fail } from './error.js';
import type { Artifact } from './types.js';

const ALGORITHMS: Partial<Record<PbHashAlgorithm, HashAlgorithm>> = {
  [PbHashAlgorithm.SHA2_256]: 'sha256',
  [PbHashAlgorithm.SHA2_384]: 'sha384',
  [PbHashAlgorithm.SHA2_512]: 'sha512',
};

function checkMessage(key: PublicKey, hash: HashAlgorithm, artifact: Artifact, messageDigest: Uint8Array, signature: Uint8Array): boolean {
  if ('data' in artifact) {
    try {
      return nodeVerify(key.type === 'ed25519' ? null : hash, artifact.data, { key: key.keyObject, dsaEncoding: 'der' }, signature);
    } catch {
      return false;
    }
  }
  if (key.type === 'ed25519') throw fail('SIGNATURE_INVALID', 'an Ed25519 signature can only be checked over the artifact bytes, not a digest');
  try {
    return verifyDigest(key, messageDigest, signature, key.type === 'rsa' ? { hash } : undefined);
  } catch {
    return false;
  }
}

/**
 * A message signature: the artifact's digest must be the signed digest, and the signature must
 * verify over the artifact (or, given only a digest, over that digest) with the signing key.
 */
export function verifyMessageSignature(sig: BundleMessageSignature, key: PublicKey, artifact: Artifact | undefined): void {
  if (artifact === undefined) throw fail('INVALID_ARGUMENT', 'a message signature bundle needs the artifact or its digest');
  const hash = ALGORITHMS[sig.messageDigest.algorithm];
  if (hash === undefined) throw fail('UNSUPPORTED', `message digest algorithm ${PbHashAlgorithm[sig.messageDigest.algorithm]} is not supported`);
  let actual: Uint8Array;
  if ('data' in artifact) actual = digest(hash, artifact.data);
  else if (artifact.algorithm === hash) actual = artifact.digest;
  else throw fail('DIGEST_MISMATCH', `the artifact digest is ${artifact.algorithm}, but the bundle signed a ${hash} digest`);
  if (!bytesEqual(actual, sig.messageDigest.digest)) {
    throw fail('DIGEST_MISMATCH', `the artifact's ${hash} digest ${toHex(actual)} is not the signed digest ${toHex(sig.messageDigest.digest)}`);
  }
  if (!checkMessage(key, hash, artifact, actual, sig.signature)) throw fail('SIGNATURE_INVALID', 'the signature over the artifact does not verify with the signing key');
}

const SUBJECT_HASHES: readonly HashAlgorithm[] = ['sha256', 'sha384', 'sha512'];

function subjectMatches(statement: InTotoStatement, artifact: Artifact): boolean {
  const candidates: [HashAlgorithm, string][] =
    'data' in artifact
      ? SUBJECT_HASHES.filter((alg) => statement.subject.some((s) => Object.hasOwn(s.digest, alg))).map((alg) => [alg, toHex(digest(alg, artifact.data))])
      : [[artifact.algorithm, toHex(artifact.digest)]];
  return statement.subject.some((s) => candidates.some(([alg, hex]) => Object.hasOwn(s.digest, alg) && s.digest[alg] === hex));
}

export interface VerifiedEnvelope {
  readonly statement: InTotoStatement | undefined;
  readonly payload: { readonly type: string; readonly bytes: Uint8Array };
}

/**
 * A DSSE envelope: its one signature must verify over PAE(payloadType, payload). An in-toto
 * payload is parsed into its statement; given an artifact, a subject must carry its digest.
 */
export function verifyEnvelope(env: DsseEnvelope, key: PublicKey, artifact: Artifact | undefined): VerifiedEnvelope {
  const [only, ...rest] = env.signatures;
  if (only === undefined || rest.length > 0) throw fail('SIGNATURE_INVALID', 'a bundle envelope carries exactly one signature');
  let ok: boolean;
  try {
    ok = verify(key, preAuthEncoding(env.payloadType, env.payload), only.sig);
  } catch {
    ok = false;
  }
  if (!ok) throw fail('SIGNATURE_INVALID', 'the DSSE signature does not verify with the signing key');
  let statement: InTotoStatement | undefined;
  if (env.payloadType === IN_TOTO_PAYLOAD_TYPE) {
    try {
      statement = parseStatement(env.payload);
    } catch (cause) {
      throw fail('STATEMENT_INVALID', `the in-toto payload is not a statement: ${cause instanceof Error ? cause.message : ''}`, cause);
    }
  }
  if (artifact !== undefined) {
    if (statement === undefined) throw fail('DIGEST_MISMATCH', `the payload (${env.payloadType}) is not an in-toto statement, so no subject can match the artifact`);
    if (!subjectMatches(statement, artifact)) throw fail('DIGEST_MISMATCH', 'no subject of the in-toto statement has the artifact digest');
  }
  return { statement, payload: { type: env.payloadType, bytes: env.payload } };
}
