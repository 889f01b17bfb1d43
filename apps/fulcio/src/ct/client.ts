import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { PublicKey } from '@sigstack/crypto';
import { decodeDigitallySigned, issuerKeyHash, precertTbs, splitCertificate, verifySct } from '@sigstack/x509';
import type { CtEntry, SignedCertificateTimestamp } from '@sigstack/x509';

/** Where precertificates go: one method, so tests and other log kinds can stand in. */
export interface CtLog {
  /** RFC 6962 4.1 add-pre-chain: the precertificate, then its issuers up to the root. */
  addPreChain(chain: readonly Uint8Array[]): Promise<SignedCertificateTimestamp>;
}

export class CtLogError extends Error {
  override readonly name = 'CtLogError';
}

export interface HttpCtLogOptions {
  readonly timeoutMs: number;
  /** If set, every SCT must verify with this key before it is embedded. */
  readonly publicKey?: PublicKey;
}

/**
 * An RFC 6962 log over HTTP (`POST <log>/ct/v1/add-pre-chain`): apps/ctlog, or any
 * other RFC 6962 log. Its answer is parsed strictly; with a log key configured the
 * SCT is verified against the final certificate's TBS, as a client will.
 */
export function httpCtLog(url: string, options: HttpCtLogOptions): CtLog {
  const endpoint = `${url.replace(/\/+$/, '')}/ct/v1/add-pre-chain`;
  // Kept-alive connections: one TCP handshake per connection, not per certificate.
  const secure = endpoint.startsWith('https:');
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: 256 }) : new HttpAgent({ keepAlive: true, maxSockets: 256 });
  return {
    async addPreChain(chain) {
      const body = JSON.stringify({ chain: chain.map((der) => Buffer.from(der).toString('base64')) });
      let status: number;
      let text: string;
      try {
        ({ status, text } = await post(endpoint, body, secure, agent, options.timeoutMs));
      } catch (cause) {
        throw new CtLogError(`the CT log at ${url} cannot be reached`, { cause });
      }
      if (status !== 200) throw new CtLogError(`the CT log answered HTTP ${status}: ${text.slice(0, 200)}`);
      const sct = parseSctResponse(text);
      if (options.publicKey) {
        const [precert, issuer] = chain;
        if (!precert || !issuer) throw new CtLogError('a precertificate chain needs the issuer');
        // The log signs the precertificate's TBS without the poison: the final TBS without its SCT list.
        if (!verifySct(sct, precertEntry(precert, issuer), options.publicKey)) throw new CtLogError('the SCT does not verify with the CT log key');
      }
      return sct;
    },
  };
}

function post(url: string, body: string, secure: boolean, agent: HttpAgent, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', agent, timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // An SCT answer is a few hundred bytes.
          if (size > 64 * 1024) request.destroy(new Error('the CT log answer is too large'));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('the CT log timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

function precertEntry(precert: Uint8Array, issuer: Uint8Array): CtEntry {
  return {
    type: 'precert_entry',
    issuerKeyHash: issuerKeyHash(splitCertificate(issuer)),
    tbsCertificate: precertTbs(splitCertificate(precert)),
  };
}

/** RFC 6962 4.1's answer: {sct_version, id, timestamp, extensions, signature}. */
export function parseSctResponse(text: string): SignedCertificateTimestamp {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new CtLogError('the CT log answer is not JSON', { cause });
  }
  if (typeof body !== 'object' || body === null) throw new CtLogError('the CT log answer is not an object');
  const { sct_version: version, id, timestamp, extensions, signature } = body as Record<string, unknown>;
  if (version !== 0) throw new CtLogError('the CT log answered an SCT version other than v1');
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) throw new CtLogError('the SCT timestamp is invalid');
  const logId = b64(id, 'id');
  if (logId.length !== 32) throw new CtLogError('the SCT log id is not 32 bytes');
  try {
    return { version: 0, logId, timestamp, extensions: b64(extensions ?? '', 'extensions'), signature: decodeDigitallySigned(b64(signature, 'signature')) };
  } catch (cause) {
    if (cause instanceof CtLogError) throw cause;
    throw new CtLogError('the SCT signature is malformed', { cause });
  }
}

function b64(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new CtLogError(`the SCT ${what} is not base64`);
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}
