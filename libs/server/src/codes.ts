import type { ErrorCodes, ErrorCodeTable } from './errors.js';
import { makeErrorCodes } from './errors.js';

/**
 * Every code the server library itself answers with, and its status. README.md has the
 * same table (a test checks it). Codes are stable API: retire a code, never reuse it.
 */
export const serverErrors = makeErrorCodes({
  INVALID_REQUEST: {
    status: 400,
    description: 'The request failed its schema (the message names the field) or its URL is malformed.',
  },
  MALFORMED_BODY: {
    status: 400,
    description: 'The body could not be parsed: invalid or empty JSON, or a Content-Length that does not match.',
  },
  NOT_FOUND: { status: 404, description: 'No route matches the method and path.' },
  REQUEST_TIMEOUT: { status: 408, description: 'The client took too long to send the request.' },
  BODY_TOO_LARGE: { status: 413, description: 'The body is larger than BODY_LIMIT or the route\'s own limit.' },
  URI_TOO_LONG: { status: 414, description: 'A path parameter is longer than the router accepts.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The route does not accept this Content-Type.' },
  HEADERS_TOO_LARGE: { status: 431, description: 'The request headers are larger than the server accepts.' },
  INTERNAL: { status: 500, description: 'An unexpected error; details are in the server log under the request id.' },
  NOT_READY: { status: 503, description: 'A readiness check failed (GET /readyz); the message names the failing checks.' },
  SHUTTING_DOWN: { status: 503, description: 'The server is draining for shutdown; retry on another instance.' },
}, {});

export type ServerErrorCode = keyof typeof serverErrors.table;

/**
 * Declare an app's error codes in one place, e.g.
 * `defineErrorCodes({ ENTRY_NOT_FOUND: { status: 404, description: '...' } })`.
 * The library's own codes are reserved, so an app cannot give NOT_FOUND another meaning.
 */
export function defineErrorCodes<const T extends ErrorCodeTable>(table: T): ErrorCodes<Extract<keyof T, string>> {
  return makeErrorCodes(table, serverErrors.table);
}
