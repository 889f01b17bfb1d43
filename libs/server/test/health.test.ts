import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build } from '../src/server.js';
import { captureLogs, testConfig } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('health endpoints', () => {
  it('answers /healthz 200 and /readyz 200 when every check passes', async () => {
    app = await build({ name: 'test', config: testConfig(), readiness: { db: async () => undefined, keys: () => true } });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('answers /readyz 503 NOT_READY naming the failing checks, keeping their errors in the log', async () => {
    const logs = captureLogs();
    app = await build({
      name: 'test',
      config: testConfig({ LOG_LEVEL: 'info' }),
      logDestination: logs.stream,
      readinessTimeout: 50,
      readiness: {
        db: async () => {
          throw new Error('password authentication failed for user "sigstack"');
        },
        keys: () => false,
        ok: () => undefined,
      },
      routes(_r, { readiness }) {
        readiness.add('upstream', () => new Promise(() => undefined));
      },
    });
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ code: 'NOT_READY', message: 'not ready: db, keys, upstream' });
    expect(res.body).not.toContain('password');
    expect(logs.text()).toContain('password authentication failed');
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('refuses a check registered twice', async () => {
    app = await build({ name: 'test', config: testConfig(), readiness: { db: () => true } });
    await expect(
      build({
        name: 'test',
        config: testConfig(),
        readiness: { db: () => true },
        routes(_r, { readiness }) {
          readiness.add('db', () => true);
        },
      }),
    ).rejects.toThrow(/already registered/);
  });
});
