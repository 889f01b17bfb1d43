import { randomBytes } from 'node:crypto';
import { hashLeaf, merkleRoot, verifyConsistency, verifyInclusion } from '@sigstack/merkle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStoreError, TransparencyLog, type CheckpointSigner, type SqlDatabase } from '../src/index.js';
import { backends, freshLogId } from './databases.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A stand-in signer: what it writes is opaque to the store. */
const signer: CheckpointSigner = { sign: async ({ size, rootHash }) => `${size}\n${hex(rootHash)}\n` };

const leaf = (i: number) => new TextEncoder().encode(`entry ${i}`);

describe.each(backends)('TransparencyLog on $name', (backend) => {
  let db: SqlDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.close();
  });

  const openLog = (options: Partial<Parameters<typeof TransparencyLog.open>[0]> = {}) =>
    TransparencyLog.open({ db, logId: freshLogId(), signer, ...options });

  it('starts empty with a signed checkpoint of size 0', async () => {
    const log = await openLog();
    const head = await log.treeHead();
    expect(head.size).toBe(0);
    expect(hex(head.rootHash)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(head.checkpoint).toBe(`0\n${hex(head.rootHash)}\n`);
  });

  it('sequences concurrent appends in order and matches the reference root', async () => {
    const log = await openLog({ batch: { maxBatchSize: 7 } });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ data: leaf(i) })));
    expect(results.map((r) => r.entry.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    const head = await log.treeHead();
    expect(head.size).toBe(50);
    const reference = merkleRoot(Array.from({ length: 50 }, (_, i) => hashLeaf(leaf(i))));
    expect(hex(head.rootHash)).toBe(hex(reference));
    // The last batch's tree head is the one its entries were answered with.
    expect(hex(results[49]!.treeHead.rootHash)).toBe(hex(reference));
  });

  it('serves inclusion proofs that verify for every leaf at several sizes', async () => {
    const log = await openLog({ batch: { maxBatchSize: 5 } });
    const leaves = Array.from({ length: 37 }, (_, i) => hashLeaf(leaf(i)));
    await Promise.all(leaves.map((_, i) => log.append({ data: leaf(i) })));
    for (const size of [1, 2, 5, 16, 17, 31, 37]) {
      const root = merkleRoot(leaves, 0, size);
      expect(hex(await log.rootAt(size))).toBe(hex(root));
      for (let index = 0; index < size; index++) {
        const proof = await log.inclusionProof(index, size);
        expect(() => verifyInclusion(index, size, leaves[index]!, proof, root)).not.toThrow();
      }
    }
  });

  it('serves consistency proofs that verify between any two sizes', async () => {
    const log = await openLog({ batch: { maxBatchSize: 3 } });
    const leaves = Array.from({ length: 21 }, (_, i) => hashLeaf(leaf(i)));
    await Promise.all(leaves.map((_, i) => log.append({ data: leaf(i) })));
    for (let a = 1; a <= 21; a++) {
      for (const b of [a, a + 1, 21].filter((s) => s <= 21)) {
        const proof = await log.consistencyProof(a, b);
        expect(() => verifyConsistency(a, b, proof, merkleRoot(leaves, 0, a), merkleRoot(leaves, 0, b))).not.toThrow();
      }
    }
  });

  it('rejects proofs and roots beyond the tree', async () => {
    const log = await openLog();
    await log.append({ data: leaf(0) });
    await expect(log.inclusionProof(1, 1)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    await expect(log.inclusionProof(0, 2)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    await expect(log.consistencyProof(0, 1)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    await expect(log.rootAt(-1)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
  });

  it('logs an entry once: duplicates get the original index, within a batch and across batches', async () => {
    const log = await openLog({ batch: { maxBatchSize: 10 } });
    const [a, b] = await Promise.all([log.append({ data: leaf(1) }), log.append({ data: leaf(1) })]);
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(true);
    expect(b.entry.index).toBe(a.entry.index);
    const again = await log.append({ data: leaf(1) });
    expect(again).toMatchObject({ duplicate: true, entry: { index: a.entry.index } });
    expect((await log.treeHead()).size).toBe(1);
  });

  it('deduplicates by a caller-given identity', async () => {
    const log = await openLog();
    const identity = randomBytes(32);
    const first = await log.append({ data: leaf(1), identity });
    const second = await log.append({ data: leaf(2), identity });
    expect(second.duplicate).toBe(true);
    expect(hex(second.entry.data)).toBe(hex(first.entry.data));
    expect((await log.entryByIdentity(identity))?.index).toBe(0);
  });

  it('finds entries by index, range and leaf hash', async () => {
    const log = await openLog({ clock: () => 1_700_000_000_000 });
    await Promise.all([0, 1, 2, 3].map((i) => log.append({ data: leaf(i) })));
    expect(new TextDecoder().decode((await log.entryAt(2))!.data)).toBe('entry 2');
    expect(await log.entryAt(4)).toBeUndefined();
    expect((await log.entries(1, 3)).map((e) => e.index)).toEqual([1, 2]);
    const [found] = await log.entriesByLeafHash(hashLeaf(leaf(3)));
    expect(found).toMatchObject({ index: 3, integratedAt: 1_700_000_000_000 });
    // With the latest head, in one read.
    const head = await log.treeHead();
    const byIndex = await log.entryWithHead({ index: 1 });
    expect(byIndex?.entry).toMatchObject({ index: 1 });
    expect(byIndex?.treeHead).toEqual(head);
    expect((await log.entryWithHead({ identity: hashLeaf(leaf(2)) }))?.entry.index).toBe(2);
    expect(await log.entryWithHead({ index: 4 })).toBeUndefined();
    expect(await log.entryWithHead({ identity: hashLeaf(leaf(9)) })).toBeUndefined();
  });

  it('keeps every batch checkpoint by size', async () => {
    const log = await openLog({ batch: { maxBatchSize: 2 } });
    for (const i of [0, 1, 2]) await log.append({ data: leaf(i) });
    for (const size of [0, 1, 2, 3]) {
      expect((await log.treeHeadAt(size))?.checkpoint).toBe(`${size}\n${hex(await log.rootAt(size))}\n`);
    }
  });

  it('fails only the batch whose signing fails, and stores nothing of it', async () => {
    let fail = false;
    const flaky: CheckpointSigner = {
      sign: async (tree) => {
        if (fail) throw new Error('HSM unavailable');
        return signer.sign(tree);
      },
    };
    const log = await openLog({ signer: flaky });
    await log.append({ data: leaf(0) });
    fail = true;
    await expect(log.append({ data: leaf(1) })).rejects.toThrow('HSM unavailable');
    expect((await log.treeHead()).size).toBe(1);
    expect(await log.entryAt(1)).toBeUndefined();
    fail = false;
    const next = await log.append({ data: leaf(1) });
    expect(next.entry.index).toBe(1);
    expect(hex((await log.treeHead()).rootHash)).toBe(hex(merkleRoot([hashLeaf(leaf(0)), hashLeaf(leaf(1))])));
  });

  it('answers OVERLOADED beyond the pending limit, and logs everything it accepted', async () => {
    const log = await openLog({ batch: { maxBatchSize: 4, maxPending: 8, maxBatchAgeMs: 5 } });
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => log.append({ data: leaf(i) })));
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    const accepted = outcomes.filter((o) => o.status === 'fulfilled');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'OVERLOADED' });
    expect((await log.treeHead()).size).toBe(accepted.length);
  });

  it('refuses appends after close, having flushed what it took', async () => {
    const log = await openLog({ batch: { maxBatchAgeMs: 50 } });
    const pending = log.append({ data: leaf(0) });
    await log.close();
    await expect(pending).resolves.toMatchObject({ entry: { index: 0 } });
    await expect(log.append({ data: leaf(1) })).rejects.toBeInstanceOf(LogStoreError);
  });

  it('continues the same tree when reopened', async () => {
    const logId = freshLogId();
    const first = await TransparencyLog.open({ db, logId, signer });
    await Promise.all([0, 1, 2].map((i) => first.append({ data: leaf(i) })));
    await first.close();
    const second = await TransparencyLog.open({ db, logId, signer });
    expect((await second.treeHead()).size).toBe(3);
    const more = await second.append({ data: leaf(3) });
    expect(more.entry.index).toBe(3);
    expect(hex(more.treeHead.rootHash)).toBe(hex(merkleRoot([0, 1, 2, 3].map((i) => hashLeaf(leaf(i))))));
  });

  it('serves tlog-tiles hash tiles, full and partial, across tile levels', async () => {
    const log = await openLog({ batch: { maxBatchSize: 256 } });
    const count = 600;
    const leaves = Array.from({ length: count }, (_, i) => hashLeaf(leaf(i)));
    await Promise.all(leaves.map((_, i) => log.append({ data: leaf(i) })));
    const concat = (hs: Uint8Array[]) => hex(Buffer.concat(hs));
    expect(hex((await log.tile(0, 0, count))!)).toBe(concat(leaves.slice(0, 256)));
    expect(hex((await log.tile(0, 2, count))!)).toBe(concat(leaves.slice(512, 600)));
    // A smaller tree's partial tile is a prefix of the stored one.
    expect(hex((await log.tile(0, 2, 520))!)).toBe(concat(leaves.slice(512, 520)));
    expect(await log.tile(0, 3, count)).toBeUndefined();
    // Level 1 holds the roots of the two full level-0 tiles.
    expect(hex((await log.tile(1, 0, count))!)).toBe(concat([merkleRoot(leaves, 0, 256), merkleRoot(leaves, 256, 512)]));
    expect(hex(await log.rootAt(count))).toBe(hex(merkleRoot(leaves)));
  });

  it('never forks when two writers share the database', async () => {
    const logId = freshLogId();
    const a = await TransparencyLog.open({ db, logId, signer });
    const b = await TransparencyLog.open({ db, logId, signer });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).append({ data: leaf(i) })),
    );
    const indexes = results.map((r) => r.entry.index).sort((x, y) => x - y);
    expect(indexes).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const stored = await a.entries(0, 30);
    expect(hex((await a.treeHead()).rootHash)).toBe(hex(merkleRoot(stored.map((e) => e.leafHash))));
  });
  it('answers each fresh entry with its audit path in the batch tree head, across tile boundaries', async () => {
    const log = await openLog({ batch: { maxBatchSize: 97 } });
    // 700 leaves in batches of up to 97 cross level-0 tile boundaries and a level-1 tile.
    const results = await Promise.all(Array.from({ length: 700 }, (_, i) => log.append({ data: leaf(i) })));
    for (const r of results) {
      expect(r.inclusionProof).toBeDefined();
      verifyInclusion(r.entry.index, r.treeHead.size, r.entry.leafHash, r.inclusionProof!, r.treeHead.rootHash);
      if (r.entry.index % 23 === 0) {
        expect((r.inclusionProof ?? []).map(hex)).toEqual((await log.inclusionProof(r.entry.index, r.treeHead.size)).map(hex));
      }
    }
    const latest = await log.proveInLatest(5);
    expect(latest.treeHead.size).toBe(700);
    expect(latest.proof.map(hex)).toEqual((await log.inclusionProof(5, 700)).map(hex));
    await expect(log.proveInLatest(700)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    const again = await log.append({ data: leaf(3) });
    expect(again.duplicate).toBe(true);
    expect(again.inclusionProof).toBeUndefined();
  });

  it('logs the fresh entries of a batch that also holds an entry logged earlier, in order, once', async () => {
    const log = await openLog({ batch: { maxBatchSize: 10 } });
    await Promise.all([0, 1, 2].map((i) => log.append({ data: leaf(i) })));
    // This batch hits the identity index with leaf 1 halfway: nothing of it may be written twice or skipped.
    const results = await Promise.all([3, 1, 4, 1, 5].map((i) => log.append({ data: leaf(i) })));
    expect(results.map((r) => [r.entry.index, r.duplicate])).toEqual([
      [3, false],
      [1, true],
      [4, false],
      [1, true],
      [5, false],
    ]);
    const more = await Promise.all([6, 7].map((i) => log.append({ data: leaf(i) })));
    expect(more.map((r) => r.entry.index)).toEqual([6, 7]);
    const expected = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => hashLeaf(leaf(i)));
    expect((await log.entries(0, 8)).map((e) => hex(e.leafHash))).toEqual(expected.map(hex));
    expect(hex((await log.treeHead()).rootHash)).toBe(hex(merkleRoot(expected)));
  });

  it('continues correctly when another writer moved the log since this one last wrote', async () => {
    const logId = freshLogId();
    const a = await TransparencyLog.open({ db, logId, signer });
    const b = await TransparencyLog.open({ db, logId, signer });
    // Strict alternation: every batch finds the other writer's batch after its own last one.
    for (let i = 0; i < 12; i++) {
      const r = await (i % 2 === 0 ? a : b).append({ data: leaf(i) });
      expect(r.entry.index).toBe(i);
      verifyInclusion(i, i + 1, r.entry.leafHash, r.inclusionProof!, r.treeHead.rootHash);
    }
    expect(hex((await a.treeHead()).rootHash)).toBe(hex(merkleRoot(Array.from({ length: 12 }, (_, i) => hashLeaf(leaf(i))))));
  });

  it('acknowledges nothing of a batch whose write fails, and goes on from the tree before it', async () => {
    let failNext = false;
    const faulty: SqlDatabase = {
      kind: db.kind,
      query: async (text, params, options) => {
        if (failNext && text.includes('INSERT INTO tlog_entries')) {
          failNext = false;
          throw new LogStoreError('STORAGE', 'connection reset');
        }
        return db.query(text, params, options);
      },
      transaction: (work) => db.transaction(work),
      close: async () => undefined,
    };
    const log = await openLog({ db: faulty });
    await log.append({ data: leaf(0) });
    await log.append({ data: leaf(1) });
    failNext = true;
    await expect(log.append({ data: leaf(2) })).rejects.toMatchObject({ code: 'STORAGE' });
    expect((await log.treeHead()).size).toBe(2);
    expect(await log.entryAt(2)).toBeUndefined();
    const next = await log.append({ data: leaf(3) });
    expect(next.entry.index).toBe(2);
    expect(hex(next.treeHead.rootHash)).toBe(hex(merkleRoot([0, 1, 3].map((i) => hashLeaf(leaf(i))))));
  });

  it('does not log twice an entry whose commit answer was lost, and continues the tree from it', async () => {
    let loseNext = false;
    const lossy: SqlDatabase = {
      kind: db.kind,
      query: async (text, params, options) => {
        const rows = await db.query(text, params, options);
        if (loseNext && text.includes('INSERT INTO tlog_entries')) {
          loseNext = false;
          throw new LogStoreError('STORAGE', 'connection lost after the commit');
        }
        return rows as never;
      },
      transaction: (work) => db.transaction(work),
      close: async () => undefined,
    };
    const log = await openLog({ db: lossy });
    await log.append({ data: leaf(0) });
    await log.append({ data: leaf(1) });
    loseNext = true;
    await expect(log.append({ data: leaf(2) })).rejects.toMatchObject({ code: 'STORAGE' });
    // It was committed after all: a retry finds it, and the next entry follows it.
    await expect(log.append({ data: leaf(2) })).resolves.toMatchObject({ duplicate: true, entry: { index: 2 } });
    const next = await log.append({ data: leaf(3) });
    expect(next.entry.index).toBe(3);
    const leaves = [0, 1, 2, 3].map((i) => hashLeaf(leaf(i)));
    expect(hex(next.treeHead.rootHash)).toBe(hex(merkleRoot(leaves)));
    verifyInclusion(3, 4, leaves[3]!, next.inclusionProof!, next.treeHead.rootHash);
  });

  /** Holds back the next batch write for `ms`, then fails it before (`fail`) or after (`lose`) it ran. */
  const slowWrite = (mode: 'fail' | 'lose', ms: number) => {
    const state = { armed: false, writes: 0, most: 0, inFlight: 0, transactions: 0 };
    const wrapped: SqlDatabase = {
      kind: db.kind,
      query: async (text, params, options) => {
        if (!text.includes('INSERT INTO tlog_entries')) return db.query(text, params, options);
        state.writes++;
        state.inFlight++;
        state.most = Math.max(state.most, state.inFlight);
        try {
          if (!state.armed) return await db.query(text, params, options);
          state.armed = false;
          await new Promise((r) => setTimeout(r, ms));
          if (mode === 'fail') throw new LogStoreError('STORAGE', 'connection reset');
          await db.query(text, params, options);
          throw new LogStoreError('STORAGE', 'connection lost after the commit');
        } finally {
          state.inFlight--;
        }
      },
      transaction: (work) => {
        state.transactions++;
        return db.transaction(work);
      },
      close: async () => undefined,
    };
    return { db: wrapped, state };
  };

  /**
   * Logs leaves 0-4, then 5-14 at once: two batches of five in flight together, the first
   * held back and failed as `mode` says. Its five appends are refused; the outcomes of all ten.
   */
  const twoBatchesFirstHeldBack = async (mode: 'fail' | 'lose') => {
    const { db: slow, state } = slowWrite(mode, 40);
    const log = await openLog({ db: slow, batch: { maxBatchSize: 5 } });
    await Promise.all([0, 1, 2, 3, 4].map((i) => log.append({ data: leaf(i) })));
    state.armed = true;
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => log.append({ data: leaf(5 + i) })));
    expect(state.most).toBe(2);
    expect(outcomes.slice(0, 5).map((o) => o.status)).toEqual(Array(5).fill('rejected'));
    return { log, outcomes };
  };

  it('plans the next batch while one is written, and a write that fails takes only its own batch', async () => {
    // The second batch was planned on the edge the first would have left, so it must write
    // nothing and go on from size 5.
    const { log, outcomes } = await twoBatchesFirstHeldBack('fail');
    const logged = outcomes.slice(5).map((o) => (o as PromiseFulfilledResult<Awaited<ReturnType<typeof log.append>>>).value);
    expect(logged.map((r) => r.entry.index)).toEqual([5, 6, 7, 8, 9]);
    const leaves = [0, 1, 2, 3, 4, 10, 11, 12, 13, 14].map((i) => hashLeaf(leaf(i)));
    expect(hex((await log.treeHead()).rootHash)).toBe(hex(merkleRoot(leaves)));
    for (const r of logged) verifyInclusion(r.entry.index, r.treeHead.size, r.entry.leafHash, r.inclusionProof!, r.treeHead.rootHash);
    // And it goes on the fast way from there.
    const next = await log.append({ data: leaf(99) });
    expect(next.entry.index).toBe(10);
    expect(hex(next.treeHead.rootHash)).toBe(hex(merkleRoot([...leaves, hashLeaf(leaf(99))])));
  });

  it('commits the batch behind one whose commit answer was lost, and finds the lost one on retry', async () => {
    const { log, outcomes } = await twoBatchesFirstHeldBack('lose');
    // The second batch was planned on the first's edge, which was committed after all.
    expect(outcomes.slice(5).map((o) => (o as PromiseFulfilledResult<{ entry: { index: number } }>).value.entry.index)).toEqual([10, 11, 12, 13, 14]);
    const retried = await Promise.all([5, 6, 7, 8, 9].map((i) => log.append({ data: leaf(i) })));
    expect(retried.map((r) => [r.entry.index, r.duplicate])).toEqual([5, 6, 7, 8, 9].map((i) => [i, true]));
    const leaves = Array.from({ length: 15 }, (_, i) => hashLeaf(leaf(i)));
    expect(hex((await log.treeHead()).rootHash)).toBe(hex(merkleRoot(leaves)));
  });

  it('keeps at most two batch writes in flight, in order, the fast way, and exact under a stream of appends', async () => {
    const { db: counted, state } = slowWrite('fail', 0);
    const log = await openLog({ db: counted, batch: { maxBatchSize: 7 } });
    await log.append({ data: leaf(-1) }); // the first batch of a process reads the edge the slow way
    const slowBefore = state.transactions;
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => log.append({ data: leaf(i) })));
    expect(state.most).toBe(2);
    // Each batch's statement ran behind the one before: none found the row elsewhere and
    // fell back to the slow way, and entries kept the order they came in.
    expect(state.transactions).toBe(slowBefore);
    expect(results.map((r) => r.entry.index)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const stored = await log.entries(0, 301);
    expect(hex((await log.treeHead()).rootHash)).toBe(hex(merkleRoot(stored.map((e) => e.leafHash))));
    for (const r of results) verifyInclusion(r.entry.index, r.treeHead.size, r.entry.leafHash, r.inclusionProof!, r.treeHead.rootHash);
  });

  it('serves proofs from cached tiles that stay right while another writer grows them', async () => {
    const logId = freshLogId();
    const writer = await TransparencyLog.open({ db, logId, signer, batch: { maxBatchSize: 40 } });
    const reader = await TransparencyLog.open({ db, logId, signer });
    const leaves: Uint8Array[] = [];
    // Sizes that leave partial tiles at levels 0 and 1, then fill and pass them.
    for (const size of [3, 300, 513, 700]) {
      const from = leaves.length;
      for (let i = from; i < size; i++) leaves.push(hashLeaf(leaf(i)));
      await Promise.all(leaves.slice(from).map((_, k) => writer.append({ data: leaf(from + k) })));
      const root = merkleRoot(leaves);
      for (const index of [0, 1, Math.floor(size / 2), size - 2, size - 1].filter((i) => i >= 0 && i < size)) {
        // The reader caches partial tiles at this size; the next round must not mistake them for wider ones.
        const { treeHead, proof } = await reader.proveInLatest(index);
        expect(treeHead.size).toBe(size);
        verifyInclusion(index, size, leaves[index]!, proof, root);
        expect(hex(await reader.rootAt(size))).toBe(hex(root));
        // The writer answers from the tiles it committed.
        verifyInclusion(index, size, leaves[index]!, await writer.inclusionProof(index, size), root);
      }
      if (size > 1) verifyConsistency(1, size, await reader.consistencyProof(1, size), leaves[0]!, root);
    }
    // Older sizes still prove from the now wider cached tiles.
    verifyInclusion(250, 300, leaves[250]!, await reader.inclusionProof(250, 300), merkleRoot(leaves, 0, 300));
    expect(hex((await reader.tile(0, 1, 300))!)).toBe(hex(Buffer.concat(leaves.slice(256, 300))));
    expect(hex((await reader.tile(0, 1, 700))!)).toBe(hex(Buffer.concat(leaves.slice(256, 512))));
  });

  it('finds entries by their lookup keys, written with the entries', async () => {
    const log = await openLog();
    await Promise.all([
      log.append({ data: leaf(1), keys: ['sha256:aa', 'a@example.com'] }),
      log.append({ data: leaf(2), keys: ['sha256:aa', 'sha256:aa'] }),
      log.append({ data: leaf(3) }),
    ]);
    expect(await log.indexesByKey('sha256:aa')).toEqual([0, 1]);
    expect(await log.indexesByKey('a@example.com')).toEqual([0]);
    expect(await log.indexesByKey('sha256:aa', 1)).toEqual([0]);
    expect(await log.indexesByKey('nothing')).toEqual([]);
    // A duplicate adds no keys.
    await log.append({ data: leaf(1), keys: ['other'] });
    expect(await log.indexesByKey('other')).toEqual([]);
  });
});
