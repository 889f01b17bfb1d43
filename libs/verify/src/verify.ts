import type { SigstoreBundle } from '@sigstack/bundle';
import type { PublicKey } from '@sigstack/crypto';
import type { ParsedCertificate } from '@sigstack/x509';
import { bundleLeafCertificate, verifyCertificateAt, verifyEmbeddedScts } from './certificate.js';
import { fail, VerificationError } from './error.js';
import { checkIdentity, signerIdentity } from './identity.js';
import { verifyEnvelope, verifyMessageSignature, type VerifiedEnvelope } from './signature.js';
import { verifyRfc3161Timestamp } from './timestamps.js';
import { integratedTime, tlogTimestamps, verifyTlogEntries } from './tlog.js';
import type { SignerIdentity, VerificationResult, VerifiedTimestamp, VerifyOptions } from './types.js';

function threshold(value: number | undefined, name: string): number {
  if (value === undefined) return 1;
  if (!Number.isSafeInteger(value) || value < 0) throw fail('INVALID_ARGUMENT', `${name} must be a non-negative integer`);
  return value;
}

/** The bundle's signature bytes: what RFC 3161 timestamps are over. */
function signatureBytes(bundle: SigstoreBundle): Uint8Array {
  const c = bundle.content;
  if (c.$case === 'messageSignature') return c.messageSignature.signature;
  const [only, ...rest] = c.dsseEnvelope.signatures;
  if (only === undefined || rest.length > 0) throw fail('SIGNATURE_INVALID', 'a bundle envelope carries exactly one signature');
  return only.sig;
}

/** Distinct authorities: two timestamps from one TSA or one log count once, as in sigstore-go. */
function distinctAuthorities(timestamps: readonly VerifiedTimestamp[]): number {
  return new Set(timestamps.map((t) => `${t.source} ${t.authority}`)).size;
}

/**
 * Step 1: signing times. Every RFC 3161 timestamp must verify (fail closed, as sigstore-js),
 * and so must every Rekor v1 signed entry timestamp. Without any and with a threshold of 0,
 * the current time stands in (sigstore-go's WithCurrentTime).
 */
function signingTimes(bundle: SigstoreBundle, options: VerifyOptions, now: Date): VerifiedTimestamp[] {
  const signature = signatureBytes(bundle);
  const tsa = (bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []).map((t, i) => {
    try {
      return verifyRfc3161Timestamp(t.signedTimestamp, signature, options.trustedRoot);
    } catch (cause) {
      if (cause instanceof VerificationError) throw fail(cause.code, `timestamp ${i}: ${cause.message}`, cause);
      throw cause;
    }
  });
  const timestamps = [...tsa, ...tlogTimestamps(bundle, options.trustedRoot, now)];
  const needed = threshold(options.timestampThreshold, 'timestampThreshold');
  const have = distinctAuthorities(timestamps);
  if (have < needed) throw fail('TIMESTAMP_MISSING', `expected ${needed} verified timestamp(s) from distinct authorities, found ${have}`);
  return timestamps.length > 0 ? timestamps : [{ source: 'current-time', time: now, authority: '' }];
}

/** Step 2: the signing key, and for certificates their chain at every signing time and SCTs. */
function signingKey(bundle: SigstoreBundle, options: VerifyOptions, times: readonly VerifiedTimestamp[]): { key: PublicKey; leaf: ParsedCertificate | undefined } {
  const leaf = bundleLeafCertificate(bundle);
  const policy = options.policy;
  if ('publicKey' in policy) {
    if (leaf !== undefined) throw fail('KEY_MISMATCH', 'a public key was given, but the bundle is signed with a certificate');
    return { key: policy.publicKey, leaf };
  }
  if (leaf === undefined) throw fail('KEY_MISMATCH', 'a certificate identity was given, but the bundle is signed with a key');
  let path: ParsedCertificate[] = [];
  for (const t of times) path = verifyCertificateAt(leaf, options.trustedRoot, t.time);
  // Rekor v1 records when it saw the entry; the certificate must have been valid then too.
  for (const entry of bundle.verificationMaterial.tlogEntries) {
    const t = integratedTime(entry);
    if (t !== undefined && (t < leaf.notBefore || t > leaf.notAfter)) {
      throw fail('CERTIFICATE_NOT_VALID_AT_SIGNING_TIME', `the signing certificate was not valid when the log integrated the entry (${t.toISOString()})`);
    }
  }
  const issuer = path[1];
  const needed = threshold(options.ctlogThreshold, 'ctlogThreshold');
  const scts = issuer === undefined ? 0 : verifyEmbeddedScts(leaf, issuer, options.trustedRoot);
  if (scts < needed) throw fail('SCT_MISSING', `expected ${needed} verified SCT(s) in the signing certificate, found ${scts}`);
  let key: PublicKey;
  try {
    key = leaf.publicKey();
  } catch (cause) {
    throw fail('CERTIFICATE_MALFORMED', 'the signing certificate key is not a supported key', cause);
  }
  return { key, leaf };
}

/**
 * Verifies a Sigstore bundle: signing times (RFC 3161 timestamps, Rekor signed entry
 * timestamps), the signing certificate at those times (chain to a trusted CA, SCTs) or the
 * given key, the transparency log entries (trusted log, body, inclusion proof and checkpoint),
 * the signature over the artifact or envelope, and finally the identity policy. Throws
 * VerificationError with a stable code on the first check that fails; never does I/O.
 */
export function verifyBundle(bundle: SigstoreBundle, options: VerifyOptions): VerificationResult {
  if (typeof options !== 'object' || options === null || options.trustedRoot === undefined || options.policy === undefined) {
    throw fail('INVALID_ARGUMENT', 'options need a trustedRoot and a policy');
  }
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw fail('INVALID_ARGUMENT', 'now must be a valid Date');
  const times = signingTimes(bundle, options, now);
  const { key, leaf } = signingKey(bundle, options, times);

  const tlogEntries = verifyTlogEntries(bundle, options.trustedRoot, {
    offline: options.offline ?? false,
    signingTimes: times.filter((t) => t.source === 'rfc3161').map((t) => t.time),
  });
  const needed = threshold(options.tlogThreshold, 'tlogThreshold');
  const logs = new Set(tlogEntries.map((e) => e.baseUrl)).size;
  if (logs < needed) throw fail('TLOG_ENTRY_MISSING', `expected ${needed} verified transparency log entr${needed === 1 ? 'y' : 'ies'} from distinct logs, found ${logs}`);

  let envelope: VerifiedEnvelope | undefined;
  if (bundle.content.$case === 'messageSignature') verifyMessageSignature(bundle.content.messageSignature, key, options.artifact);
  else envelope = verifyEnvelope(bundle.content.dsseEnvelope, key, options.artifact);

  let signer: SignerIdentity | undefined;
  if (leaf !== undefined && 'identity' in options.policy) {
    signer = signerIdentity(leaf);
    checkIdentity(signer, options.policy.identity);
  }
  return { signer, timestamps: times, tlogEntries, statement: envelope?.statement, payload: envelope?.payload };
}
