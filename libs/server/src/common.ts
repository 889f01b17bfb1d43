import type { ConfigOf } from './config.js';
import { duration, integer, oneOf, size, string } from './fields.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface CommonDefaults {
  /** The service's well-known port (Fulcio 5555, Rekor 3000, ...). */
  readonly port: number;
  readonly host?: string;
}

/**
 * The settings every server has. Spread them into an app's schema:
 * `{ ...commonFields({ port: 3000 }), DATABASE_URL: optional(secret()) }`.
 */
export function commonFields(defaults: CommonDefaults) {
  return {
    // Loopback by default: exposing a service is a deliberate act.
    HOST: string({ default: defaults.host ?? '127.0.0.1', description: 'address to listen on' }),
    PORT: integer({ min: 0, max: 65535, default: defaults.port, description: 'TCP port to listen on (0 picks a free one)' }),
    LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info', description: 'pino log level' }),
    BODY_LIMIT: size({ min: 1, default: '1MiB', description: 'largest request body accepted, unless a route says otherwise' }),
    SHUTDOWN_TIMEOUT: duration({ default: '10s', description: 'how long a graceful shutdown may take before the process exits anyway' }),
  };
}

export type CommonConfig = ConfigOf<ReturnType<typeof commonFields>>;
