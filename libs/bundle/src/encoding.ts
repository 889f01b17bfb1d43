import { BundleError } from './error.js';

// Protobuf JSON writers (protobuf-specs toJSON, Go protojson) emit standard
// base64 with padding. Readers in those libraries also take the URL-safe and
// unpadded forms, but a bundle that only round-trips through one of the
// spellings is a parser differential waiting to happen, so we take exactly one.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

/** Decodes canonical standard base64 (RFC 4648 §4, padded, zero trailing bits). */
export function decodeBase64(value: string, field: string): Buffer {
  if (typeof value !== 'string') throw new BundleError('INVALID_FIELD', field, 'not standard padded base64');
  const bytes = Buffer.from(value, 'base64');
  // Buffer's decoder skips stray characters and takes URL-safe and unpadded forms; its
  // encoder writes only canonical standard padded base64. So a string that decodes and
  // re-encodes to itself is exactly canonical standard base64, and decode/encode is a
  // bijection (non-zero padding bits, which decode like another string, fail too). The
  // regular expression (slow on long values) only names the failure.
  if (bytes.toString('base64') !== value) {
    const reason = BASE64.test(value) ? 'non-canonical base64' : 'not standard padded base64';
    throw new BundleError('INVALID_FIELD', field, reason);
  }
  return bytes;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes lower-case hex, the spelling Rekor v1 uses for digests. */
export function decodeHex(value: string, field: string): Buffer {
  if (!HEX.test(value)) {
    throw new BundleError('INVALID_FIELD', field, 'not lower-case hex');
  }
  return Buffer.from(value, 'hex');
}

export function encodeHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
