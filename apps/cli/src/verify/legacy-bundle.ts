// cosign 2's own bundle format (`sign-blob --bundle` before the Sigstore bundle became the
// default): {base64Signature, cert, rekorBundle: {SignedEntryTimestamp, Payload}}. Read by
// converting it to the Sigstore bundle v0.1 it is equivalent to; the log entry carries only
// its signed entry timestamp, so verify-blob fetches the inclusion proof unless --offline.
import { BUNDLE_V01_MEDIA_TYPE, parseBundle, type SigstoreBundle } from '@sigstack/bundle';
import { decodePem, digest } from '@sigstack/crypto';
import type { Artifact } from '@sigstack/verify';
import { CliError } from '../errors.js';

interface LegacyBundle {
  base64Signature?: unknown;
  cert?: unknown;
  rekorBundle?: { SignedEntryTimestamp?: unknown; Payload?: { body?: unknown; integratedTime?: unknown; logIndex?: unknown; logID?: unknown } };
}

export function isLegacyBundle(value: unknown): value is LegacyBundle {
  return value !== null && typeof value === 'object' && 'base64Signature' in value && !('mediaType' in value);
}

const bad = (why: string) => new CliError('INPUT', `invalid cosign bundle: ${why}`);

export function legacyToBundle(legacy: LegacyBundle, artifact: Artifact | undefined): SigstoreBundle {
  if (typeof legacy.base64Signature !== 'string') throw bad('base64Signature is not a string');
  if (artifact === undefined) throw bad('a cosign bundle signs a blob: give the artifact');
  const vm: Record<string, unknown> = {};
  if (typeof legacy.cert === 'string' && legacy.cert !== '') {
    // cosign stores the certificate as base64 of its PEM.
    const der = decodePem(Buffer.from(legacy.cert, 'base64').toString('utf8'), 'CERTIFICATE').der;
    vm['x509CertificateChain'] = { certificates: [{ rawBytes: Buffer.from(der).toString('base64') }] };
  } else {
    vm['publicKey'] = { hint: '' };
  }
  const rb = legacy.rekorBundle;
  const p = rb?.Payload;
  if (rb === undefined || p === undefined) throw bad('no rekorBundle (a signature without a log entry cannot be verified from this file)');
  if (typeof p.body !== 'string' || typeof p.logID !== 'string' || typeof rb.SignedEntryTimestamp !== 'string') throw bad('rekorBundle is incomplete');
  let kind: { kind?: unknown; apiVersion?: unknown };
  try {
    kind = JSON.parse(Buffer.from(p.body, 'base64').toString('utf8')) as typeof kind;
  } catch (cause) {
    throw new CliError('INPUT', 'invalid cosign bundle: the log entry body is not JSON', { cause });
  }
  vm['tlogEntries'] = [
    {
      logIndex: String(p.logIndex),
      logId: { keyId: Buffer.from(p.logID, 'hex').toString('base64') },
      kindVersion: { kind: kind.kind, version: kind.apiVersion },
      integratedTime: String(p.integratedTime),
      inclusionPromise: { signedEntryTimestamp: rb.SignedEntryTimestamp },
      canonicalizedBody: p.body,
    },
  ];
  const d = 'data' in artifact ? digest('sha256', artifact.data) : artifact.digest;
  return parseBundle(
    JSON.stringify({
      mediaType: BUNDLE_V01_MEDIA_TYPE,
      verificationMaterial: vm,
      messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: Buffer.from(d).toString('base64') }, signature: legacy.base64Signature },
    }),
  );
}
