import { describe, expect, it } from 'vitest';
import { SlotPool } from './slots';

describe('SlotPool', () => {
  it('makes one slot per GPU, each pinned to its own device', () => {
    const pool = SlotPool.fromConfig({ WORKER_SLOTS: 1, WORKER_GPUS: '0,3' });
    expect(pool.size).toBe(2);
    const a = pool.acquire();
    const b = pool.acquire();
    expect([a.env.CUDA_VISIBLE_DEVICES, b.env.CUDA_VISIBLE_DEVICES]).toEqual(['0', '3']);
    expect(() => pool.acquire()).toThrow(/no free slot/);
    pool.release(a);
    expect(pool.acquire().label).toBe('gpu0');
  });

  it('makes CPU slots that hide every GPU and share the cores', () => {
    const pool = SlotPool.fromConfig({ WORKER_SLOTS: 3 }, 8);
    expect(pool.size).toBe(3);
    expect(pool.acquire().env).toEqual({ CUDA_VISIBLE_DEVICES: '', OMP_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' });
    expect(SlotPool.fromConfig({ WORKER_SLOTS: 4 }, 2).acquire().env.OMP_NUM_THREADS).toBe('1');
    expect(SlotPool.fromConfig({ WORKER_SLOTS: 1, TRAINER_THREADS: 5 }, 2).acquire().env.OMP_NUM_THREADS).toBe('5');
    // The share is the most an attempt may take; by default each attempt takes the idle cores of it.
    expect(SlotPool.fromConfig({ WORKER_SLOTS: 3 }, 8).acquire().threads).toEqual({ max: 2, auto: true });
    expect(SlotPool.fromConfig({ WORKER_SLOTS: 1, TRAINER_THREADS: 'auto' }, 4).acquire().threads).toEqual({
      max: 4,
      auto: true,
    });
    expect(SlotPool.fromConfig({ WORKER_SLOTS: 1, TRAINER_THREADS: 5 }, 2).acquire().threads).toEqual({
      max: 5,
      auto: false,
    });
    expect(SlotPool.fromConfig({ WORKER_SLOTS: 1, WORKER_GPUS: '0' }).acquire().threads).toBeUndefined();
    const spinning = SlotPool.fromConfig({ WORKER_SLOTS: 1, TRAINER_OMP_WAIT_POLICY: 'ACTIVE' }, 2);
    expect(spinning.acquire().env.OMP_WAIT_POLICY).toBe('ACTIVE');
  });
});
