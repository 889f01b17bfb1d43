import type { TlogEntry } from '@sigstack/bundle';
import { verify } from '@sigstack/crypto';
import { trustedKey } from './trust-cache.js';
import { toBase64, toHex } from './bytes.js';

/**
 * The bytes a Rekor v1 signed entry timestamp covers: the canonical JSON (RFC 8785) of
 * {body, integratedTime, logID, logIndex}, keys sorted, integers in decimal. Written out
 * directly: every value is a base64 or hex string or a non-negative integer, so canonical
 * form needs no general canonicaliser, and int64 values keep all their digits.
 */
export function setPayload(entry: TlogEntry): Uint8Array {
  const body = JSON.stringify(toBase64(entry.canonicalizedBody));
  const time = BigInt(entry.integratedTime).toString();
  const index = BigInt(entry.logIndex).toString();
  return new TextEncoder().encode(`{"body":${body},"integratedTime":${time},"logID":"${toHex(entry.logId.keyId)}","logIndex":${index}}`);
}

/** Whether the entry's inclusion promise is the log's valid signature; false for anything unusable. */
export function verifySet(entry: TlogEntry, logKeyDer: Uint8Array): boolean {
  const promise = entry.inclusionPromise;
  if (promise === undefined) return false;
  try {
    return verify(trustedKey(logKeyDer), setPayload(entry), promise.signedEntryTimestamp);
  } catch {
    return false;
  }
}
