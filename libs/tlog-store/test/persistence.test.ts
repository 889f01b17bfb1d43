import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashLeaf, merkleRoot } from '@sigstack/merkle';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, TransparencyLog, type CheckpointSigner } from '../src/index.js';

const signer: CheckpointSigner = { sign: async ({ size }) => `size ${size}` };
const leaf = (i: number) => new TextEncoder().encode(`persisted ${i}`);

describe('embedded store on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlog-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Opening an on-disk PGlite (initdb, then recovery) takes seconds, more on a loaded machine.
  it('keeps every acknowledged entry across a restart of the database, in a folder it made', { timeout: 120_000 }, async () => {
    // A fresh DATA_DIR: its parents do not exist yet either.
    const dataDir = join(dir, 'data', 'pglite');
    const first = await openDatabase({ dataDir });
    await migrate(first);
    const log = await TransparencyLog.open({ db: first, logId: 'rekor', signer });
    const acknowledged = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append({ data: leaf(i) })));
    await log.close();
    await first.close();

    const second = await openDatabase({ dataDir });
    await migrate(second); // a second start migrates nothing and loses nothing
    const reopened = await TransparencyLog.open({ db: second, logId: 'rekor', signer });
    const head = await reopened.treeHead();
    expect(head.size).toBe(20);
    for (const result of acknowledged) {
      expect(Buffer.from((await reopened.entryAt(result.entry.index))!.data)).toEqual(Buffer.from(result.entry.data));
    }
    const next = await reopened.append({ data: leaf(20) });
    expect(next.entry.index).toBe(20);
    expect(Buffer.from(next.treeHead.rootHash)).toEqual(
      Buffer.from(merkleRoot(Array.from({ length: 21 }, (_, i) => hashLeaf(leaf(i))))),
    );
    await reopened.close();
    await second.close();
  });
});
