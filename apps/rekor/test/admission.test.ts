import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ServiceError } from '@sigstack/server';
import { afterAll, describe, expect, it } from 'vitest';
import { openAdmission, type Admission } from '../src/admission.js';
import { admitV1 } from '../src/v1/admit.js';
import { SERVER, startServer } from './crash-harness.js';
import { ecdsaSigner, hashedrekord } from './helpers.js';

// Worker threads run the built JavaScript (the test target builds first).
const WORKER = new URL('../dist/admission-worker.js', import.meta.url);
const built = existsSync(WORKER);

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  const e = err as ServiceError;
  return { code: e.code, status: e.status, message: e.message, headers: e.headers };
};

describe.runIf(built)('admission in worker threads', () => {
  const pools: Admission[] = [];
  const open = (threads: number, maxPending = 1000, script = WORKER) => {
    // Not the test runner's options: those resolve workspace libraries to TypeScript sources.
    const pool = openAdmission({ threads, maxPending, script, execArgv: [] });
    pools.push(pool);
    return pool;
  };
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('answers what inline admission answers, for many entries at once', async () => {
    const pool = open(2);
    const signer = ecdsaSigner();
    const proposed = Array.from({ length: 50 }, () => hashedrekord(signer));
    const answers = await Promise.all(proposed.map((p) => pool.v1(p)));
    answers.forEach((a, i) => {
      const inline = admitV1(proposed[i]);
      expect(Buffer.from(a.body).equals(Buffer.from(inline.body))).toBe(true);
      expect(a.keys).toEqual(inline.keys);
    });
    expect(pool.pending).toBe(0);
  });

  it('passes refusals on with their code, status, message and headers', async () => {
    const pool = open(1);
    const signer = ecdsaSigner();
    const bad = hashedrekord(signer);
    bad.spec.signature.content = hashedrekord(signer).spec.signature.content;
    const expected = await refusal(Promise.resolve().then(() => admitV1(bad)));
    expect(await refusal(pool.v1(bad))).toEqual(expected);
    expect(expected.code).toBe('INVALID_SIGNATURE');
    expect((await refusal(pool.v1({ kind: 'rekord', apiVersion: '0.0.1', spec: {} }))).code).toBe('UNSUPPORTED_KIND');
    expect((await refusal(pool.v2({ hashedRekordRequestV002: { digest: 'AA==' } }))).status).toBe(400);
  });

  it('refuses beyond its pending limit with OVERLOADED and Retry-After, and after close with LOG_CLOSED', async () => {
    const pool = open(1, 2);
    const signer = ecdsaSigner();
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => pool.v1(hashedrekord(signer))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const overloaded = (outcomes[2] as PromiseRejectedResult).reason as ServiceError;
    expect([overloaded.code, overloaded.status, overloaded.headers['retry-after']]).toEqual(['OVERLOADED', 503, '1']);
    await pool.close();
    expect((await refusal(pool.v1(hashedrekord(signer)))).code).toBe('LOG_CLOSED');
  });

  it('fails the entries of a worker that dies, and keeps answering (never hangs)', async () => {
    const dies = new URL(`data:text/javascript,${encodeURIComponent("import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));")}`);
    const pool = open(1, 100, dies);
    const signer = ecdsaSigner();
    await expect(pool.v1(hashedrekord(signer))).rejects.toThrow(/exited with 3/);
    await expect(pool.v1(hashedrekord(signer))).rejects.toThrow(/exited with 3/);
    expect(pool.pending).toBe(0);
  });
});

describe.runIf(existsSync(SERVER))('the built server with admission threads', () => {
  it('logs good entries and refuses bad ones over a socket', { timeout: 60_000 }, async () => {
    const server = await startServer({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'rekor-admission-')),
      REKOR_HOSTNAME: 'admission.test',
      REKOR_TREE_ID: String(1n + (randomBytes(8).readBigUInt64BE(0) >> 8n)),
      REKOR_V2_ENABLED: 'false',
      ADMISSION_THREADS: '2',
    });
    try {
      const signer = ecdsaSigner();
      const post = (body: unknown) =>
        fetch(`${server.url}/api/v1/log/entries`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const good = await Promise.all(Array.from({ length: 8 }, () => post(hashedrekord(signer))));
      expect(good.map((r) => r.status)).toEqual(Array(8).fill(201));
      const indexes = await Promise.all(good.map(async (r) => (Object.values((await r.json()) as Record<string, { logIndex: number }>)[0] as { logIndex: number }).logIndex));
      expect(indexes.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const bad = hashedrekord(signer);
      bad.spec.signature.content = hashedrekord(signer).spec.signature.content;
      const refused = await post(bad);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('x-error-code')).toBe('INVALID_SIGNATURE');
      expect(await refused.json()).toMatchObject({ code: 400 });
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
