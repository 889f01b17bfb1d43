// RFC 3161 timestamp client: the Sigstore timestamp-authority JSON request over the SHA-256
// of the signature, answered with a DER TimeStampResp (what a bundle stores).
import { randomBytes } from 'node:crypto';
import { digest } from '@sigstack/crypto';
import { parseRfc3161Timestamp } from '@sigstack/verify';
import { CliError } from '../errors.js';
import type { FetchLike } from '../io.js';
import { request } from './http.js';

/** `url` is the full timestamp endpoint, e.g. https://tsa.example/api/v1/timestamp. */
export async function timestamp(fetch: FetchLike, url: string, signature: Uint8Array): Promise<Uint8Array> {
  const body = {
    artifactHash: Buffer.from(digest('sha256', signature)).toString('base64'),
    hashAlgorithm: 'sha256',
    certificates: true,
    nonce: randomBytes(6).readUIntBE(0, 6),
  };
  const answer = await request(fetch, 'TSA', url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/timestamp-reply' },
    body: JSON.stringify(body),
  });
  try {
    parseRfc3161Timestamp(answer.body);
  } catch (cause) {
    throw new CliError('SERVICE', `TSA ${url}: the answer is not an RFC 3161 timestamp (${(cause as Error).message})`, { cause });
  }
  return answer.body;
}
