import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hashLeaf, merkleRoot } from '@sigstack/merkle';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, ecdsaSigner, hashedrekord, hex, testRekor, type TestRekor } from './helpers.js';

// Two servers on one database (same key, same tree): batches take turns on the log row's
// lock, so the tree never forks and every index is given once.
describe.each(backends)('two replicas on $name', (backend) => {
  let db: SqlDatabase;
  let a: TestRekor;
  let b: TestRekor;
  beforeAll(async () => {
    db = await backend.open();
    const env = {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'rekor-replicas-')),
      REKOR_TREE_ID: String(1n + (randomBytes(8).readBigUInt64BE(0) >> 8n)),
      REKOR_V2_ENABLED: 'false',
      BATCH_MAX_SIZE: '8',
    };
    a = await testRekor(db, env);
    b = await testRekor(db, env);
  });
  afterAll(async () => {
    await a.app.close();
    await b.app.close();
    await db.close();
  });

  it('interleaves writes from both without forking the tree', async () => {
    const signer = ecdsaSigner();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: hashedrekord(signer) })),
    );
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    const indexes = results.map((r) => (Object.values(r.json())[0] as { logIndex: number }).logIndex).sort((x, y) => x - y);
    expect(indexes).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const infoA = (await a.app.inject('/api/v1/log')).json();
    const infoB = (await b.app.inject('/api/v1/log')).json();
    expect(infoA).toEqual(infoB);
    const stored = await a.logs.v1.store.entries(0, 60);
    expect(infoA.rootHash).toBe(hex(merkleRoot(stored.map((e) => hashLeaf(e.data)))));
  });
});
