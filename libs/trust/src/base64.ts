import { TrustError } from './error.js';

// protobuf JSON writes bytes as standard base64 with padding and accepts the URL-safe
// alphabet and missing padding too. Anything else (stray characters, misplaced padding,
// a length no encoding produces) is rejected rather than silently skipped, as Buffer would.
const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

export function decodeBase64(text: string, path: string): Buffer {
  const body = text.replace(/={1,2}$/, '');
  const padded = body.length !== text.length;
  const valid =
    (STANDARD.test(body) || URL_SAFE.test(body)) &&
    body.length % 4 !== 1 &&
    (!padded || text.length % 4 === 0);
  if (!valid) {
    throw new TrustError('INVALID_FIELD', 'invalid base64', { field: path });
  }
  return Buffer.from(body, STANDARD.test(body) ? 'base64' : 'base64url');
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
