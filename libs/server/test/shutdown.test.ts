import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { start } from '../src/start.js';
import { testConfig } from './helpers.js';

function fakeProcess() {
  const signals = new EventEmitter();
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  return { signals, exit: (code: number) => resolveExit(code), exited };
}

let apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});

describe('graceful shutdown (in process, with a fake signal source)', () => {
  it('finishes in-flight requests, runs close hooks, then exits 0', async () => {
    const fake = fakeProcess();
    const events: string[] = [];
    let release: () => void = () => undefined;
    const { app, url } = await start({
      name: 'test',
      config: testConfig({ SHUTDOWN_TIMEOUT: '5s' }),
      signals: fake.signals,
      exit: fake.exit,
      routes(r) {
        r.get('/slow', async () => {
          events.push('slow started');
          await new Promise<void>((resolve) => (release = resolve));
          events.push('slow finished');
          return { done: true };
        });
        r.addHook('onClose', async () => {
          events.push('store flushed');
        });
      },
    });
    apps.push(app);
    const inFlight = fetch(`${url}/slow`).then(async (res) => ({ status: res.status, body: await res.json() }));
    await vi.waitFor(() => expect(events).toContain('slow started'));
    fake.signals.emit('SIGTERM');
    // A new connection is refused once the listener is closed.
    await vi.waitFor(() => expect(app.server.listening).toBe(false));
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(events).not.toContain('store flushed');
    release();
    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    expect(await fake.exited).toBe(0);
    expect(events).toEqual(['slow started', 'slow finished', 'store flushed']);
  });

  it('answers SHUTTING_DOWN once draining, except on /healthz', async () => {
    let drain: () => void = () => undefined;
    const { app } = await start({
      name: 'test',
      config: testConfig(),
      signals: false,
      routes(_r, { readiness }) {
        drain = () => readiness.drain();
      },
    });
    apps.push(app);
    drain();
    const refused = await app.inject('/metrics');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers.connection).toBe('close');
    expect(refused.json()).toEqual({ code: 'SHUTTING_DOWN', message: 'server is shutting down' });
    expect((await app.inject('/readyz')).json().code).toBe('SHUTTING_DOWN');
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('exits 1 when shutdown outlasts SHUTDOWN_TIMEOUT', async () => {
    const fake = fakeProcess();
    let hanging = false;
    const { app, url } = await start({
      name: 'test',
      config: testConfig({ SHUTDOWN_TIMEOUT: '100ms' }),
      signals: fake.signals,
      exit: fake.exit,
      routes(r) {
        r.get('/hang', () => {
          hanging = true;
          return new Promise(() => undefined);
        });
      },
    });
    apps.push(app);
    const controller = new AbortController();
    fetch(`${url}/hang`, { signal: controller.signal }).catch(() => undefined);
    await vi.waitFor(() => expect(hanging).toBe(true));
    fake.signals.emit('SIGINT');
    const started = Date.now();
    expect(await fake.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
    controller.abort();
  });

  it('exits 1 at once on a second signal', async () => {
    const fake = fakeProcess();
    let finishClose: () => void = () => undefined;
    const closing = new Promise<void>((resolve) => (finishClose = resolve));
    const { app } = await start({
      name: 'test',
      config: testConfig({ SHUTDOWN_TIMEOUT: '1m' }),
      signals: fake.signals,
      exit: fake.exit,
      routes(r) {
        r.addHook('onClose', () => closing);
      },
    });
    apps.push(app);
    fake.signals.emit('SIGTERM');
    fake.signals.emit('SIGINT');
    expect(await fake.exited).toBe(1);
    finishClose();
  });

  it('installs no handlers when signals is false', async () => {
    const before = process.listenerCount('SIGTERM');
    const { app, url } = await start({ name: 'test', config: testConfig(), signals: false });
    apps.push(app);
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
