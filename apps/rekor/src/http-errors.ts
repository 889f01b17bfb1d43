import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '@sigstack/server';
import { LogStoreError } from '@sigstack/tlog-store';
import { rekorErrors } from './errors.js';

/** The log store's refusals, as this service's codes; anything else stays as it is. */
export function fromStoreError(err: unknown): unknown {
  if (!(err instanceof LogStoreError)) return err;
  if (err.code === 'OVERLOADED') return rekorErrors.create('OVERLOADED', err.message, { cause: err, headers: { 'retry-after': '1' } });
  if (err.code === 'CLOSED') return rekorErrors.create('LOG_CLOSED', err.message, { cause: err });
  if (err.code === 'OUT_OF_RANGE') return rekorErrors.create('INVALID_QUERY', err.message, { cause: err });
  return err;
}

interface Reply {
  status: number;
  code: string;
  message: string;
  headers: Readonly<Record<string, string>>;
}

function classify(raw: unknown): Reply {
  const err = fromStoreError(raw);
  if (err instanceof ServiceError) return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  const fe = err as Partial<FastifyError> | null;
  if (fe && typeof fe === 'object') {
    if (Array.isArray(fe.validation)) return { status: 400, code: 'INVALID_REQUEST', message: String(fe.message), headers: {} };
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'BODY_TOO_LARGE', message: String(fe.message), headers: {} };
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: String(fe.message), headers: {} };
    if (typeof fe.code === 'string' && fe.code.startsWith('FST_') && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return { status: fe.statusCode, code: fe.statusCode === 400 ? 'MALFORMED_BODY' : 'INVALID_REQUEST', message: String(fe.message), headers: {} };
    }
  }
  return { status: 500, code: 'INTERNAL', message: 'internal server error', headers: {} };
}

/**
 * Rekor v1 answers errors as its OpenAPI `Error` model, `{"code": <HTTP status>, "message"}`:
 * Go clients (cosign) decode that shape, e.g. to follow a 409. The stable string code of
 * this service goes in the `x-error-code` header.
 */
export function rekorV1ErrorHandler(raw: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const out = classify(raw);
  if (out.status >= 500 && out.code === 'INTERNAL') request.log.error({ err: raw }, 'request failed');
  else request.log.info({ code: out.code, detail: out.message }, 'request rejected');
  void reply
    .code(out.status)
    .headers(out.headers)
    .header('x-error-code', out.code)
    .type('application/json')
    .send({ code: out.status, message: out.message });
}

/** Rekor v2 (grpc-gateway) style: `{"code": <gRPC code>, "message", "details": []}`. */
const GRPC_CODES: Readonly<Record<number, number>> = { 400: 3, 404: 5, 409: 6, 413: 3, 415: 3, 422: 3, 500: 2, 503: 14 };

export function rekorV2ErrorHandler(raw: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const out = classify(raw);
  if (out.status >= 500 && out.code === 'INTERNAL') request.log.error({ err: raw }, 'request failed');
  else request.log.info({ code: out.code, detail: out.message }, 'request rejected');
  void reply
    .code(out.status)
    .headers(out.headers)
    .header('x-error-code', out.code)
    .type('application/json')
    .send({ code: GRPC_CODES[out.status] ?? 2, message: out.message, details: [] });
}
