import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pino } from 'pino';
import type { DestinationStream, Logger, LevelWithSilent } from 'pino';
import { REDACTED } from './secret.js';

/**
 * Paths pino replaces with "[redacted]". Headers carrying credentials, and the usual
 * names of tokens and passwords one level deep in any logged object.
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["proxy-authorization"]',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.idToken',
  '*.id_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.privateKey',
];

export interface LoggerOptions {
  /** The service name, on every line as `name`. */
  readonly service: string;
  readonly level?: LevelWithSilent;
  /** More pino redaction paths, e.g. an app's own secret fields. */
  readonly redact?: readonly string[];
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  readonly destination?: DestinationStream;
}

// Query values can carry credentials (?access_token=...): keep the keys, hide those values.
const SENSITIVE_QUERY_KEY = /token|secret|password|passwd|key|sig|auth|code/i;

function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (SENSITIVE_QUERY_KEY.test(key)) {
      params.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly host?: string | undefined;
  readonly ip?: string | undefined;
  readonly raw?: IncomingMessage;
}

// Fastify only adds its serializers to loggers it builds itself, so a logger handed to
// it needs its own. Deliberately no headers: they are where credentials live.
const serializers = {
  req(req: LoggedRequest) {
    return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip };
  },
  res(res: { statusCode?: number }) {
    return { statusCode: res.statusCode };
  },
  err: pino.stdSerializers.err,
};

/** The pino logger a server logs with: JSON lines, service name, redaction. */
export function createLogger(options: LoggerOptions): Logger {
  const config = {
    name: options.service,
    level: options.level ?? 'info',
    redact: { paths: [...DEFAULT_REDACT_PATHS, ...(options.redact ?? [])], censor: REDACTED },
    serializers,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

// Attacker-controlled: only a short, plain token is trusted as a request id.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Keep a caller's X-Request-Id when it is well-formed (for tracing across services), else a UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
