import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build } from '../src/server.js';
import { defineErrorCodes } from '../src/codes.js';
import { captureLogs, testConfig } from './helpers.js';

const appErrors = defineErrorCodes({
  ENTRY_NOT_FOUND: { status: 404, description: 'No such entry.' },
  LOG_OVERLOADED: { status: 503, description: 'The log is overloaded.' },
});

const entrySchema = {
  type: 'object',
  required: ['kind', 'size'],
  additionalProperties: false,
  properties: { kind: { type: 'string', enum: ['hashedrekord', 'dsse'] }, size: { type: 'integer', minimum: 0 } },
} as const;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function server(env: Record<string, string> = {}, logs = captureLogs()) {
  app = await build({
    name: 'test',
    config: testConfig({ LOG_LEVEL: 'info', ...env }),
    logDestination: logs.stream,
    routes(r) {
      r.post('/entries', { schema: { body: entrySchema } }, async (req) => ({ got: req.body }));
      r.post('/small', { schema: { body: { type: 'object' } }, bodyLimit: 16 }, async () => ({ ok: true }));
      r.get('/entries/:id', { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{4}$' } } } } }, async (req) => {
        const { id } = req.params as { id: string };
        throw appErrors.create('ENTRY_NOT_FOUND', `no entry ${id}`);
      });
      r.get('/busy', async () => {
        throw appErrors.create('LOG_OVERLOADED', 'try again soon', { headers: { 'retry-after': '1' } });
      });
      r.get('/boom', async () => {
        throw new Error('connection to postgres://admin:hunter2@db failed');
      });
      r.get('/query', async (req) => ({ query: req.query }));
    },
  });
  return { app, logs };
}

describe('the one error shape', () => {
  it('answers a ServiceError with its status, code, message and headers', async () => {
    const { app } = await server();
    const res = await app.inject({ method: 'GET', url: '/entries/abcd' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'ENTRY_NOT_FOUND', message: 'no entry abcd' });
    const busy = await app.inject({ method: 'GET', url: '/busy' });
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.json()).toEqual({ code: 'LOG_OVERLOADED', message: 'try again soon' });
  });

  it('answers a schema violation 400 INVALID_REQUEST naming the field', async () => {
    const { app } = await server();
    const res = await app.inject({ method: 'POST', url: '/entries', payload: { kind: 'hashedrekord', size: 'big' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_REQUEST');
    expect(res.json().message).toContain('body/size');
    const params = await app.inject({ method: 'GET', url: '/entries/zz' });
    expect(params.statusCode).toBe(400);
    expect(params.json().message).toContain('params/id');
    const missing = await app.inject({ method: 'POST', url: '/entries', payload: { kind: 'dsse' } });
    expect(missing.json()).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(missing.json().message).toContain('size');
  });

  it('answers malformed and empty JSON 400 MALFORMED_BODY', async () => {
    const { app } = await server();
    const bad = await app.inject({ method: 'POST', url: '/entries', headers: { 'content-type': 'application/json' }, payload: '{"kind":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('MALFORMED_BODY');
    const empty = await app.inject({ method: 'POST', url: '/entries', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('MALFORMED_BODY');
    const proto = await app.inject({
      method: 'POST',
      url: '/entries',
      headers: { 'content-type': 'application/json' },
      payload: '{"kind":"dsse","size":1,"__proto__":{"admin":true}}',
    });
    expect(proto.statusCode).toBe(400);
  });

  it('answers a body over BODY_LIMIT or a route limit 413 BODY_TOO_LARGE', async () => {
    const { app } = await server({ BODY_LIMIT: '64' });
    const big = await app.inject({ method: 'POST', url: '/entries', payload: { kind: 'dsse', size: 1, pad: 'x'.repeat(100) } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ code: 'BODY_TOO_LARGE', message: 'Request body is too large' });
    const route = await app.inject({ method: 'POST', url: '/small', payload: { a: 'x'.repeat(20) } });
    expect(route.statusCode).toBe(413);
    expect(route.json().code).toBe('BODY_TOO_LARGE');
  });

  it('answers an unsupported content type 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const { app } = await server();
    const res = await app.inject({ method: 'POST', url: '/entries', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unknown route, or a known path with another method, 404 NOT_FOUND', async () => {
    const { app } = await server();
    const res = await app.inject({ method: 'GET', url: '/nope?token=abc' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'NOT_FOUND', message: 'no route for GET /nope' });
    // Fastify answers a wrong method with 404, not 405; so do we, in the same shape.
    const method = await app.inject({ method: 'DELETE', url: '/entries' });
    expect(method.statusCode).toBe(404);
    expect(method.json().code).toBe('NOT_FOUND');
  });

  it('answers a badly encoded URL 400 and an overlong parameter 414', async () => {
    const { app } = await server();
    const bad = await app.inject({ method: 'GET', url: '/entries/%E0%A4%A' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_REQUEST');
    const long = await app.inject({ method: 'GET', url: `/entries/${'a'.repeat(200)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json().code).toBe('URI_TOO_LONG');
  });

  it('answers anything unexpected 500 INTERNAL, with the stack in the log only', async () => {
    const logs = captureLogs();
    const { app } = await server({}, logs);
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 'INTERNAL', message: 'internal server error' });
    expect(res.body).not.toContain('hunter2');
    const line = logs.lines().find((l) => l.msg === 'request failed');
    expect(line?.level).toBe(50);
    expect((line?.err as { stack?: string }).stack).toContain('http-errors.test.ts');
    expect(line?.reqId).toBe(res.headers['x-request-id']);
  });

  it('strips the query of a route without a querystring schema', async () => {
    const { app } = await server();
    const res = await app.inject({ method: 'GET', url: '/query?a=1&b=2' });
    expect(res.json()).toEqual({ query: {} });
  });
});
