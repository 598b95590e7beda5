import { availableParallelism } from 'node:os';
import type { ThreadPlan } from './thread-choice';

/**
 * One slot per device. A job holds a slot for its whole run; the slot decides which GPU its
 * trainer child may see, so two jobs never share a GPU.
 */
export interface Slot {
  index: number;
  /** Extra environment for the trainer child (CUDA_VISIBLE_DEVICES for a GPU slot). */
  env: Record<string, string>;
  label: string;
  /** CPU slots: how many OpenMP threads each attempt may use (thread-choice.ts). */
  threads?: ThreadPlan;
}

export class SlotPool {
  private readonly free: Slot[];

  constructor(readonly slots: Slot[]) {
    this.free = [...slots];
  }

  static fromConfig(
    config: {
      WORKER_SLOTS: number;
      WORKER_GPUS?: string;
      TRAINER_THREADS?: number | 'auto';
      TRAINER_OMP_WAIT_POLICY?: 'PASSIVE' | 'ACTIVE';
    },
    cpuCount = availableParallelism(),
  ): SlotPool {
    if (config.WORKER_GPUS) {
      const gpus = config.WORKER_GPUS.split(',');
      return new SlotPool(
        gpus.map((gpu, index) => ({ index, env: { CUDA_VISIBLE_DEVICES: gpu }, label: `gpu${gpu}` })),
      );
    }
    const fixed = typeof config.TRAINER_THREADS === 'number' ? config.TRAINER_THREADS : undefined;
    const threads = fixed ?? Math.max(1, Math.floor(cpuCount / config.WORKER_SLOTS));
    return new SlotPool(
      Array.from({ length: config.WORKER_SLOTS }, (_, index) => ({
        index,
        // Hide GPUs from CPU slots so that a CUDA-enabled build does not grab one uninvited, and
        // give each slot its share of the cores and the wait policy of its idle threads.
        env: {
          CUDA_VISIBLE_DEVICES: '',
          OMP_NUM_THREADS: String(threads),
          OMP_WAIT_POLICY: config.TRAINER_OMP_WAIT_POLICY ?? 'PASSIVE',
        },
        label: `cpu${index}`,
        threads: { max: threads, auto: fixed === undefined },
      })),
    );
  }

  get size(): number {
    return this.slots.length;
  }

  /** BullMQ's concurrency equals the pool size, so a free slot always exists when a job starts. */
  acquire(): Slot {
    const slot = this.free.shift();
    if (!slot) throw new Error('no free slot: worker concurrency exceeds the slot count');
    return slot;
  }

  release(slot: Slot): void {
    this.free.push(slot);
    this.free.sort((a, b) => a.index - b.index);
  }
}
