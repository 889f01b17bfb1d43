import type { FastifyInstance } from 'fastify';

/** Where termination signals come from: `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ShutdownOptions {
  /** After this many ms the process exits with 1 even if requests are still running. */
  readonly timeoutMs: number;
  readonly signals?: SignalSource;
  readonly exit?: (code: number) => void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * On SIGTERM or SIGINT: stop accepting, let in-flight requests finish, run the onClose
 * hooks (flush the log store, close pools), then exit 0. A second signal, or the
 * timeout, exits 1 at once: an operator pressing Ctrl-C twice means it.
 * Returns a function that removes the handlers.
 */
export function installShutdown(app: FastifyInstance, options: ShutdownOptions): () => void {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;

  const onSignal = (signal: NodeJS.Signals) => () => {
    if (shuttingDown) {
      app.log.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    shuttingDown = true;
    app.log.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    // Deliberately not unref'd: if close() hangs with nothing else alive, this is
    // what ends the process.
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out: exiting anyway');
      exit(1);
    }, options.timeoutMs);
    app.close().then(
      () => {
        clearTimeout(timer);
        app.log.info('shut down');
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        app.log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };

  const listeners = SIGNALS.map((signal) => [signal, onSignal(signal)] as const);
  for (const [signal, listener] of listeners) signals.on(signal, listener);
  return () => {
    for (const [signal, listener] of listeners) signals.off(signal, listener);
  };
}
