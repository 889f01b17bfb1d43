import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevTokenError, devToken, jwtClaims, readStackFile } from '../src/index.js';

// A stand-in for apps/oidc's workload endpoints (the launcher's tests run the real one):
// enough to check what the client sends and how it reads answers and refusals.
const SECRET = 'workload-secret';
const fakeJwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

let server: Server;
let issuer: string;
const dir = mkdtempSync(path.join(tmpdir(), 'dev-token-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url === '/workloads') {
        res.end(JSON.stringify({ workloads: [{ name: 'github-actions', kind: 'github-actions', issuer: `${issuer}/workloads/github-actions`, subject: 'repo:o/r:ref:refs/heads/main' }] }));
      } else if (req.method === 'POST' && req.url === '/workload/token') {
        if (req.headers.authorization !== `Bearer ${SECRET}`) {
          res.statusCode = 401;
          res.end(JSON.stringify({ code: 'BAD_SECRET', message: 'wrong workload secret' }));
          return;
        }
        const { workload } = JSON.parse(body) as { workload: string };
        res.end(JSON.stringify({ token: fakeJwt({ sub: workload }) }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ code: 'NOT_FOUND', message: 'no such route' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  issuer = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function state(stack: unknown, secret = SECRET): string {
  const folder = mkdtempSync(path.join(dir, 'state-'));
  writeFileSync(path.join(folder, 'secret'), `${secret}\n`);
  writeFileSync(path.join(folder, 'stack.json'), typeof stack === 'string' ? stack : JSON.stringify(stack));
  return folder;
}

describe('dev tokens', () => {
  it('mints a workload token with the secret from stack.json', async () => {
    const folder = state({ services: { oidc: issuer }, devToken: { workloadSecretFile: path.join(dir, 'x') } });
    const source = { ...readStackFile(folder), workloadSecretFile: path.join(folder, 'secret') };
    expect(jwtClaims(await devToken(source, 'github-actions'))).toEqual({ sub: 'github-actions' });
  });

  it('reports a refused secret as TOKEN_FAILED with the provider\'s reason', async () => {
    const folder = state({}, 'not-the-secret');
    const error = await devToken({ issuer, workloadSecretFile: path.join(folder, 'secret') }, 'github-actions').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevTokenError);
    expect(error).toMatchObject({ code: 'TOKEN_FAILED', message: expect.stringContaining('wrong workload secret') });
  });

  it('says NOT_RUNNING when nothing answers', async () => {
    const error = await devToken({ issuer: 'http://127.0.0.1:1', workloadSecretFile: '/nonexistent' }, 'alice').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_RUNNING' });
  });

  it('reads stack.json strictly', () => {
    expect(() => readStackFile(path.join(dir, 'no-such-state'))).toThrow(expect.objectContaining({ code: 'NOT_RUNNING' }));
    expect(() => readStackFile(state('{not json'))).toThrow(expect.objectContaining({ code: 'BAD_STATE' }));
    expect(() => readStackFile(state({ services: {} }))).toThrow(expect.objectContaining({ code: 'BAD_STATE' }));
    expect(readStackFile(state({ services: { oidc: issuer }, devToken: { workloadSecretFile: '/s' } }))).toEqual({ issuer, workloadSecretFile: '/s' });
  });
});
