import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SERVER, check, load, startServer } from './crash-harness.js';

const stores = [{ name: 'pglite', env: {} as Record<string, string> }];
if (process.env['DATABASE_URL']) stores.push({ name: 'postgres', env: { DATABASE_URL: process.env['DATABASE_URL'] } });

// Kills the built server with SIGKILL under load, restarts it, and checks that nothing
// acknowledged was lost or moved and that every checkpoint it published is consistent
// with the restarted tree.
describe.runIf(existsSync(SERVER)).each(stores)('crash under load on $name', ({ env }) => {
  it('keeps every acknowledged entry at its index across SIGKILL', { timeout: 120_000 }, async () => {
    const base = {
      ...env,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'rekor-crash-')),
      REKOR_HOSTNAME: 'crash.test',
      REKOR_TREE_ID: String(1n + (randomBytes(8).readBigUInt64BE(0) >> 8n)),
      REKOR_V2_ENABLED: 'false',
      BATCH_MAX_SIZE: '64',
    };
    const first = await startServer(base);
    let killed = false;
    const loading = load(first.url, 16, () => killed);
    await new Promise((r) => setTimeout(r, 2_500));
    first.child.kill('SIGKILL');
    killed = true;
    const { acked, published } = await loading;
    expect(acked.length).toBeGreaterThan(20);

    const second = await startServer(base);
    try {
      const { size } = await check(second.url, acked, published, 'crash.test');
      expect(size).toBeGreaterThanOrEqual(acked.length);
      // The restarted log goes on from where it was.
      const more = await load(second.url, 2, (() => { let n = 0; return () => n++ >= 2; })());
      expect(more.acked.every((a) => a.index >= size)).toBe(true);
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
