import type { LevelWithSilent } from 'pino';
import type { FastifyInstance } from 'fastify';
import { serverErrors } from './codes.js';

/** A readiness check: resolves when the dependency is usable; throws or returns false when not. */
export type ReadinessCheck = () => unknown;

/** The named readiness checks of one server. Apps add theirs (database, keys, upstreams). */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #timeoutMs: number;
  #draining = false;

  constructor(timeoutMs = 5_000) {
    this.#timeoutMs = timeoutMs;
  }

  add(name: string, check: ReadinessCheck): void {
    if (this.#checks.has(name)) throw new TypeError(`readiness check ${name} is already registered`);
    this.#checks.set(name, check);
  }

  /** From now on the server reports not ready, so load balancers stop sending traffic. */
  drain(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Run every check concurrently; a check that hangs past the timeout counts as failing. */
  async failing(onError?: (name: string, err: unknown) => void): Promise<string[]> {
    const names = [...this.#checks.keys()];
    const results = await Promise.all(
      [...this.#checks.values()].map(async (check, i) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${this.#timeoutMs}ms`)), this.#timeoutMs);
        });
        try {
          const result = await Promise.race([Promise.resolve().then(check), timeout]);
          return result !== false;
        } catch (err) {
          onError?.(names[i] ?? '', err);
          return false;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return names.filter((_, i) => !results[i]);
  }
}

/** GET /healthz (alive while serving) and GET /readyz (every readiness check passes). */
export function registerHealth(app: FastifyInstance, readiness: Readiness, logLevel: LevelWithSilent): void {
  app.get('/healthz', { logLevel }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel }, async (request) => {
    if (readiness.draining) throw serverErrors.create('SHUTTING_DOWN', 'shutting down');
    // The check's error stays in the log: it may name hosts or carry credentials.
    const failing = await readiness.failing((name, err) => request.log.warn({ err, check: name }, 'readiness check failed'));
    if (failing.length > 0) throw serverErrors.create('NOT_READY', `not ready: ${failing.join(', ')}`);
    return { status: 'ready' };
  });
}
