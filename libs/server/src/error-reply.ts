import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { serverErrors } from './codes.js';
import type { ServerErrorCode } from './codes.js';
import { ServiceError } from './errors.js';

/** The JSON every error response carries, and nothing else. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

/** For apps documenting their routes: the schema of every error response. */
export const errorResponseSchema = {
  type: 'object',
  required: ['code', 'message'],
  additionalProperties: false,
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;

interface ErrorReply extends ErrorBody {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
}

function ours(code: ServerErrorCode, message: string): ErrorReply {
  return { status: serverErrors.table[code].status, code, message, headers: {} };
}

// Fastify's own client errors by code. Their messages are fixed strings written for
// clients (at most quoting the URL the client sent), so they are safe to pass on.
const FASTIFY_CODES: Readonly<Record<string, ServerErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
  FST_ERR_BAD_URL: 'INVALID_REQUEST',
  FST_ERR_INVALID_URL: 'INVALID_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
};

const INTERNAL_MESSAGE = 'internal server error';

/**
 * Map anything thrown while serving a request to the response. Only ServiceErrors and
 * fastify's known client errors speak for themselves; everything else is 500 INTERNAL
 * with a fixed message, since an arbitrary error's message or stack can hold secrets.
 */
export function toErrorReply(err: unknown): ErrorReply {
  if (err instanceof ServiceError) {
    return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  }
  const fe = err as Partial<FastifyError> | null;
  if (fe && typeof fe === 'object') {
    if (Array.isArray(fe.validation)) return ours('INVALID_REQUEST', String(fe.message));
    const mapped = typeof fe.code === 'string' ? FASTIFY_CODES[fe.code] : undefined;
    if (mapped) return ours(mapped, String(fe.message));
    // Any other fastify error that fastify itself calls a client error.
    if (typeof fe.code === 'string' && fe.code.startsWith('FST_') && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return ours('INVALID_REQUEST', 'invalid request');
    }
  }
  return ours('INTERNAL', INTERNAL_MESSAGE);
}

/** Fastify error handler (and frameworkErrors handler): log, then answer `{code, message}`. */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const out = toErrorReply(err);
  if (out.status >= 500 && !(err instanceof ServiceError)) {
    // The stack goes to the log, keyed by the request id the client can quote.
    request.log.error({ err }, 'request failed');
  } else if (out.status >= 500) {
    // A deliberate 5xx (overload, draining): a warning; its stack says nothing, its cause might.
    const cause = err instanceof ServiceError && err.cause !== undefined ? { err: err.cause } : {};
    request.log.warn({ code: out.code, detail: out.message, ...cause }, 'request refused');
  } else {
    request.log.info({ code: out.code, detail: out.message }, 'request rejected');
  }
  const body: ErrorBody = { code: out.code, message: out.message };
  void reply.code(out.status).headers(out.headers).type('application/json; charset=utf-8').send(body);
}

/** Not-found handler: the path without its query (which may hold credentials). */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?', 1)[0] ?? '';
  const shown = path.length > 200 ? `${path.slice(0, 200)}...` : path;
  void reply.code(404).type('application/json; charset=utf-8').send({ code: 'NOT_FOUND', message: `no route for ${request.method} ${shown}` });
}

function rawResponse(status: number, body: ErrorBody): string {
  const json = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`;
}

/**
 * Errors Node's HTTP parser raises before fastify sees a request (garbage on the socket,
 * oversized headers, slow clients) still get the one error shape.
 */
export function clientErrorHandler(log: Logger): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const out =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ours('REQUEST_TIMEOUT', 'request timed out')
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? ours('HEADERS_TOO_LARGE', 'request headers too large')
          : ours('INVALID_REQUEST', 'malformed HTTP request');
    log.debug({ code: err.code }, 'client error');
    if (socket.writable) socket.write(rawResponse(out.status, { code: out.code, message: out.message }));
    socket.destroy();
  };
}
