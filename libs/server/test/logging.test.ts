import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../src/logging.js';
import { build } from '../src/server.js';
import { captureLogs, testConfig } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('logging', () => {
  it('tags lines with the service name and request id, and echoes a well-formed X-Request-Id', async () => {
    const logs = captureLogs();
    app = await build({ name: 'rekor', config: testConfig({ LOG_LEVEL: 'info' }), logDestination: logs.stream });
    const res = await app.inject({ url: '/nowhere', headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers['x-request-id']).toBe('trace-123');
    const lines = logs.lines().filter((l) => l.reqId === 'trace-123');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.name === 'rekor')).toBe(true);
    const odd = await app.inject({ url: '/nowhere', headers: { 'x-request-id': 'bad id\n{"level":60}' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('redacts authorization, cookies, tokens and configured paths', () => {
    const logs = captureLogs();
    const log = createLogger({ service: 'fulcio', destination: logs.stream, redact: ['signer.pin'] });
    log.info(
      {
        req: { method: 'GET', url: '/x?access_token=abc123&page=2', headers: { authorization: 'Bearer abc123', cookie: 'sid=abc123' } },
        body: { token: 'abc123', idToken: 'abc123', client_secret: 'abc123' },
        signer: { pin: 'abc123' },
      },
      'hello',
    );
    const text = logs.text();
    expect(text).not.toContain('abc123');
    expect(text).toContain('page=2');
    expect(logs.lines()[0]?.name).toBe('fulcio');
  });

  it('logs secret config values as [redacted]', async () => {
    const { parseConfig } = await import('../src/config.js');
    const { secret } = await import('../src/fields.js');
    const { commonFields } = await import('../src/common.js');
    const config = parseConfig({ ...commonFields({ port: 0 }), API_KEY: secret() }, { env: { API_KEY: 'abc123' } });
    const logs = captureLogs();
    createLogger({ service: 'tsa', destination: logs.stream }).info({ config }, 'config');
    expect(logs.text()).toContain('"API_KEY":"[redacted]"');
    expect(logs.text()).not.toContain('abc123');
  });

  it('does not log request headers', async () => {
    const logs = captureLogs();
    app = await build({ name: 'rekor', config: testConfig({ LOG_LEVEL: 'trace' }), logDestination: logs.stream });
    await app.inject({ url: '/nowhere', headers: { authorization: 'Bearer abc123' } });
    expect(logs.text()).not.toContain('abc123');
    expect(logs.text()).toContain('incoming request');
  });
});

describe('probe logging', () => {
  it('logs probes and scrapes at warn at most, and not at all when silent', async () => {
    for (const [level, expected] of [['info', false], ['silent', false], ['debug', false]] as const) {
      const logs = captureLogs();
      const probe = await build({ name: 'rekor', config: testConfig({ LOG_LEVEL: level }), logDestination: logs.stream });
      await probe.inject('/healthz');
      await probe.inject('/metrics');
      expect(logs.text().includes('incoming request'), level).toBe(expected);
      await probe.close();
    }
  });
});
