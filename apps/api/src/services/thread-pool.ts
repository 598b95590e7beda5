import { Worker } from 'node:worker_threads';

const TS_THREAD = new URL('./ts-thread.mjs', import.meta.url);

/** Too many requests already wait for a thread: the caller should answer 503 and let the client retry. */
export class PoolBusyError extends Error {}
/** A job ran (or waited) past its deadline; a running one had its thread terminated. */
export class PoolTimeoutError extends Error {}
/** The thread died under a job (out of memory, a native crash) or the pool was closed. */
export class PoolFailedError extends Error {}

export interface ThreadPoolOptions {
  /** The worker script, a .ts file. */
  entry: URL;
  /** Threads, each running one job at a time. */
  size: number;
  /** Jobs that may wait for a free thread; one more is refused with PoolBusyError. */
  maxQueued: number;
  /** From submission to answer, waiting included. */
  timeoutMs: number;
  /** A thread with nothing to do for this long is ended, and all its memory with it. */
  idleMs: number;
}

interface Job {
  id: number;
  message: object;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timeoutMs: number;
  timer: NodeJS.Timeout;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  idleTimer: NodeJS.Timeout | null;
}

/**
 * A small pool of `node:worker_threads` workers with a bounded queue. CPU-heavy work (TensorFlow.js
 * computes synchronously) runs there, so the API's event loop keeps answering everyone else. The
 * protocol is one message in (`{ id, ...message }`) and one out (`{ id, ok, result | error }`) per
 * job. A job past its deadline terminates its thread (the only way to stop synchronous code), and
 * the next job starts a fresh one.
 */
export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ThreadPoolOptions) {}

  /**
   * Resolves with the thread's `result`; rejects with its `error` (an object) as an Error's cause.
   * `followUp` is for the second half of a job already admitted (the thread asked for more data):
   * it goes to the front of the queue and is never refused for a full queue. `timeoutMs` overrides
   * the pool's deadline for this job.
   */
  run<T>(message: object, options: { followUp?: boolean; timeoutMs?: number } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new PoolFailedError('the pool is closed'));
    const busy = this.slots.filter((s) => s.job).length;
    if (!options.followUp && busy >= this.options.size && this.queue.length >= this.options.maxQueued) {
      return Promise.reject(
        new PoolBusyError(`${this.queue.length} requests already wait for the ${this.options.size} compute thread(s)`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        message,
        resolve: resolve as (value: unknown) => void,
        reject,
        timeoutMs: options.timeoutMs ?? this.options.timeoutMs,
        timer: setTimeout(() => this.expire(job), options.timeoutMs ?? this.options.timeoutMs),
      };
      if (options.followUp) this.queue.unshift(job);
      else this.queue.push(job);
      this.dispatch();
    });
  }

  /** Jobs waiting and running, for logs and tests. */
  get load(): { queued: number; running: number; threads: number } {
    return { queued: this.queue.length, running: this.slots.filter((s) => s.job).length, threads: this.slots.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, new PoolFailedError('the pool is closed'));
    await Promise.all([...this.slots].map((slot) => this.endSlot(slot, new PoolFailedError('the pool is closed'))));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.options.size) slot = this.startSlot();
      if (!slot) return;
      const job = this.queue.shift()!;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      slot.job = job;
      job.slot = slot;
      slot.worker.postMessage({ id: job.id, ...job.message });
    }
  }

  private startSlot(): Slot {
    // The entry is TypeScript, as the whole API is (run by tsx); ts-thread.mjs loads it.
    const worker = new Worker(TS_THREAD, { workerData: { tsEntry: this.options.entry.href } });
    const slot: Slot = { worker, job: null, idleTimer: null };
    worker.on('message', (reply: { id: number; ok: boolean; result?: unknown; error?: unknown }) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = null;
      this.settle(job, reply.ok ? null : Object.assign(new Error('job failed'), { cause: reply.error }), reply.result);
      this.idle(slot);
      this.dispatch();
    });
    const died = (error: Error) => {
      if (!this.slots.includes(slot)) return;
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      if (slot.job) this.settle(slot.job, new PoolFailedError(`the compute thread failed: ${error.message}`));
      slot.job = null;
      this.dispatch();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private idle(slot: Slot): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (!slot.job) void this.endSlot(slot, new PoolFailedError('idle'));
    }, this.options.idleMs);
    slot.idleTimer.unref();
  }

  private expire(job: Job): void {
    const waited = this.queue.indexOf(job);
    if (waited >= 0) this.queue.splice(waited, 1);
    const error = new PoolTimeoutError(`no answer within ${job.timeoutMs} ms`);
    if (job.slot && job.slot.job === job) {
      job.slot.job = null;
      void this.endSlot(job.slot, error);
    }
    this.settle(job, error);
    this.dispatch();
  }

  private async endSlot(slot: Slot, error: Error): Promise<void> {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    if (slot.job) this.settle(slot.job, error);
    slot.job = null;
    await slot.worker.terminate();
  }

  private settle(job: Job, error: Error | null, result?: unknown): void {
    clearTimeout(job.timer);
    if (error) job.reject(error);
    else job.resolve(result);
  }
}
