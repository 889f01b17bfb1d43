import { LogStoreError } from './errors.js';

export interface BatchQueueOptions {
  /** A batch is written as soon as it holds this many items. */
  maxBatchSize: number;
  /** ...or when its oldest item has waited this long (milliseconds). */
  maxBatchAgeMs: number;
  /** Items waiting (not yet in a running batch) beyond which add() fails with OVERLOADED. */
  maxPending: number;
  /**
   * Batches handed to `flush` and not yet finished (default 1: one at a time). With 2, the
   * next batch starts while one is still being written; `flush` must then keep its own
   * order (TransparencyLog does: the second batch's statement queues behind the first).
   */
  maxInFlight?: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items and hands them to `flush` in batches, so that a log pays one
 * transaction (and one signature) per batch rather than per entry. add() resolves with
 * the item's own result only after its batch's flush has resolved, that is, after the
 * batch is durable. A failed flush rejects every item of that batch and nothing else;
 * later batches go on.
 */
export class BatchQueue<T, R> {
  private pending: Waiting<T, R>[] = [];
  /** Cancels the pending flush of a partial batch (a timer, or an immediate for age 0). */
  private cancelTimer: (() => void) | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly maxInFlight: number;
  private closed = false;

  constructor(
    private readonly options: BatchQueueOptions,
    private readonly flush: (items: T[]) => Promise<R[]>,
  ) {
    this.maxInFlight = options.maxInFlight ?? 1;
    if (
      !(options.maxBatchSize >= 1) ||
      !(options.maxBatchAgeMs >= 0) ||
      !(options.maxPending >= options.maxBatchSize) ||
      !Number.isInteger(this.maxInFlight) ||
      this.maxInFlight < 1
    ) {
      throw new LogStoreError('INVALID_CONFIG', 'batch options need maxBatchSize >= 1, maxBatchAgeMs >= 0, maxPending >= maxBatchSize, maxInFlight >= 1');
    }
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  add(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new LogStoreError('CLOSED', 'the log is shutting down'));
    if (this.pending.length >= this.options.maxPending) {
      return Promise.reject(new LogStoreError('OVERLOADED', 'too many entries waiting to be logged; retry shortly'));
    }
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Stops taking items and resolves when everything already taken has been flushed. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length > 0 || this.running.size > 0) {
      if (this.running.size < this.maxInFlight) this.startFlush();
      await Promise.race(this.running);
    }
  }

  private schedule(): void {
    if (this.running.size >= this.maxInFlight) return; // a running batch reschedules when it ends
    if (this.pending.length >= this.options.maxBatchSize) {
      this.startFlush();
    } else if (!this.cancelTimer) {
      // Age 0 is pure group commit: the batch takes what arrived in this turn of the event
      // loop (setImmediate), not a timer's minimum millisecond later.
      if (this.options.maxBatchAgeMs === 0) {
        const immediate = setImmediate(() => this.startFlush());
        this.cancelTimer = () => clearImmediate(immediate);
      } else {
        const timer = setTimeout(() => this.startFlush(), this.options.maxBatchAgeMs);
        this.cancelTimer = () => clearTimeout(timer);
      }
    }
  }

  private startFlush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.running.size >= this.maxInFlight || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.maxBatchSize);
    const run = this.runBatch(batch).finally(() => {
      this.running.delete(run);
      // Whatever arrived while batches ran has waited at least as long as one took: write
      // it now (group commit), so latency stays one batch under load. It is on its way to
      // the database before this batch's callers are answered (on the next turn of the
      // event loop), so their work (signing, sending responses) overlaps its commit.
      if (this.pending.length > 0) this.startFlush();
    });
    this.running.add(run);
    // More than a batch waiting, and room for another batch in flight: start it too.
    if (this.pending.length > 0) this.schedule();
  }

  private async runBatch(batch: Waiting<T, R>[]): Promise<void> {
    let settle: () => void;
    try {
      const results = await this.flush(batch.map((w) => w.item));
      if (results.length !== batch.length) {
        throw new LogStoreError('INCONSISTENT', `a batch of ${batch.length} produced ${results.length} results`);
      }
      settle = () => batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (error) {
      settle = () => {
        for (const w of batch) w.reject(error);
      };
    }
    setImmediate(settle);
  }
}
