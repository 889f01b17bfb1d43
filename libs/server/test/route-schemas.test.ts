import { describe, expect, it } from 'vitest';
import { RouteSchemaError } from '../src/route-schemas.js';
import { build } from '../src/server.js';
import { testConfig } from './helpers.js';

async function failure(routes: Parameters<typeof build>[0]['routes']): Promise<unknown> {
  try {
    const app = await build({ name: 'test', config: testConfig(), routes });
    await app.close();
  } catch (err) {
    return err;
  }
  throw new Error('expected build to fail');
}

describe('routes must declare schemas for their input', () => {
  it('refuses a POST, PUT or PATCH route without a body schema at start-up', async () => {
    for (const method of ['POST', 'PUT', 'PATCH'] as const) {
      const err = await failure((app) => {
        app.route({ method, url: '/entries', handler: async () => ({}) });
      });
      expect(err).toBeInstanceOf(RouteSchemaError);
      expect((err as RouteSchemaError).code).toBe('ROUTE_SCHEMA_MISSING');
      expect((err as Error).message).toContain(`${method} /entries`);
    }
  });

  it('refuses a route with path parameters and no params schema', async () => {
    const err = await failure((app) => {
      app.get('/entries/:uuid', async () => ({}));
    });
    expect((err as RouteSchemaError).code).toBe('ROUTE_SCHEMA_MISSING');
    const wildcard = await failure((app) => {
      app.get('/files/*', async () => ({}));
    });
    expect((wildcard as RouteSchemaError).code).toBe('ROUTE_SCHEMA_MISSING');
  });

  it('allows a non-JSON body route that says why it is unvalidated', async () => {
    const app = await build({
      name: 'test',
      config: testConfig(),
      routes(r) {
        r.addContentTypeParser('application/timestamp-query', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
        r.post('/timestamp', { config: { unvalidatedBody: 'DER TimeStampReq, parsed by the handler' } }, async (req) => ({ bytes: (req.body as Buffer).length }));
      },
    });
    const res = await app.inject({ method: 'POST', url: '/timestamp', headers: { 'content-type': 'application/timestamp-query' }, payload: Buffer.from([0x30, 0x00]) });
    expect(res.json()).toEqual({ bytes: 2 });
    await app.close();
    const blank = await failure((r) => {
      r.post('/timestamp', { config: { unvalidatedBody: ' ' } }, async () => ({}));
    });
    expect(blank).toBeInstanceOf(RouteSchemaError);
  });

  it('keeps declared querystring schemas', async () => {
    const app = await build({
      name: 'test',
      config: testConfig(),
      routes(r) {
        r.get('/proof', { schema: { querystring: { type: 'object', properties: { firstSize: { type: 'integer' } } } } }, async (req) => req.query);
      },
    });
    const res = await app.inject({ method: 'GET', url: '/proof?firstSize=3' });
    expect(res.json()).toEqual({ firstSize: 3 });
    const bad = await app.inject({ method: 'GET', url: '/proof?firstSize=x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('querystring/firstSize');
    await app.close();
  });
});
