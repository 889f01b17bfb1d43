import { Worker } from 'node:worker_threads';
import { ServiceError } from '@sigstack/server';
import { rekorErrors } from './errors.js';
import { admitV1, type AdmittedEntry } from './v1/admit.js';
import { admitV2, type AdmittedV2 } from './v2/admit.js';

/**
 * Admission checks (strict parse, key or certificate parse, signature check, canonical
 * body) take most of an entry's CPU time, the signature check alone about half. With
 * `threads > 0` they run in worker threads, so the main thread is left with HTTP and
 * sequencing; with 0 they run inline (tests, one-core machines).
 */
export interface Admission {
  v1(body: unknown): Promise<AdmittedEntry>;
  v2(body: unknown): Promise<AdmittedV2>;
  /** Entries being checked now (a gauge). */
  readonly pending: number;
  close(): Promise<void>;
}

export type AdmissionKind = 'v1' | 'v2';

/** One request to a worker; `id` pairs the answer with its caller. */
export interface AdmissionJob {
  readonly id: number;
  readonly kind: AdmissionKind;
  readonly body: unknown;
}

/** A worker's answer: the admitted entry, or the refusal to rebuild on this side. */
export type AdmissionAnswer =
  | { readonly id: number; readonly entry: AdmittedEntry | AdmittedV2 }
  | { readonly id: number; readonly refusal: { code: string; status: number; message: string; headers: Record<string, string> } }
  | { readonly id: number; readonly failure: string };

/** Runs one job where it is called: the worker's body, and the inline admission. */
export function admitJob(job: AdmissionJob): AdmissionAnswer {
  try {
    return { id: job.id, entry: job.kind === 'v1' ? admitV1(job.body) : admitV2(job.body) };
  } catch (err) {
    if (err instanceof ServiceError) {
      return { id: job.id, refusal: { code: err.code, status: err.status, message: err.message, headers: { ...err.headers } } };
    }
    return { id: job.id, failure: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

export interface AdmissionOptions {
  /** Worker threads; 0 checks entries on the calling thread. */
  readonly threads: number;
  /** Entries being checked beyond which new ones are refused with OVERLOADED (503). */
  readonly maxPending: number;
  /** The worker's module (default: the built admission-worker.js beside this file). */
  readonly script?: URL;
  /** Node options of the workers (default: this process's). */
  readonly execArgv?: readonly string[];
}

export function openAdmission(options: AdmissionOptions): Admission {
  return options.threads > 0 ? new WorkerAdmission(options) : inlineAdmission();
}

function inlineAdmission(): Admission {
  return {
    v1: async (body) => admitV1(body),
    v2: async (body) => admitV2(body),
    pending: 0,
    close: async () => undefined,
  };
}

const WORKER_SCRIPT = new URL('./admission-worker.js', import.meta.url);

interface Waiter {
  resolve(entry: AdmittedEntry | AdmittedV2): void;
  reject(err: unknown): void;
}

interface Thread {
  worker: Worker;
  waiting: Map<number, Waiter>;
  /** Jobs of this turn of the event loop, posted together (one message per turn). */
  outbox: AdmissionJob[];
}

class WorkerAdmission implements Admission {
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private closing = false;
  private flushScheduled = false;
  private inFlight = 0;

  constructor(private readonly options: AdmissionOptions) {
    for (let i = 0; i < options.threads; i++) this.threads.push(this.spawn());
  }

  get pending(): number {
    return this.inFlight;
  }

  v1(body: unknown): Promise<AdmittedEntry> {
    return this.submit('v1', body) as Promise<AdmittedEntry>;
  }

  v2(body: unknown): Promise<AdmittedV2> {
    return this.submit('v2', body) as Promise<AdmittedV2>;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private spawn(): Thread {
    const { script = WORKER_SCRIPT, execArgv } = this.options;
    const worker = new Worker(script, execArgv ? { execArgv: [...execArgv] } : {});
    const thread: Thread = { worker, waiting: new Map(), outbox: [] };
    thread.worker.on('message', (answers: AdmissionAnswer[]) => {
      for (const answer of answers) {
        const waiter = thread.waiting.get(answer.id);
        if (!waiter) continue;
        thread.waiting.delete(answer.id);
        this.inFlight--;
        if ('entry' in answer) waiter.resolve(answer.entry);
        else if ('refusal' in answer) {
          const r = answer.refusal;
          waiter.reject(new ServiceError(r.code, r.status, r.message, { headers: r.headers }));
        } else waiter.reject(new Error(`admission failed: ${answer.failure}`));
      }
    });
    // A worker that dies fails what it held (500) and is replaced.
    const fail = (err: unknown) => {
      for (const waiter of thread.waiting.values()) waiter.reject(err instanceof Error ? err : new Error(`admission worker stopped: ${String(err)}`));
      this.inFlight -= thread.waiting.size;
      thread.waiting.clear();
      const at = this.threads.indexOf(thread);
      if (at >= 0 && !this.closing) this.threads[at] = this.spawn();
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => fail(new Error(`admission worker exited with ${code}`)));
    return thread;
  }

  private submit(kind: AdmissionKind, body: unknown): Promise<AdmittedEntry | AdmittedV2> {
    if (this.closing) return Promise.reject(rekorErrors.create('LOG_CLOSED', 'the log is shutting down and takes no new entries'));
    if (this.inFlight >= this.options.maxPending) {
      return Promise.reject(rekorErrors.create('OVERLOADED', 'too many entries waiting to be checked; retry shortly', { headers: { 'retry-after': '1' } }));
    }
    // The thread with the least work; ties go to the first.
    let thread = this.threads[0] as Thread;
    for (const t of this.threads) if (t.waiting.size < thread.waiting.size) thread = t;
    const id = this.nextId++;
    this.inFlight++;
    const answer = new Promise<AdmittedEntry | AdmittedV2>((resolve, reject) => thread.waiting.set(id, { resolve, reject }));
    thread.outbox.push({ id, kind, body });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return answer;
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const thread of this.threads) {
      if (thread.outbox.length === 0) continue;
      const jobs = thread.outbox;
      thread.outbox = [];
      try {
        thread.worker.postMessage(jobs);
      } catch (err) {
        // A body that does not clone (never JSON) fails its own jobs only.
        for (const job of jobs) {
          const waiter = thread.waiting.get(job.id);
          if (!waiter) continue;
          thread.waiting.delete(job.id);
          this.inFlight--;
          waiter.reject(err);
        }
      }
    }
  }
}
