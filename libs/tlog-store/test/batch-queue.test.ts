import { describe, expect, it, vi } from 'vitest';
import { BatchQueue } from '../src/index.js';

describe('BatchQueue', () => {
  it('groups items up to the batch size and answers each with its own result', async () => {
    const batches: number[][] = [];
    const queue = new BatchQueue<number, number>({ maxBatchSize: 3, maxBatchAgeMs: 1000, maxPending: 100 }, async (items) => {
      batches.push(items);
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => queue.add(i)));
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('flushes a partial batch when its oldest item is old enough', async () => {
    const queue = new BatchQueue<number, number>({ maxBatchSize: 100, maxBatchAgeMs: 10, maxPending: 100 }, async (items) => items);
    const started = Date.now();
    await expect(queue.add(7)).resolves.toBe(7);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9);
  });

  it('with age 0, takes everything added in the same turn of the event loop, without waiting for a timer', async () => {
    const batches: number[][] = [];
    const queue = new BatchQueue<number, number>({ maxBatchSize: 100, maxBatchAgeMs: 0, maxPending: 100 }, async (items) => {
      batches.push(items);
      return items;
    });
    // Timers never fire here: a flush that waited for one (at least 1 ms) would never come.
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      await expect(Promise.all([queue.add(1), queue.add(2)])).resolves.toEqual([1, 2]);
    } finally {
      vi.useRealTimers();
    }
    expect(batches).toEqual([[1, 2]]);
  });

  it('starts the next batch before answering the last one, and answers no item before its flush resolved', async () => {
    const events: string[] = [];
    const queue = new BatchQueue<number, number>({ maxBatchSize: 2, maxBatchAgeMs: 0, maxPending: 100 }, async (items) => {
      events.push(`flush ${items.join(',')}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`committed ${items.join(',')}`);
      return items;
    });
    await Promise.all([1, 2, 3, 4].map((i) => queue.add(i).then(() => events.push(`answered ${i}`))));
    expect(events).toEqual(['flush 1,2', 'committed 1,2', 'flush 3,4', 'answered 1', 'answered 2', 'committed 3,4', 'answered 3', 'answered 4']);
  });

  it('runs one batch at a time by default', async () => {
    let running = 0;
    let most = 0;
    const queue = new BatchQueue<number, number>({ maxBatchSize: 2, maxBatchAgeMs: 0, maxPending: 100 }, async (items) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      return items;
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => queue.add(i)));
    expect(most).toBe(1);
  });

  it('with maxInFlight 2, runs two batches at once and never three; a failed one rejects only its own items', async () => {
    let running = 0;
    let most = 0;
    const flushed: number[][] = [];
    const queue = new BatchQueue<number, number>({ maxBatchSize: 3, maxBatchAgeMs: 0, maxPending: 100, maxInFlight: 2 }, async (items) => {
      running++;
      most = Math.max(most, running);
      flushed.push(items);
      await new Promise((r) => setTimeout(r, 3));
      running--;
      if (items.includes(4)) throw new Error('batch with 4 failed');
      return items.map((i) => i * 10);
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => queue.add(i)));
    expect(most).toBe(2);
    expect(flushed.flat()).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const failedBatch = flushed.find((b) => b.includes(4)) ?? [];
    outcomes.forEach((o, i) => {
      if (failedBatch.includes(i)) expect(o).toMatchObject({ status: 'rejected', reason: { message: 'batch with 4 failed' } });
      else expect(o).toEqual({ status: 'fulfilled', value: i * 10 });
    });
    await queue.close();
    expect(() => new BatchQueue({ maxBatchSize: 1, maxBatchAgeMs: 0, maxPending: 1, maxInFlight: 0 }, async (i) => i)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });

  it('close() waits for every batch in flight and flushes what is still pending', async () => {
    const done: number[] = [];
    const queue = new BatchQueue<number, number>({ maxBatchSize: 2, maxBatchAgeMs: 1000, maxPending: 100, maxInFlight: 2 }, async (items) => {
      await new Promise((r) => setTimeout(r, 5));
      done.push(...items);
      return items;
    });
    const all = Promise.all(Array.from({ length: 7 }, (_, i) => queue.add(i)));
    await queue.close();
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expect(all).resolves.toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expect(queue.add(9)).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects a malformed flush result for the whole batch', async () => {
    const queue = new BatchQueue<number, number>({ maxBatchSize: 2, maxBatchAgeMs: 0, maxPending: 10 }, async () => [1]);
    const outcomes = await Promise.allSettled([queue.add(1), queue.add(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'INCONSISTENT' });
  });

  it('rejects invalid options', () => {
    expect(() => new BatchQueue({ maxBatchSize: 0, maxBatchAgeMs: 0, maxPending: 1 }, async (i) => i)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
