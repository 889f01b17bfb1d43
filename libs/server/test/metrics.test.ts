import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { build } from '../src/server.js';
import { testConfig } from './helpers.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function server() {
  const app = await build({
    name: 'test',
    config: testConfig(),
    routes(r, { registry }) {
      const appended = new Counter({ name: 'log_entries_appended_total', help: 'Entries appended.', registers: [registry] });
      r.get('/entries/:uuid', { schema: { params: { type: 'object', properties: { uuid: { type: 'string' } } } } }, async () => {
        appended.inc();
        return {};
      });
    },
  });
  apps.push(app);
  return app;
}

describe('/metrics', () => {
  it('labels requests by route pattern, method and status, with process metrics and app metrics', async () => {
    const app = await server();
    await app.inject('/entries/aaaa');
    await app.inject('/entries/bbbb');
    await app.inject('/nowhere/1234');
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('http_requests_total{method="GET",route="/entries/:uuid",status_code="200"} 2');
    expect(res.body).toContain('http_requests_total{method="GET",route="(unmatched)",status_code="404"} 1');
    expect(res.body).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/entries/:uuid",status_code="200"}');
    expect(res.body).not.toContain('aaaa');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toContain('log_entries_appended_total 2');
  });

  it('keeps one registry per server, so two servers share a process', async () => {
    const a = await server();
    const b = await server();
    await a.inject('/entries/x');
    const body = (await b.inject('/metrics')).body;
    expect(body).not.toContain('route="/entries/:uuid"');
    expect(body).toContain('log_entries_appended_total 0');
  });
});
