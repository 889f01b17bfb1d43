import { createHash } from 'node:crypto';
import { toBase64, toBytes, toHex } from './encoding.js';
import { assertPublicKey } from './keys.js';
import type { PublicKey } from './keys.js';

/**
 * SHA-256 of the DER SPKI: the id Rekor and CT logs use for their signing keys
 * (trusted_root.json `logId.keyId`, RFC 6962 LogID) and cosign uses as a key hint.
 */
export function keyId(key: PublicKey): Uint8Array {
  assertPublicKey(key);
  // A PublicKey is frozen around an immutable KeyObject: its id never changes.
  let id = ids.get(key);
  if (id === undefined) {
    const spki = key.keyObject.export({ format: 'der', type: 'spki' });
    id = toBytes(createHash('sha256').update(spki).digest());
    ids.set(key, id);
  }
  return Uint8Array.from(id);
}

const ids = new WeakMap<PublicKey, Uint8Array>();

/** {@link keyId} as lowercase hex (Rekor v1's `logID`). */
export function keyIdHex(key: PublicKey): string {
  return toHex(keyId(key));
}

/** {@link keyId} as standard base64 (trusted_root.json `keyId`). */
export function keyIdBase64(key: PublicKey): string {
  return toBase64(keyId(key));
}
