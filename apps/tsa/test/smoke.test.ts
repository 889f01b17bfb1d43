import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTsa } from '../src/app.js';
import { chainToPem } from '../src/identity.js';
import { run, tempDir, testConfig, testIdentity, writeFiles } from './helpers.js';

describe('smoke', () => {
  it('openssl verifies', async () => {
    const identity = await testIdentity();
    const app = await buildTsa({ config: testConfig(), identity });
    const { dir, cleanup } = await tempDir();
    await writeFiles(dir, { 'data.txt': 'hello', 'root.pem': chainToPem(identity.chain.slice(2)), 'untrusted.pem': chainToPem(identity.chain.slice(0, 2)) });
    await run('openssl', ['ts', '-query', '-data', join(dir, 'data.txt'), '-sha256', '-cert', '-out', join(dir, 'q.tsq')]);
    const { readFile, writeFile } = await import('node:fs/promises');
    const q = await readFile(join(dir, 'q.tsq'));
    const t0 = performance.now();
    const res = await app.inject({ method: 'POST', url: '/api/v1/timestamp', headers: { 'content-type': 'application/timestamp-query' }, payload: q });
    console.log(performance.now() - t0);
    expect(res.statusCode, res.body).toBe(200);
    await writeFile(join(dir, 'r.tsr'), res.rawPayload);
    const text = await run('openssl', ['ts', '-reply', '-in', join(dir, 'r.tsr'), '-text']);
    console.log(text.stdout);
    const v = await run('openssl', ['ts', '-verify', '-data', join(dir, 'data.txt'), '-in', join(dir, 'r.tsr'), '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'untrusted.pem')]).catch((e) => e);
    console.log(v.stdout, v.stderr);
    await cleanup();
  });
});
