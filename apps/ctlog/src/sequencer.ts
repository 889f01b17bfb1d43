import type { TransparencyLog } from '@sigstack/tlog-store';
import type { Logger } from 'pino';
import type { Intake } from './intake.js';

/** What the store logs: the MerkleTreeLeaf, deduplicated by identity. */
export interface Sequenceable {
  readonly identity: Uint8Array;
  readonly leafData: Uint8Array;
}

/** How many submissions are handed to the log store at once (it cuts them into its own batches). */
const CHUNK = 1024;
const RETRY_MS = 1000;

interface Waiting {
  readonly submission: Sequenceable;
  readonly done: Array<(error?: unknown) => void>;
}

/**
 * Moves durable submissions into the Merkle tree, in intake order. Each chunk is appended
 * to the log store (which commits it in batches, one STH each) and then marked sequenced.
 * A crash between the two only means the chunk is appended again on recovery, and the
 * store's identity dedup makes that a no-op. A store error keeps the chunk and retries:
 * nothing durable is dropped.
 */
export class Sequencer {
  private queue: Waiting[] = [];
  private running: Promise<void> | undefined;
  private failures = 0;

  /** Where sequencing failures are reported (the server sets its logger). */
  logger: Pick<Logger, 'error'> | undefined;

  /**
   * @param intervalMs how long a sequencing run waits for more submissions before it
   *   starts (unless a full chunk is waiting): a batch costs about the same for 10 entries
   *   as for 250, so waiting a little makes batches large. It bounds the merge delay.
   */
  constructor(
    private readonly store: TransparencyLog,
    private readonly intake: Intake,
    private readonly intervalMs = 0,
  ) {}

  /** Submissions accepted but not yet in the tree (a gauge). */
  get backlog(): number {
    return this.queue.length;
  }

  /** Queues a durable submission; the promise resolves once it is in a committed tree. */
  enqueue(submission: Sequenceable): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ submission, done: [(error) => (error === undefined ? resolve() : reject(error))] });
      this.kick();
    });
  }

  /** Re-queues what an earlier process took in and did not see sequenced. */
  async recover(): Promise<number> {
    const pending = await this.intake.unsequenced();
    for (const submission of pending) this.queue.push({ submission, done: [] });
    this.kick();
    return pending.length;
  }

  private draining = 0;
  private wake: (() => void) | undefined;

  /** Waits `ms`, or less if drain() needs the queue emptied now. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Resolves when everything queued so far is in the tree (skipping the interval wait). */
  async drain(): Promise<void> {
    this.draining++;
    this.wake?.();
    try {
      while (this.queue.length > 0 || this.running) await (this.running ?? Promise.resolve());
    } finally {
      this.draining--;
    }
  }

  private kick(): void {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.intervalMs > 0 && this.queue.length < CHUNK && !this.draining) await this.pause(this.intervalMs);
      const chunk = this.queue.splice(0, CHUNK);
      const results = await Promise.allSettled(chunk.map((w) => this.store.append({ data: w.submission.leafData, identity: w.submission.identity })));
      const done = chunk.filter((_, i) => results[i]?.status === 'fulfilled');
      const failed = chunk.filter((_, i) => results[i]?.status === 'rejected');
      if (done.length > 0) {
        try {
          await this.intake.markSequenced(done.map((w) => w.submission.identity));
        } catch (error) {
          // Harmless: recovery would append them again, and the store dedups by identity.
          this.logger?.error({ err: error }, 'could not mark submissions sequenced');
        }
        for (const w of done) for (const f of w.done) f();
      }
      if (failed.length > 0) {
        const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        this.failures++;
        this.logger?.error({ err: first.reason, count: failed.length }, 'sequencing failed; retrying');
        this.queue.unshift(...failed);
        if (this.draining && results.some((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'CLOSED')) return;
        await new Promise((r) => setTimeout(r, Math.min(RETRY_MS * this.failures, 10 * RETRY_MS)));
      } else {
        this.failures = 0;
      }
    }
  }
}
