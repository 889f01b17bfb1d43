import { CryptoError } from './errors.js';
import type { CryptoErrorCode } from './errors.js';

// Internal byte/text helpers. Buffer's own base64 decoder silently skips bad
// characters, so every decode here is checked by re-encoding.

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Standard base64 with padding, canonical only (what Go's encoding/json writes for []byte). */
export function decodeBase64Strict(text: string, code: CryptoErrorCode, what: string): Uint8Array {
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new CryptoError(code, `${what} is not valid base64`);
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) {
    throw new CryptoError(code, `${what} is not canonical base64`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Unpadded base64url as JWK uses it, canonical only. */
export function decodeBase64UrlStrict(text: string, code: CryptoErrorCode, what: string): Uint8Array {
  if (!BASE64URL.test(text) || text.length % 4 === 1) {
    throw new CryptoError(code, `${what} is not valid base64url`);
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) {
    throw new CryptoError(code, `${what} is not canonical base64url`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A plain Uint8Array copy, so callers never receive a Buffer with a shared pool behind it. */
export function toBytes(view: Uint8Array): Uint8Array {
  return Uint8Array.from(view);
}

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
