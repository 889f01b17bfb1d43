import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build } from '../src/server.js';
import { testConfig } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await build({
    name: 'fuzz',
    config: testConfig({ BODY_LIMIT: '2KiB' }),
    routes(r) {
      r.post(
        '/entries/:kind',
        {
          schema: {
            params: { type: 'object', properties: { kind: { type: 'string', enum: ['hashedrekord', 'dsse'] } } },
            querystring: { type: 'object', properties: { dryRun: { type: 'boolean' } } },
            body: {
              type: 'object',
              required: ['content'],
              properties: { content: { type: 'string', maxLength: 100 }, n: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
            },
          },
        },
        async (req) => ({ ok: true, body: req.body }),
      );
    },
  });
});
afterAll(() => app.close());

const contentType = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data', '', 'application/json; charset=latin1', 'application/', ';;;'),
  fc.string({ maxLength: 40 }),
);
const payload = fc.oneof(
  fc.json().map((j) => j),
  fc.string({ maxLength: 3000 }),
  fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  fc.record({ content: fc.oneof(fc.string(), fc.integer()), n: fc.anything() }).map((o) => JSON.stringify(o)),
);
const path = fc.oneof(fc.constantFrom('hashedrekord', 'dsse'), fc.webSegment(), fc.string({ maxLength: 10 }).map(encodeURIComponent));
const query = fc.oneof(fc.constant(''), fc.webQueryParameters().map((q) => `?${q}`), fc.constant('?dryRun=maybe'));

describe('the HTTP error path under random input', () => {
  it('never answers 500, and always answers an error in the one shape', async () => {
    await fc.assert(
      fc.asyncProperty(path, query, contentType, payload, async (kind, q, type, body) => {
        const res = await app.inject({ method: 'POST', url: `/entries/${kind}${q}`, headers: type === '' ? {} : { 'content-type': type }, payload: body });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) {
          const json = res.json() as Record<string, unknown>;
          expect(Object.keys(json).sort()).toEqual(['code', 'message']);
          expect(typeof json.code).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });
});
