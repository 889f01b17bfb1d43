import { fastify } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CommonConfig } from './common.js';
import { serverErrors } from './codes.js';
import { clientErrorHandler, handleError, handleNotFound } from './error-reply.js';
import { Readiness } from './health.js';
import type { ReadinessCheck } from './health.js';
import { registerHealth } from './health.js';
import { createLogger, requestId } from './logging.js';
import { createRegistry, registerMetrics } from './metrics.js';
import { requireSchemas } from './route-schemas.js';

const QUIETER_THAN_WARN: ReadonlySet<string> = new Set(['fatal', 'error', 'silent']);

/** What an app's routes get besides the fastify instance. */
export interface ServerContext<C extends CommonConfig> {
  readonly config: C;
  readonly log: Logger;
  /** This server's metrics registry: register app metrics with `registers: [registry]`. */
  readonly registry: Registry;
  readonly readiness: Readiness;
}

/** Registers an app's routes, hooks and onClose handlers (close DB pools, flush stores). */
export type RoutesPlugin<C extends CommonConfig> = (app: FastifyInstance, context: ServerContext<C>) => void | Promise<void>;

export interface ServerOptions<C extends CommonConfig> {
  /** Service name, on every log line. */
  readonly name: string;
  readonly config: C;
  readonly routes?: RoutesPlugin<C>;
  /** Readiness checks by name; more can be added from `routes` via `context.readiness`. */
  readonly readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** How long one readiness check may take. Default 5s. */
  readonly readinessTimeout?: number;
  /** More pino paths to redact (the defaults cover auth headers, cookies and tokens). */
  readonly redact?: readonly string[];
  /** Log destination (default stdout); tests pass a stream to read the lines. */
  readonly logDestination?: DestinationStream;
}

/**
 * Build a ready (not listening) server: logging, request ids, the error shape, schema
 * rules, metrics, health, then the app's routes. Use `app.inject()` in tests.
 * A route that breaks the schema rules makes this reject: failing at start-up.
 */
export async function build<C extends CommonConfig>(options: ServerOptions<C>): Promise<FastifyInstance> {
  const { config } = options;
  const log = createLogger({
    service: options.name,
    level: config.LOG_LEVEL,
    ...(options.redact ? { redact: options.redact } : {}),
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const app = fastify({
    loggerInstance: log,
    genReqId: requestId,
    requestIdHeader: false,
    bodyLimit: config.BODY_LIMIT,
    // Draining is answered by our own hook below, so the 503 has the one error shape too.
    return503OnClosing: false,
    frameworkErrors: handleError,
    clientErrorHandler: clientErrorHandler(log),
    // Fastify's default, stated because NO_QUERY in route-schemas relies on it.
    ajv: { customOptions: { removeAdditional: true } },
  }) as unknown as FastifyInstance;

  const registry = createRegistry();
  const readiness = new Readiness(options.readinessTimeout);
  for (const [name, check] of Object.entries(options.readiness ?? {})) readiness.add(name, check);

  app.addHook('onRoute', requireSchemas);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (readiness.draining && request.routeOptions.url !== '/healthz') {
      void reply.header('connection', 'close');
      throw serverErrors.create('SHUTTING_DOWN', 'server is shutting down');
    }
  });
  // Responses sent while draining close their connection: otherwise a keep-alive
  // client would hold server.close() open until the keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (readiness.draining) void reply.header('connection', 'close');
  });
  // preClose runs as close() starts: refuse new work while in-flight requests finish.
  app.addHook('preClose', async () => readiness.drain());

  // Probes and scrapes come every few seconds: log them at warn at most, never below the configured level.
  const probeLevel = QUIETER_THAN_WARN.has(config.LOG_LEVEL) ? config.LOG_LEVEL : 'warn';
  registerMetrics(app, registry, probeLevel);
  registerHealth(app, readiness, probeLevel);
  const routes = options.routes;
  if (routes) {
    await app.register(async (child) => {
      await routes(child, { config, log, registry, readiness });
    });
  }
  await app.ready();
  return app;
}
