import { parseConfig } from '@sigstack/server';
import { describe, expect, it } from 'vitest';
import { issuerOf, oidcConfigSchema } from '../src/config.js';
import { json, testServer } from './helpers.js';

describe('configuration', () => {
  it('defaults to port 5556 and an issuer at the listening address', () => {
    const config = parseConfig(oidcConfigSchema, { env: {} });
    expect(config.PORT).toBe(5556);
    expect(issuerOf(config)).toBe('http://127.0.0.1:5556');
    expect(issuerOf({ ...config, HOST: '0.0.0.0' })).toBe('http://localhost:5556');
    expect(issuerOf({ ...config, HOST: '::1' })).toBe('http://[::1]:5556');
    expect(issuerOf({ ...config, ISSUER_URL: 'https://oidc.example.com/' })).toBe('https://oidc.example.com');
  });

  it('keeps the workload secret out of config dumps', () => {
    const config = parseConfig(oidcConfigSchema, { env: { WORKLOAD_SECRET: 'a-secret-of-some-length' } });
    expect(JSON.stringify(config)).not.toContain('a-secret-of-some-length');
    expect(config.WORKLOAD_SECRET?.reveal()).toBe('a-secret-of-some-length');
  });
});

describe('provider endpoints behind fastify', () => {
  it('leave body parsing and its limits to oidc-provider, and answer preflights and HEAD', async () => {
    const server = await testServer();
    try {
      const huge = await server.app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a='.padEnd(100_000, 'x') });
      expect(huge.statusCode).toBe(400);
      expect(json(huge)['error']).toBe('invalid_request');
      const untyped = await server.app.inject({ method: 'POST', url: '/token', payload: 'grant_type=x' });
      expect(untyped.statusCode).toBe(400);
      const preflight = await server.app.inject({ method: 'OPTIONS', url: '/token', headers: { origin: 'http://x.example', 'access-control-request-method': 'POST' } });
      expect(preflight.statusCode).toBe(204);
      const head = await server.app.inject({ method: 'HEAD', url: '/jwks' });
      expect(head.statusCode).toBe(200);
      const ids = await server.app.inject({ url: '/jwks' });
      expect(ids.headers['x-request-id']).toEqual(expect.any(String));
      const metrics = await server.app.inject({ url: '/metrics' });
      expect(metrics.body).toMatch(/http_requests_total\{method="POST",route="\/token",status_code="400"\} 2/);
      expect((await server.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});
