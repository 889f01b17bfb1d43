import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface FetchJsonOptions {
  readonly timeoutMs: number;
  /** Extra trust anchors for this IdP's TLS (Fulcio's CACert), in PEM. */
  readonly ca?: string;
  readonly maxBytes?: number;
}

/**
 * GET a JSON document from an identity provider. Redirects are not followed (an IdP
 * must serve discovery and keys where it says), bodies are capped, and a custom CA
 * (an internal IdP) is trusted in addition to the system roots, never instead of TLS.
 */
export function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') return Promise.reject(new Error(`unsupported URL scheme ${target.protocol}`));
  const maxBytes = options.maxBytes ?? 1 << 20;
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: 'GET',
        headers: { accept: 'application/json' },
        timeout: options.timeoutMs,
        ...(secure && options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`${url} answered HTTP ${response.statusCode ?? '?'}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy(new Error(`${url} sent more than ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new Error(`${url} did not return JSON`));
          }
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${url} timed out`)));
    request.on('error', reject);
    request.end();
  });
}
