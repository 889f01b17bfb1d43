import type { FastifyInstance } from 'fastify';
import type { CommonConfig } from './common.js';
import { build } from './server.js';
import type { ServerOptions } from './server.js';
import { installShutdown } from './shutdown.js';
import type { SignalSource } from './shutdown.js';

export interface StartOptions<C extends CommonConfig> extends ServerOptions<C> {
  /** Signal source for graceful shutdown (default `process`); `false` to handle shutdown yourself. */
  readonly signals?: SignalSource | false;
  /** Called with the exit code when shutdown ends (default `process.exit`). */
  readonly exit?: (code: number) => void;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  /** The base URL it listens on, e.g. http://127.0.0.1:3000. */
  readonly url: string;
}

/** Build the server, listen on HOST:PORT, log the URL and install signal handlers. */
export async function start<C extends CommonConfig>(options: StartOptions<C>): Promise<RunningServer> {
  const app = await build(options);
  const { config } = options;
  const url = await app.listen({ host: config.HOST, port: config.PORT });
  // Secret values serialize as "[redacted]", so the config is safe to log as is.
  app.log.info({ url, config }, `${options.name} listening on ${url}`);
  if (options.signals !== false) {
    installShutdown(app, {
      timeoutMs: config.SHUTDOWN_TIMEOUT,
      ...(options.signals ? { signals: options.signals } : {}),
      ...(options.exit ? { exit: options.exit } : {}),
    });
  }
  return { app, url };
}
