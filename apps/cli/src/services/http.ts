// One JSON/bytes request helper for the service clients: failures become SERVICE errors that
// name the service, the URL and what it answered.
import { CliError } from '../errors.js';
import type { FetchLike } from '../io.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export async function request(fetch: FetchLike, service: string, url: string, init: RequestInit, accept: readonly number[] = [200, 201]): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(30_000) });
  } catch (cause) {
    const reason = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
    throw new CliError('SERVICE', `${service} ${url}: cannot connect (${reason})`, { cause });
  }
  const body = Buffer.from(await res.arrayBuffer());
  if (!accept.includes(res.status)) {
    const text = body.toString('utf8').slice(0, 300).replace(/\s+/g, ' ').trim();
    let detail = text;
    try {
      const json = JSON.parse(text) as { message?: unknown; error_description?: unknown };
      if (typeof json.message === 'string') detail = json.message;
      else if (typeof json.error_description === 'string') detail = json.error_description;
    } catch {
      // not JSON: keep the text
    }
    throw new CliError('SERVICE', `${service} ${url}: HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
  }
  return { status: res.status, headers: res.headers, body };
}

export function json<T>(service: string, url: string, answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.body.toString('utf8')) as T;
  } catch (cause) {
    throw new CliError('SERVICE', `${service} ${url}: the answer is not JSON`, { cause });
  }
}

export const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;
