import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build } from '../src/server.js';
import { testConfig } from './helpers.js';

// What Node's HTTP parser rejects never reaches fastify's handlers: only a socket shows it.
let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  app = await build({ name: 'test', config: testConfig() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(() => app.close());

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (c) => (data += c.toString()));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
    socket.end(request);
  });
}

function body(response: string): unknown {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

describe('errors before routing, over a real socket', () => {
  it('answers a malformed request line 400 INVALID_REQUEST', async () => {
    const res = await raw('GARBAGE\r\n\r\n');
    expect(res).toMatch(/^HTTP\/1\.1 400 /);
    expect(body(res)).toEqual({ code: 'INVALID_REQUEST', message: 'malformed HTTP request' });
  });

  it('answers oversized headers 431 HEADERS_TOO_LARGE', async () => {
    const res = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res).toMatch(/^HTTP\/1\.1 431 /);
    expect(body(res)).toEqual({ code: 'HEADERS_TOO_LARGE', message: 'request headers too large' });
  });

  it('serves a well-formed request with a request id', async () => {
    const res = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res).toMatch(/^HTTP\/1\.1 200 /);
    expect(res.toLowerCase()).toContain('x-request-id:');
  });
});
